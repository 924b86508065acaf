import {createCipheriv, hkdfSync, randomBytes} from 'node:crypto'
import {createReadStream, createWriteStream} from 'node:fs'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {describe, expect, it} from 'vitest'

import {
  AgeError,
  CHUNK_SIZE,
  createDecryptStream,
  createEncryptStream,
  decrypt,
  decryptIterable,
  encodeHeader,
  ENCRYPTED_CHUNK_SIZE,
  encrypt,
  encryptIterable,
  generateIdentity,
  parseHeader,
  parseRecipient,
  PAYLOAD_NONCE_SIZE,
} from '../../../../src/core/archive/age/index.js'
import {chunked, KiB64, randomData, sha256, tryDecrypt, withTempDir} from './helpers.js'

const alice = generateIdentity()
const bob = generateIdentity()

const SIZES = [0, 1, 100, KiB64 - 1, KiB64, KiB64 + 1, 2 * KiB64, 2 * KiB64 + 1, 3 * KiB64 + 5, 5 * 1024 * 1024 + 7]

/** The expected ciphertext size: header, nonce, and one 16-byte tag per chunk (an empty file has one chunk). */
function expectedSize(headerLength: number, n: number): number {
  const chunks = n === 0 ? 1 : Math.ceil(n / CHUNK_SIZE)
  return headerLength + PAYLOAD_NONCE_SIZE + n + 16 * chunks
}

describe('round trips', () => {
  for (const size of SIZES) {
    it(`buffers, ${size} bytes`, async () => {
      const plain = randomData(size)
      const file = await encrypt(plain, [alice.recipient])
      const header = parseHeader(file, true)!
      expect(file.length).toBe(expectedSize(header.length, size))
      expect((await decrypt(file, [alice.identity])).equals(plain)).toBe(true)
    })
  }

  it('Transform streams with files, multi-MB, two recipients', async () => {
    await withTempDir(async (dir) => {
      const plain = randomData(9 * 1024 * 1024 + 12_345)
      await writeFile(join(dir, 'in'), plain)
      await pipeline(createReadStream(join(dir, 'in')), createEncryptStream([alice.recipient, bob.recipient]), createWriteStream(join(dir, 'in.age')))
      for (const id of [alice.identity, bob.identity]) {
        await pipeline(createReadStream(join(dir, 'in.age'), {highWaterMark: 10_007}), createDecryptStream([id]), createWriteStream(join(dir, 'out')))
        expect(sha256(await readFile(join(dir, 'out')))).toBe(sha256(plain))
      }
    })
  })

  it('async iterables with odd chunking, both ways', async () => {
    for (const size of [0, 1, KiB64, KiB64 + 1, 3 * KiB64 + 5]) {
      const plain = randomData(size)
      for (const feed of [1, 7, 65_535, 65_553, 1 << 20]) {
        if (feed === 1 && size > KiB64 + 1) continue
        const parts: Buffer[] = []
        for await (const p of encryptIterable(chunked(plain, feed), [alice.recipient])) parts.push(p)
        const file = Buffer.concat(parts)
        const {released, kind} = await tryDecrypt(file, [alice.identity], feed === 1 ? 3 : feed)
        expect(kind).toBeUndefined()
        expect(released.equals(plain)).toBe(true)
      }
    }
  })

  it('exact chunk structure: 64 KiB is one full final chunk, 0 bytes one empty chunk', async () => {
    for (const [size, chunks] of [[0, 1], [1, 1], [KiB64, 1], [KiB64 + 1, 2], [2 * KiB64, 2]] as const) {
      const file = await encrypt(randomData(size), [alice.recipient])
      const h = parseHeader(file, true)!
      expect(file.length - h.length - PAYLOAD_NONCE_SIZE - size).toBe(16 * chunks)
    }
  })

  it('stream.pipeline accepts the iterable API as a stage', async () => {
    const plain = randomData(200_000)
    const parts: Buffer[] = []
    await pipeline(
      Readable.from(chunked(plain, 30_000)),
      (src: AsyncIterable<Buffer>) => encryptIterable(src, [alice.recipient]),
      (src: AsyncIterable<Buffer>) => decryptIterable(src, [alice.identity]),
      async (src: AsyncIterable<Buffer>) => {
        for await (const p of src) parts.push(p)
      },
    )
    expect(Buffer.concat(parts).equals(plain)).toBe(true)
  })

  it('keeps memory bounded while streaming 128 MiB', async () => {
    const block = randomData(1 << 20)
    const total = 128
    async function* source() {
      for (let i = 0; i < total; i++) yield Buffer.from(block)
    }
    let seen = 0
    let peak = 0
    const base = process.memoryUsage().arrayBuffers
    await pipeline(Readable.from(source()), createEncryptStream([alice.recipient]), createDecryptStream([alice.identity]), async (src: AsyncIterable<Buffer>) => {
      for await (const p of src) {
        seen += p.length
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)
      }
    })
    expect(seen).toBe(total << 20)
    // Without bounded buffering this would be >= 128 MiB (plus ciphertext); allow generous slack for lazy GC.
    expect(peak).toBeLessThan(96 * 1024 * 1024)
  })
})

