/**
 * The public age test suite (C2SP CCTV, npm `cctv-age`): every vector that exercises a feature hatch implements
 * (binary encoding; X25519 and scrypt recipients) must produce exactly the expected outcome, and for success and
 * payload-failure vectors the plaintext released before the end/failure must hash to the expected value.
 *
 * Skipped, and counted: ASCII-armored vectors (hatch reads binary age only; they are still checked to be rejected
 * cleanly as HEADER_INVALID) and vectors for the post-quantum hybrid (mlkem768x25519) recipient type.
 */
import {createHash} from 'node:crypto'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {inflateSync} from 'node:zlib'

import * as vectors from 'cctv-age'
import {afterAll, describe, expect, it} from 'vitest'

import {
  AgeError,
  createDecryptStream,
  decrypt,
  decryptIterable,
  generateIdentity,
  parseHeader,
  scryptIdentity,
  type AgeErrorKind,
  type Identity,
  type IdentityLike,
} from '../../../../src/core/archive/age/index.js'

type Expect = 'success' | 'no match' | 'HMAC failure' | 'header failure' | 'payload failure' | 'armor failure'

interface Vector {
  name: string
  expect: Expect
  payload?: string
  identities: string[]
  passphrases: string[]
  armored: boolean
  file: Buffer
}

function parseVector(name: string, bytes: Uint8Array): Vector {
  const buf = Buffer.from(bytes)
  const split = buf.indexOf('\n\n')
  const meta = buf.subarray(0, split).toString('utf8').split('\n')
  let body = buf.subarray(split + 2)
  const v: Vector = {name, expect: 'success', identities: [], passphrases: [], armored: false, file: body}
  let compressed = false
  for (const line of meta) {
    const i = line.indexOf(': ')
    const key = line.slice(0, i)
    const value = line.slice(i + 2)
    if (key === 'expect') v.expect = value as Expect
    else if (key === 'payload') v.payload = value
    else if (key === 'identity') v.identities.push(value)
    else if (key === 'passphrase') v.passphrases.push(value)
    else if (key === 'armored') v.armored = value === 'yes'
    else if (key === 'compressed') compressed = value === 'zlib'
  }
  if (compressed) body = inflateSync(body)
  v.file = body
  return v
}

/** Which of our error kinds each expected outcome class allows. */
const OUTCOME_KINDS: Record<Exclude<Expect, 'success' | 'armor failure'>, AgeErrorKind[]> = {
  'no match': ['NO_MATCHING_KEY', 'WRONG_PASSPHRASE'],
  'HMAC failure': ['HEADER_MAC'],
  'header failure': ['HEADER_INVALID', 'WORK_FACTOR_TOO_HIGH'],
  'payload failure': ['PAYLOAD_TRUNCATED', 'PAYLOAD_TRAILING_DATA', 'PAYLOAD_EMPTY_CHUNK', 'PAYLOAD_AUTH'],
}

/** The precise kind for vectors where the class allows several: the failure each vector was built to show. */
const PRECISE_KIND: Record<string, AgeErrorKind> = {
  scrypt_work_factor_23: 'WORK_FACTOR_TOO_HIGH',
  scrypt_work_factor_overflow: 'WORK_FACTOR_TOO_HIGH',
  scrypt_no_match: 'WRONG_PASSPHRASE',
  scrypt_bad_tag: 'WRONG_PASSPHRASE',
  scrypt_work_factor_wrong: 'WRONG_PASSPHRASE',
  x25519_no_match: 'NO_MATCHING_KEY',
  x25519_bad_tag: 'NO_MATCHING_KEY',
  x25519_lowercase: 'NO_MATCHING_KEY',
  stream_bad_tag: 'PAYLOAD_AUTH',
  stream_bad_tag_second_chunk: 'PAYLOAD_AUTH',
  stream_bad_tag_second_chunk_full: 'PAYLOAD_AUTH',
  stream_last_chunk_empty: 'PAYLOAD_EMPTY_CHUNK',
  stream_no_chunks: 'PAYLOAD_TRUNCATED',
  stream_no_final: 'PAYLOAD_TRUNCATED',
  stream_no_final_full: 'PAYLOAD_TRUNCATED',
  stream_no_final_two_chunks: 'PAYLOAD_TRUNCATED',
  stream_no_final_two_chunks_full: 'PAYLOAD_TRUNCATED',
  stream_trailing_garbage_long: 'PAYLOAD_TRAILING_DATA',
  stream_trailing_garbage_short: 'PAYLOAD_TRAILING_DATA',
  stream_two_final_chunks: 'PAYLOAD_TRAILING_DATA',
  stream_two_final_chunks_full: 'PAYLOAD_TRAILING_DATA',
  stream_two_final_chunks_second: 'PAYLOAD_TRAILING_DATA',
}

