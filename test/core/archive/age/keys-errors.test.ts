import {describe, expect, it} from 'vitest'

import {HatchError} from '../../../../src/core/errors.js'
import {
  AGE_ERROR_KINDS,
  AgeError,
  decrypt,
  decryptIterable,
  encodeHeader,
  encrypt,
  formatIdentityFile,
  generateIdentity,
  identityToRecipient,
  parseHeader,
  parseIdentity,
  parseIdentityFile,
  parseRecipient,
  parseRecipientsFile,
  scryptIdentity,
  scryptRecipient,
  toHatchError,
  type AgeErrorKind,
} from '../../../../src/core/archive/age/index.js'
import {tryDecrypt} from './helpers.js'

// A published test key (from the cctv-age vectors) and its recipient, cross-checked with `age-keygen -y`.
const VECTOR_ID = 'AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0'

async function kindOf(p: Promise<unknown>): Promise<AgeErrorKind | undefined> {
  try {
    await p
    return undefined
  } catch (err) {
    if (err instanceof AgeError) return err.kind
    throw err
  }
}

function catchSync(fn: () => unknown): AgeError {
  try {
    fn()
  } catch (err) {
    if (err instanceof AgeError) return err
    throw err
  }
  throw new Error('expected an AgeError')
}

describe('keys', () => {
  it('generateIdentity returns a canonical identity and its recipient', () => {
    const {identity, recipient} = generateIdentity()
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/)
    expect(recipient).toMatch(/^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/)
    expect(identityToRecipient(identity)).toBe(recipient)
    expect(parseIdentity(identity).encode()).toBe(identity)
    expect(parseRecipient(recipient).toString()).toBe(recipient)
    expect(generateIdentity().identity).not.toBe(identity)
  })

  it('parses identity files: comments, blank lines, CRLF, several identities', () => {
    const a = generateIdentity()
    const b = generateIdentity()
    const text = `# created: 2024-01-01T00:00:00Z\r\n# public key: ${a.recipient}\r\n${a.identity}\r\n\r\n   \n# another\n  ${b.identity}  \n`
    const ids = parseIdentityFile(text)
    expect(ids.map((i) => i.recipient.toString())).toEqual([a.recipient, b.recipient])
    expect(parseIdentityFile(formatIdentityFile(a.identity)).map((i) => i.encode())).toEqual([a.identity])
  })

  it('identity file errors name the line, never its content', () => {
    const a = generateIdentity()
    const broken = a.identity.slice(0, -1) + (a.identity.endsWith('Q') ? 'P' : 'Q')
    const err = catchSync(() => parseIdentityFile(`# comment\n${a.identity}\n${broken}\n`))
    expect(err.kind).toBe('INVALID_IDENTITY')
    expect(err.message).toContain('line 3')
    expect(err.message).not.toContain(broken.slice(16, 40))
    expect(catchSync(() => parseIdentityFile('# nothing here\n\n')).kind).toBe('INVALID_IDENTITY')
    expect(catchSync(() => parseIdentityFile('AGE-PLUGIN-YUBIKEY-1QQQQQ\n')).message).toMatch(/plugin/)
  })

  it('rejects malformed or unsupported keys without echoing them', () => {
    const {identity, recipient} = generateIdentity()
    const bad = [
      [() => parseRecipient(recipient.toUpperCase()), 'INVALID_RECIPIENT'],
      [() => parseRecipient(recipient.slice(0, -1) + (recipient.endsWith('q') ? 'p' : 'q')), 'INVALID_RECIPIENT'],
      [() => parseRecipient('age1pq1' + 'q'.repeat(80)), 'INVALID_RECIPIENT'],
      [() => parseRecipient('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN'), 'INVALID_RECIPIENT'],
      [() => parseRecipient(identity), 'INVALID_RECIPIENT'],
      [() => parseIdentity(identity.toLowerCase()), 'INVALID_IDENTITY'],
      [() => parseIdentity(recipient), 'INVALID_IDENTITY'],
      [() => parseIdentity('correct horse battery staple'), 'INVALID_IDENTITY'],
    ] as const
    for (const [fn, kind] of bad) {
      const err = catchSync(fn)
      expect(err.kind).toBe(kind)
      expect(err.message).not.toContain(identity.slice(16))
      expect(err.message).not.toContain(identity.slice(16).toLowerCase())
      expect(err.message).not.toContain('horse')
    }
    expect(parseRecipientsFile(`# team\n${recipient}\n\n`).map(String)).toEqual([recipient])
  })

  it('identity objects do not reveal the secret when printed', () => {
    const {identity} = generateIdentity()
    const id = parseIdentity(identity)
    expect(String(id)).not.toContain(identity)
    expect(JSON.stringify({id})).not.toContain(identity.slice(16))
    expect(JSON.stringify({p: scryptIdentity('hunter2')})).not.toContain('hunter2')
    expect(String(scryptRecipient('hunter2'))).not.toContain('hunter2')
  })

  it('knows the recipient of the vector key', () => {
    expect(identityToRecipient(VECTOR_ID)).toMatch(/^age1/)
  })
})