describe('truncation', () => {
  it('every prefix of a small file fails with an AgeError and releases nothing', async () => {
    const file = await encrypt(Buffer.from('x'), [alice.recipient])
    const h = parseHeader(file, true)!
    for (let len = 0; len < file.length; len++) {
      const {released, kind} = await tryDecrypt(file.subarray(0, len), [alice.identity])
      expect(released.length, `prefix ${len}`).toBe(0)
      if (len <= h.length + PAYLOAD_NONCE_SIZE - 1) expect(kind, `prefix ${len}`).toBe('HEADER_INVALID')
      else if (len < h.length + PAYLOAD_NONCE_SIZE + 16) expect(kind, `prefix ${len}`).toBe('PAYLOAD_TRUNCATED')
      else expect(kind, `prefix ${len}`).toBe('PAYLOAD_AUTH')
    }
  })

  it('cuts at and around chunk boundaries report the right class and release only verified chunks', async () => {
    const plain = randomData(3 * KiB64 + 100)
    const file = await encrypt(plain, [alice.recipient])
    const p0 = parseHeader(file, true)!.length + PAYLOAD_NONCE_SIZE
    const E = ENCRYPTED_CHUNK_SIZE
    const cases: Array<[number, string, number]> = [
      [p0 - 16, 'HEADER_INVALID', 0], // right after the header: no nonce
      [p0 - 1, 'HEADER_INVALID', 0], // partial nonce
      [p0, 'PAYLOAD_TRUNCATED', 0], // no chunks at all
      [p0 + 8, 'PAYLOAD_TRUNCATED', 0], // shorter than a tag
      [p0 + 1000, 'PAYLOAD_AUTH', 0], // inside chunk 1
      [p0 + E - 1, 'PAYLOAD_AUTH', 0], // one byte short of chunk 1
      [p0 + E, 'PAYLOAD_TRUNCATED', 1], // exactly after chunk 1: final chunk missing
      [p0 + E + 5, 'PAYLOAD_TRUNCATED', 1], // chunk 1 + fewer bytes than a tag
      [p0 + E + 16, 'PAYLOAD_AUTH', 1], // chunk 1 + an (invalid) empty chunk
      [p0 + 2 * E, 'PAYLOAD_TRUNCATED', 2],
      [p0 + 3 * E, 'PAYLOAD_TRUNCATED', 3],
      [file.length - 1, 'PAYLOAD_AUTH', 3], // last byte of the final chunk's tag
    ]
    for (const [len, kind, chunks] of cases) {
      const r = await tryDecrypt(file.subarray(0, len), [alice.identity], 50_000)
      expect(r.kind, `cut at ${len - p0} into payload`).toBe(kind)
      expect(r.released.equals(plain.subarray(0, chunks * CHUNK_SIZE)), `released ${chunks} chunks`).toBe(true)
      await expect(decrypt(file.subarray(0, len), [alice.identity])).rejects.toMatchObject({kind})
    }
  })

  it('a file whose last chunk is full: dropping it is PAYLOAD_TRUNCATED, appending data is PAYLOAD_TRAILING_DATA', async () => {
    const plain = randomData(2 * KiB64)
    const file = await encrypt(plain, [alice.recipient])
    const p0 = parseHeader(file, true)!.length + PAYLOAD_NONCE_SIZE
    const cut = await tryDecrypt(file.subarray(0, p0 + ENCRYPTED_CHUNK_SIZE), [alice.identity])
    expect(cut.kind).toBe('PAYLOAD_TRUNCATED')
    for (const extra of [Buffer.from([0]), Buffer.alloc(16), file.subarray(p0, p0 + ENCRYPTED_CHUNK_SIZE)]) {
      const r = await tryDecrypt(Buffer.concat([file, extra]), [alice.identity])
      expect(r.kind).toBe('PAYLOAD_TRAILING_DATA')
      expect(r.released.equals(plain)).toBe(true) // every chunk verified, including the final one
      await expect(decrypt(Buffer.concat([file, extra]), [alice.identity])).rejects.toMatchObject({kind: 'PAYLOAD_TRAILING_DATA'})
    }
  })

  it('trailing bytes after a short final chunk merge into it and fail authentication', async () => {
    const file = await encrypt(randomData(1000), [alice.recipient])
    const r = await tryDecrypt(Buffer.concat([file, Buffer.from('junk')]), [alice.identity])
    expect(r.kind).toBe('PAYLOAD_AUTH')
    expect(r.released.length).toBe(0)
  })

  it('hand-built STREAMs: empty final chunk after data, empty first chunk, two final chunks', async () => {
    const full = randomData(KiB64)
    const empty = await handBuilt([[full, false], [Buffer.alloc(0), true]])
    const r1 = await tryDecrypt(empty, [alice.identity])
    expect(r1.kind).toBe('PAYLOAD_EMPTY_CHUNK')
    expect(r1.released.equals(full)).toBe(true)
    expect((await tryDecrypt(await handBuilt([[Buffer.alloc(0), true]]), [alice.identity])).kind).toBeUndefined()
    const twoFinals = await handBuilt([[full, true], [Buffer.from('more'), true]])
    const r2 = await tryDecrypt(twoFinals, [alice.identity])
    expect(r2.kind).toBe('PAYLOAD_TRAILING_DATA')
    expect(r2.released.equals(full)).toBe(true)
    const shortNonFinal = await handBuilt([[Buffer.from('short'), false]])
    expect((await tryDecrypt(shortNonFinal, [alice.identity])).kind).toBe('PAYLOAD_TRUNCATED')
    const sane = await handBuilt([[full, false], [Buffer.from('end'), true]])
    expect((await decrypt(sane, [alice.identity])).equals(Buffer.concat([full, Buffer.from('end')]))).toBe(true)
  })
})