function skipReason(v: Vector): string | undefined {
  if (v.armored) return 'ASCII armor (not supported; hatch reads binary age files)'
  if (v.identities.some((id) => id.startsWith('AGE-SECRET-KEY-PQ-'))) return 'post-quantum hybrid recipients (not supported)'
  return undefined
}

/** The vector's identities; a vector that lists none (e.g. `empty`) gets an unrelated one, as the API needs one. */
function identitiesOf(v: Vector): Array<Identity | IdentityLike> {
  const list: Array<Identity | IdentityLike> = [...v.identities, ...v.passphrases.map((p) => scryptIdentity(p))]
  return list.length > 0 ? list : [generateIdentity().identity]
}

async function* feed(file: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < file.length; i += size) yield file.subarray(i, i + size)
}

/** Runs the async-iterable decryptor, returning what it released and how it ended. */
async function runIterable(v: Vector, chunkSize: number): Promise<{released: string; error: unknown}> {
  const hash = createHash('sha256')
  let error: unknown
  try {
    for await (const part of decryptIterable(feed(v.file, chunkSize), identitiesOf(v))) hash.update(part)
  } catch (err) {
    error = err
  }
  return {released: hash.digest('hex'), error}
}

function checkOutcome(v: Vector, error: unknown): void {
  if (v.expect === 'success') {
    expect(error).toBeUndefined()
    return
  }
  expect(error, `${v.name} should fail`).toBeInstanceOf(AgeError)
  const kind = (error as AgeError).kind
  expect(OUTCOME_KINDS[v.expect as keyof typeof OUTCOME_KINDS]).toContain(kind)
  const precise = PRECISE_KIND[v.name]
  if (precise !== undefined) expect(kind).toBe(precise)
}

const all = Object.entries(vectors as Record<string, Uint8Array>).map(([name, bytes]) => parseVector(name, bytes))
const applicable = all.filter((v) => skipReason(v) === undefined)
const skipped = all.filter((v) => skipReason(v) !== undefined)
const passed: string[] = []

describe('age test vectors (cctv-age)', () => {
  it('has the expected shape', () => {
    expect(all.length).toBeGreaterThanOrEqual(140)
    expect(applicable.length).toBeGreaterThanOrEqual(90)
    for (const v of applicable) {
      if (v.expect === 'success' || v.expect === 'payload failure') expect(v.payload, v.name).toMatch(/^[0-9a-f]{64}$/)
    }
  })

  for (const v of applicable) {
    describe(v.name, () => {
      it(`${v.expect} (async iterable, whole-file and odd-sized input)`, async () => {
        const sizes = v.file.length > 300_000 ? [v.file.length, 65_537] : [v.file.length, 65_537, 4099, 17]
        for (const size of sizes) {
          const {released, error} = await runIterable(v, Math.max(size, 1))
          checkOutcome(v, error)
          if (v.expect === 'success' || v.expect === 'payload failure') expect(released, `released plaintext (feed ${size})`).toBe(v.payload)
          else expect(released).toBe(createHash('sha256').digest('hex'))
        }
        passed.push(v.name)
      })

      it(`${v.expect} (Transform stream and buffer helper)`, async () => {
        const hash = createHash('sha256')
        let streamError: unknown
        try {
          await pipeline(Readable.from([v.file]), createDecryptStream(identitiesOf(v)), async (source: AsyncIterable<Buffer>) => {
            for await (const part of source) hash.update(part)
          })
        } catch (err) {
          streamError = err
        }
        checkOutcome(v, streamError)
        if (v.expect === 'success') expect(hash.digest('hex')).toBe(v.payload)

        let bufferError: unknown
        let plaintext: Buffer | undefined
        try {
          plaintext = await decrypt(v.file, identitiesOf(v))
        } catch (err) {
          bufferError = err
        }
        checkOutcome(v, bufferError)
        if (v.expect === 'success') expect(createHash('sha256').update(plaintext!).digest('hex')).toBe(v.payload)
        else expect(plaintext).toBeUndefined()
      })

      if (v.expect !== 'header failure') {
        it('header parses', () => {
          expect(parseHeader(v.file, true)).toBeDefined()
        })
      }
    })
  }

  describe('skipped vectors are still rejected cleanly', () => {
    for (const v of skipped.filter((s) => s.armored)) {
      it(`${v.name}: armored input is HEADER_INVALID`, async () => {
        const err = await decrypt(v.file, ['AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0']).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(AgeError)
        expect((err as AgeError).kind).toBe('HEADER_INVALID')
      })
    }
  })

  afterAll(() => {
    const reasons = new Map<string, string[]>()
    for (const v of skipped) {
      const r = skipReason(v)!
      reasons.set(r, [...(reasons.get(r) ?? []), v.name])
    }
    const lines = [`age vectors: ${all.length} total, ${applicable.length} applicable, ${passed.length} passed, ${skipped.length} skipped`]
    for (const [r, names] of reasons) lines.push(`  skipped ${names.length}: ${r}`)
    console.log(lines.join('\n'))
  })
})
