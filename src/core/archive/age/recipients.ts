/**
 * age recipients (who a file is encrypted to) and identities (what decrypts it): X25519 keys (`age1…` /
 * `AGE-SECRET-KEY-1…`) and passphrases (the scrypt stanza). The Recipient and Identity interfaces match the
 * `age-encryption` npm package's, so objects from either side can be mixed.
 */
import {generateKeyPairSync, randomBytes, scrypt as scryptCb, type KeyObject} from 'node:crypto'

import {bech32} from '@scure/base'

import {AgeError} from './errors.js'
import type {Stanza} from './header.js'
import {
  b64decodeStrict,
  b64encode,
  FILE_KEY_SIZE,
  hkdf,
  openSmall,
  rawPrivateKey,
  rawPublicKey,
  sealSmall,
  TAG_SIZE,
  x25519,
  x25519PrivateKey,
} from './primitives.js'

export interface Recipient {
  /** Wraps the 16-byte file key into the stanza(s) that go in the header. */
  wrapFileKey(fileKey: Uint8Array): Stanza[] | Promise<Stanza[]>
}

export interface Identity {
  /**
   * Returns the file key if one of the stanzas is for this identity and unwraps, null if none is. Throws (an
   * AgeError) only when a stanza meant for this identity is malformed.
   */
  unwrapFileKey(stanzas: readonly Stanza[]): Uint8Array | null | Promise<Uint8Array | null>
}

const RECIPIENT_HRP = 'age'
const IDENTITY_HRP = 'AGE-SECRET-KEY-'
const X25519_LABEL = 'age-encryption.org/v1/X25519'
const SCRYPT_LABEL = 'age-encryption.org/v1/scrypt'
const WRAPPED_KEY_SIZE = FILE_KEY_SIZE + TAG_SIZE

function invalidStanza(type: string, detail: string): AgeError {
  return new AgeError('HEADER_INVALID', `Invalid age header: the ${type} stanza is malformed (${detail}).`)
}

// ---------------------------------------------------------------------------------------------------------------
// X25519

export class X25519Recipient implements Recipient {
  /** The raw 32-byte public key. */
  readonly publicKey: Buffer

  constructor(publicKey: Uint8Array) {
    if (publicKey.length !== 32) throw new AgeError('INVALID_RECIPIENT', 'An X25519 public key is 32 bytes.')
    this.publicKey = Buffer.from(publicKey)
  }

  wrapFileKey(fileKey: Uint8Array): Stanza[] {
    const {privateKey} = generateKeyPairSync('x25519')
    const share = rawPublicKey(privateKey)
    const shared = x25519(privateKey, this.publicKey)
    if (shared === undefined) throw new AgeError('INVALID_RECIPIENT', 'The recipient is not a usable X25519 public key.')
    const wrapKey = hkdf(shared, Buffer.concat([share, this.publicKey]), X25519_LABEL)
    return [{type: 'X25519', args: [b64encode(share)], body: sealSmall(wrapKey, fileKey)}]
  }

  /** The `age1…` string. */
  toString(): string {
    return bech32.encode(RECIPIENT_HRP, bech32.toWords(this.publicKey), false)
  }

  toJSON(): string {
    return this.toString()
  }
}

export class X25519Identity implements Identity {
  readonly #privateKey: KeyObject
  readonly #publicKey: Buffer
  readonly #secret: Buffer

  constructor(secretKey: Uint8Array) {
    if (secretKey.length !== 32) throw new AgeError('INVALID_IDENTITY', 'An X25519 secret key is 32 bytes.')
    this.#secret = Buffer.from(secretKey)
    this.#privateKey = x25519PrivateKey(this.#secret)
    this.#publicKey = rawPublicKey(this.#privateKey)
  }