describe('header encoding', () => {
  it('wraps bodies at 64 columns and always ends with a short line', async () => {
    const fileKey = Buffer.alloc(16, 7)
    for (const size of [0, 1, 47, 48, 49, 96, 100]) {
      const stanza = {type: 'grease-x', args: ['a', 'b!'], body: Buffer.alloc(size, size)}
      const h = encodeHeader([stanza], fileKey)
      const lines = h.toString('latin1').split('\n')
      const bodyLines = lines.slice(2, -2)
      expect(bodyLines.slice(0, -1).every((l) => l.length === 64)).toBe(true)
      expect(bodyLines.at(-1)!.length).toBeLessThan(64)
      expect(bodyLines.join('')).not.toContain('=')
      const parsed = parseHeader(h, true)!
      expect(parsed.length).toBe(h.length)
      expect(Buffer.from(parsed.stanzas[0]!.body).equals(stanza.body)).toBe(true)
      expect(parsed.stanzas[0]).toMatchObject({type: 'grease-x', args: ['a', 'b!']})
    }
  })

  it('a stream without newlines is refused once past the header limit, not buffered forever', async () => {
    const {identity} = generateIdentity()
    let fed = 0
    async function* endless() {
      yield Buffer.from('age-encryption.org/')
      for (;;) {
        fed += 65_536
        yield Buffer.alloc(65_536, 0x61)
      }
    }
    const parts: Buffer[] = []
    const err = await (async () => {
      for await (const p of decryptIterable(endless(), [identity])) parts.push(p)
    })().catch((e: unknown) => e)
    expect((err as AgeError).kind).toBe('HEADER_INVALID')
    expect(fed).toBeLessThan(2 * 1024 * 1024)
  })

  it('refuses oversized headers without waiting for the end', () => {
    const junk = Buffer.from('age-encryption.org/v1\n' + '-> x\n' + `${'A'.repeat(64)}\n`.repeat(20_000))
    expect(catchSync(() => parseHeader(junk, false)).kind).toBe('HEADER_INVALID')
    expect(parseHeader(junk.subarray(0, 1000), false)).toBeUndefined()
    expect(catchSync(() => parseHeader(Buffer.from('PK\u0003\u0004'), false)).message).toMatch(/not an age/)
    expect(catchSync(() => parseHeader(Buffer.from('age-encryption.org/v2\n'), false)).message).toMatch(/version/)
  })
})