/** An age file for alice with the given chunks sealed exactly as listed (counter = position, flag = last). */
async function handBuilt(chunks: Array<[Buffer, boolean]>): Promise<Buffer> {
  const fileKey = randomBytes(16)
  const stanzas = parseRecipient(alice.recipient).wrapFileKey(fileKey)
  const nonce = randomBytes(16)
  const key = Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32))
  const parts = [encodeHeader(stanzas, fileKey), nonce]
  chunks.forEach(([data, last], i) => {
    const n = Buffer.alloc(12)
    n.writeUInt32BE(i, 7)
    n[11] = last ? 1 : 0
    const c = createCipheriv('chacha20-poly1305', key, n, {authTagLength: 16})
    parts.push(c.update(data), c.final(), c.getAuthTag())
  })
  return Buffer.concat(parts)
}

describe('tampering', () => {
  it('a flipped bit anywhere in the header fails as HEADER_INVALID, NO_MATCHING_KEY or HEADER_MAC', async () => {
    const file = await encrypt(randomData(10), [alice.recipient])
    const h = parseHeader(file, true)!
    const seen = new Set<string>()
    for (let i = 0; i < h.length; i++) {
      const bad = Buffer.from(file)
      bad[i]! ^= 0x01
      const r = await tryDecrypt(bad, [alice.identity])
      expect(['HEADER_INVALID', 'NO_MATCHING_KEY', 'HEADER_MAC'], `byte ${i}`).toContain(r.kind)
      expect(r.released.length).toBe(0)
      seen.add(r.kind!)
    }
    expect(seen).toEqual(new Set(['HEADER_INVALID', 'NO_MATCHING_KEY', 'HEADER_MAC']))
  })

  it('an altered MAC is HEADER_MAC; an altered stanza body is NO_MATCHING_KEY', async () => {
    const file = await encrypt(randomData(10), [alice.recipient])
    const text = file.toString('latin1')
    const macAt = text.indexOf('\n--- ') + 5
    const bad = Buffer.from(file)
    bad[macAt] = bad[macAt] === 0x41 ? 0x42 : 0x41 // 'A'/'B': still canonical base64 (not the last character)
    expect((await tryDecrypt(bad, [alice.identity])).kind).toBe('HEADER_MAC')
    const bodyAt = text.indexOf('\n', text.indexOf('-> X25519')) + 1
    const bad2 = Buffer.from(file)
    bad2[bodyAt] = bad2[bodyAt] === 0x41 ? 0x42 : 0x41
    expect((await tryDecrypt(bad2, [alice.identity])).kind).toBe('NO_MATCHING_KEY')
  })

  it('a flipped byte in the nonce or in any chunk is PAYLOAD_AUTH, releasing exactly the chunks before it', async () => {
    const plain = randomData(3 * KiB64 + 100)
    const file = await encrypt(plain, [alice.recipient])
    const p0 = parseHeader(file, true)!.length + PAYLOAD_NONCE_SIZE
    const E = ENCRYPTED_CHUNK_SIZE
    const positions: Array<[number, number]> = [
      [p0 - 16, 0], // nonce
      [p0 - 1, 0],
      [p0, 0], // chunk 1 first ciphertext byte
      [p0 + E - 1, 0], // chunk 1 tag
      [p0 + E + 500, 1],
      [p0 + 2 * E - 16, 1],
      [p0 + 3 * E, 3], // final chunk
      [file.length - 1, 3],
    ]
    for (const [pos, chunks] of positions) {
      const bad = Buffer.from(file)
      bad[pos]! ^= 0x80
      const r = await tryDecrypt(bad, [alice.identity], 70_000)
      expect(r.kind, `flip at ${pos - p0}`).toBe('PAYLOAD_AUTH')
      expect(r.released.equals(plain.subarray(0, chunks * CHUNK_SIZE))).toBe(true)
      await expect(decrypt(bad, [alice.identity])).rejects.toMatchObject({kind: 'PAYLOAD_AUTH'})
    }
  })

  it('the Transform stream reports the same error through pipeline', async () => {
    const file = await encrypt(randomData(KiB64 * 2 + 1), [alice.recipient])
    const bad = Buffer.from(file)
    bad[bad.length - 20]! ^= 1
    const err = await pipeline(Readable.from([bad]), createDecryptStream([alice.identity]), async (src: AsyncIterable<Buffer>) => {
      for await (const _ of src) {
        // drain
      }
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AgeError)
    expect((err as AgeError).kind).toBe('PAYLOAD_AUTH')
  })
})