  /** The matching recipient. */
  get recipient(): X25519Recipient {
    return new X25519Recipient(this.#publicKey)
  }

  /** The `AGE-SECRET-KEY-1…` string. Secret: never log it. */
  encode(): string {
    return bech32.encode(IDENTITY_HRP, bech32.toWords(this.#secret), false).toUpperCase()
  }

  /** Deliberately does not reveal the key. */
  toString(): string {
    return `[X25519Identity ${this.recipient.toString()}]`
  }

  toJSON(): string {
    return this.toString()
  }

  unwrapFileKey(stanzas: readonly Stanza[]): Buffer | null {
    for (const stanza of stanzas) {
      if (stanza.type !== 'X25519') continue
      if (stanza.args.length !== 1) throw invalidStanza('X25519', 'it must have exactly one argument')
      const share = b64decodeStrict(stanza.args[0]!)
      if (share === undefined || share.length !== 32) throw invalidStanza('X25519', 'the ephemeral share is not 32 bytes of canonical base64')
      if (stanza.body.length !== WRAPPED_KEY_SIZE) throw invalidStanza('X25519', 'the wrapped file key has the wrong size')
      const shared = x25519(this.#privateKey, share)
      if (shared === undefined) throw invalidStanza('X25519', 'the ephemeral share is a low-order point')
      const wrapKey = hkdf(shared, Buffer.concat([share, this.#publicKey]), X25519_LABEL)
      const fileKey = openSmall(wrapKey, stanza.body)
      if (fileKey !== undefined) return fileKey
    }
    return null
  }
}

function unsupportedKindHint(s: string): string | undefined {
  if (/^age1pq1/i.test(s) || /^AGE-SECRET-KEY-PQ-1/i.test(s)) return 'post-quantum (ML-KEM hybrid) keys are not supported'
  if (/^AGE-PLUGIN-/i.test(s) || /^age1[a-z0-9]+1/.test(s)) return 'age plugin keys are not supported'
  if (/^(ssh-|ecdsa-)/.test(s) || s.includes('OPENSSH PRIVATE KEY')) return 'SSH keys are not supported'
  return undefined
}

/** Parses an `age1…` X25519 recipient. The message of the error never repeats the input. */
export function parseRecipient(s: string): X25519Recipient {
  const fail = (detail: string) => new AgeError('INVALID_RECIPIENT', `Invalid age recipient: ${detail}.`)
  const text = s.trim()
  if (!text.startsWith('age1') || text !== text.toLowerCase()) {
    throw fail(unsupportedKindHint(text) ?? 'expected an X25519 public key starting with "age1"')
  }
  const decoded = bech32.decodeUnsafe(text, false)
  if (decoded === undefined || decoded.prefix !== RECIPIENT_HRP) {
    throw fail(unsupportedKindHint(text) ?? 'the bech32 encoding or checksum is wrong')
  }
  const bytes = wordsToBytes(decoded.words)
  if (bytes === undefined || bytes.length !== 32) throw fail('the key is not 32 bytes')
  return new X25519Recipient(bytes)
}

/** Parses an `AGE-SECRET-KEY-1…` X25519 identity. The message of the error never repeats the input. */
export function parseIdentity(s: string): X25519Identity {
  const fail = (detail: string) => new AgeError('INVALID_IDENTITY', `Invalid age identity: ${detail}.`)
  const text = s.trim()
  if (!text.startsWith('AGE-SECRET-KEY-1') || text !== text.toUpperCase()) {
    throw fail(unsupportedKindHint(text) ?? 'expected an X25519 secret key starting with "AGE-SECRET-KEY-1"')
  }
  const decoded = bech32.decodeUnsafe(text, false)
  if (decoded === undefined || decoded.prefix !== IDENTITY_HRP.toLowerCase()) {
    throw fail('the bech32 encoding or checksum is wrong')
  }
  const bytes = wordsToBytes(decoded.words)
  if (bytes === undefined || bytes.length !== 32) throw fail('the key is not 32 bytes')
  return new X25519Identity(bytes)
}

function wordsToBytes(words: number[]): Uint8Array | undefined {
  try {
    return bech32.fromWords(words)
  } catch {
    return undefined
  }
}

/**
 * Parses an identity file as age-keygen writes it: one `AGE-SECRET-KEY-1…` per line, `#` comment lines and blank
 * lines ignored, LF or CRLF line ends. Errors name the line number, never the line.
 */
export function parseIdentityFile(text: string): X25519Identity[] {
  return parseKeyLines(text, parseIdentity, 'INVALID_IDENTITY', {file: 'identity file', one: 'identity', many: 'identities'})
}

/** Parses a recipients file (as `age -R` reads): one `age1…` per line, `#` comments and blank lines ignored. */
export function parseRecipientsFile(text: string): X25519Recipient[] {
  return parseKeyLines(text, parseRecipient, 'INVALID_RECIPIENT', {file: 'recipients file', one: 'recipient', many: 'recipients'})
}

/** One key per line, `#` comments and blank lines skipped; a bad line is named by number, never quoted. */
function parseKeyLines<T>(
  text: string,
  parse: (line: string) => T,
  kind: 'INVALID_IDENTITY' | 'INVALID_RECIPIENT',
  words: {file: string; one: string; many: string},
): T[] {
  const keys: T[] = []
  for (const [i, raw] of text.replace(/^\uFEFF/, '').split('\n').entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    try {
      keys.push(parse(line))
    } catch (err) {
      const detail = err instanceof AgeError ? err.message.replace(new RegExp(`^Invalid age ${words.one}: `), '') : `not an age ${words.one}.`
      throw new AgeError(kind, `Invalid ${words.file}: line ${i + 1}: ${detail}`)
    }
  }
  if (keys.length === 0) throw new AgeError(kind, `Invalid ${words.file}: it contains no ${words.many}.`)
  return keys
}

/** A new random X25519 identity (`AGE-SECRET-KEY-1…`) and its recipient (`age1…`). */
export function generateIdentity(): {identity: string; recipient: string} {
  const {privateKey} = generateKeyPairSync('x25519')
  const id = new X25519Identity(rawPrivateKey(privateKey))
  return {identity: id.encode(), recipient: id.recipient.toString()}
}

/** The `age1…` recipient of an `AGE-SECRET-KEY-1…` identity. */
export function identityToRecipient(identity: string): string {
  return parseIdentity(identity).recipient.toString()
}

/** An identity file in age-keygen's layout (mode 0600 is the writer's job). */
export function formatIdentityFile(identity: string, created: Date = new Date()): string {
  const recipient = identityToRecipient(identity)
  return `# created: ${created.toISOString().replace(/\.\d{3}Z$/, 'Z')}\n# public key: ${recipient}\n${identity}\n`
}

// ---------------------------------------------------------------------------------------------------------------
// scrypt (passphrases)

/** age's default and hatch's: N = 2^18 (about 1 s and 256 MiB). */
export const DEFAULT_SCRYPT_LOG_N = 18
/** hatch never writes a passphrase stanza weaker than N = 2^17. */
export const MIN_SCRYPT_LOG_N = 17
/** Readers refuse more than N = 2^22 by default (age's limit; 4 GiB of memory). */
export const MAX_SCRYPT_LOG_N = 22
/** The most a caller may raise the reader's limit to. */
const HARD_MAX_SCRYPT_LOG_N = 24
const SCRYPT_R = 8
const SCRYPT_P = 1

function scryptKey(passphrase: string, salt: Uint8Array, logN: number): Promise<Buffer> {
  const N = 2 ** logN
  // OpenSSL needs 128·r·(N+2) bytes for V plus 128·r·p for B; leave a little headroom.
  const maxmem = 128 * SCRYPT_R * (N + 2) + 128 * SCRYPT_R * SCRYPT_P + 1024 * 1024
  const fullSalt = Buffer.concat([Buffer.from(SCRYPT_LABEL, 'latin1'), salt])
  return new Promise((resolve, reject) => {
    scryptCb(passphrase, fullSalt, 32, {N, r: SCRYPT_R, p: SCRYPT_P, maxmem}, (err, key) => (err ? reject(err) : resolve(key)))
  })
}

export interface ScryptRecipientOptions {
  /** log2 of the scrypt work factor N, from MIN_SCRYPT_LOG_N to MAX_SCRYPT_LOG_N. Default DEFAULT_SCRYPT_LOG_N. */
  logN?: number
}

export class ScryptRecipient implements Recipient {
  readonly logN: number
  readonly #passphrase: string

  constructor(passphrase: string, options: ScryptRecipientOptions = {}) {
    const logN = options.logN ?? DEFAULT_SCRYPT_LOG_N
    if (!Number.isInteger(logN) || logN < MIN_SCRYPT_LOG_N || logN > MAX_SCRYPT_LOG_N) {
      throw new AgeError(
        'INVALID_RECIPIENT',
        `The scrypt work factor must be between 2^${MIN_SCRYPT_LOG_N} and 2^${MAX_SCRYPT_LOG_N} (logN ${MIN_SCRYPT_LOG_N}-${MAX_SCRYPT_LOG_N}).`,
      )
    }
    if (passphrase.length === 0) throw new AgeError('INVALID_RECIPIENT', 'The passphrase is empty.')
    this.logN = logN
    this.#passphrase = passphrase
  }

  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    const salt = randomBytes(16)
    const key = await scryptKey(this.#passphrase, salt, this.logN)
    return [{type: 'scrypt', args: [b64encode(salt), String(this.logN)], body: sealSmall(key, fileKey)}]
  }

  toString(): string {
    return `[ScryptRecipient logN=${this.logN}]`
  }

  toJSON(): string {
    return this.toString()
  }
}

export interface ScryptIdentityOptions {
  /** Refuse stanzas whose work factor is above 2^maxLogN (default MAX_SCRYPT_LOG_N = 22, like age). */
  maxLogN?: number
}

export class ScryptIdentity implements Identity {
  readonly maxLogN: number
  readonly #passphrase: string

  constructor(passphrase: string, options: ScryptIdentityOptions = {}) {
    const maxLogN = options.maxLogN ?? MAX_SCRYPT_LOG_N
    if (!Number.isInteger(maxLogN) || maxLogN < 1 || maxLogN > HARD_MAX_SCRYPT_LOG_N) {
      throw new AgeError('INVALID_IDENTITY', `The scrypt work factor limit must be between 2^1 and 2^${HARD_MAX_SCRYPT_LOG_N}.`)
    }
    this.maxLogN = maxLogN
    this.#passphrase = passphrase
  }

  async unwrapFileKey(stanzas: readonly Stanza[]): Promise<Buffer | null> {
    for (const stanza of stanzas) {
      if (stanza.type !== 'scrypt') continue
      if (stanzas.length !== 1) throw new AgeError('HEADER_INVALID', 'Invalid age header: an scrypt stanza must be the only stanza.')
      if (stanza.args.length !== 2) throw invalidStanza('scrypt', 'it must have exactly two arguments')
      const salt = b64decodeStrict(stanza.args[0]!)
      if (salt === undefined || salt.length !== 16) throw invalidStanza('scrypt', 'the salt is not 16 bytes of canonical base64')
      const logNText = stanza.args[1]!
      if (!/^[1-9][0-9]*$/.test(logNText)) throw invalidStanza('scrypt', 'the work factor is not a positive decimal number')
      const logN = logNText.length > 3 ? Infinity : Number(logNText)
      if (logN > this.maxLogN) {
        throw new AgeError(
          'WORK_FACTOR_TOO_HIGH',
          `The passphrase stanza asks for an scrypt work factor above the limit of 2^${this.maxLogN}; refusing to spend that much time and memory.`,
        )
      }
      if (stanza.body.length !== WRAPPED_KEY_SIZE) throw invalidStanza('scrypt', 'the wrapped file key has the wrong size')
      const key = await scryptKey(this.#passphrase, salt, logN)
      const fileKey = openSmall(key, stanza.body)
      if (fileKey !== undefined) return fileKey
    }
    return null
  }

  toString(): string {
    return '[ScryptIdentity]'
  }

  toJSON(): string {
    return this.toString()
  }
}

export function scryptRecipient(passphrase: string, options?: ScryptRecipientOptions): ScryptRecipient {
  return new ScryptRecipient(passphrase, options)
}

export function scryptIdentity(passphrase: string, options?: ScryptIdentityOptions): ScryptIdentity {
  return new ScryptIdentity(passphrase, options)
}