describe('error classes', () => {
  const alice = generateIdentity()
  const bob = generateIdentity()

  it('each failure has its own kind', async () => {
    const file = await encrypt('secret', [alice.recipient])
    expect(await kindOf(decrypt(file, [bob.identity]))).toBe('NO_MATCHING_KEY')
    expect(await kindOf(decrypt(file, [scryptIdentity('pw')]))).toBe('NO_MATCHING_KEY')
    expect(await kindOf(decrypt(Buffer.from('hello world\n'), [alice.identity]))).toBe('HEADER_INVALID')
    expect(await kindOf(decrypt(Buffer.alloc(0), [alice.identity]))).toBe('HEADER_INVALID')
    expect(await kindOf(encrypt('x', []))).toBe('INVALID_RECIPIENT')
  })

  it('passphrases: wrong one, wrong kind of key, minimum and too-high work factors, must stand alone', async () => {
    const file = await encrypt('secret', [scryptRecipient('right', {logN: 17})])
    expect(parseHeader(file, true)!.stanzas[0]!.args[1]).toBe('17')
    const wrong = await decrypt(file, [scryptIdentity('wrong-passphrase-123')]).catch((e: unknown) => e as AgeError)
    expect(wrong).toBeInstanceOf(AgeError)
    expect((wrong as AgeError).kind).toBe('WRONG_PASSPHRASE')
    expect((wrong as AgeError).message).not.toContain('wrong-passphrase-123')
    expect(await kindOf(decrypt(file, [alice.identity]))).toBe('NO_MATCHING_KEY')
    expect(await kindOf(decrypt(file, [scryptIdentity('right', {maxLogN: 16})]))).toBe('WORK_FACTOR_TOO_HIGH')
    expect((await decrypt(file, [alice.identity, scryptIdentity('right')])).toString()).toBe('secret')

    // A header asking for 2^23 is refused before any scrypt work (this would otherwise take seconds and 8 GiB).
    const text = file.toString('latin1').replace(/^(-> scrypt \S+) 17$/m, '$1 23')
    const t0 = performance.now()
    expect((await tryDecrypt(Buffer.from(text, 'latin1'), [scryptIdentity('right')])).kind).toBe('WORK_FACTOR_TOO_HIGH')
    expect(performance.now() - t0).toBeLessThan(500)

    expect(catchSync(() => scryptRecipient('pw', {logN: 16})).kind).toBe('INVALID_RECIPIENT')
    expect(catchSync(() => scryptRecipient('pw', {logN: 23})).kind).toBe('INVALID_RECIPIENT')
    expect(catchSync(() => scryptRecipient('')).kind).toBe('INVALID_RECIPIENT')
    expect(scryptRecipient('pw').logN).toBe(18)
    expect(await kindOf(encrypt('x', [scryptRecipient('pw', {logN: 17}), alice.recipient]))).toBe('INVALID_RECIPIENT')
  }, 30_000)

  it('every kind maps onto a HatchError; key problems are WRONG_KEY (exit 10), damage CHECKSUM_MISMATCH (exit 4)', () => {
    const expected: Record<AgeErrorKind, string> = {
      HEADER_INVALID: 'CHECKSUM_MISMATCH',
      HEADER_MAC: 'CHECKSUM_MISMATCH',
      PAYLOAD_TRUNCATED: 'CHECKSUM_MISMATCH',
      PAYLOAD_TRAILING_DATA: 'CHECKSUM_MISMATCH',
      PAYLOAD_EMPTY_CHUNK: 'CHECKSUM_MISMATCH',
      PAYLOAD_AUTH: 'CHECKSUM_MISMATCH',
      NO_MATCHING_KEY: 'WRONG_KEY',
      WRONG_PASSPHRASE: 'WRONG_KEY',
      WORK_FACTOR_TOO_HIGH: 'INVALID_ARGUMENT',
      INVALID_RECIPIENT: 'INVALID_ARGUMENT',
      INVALID_IDENTITY: 'INVALID_ARGUMENT',
    }
    expect(Object.keys(expected).sort()).toEqual([...AGE_ERROR_KINDS].sort())
    for (const kind of AGE_ERROR_KINDS) {
      const h = toHatchError(new AgeError(kind, 'detail.'), 'the archive a.tar.gz.age')
      expect(h).toBeInstanceOf(HatchError)
      expect(h.code, kind).toBe(expected[kind])
    }
    expect(toHatchError(new AgeError('NO_MATCHING_KEY', 'x')).exitCode).toBe(10)
    expect(toHatchError(new AgeError('PAYLOAD_AUTH', 'x')).exitCode).toBe(4)
    const passthrough = new HatchError('IO_ERROR', 'disk')
    expect(toHatchError(passthrough)).toBe(passthrough)
    expect(toHatchError(new Error('boom')).code).toBe('INTERNAL')
  })
})
