/**
 * age v1 encryption and decryption: the header (file key wrapped per recipient, MAC) followed by the 16-byte
 * payload nonce and the STREAM payload. Three ways in, one implementation underneath:
 *
 * - createEncryptStream / createDecryptStream: Node Transform streams, for stream.pipeline with files.
 * - encryptIterable / decryptIterable: async generators over any (async) iterable of bytes.
 * - encrypt / decrypt: whole buffers in, whole buffer out.
 */
import {randomBytes} from 'node:crypto'
import {Transform, type TransformCallback} from 'node:stream'

import {AgeError} from './errors.js'
import {encodeHeader, MAX_HEADER_SIZE, parseHeader, verifyHeaderMac, type ParsedHeader, type Stanza} from './header.js'
import {FILE_KEY_SIZE, hkdf, toBuffer} from './primitives.js'
import {parseIdentity, parseRecipient, ScryptIdentity, type Identity, type Recipient} from './recipients.js'
import {CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, PAYLOAD_NONCE_SIZE, PayloadDecryptor, PayloadEncryptor, type Sink} from './stream.js'

/** A recipient object, or an `age1…` string. (Passphrases are never plain strings: use scryptRecipient.) */
export type RecipientLike = Recipient | string
/** An identity object, or an `AGE-SECRET-KEY-1…` string. (Passphrases: use scryptIdentity.) */
export type IdentityLike = Identity | string

function toRecipients(list: readonly RecipientLike[]): Recipient[] {
  if (list.length === 0) throw new AgeError('INVALID_RECIPIENT', 'At least one recipient is needed to encrypt.')
  return list.map((r) => (typeof r === 'string' ? parseRecipient(r) : r))
}

function toIdentities(list: readonly IdentityLike[]): Identity[] {
  if (list.length === 0) throw new AgeError('INVALID_IDENTITY', 'At least one identity or passphrase is needed to decrypt.')
  return list.map((i) => (typeof i === 'string' ? parseIdentity(i) : i))
}

// ---------------------------------------------------------------------------------------------------------------
// The state machines shared by every API

/** Writes the header and nonce once the file key is wrapped, then seals chunks synchronously. */
class Encryption {
  private encryptor: PayloadEncryptor | undefined
  private readonly ready: Promise<{prefix: Buffer; encryptor: PayloadEncryptor}>

  constructor(recipients: readonly RecipientLike[]) {
    const list = toRecipients(recipients)
    this.ready = start(list)
    this.ready.catch(() => {}) // reported through write()/end()
  }

  /** Ciphertext for `data`, synchronously once the header is out; a Promise only while the header is pending. */
  write(data: Buffer, out: Sink): void | Promise<void> {
    if (this.encryptor !== undefined) return this.encryptor.update(data, out)
    return this.begin(out).then((enc) => enc.update(data, out))
  }

  end(out: Sink): void | Promise<void> {
    if (this.encryptor !== undefined) return this.encryptor.final(out)
    return this.begin(out).then((enc) => enc.final(out))
  }

  private async begin(out: Sink): Promise<PayloadEncryptor> {
    const {prefix, encryptor} = await this.ready
    if (this.encryptor === undefined) {
      out.push(prefix)
      this.encryptor = encryptor
    }
    return this.encryptor
  }
}

async function start(recipients: Recipient[]): Promise<{prefix: Buffer; encryptor: PayloadEncryptor}> {
  const fileKey = randomBytes(FILE_KEY_SIZE)
  try {
    const stanzas: Stanza[] = []
    for (const r of recipients) stanzas.push(...(await r.wrapFileKey(fileKey)))
    if (stanzas.length === 0) throw new AgeError('INVALID_RECIPIENT', 'The recipients produced no stanzas.')
    if (stanzas.some((s) => s.type === 'scrypt') && stanzas.length !== 1) {
      throw new AgeError('INVALID_RECIPIENT', 'A passphrase cannot be combined with other recipients or passphrases.')
    }
    const header = encodeHeader(stanzas, fileKey)
    const nonce = randomBytes(PAYLOAD_NONCE_SIZE)
    const encryptor = new PayloadEncryptor(hkdf(fileKey, nonce, 'payload'))
    return {prefix: Buffer.concat([header, nonce]), encryptor}
  } finally {
    fileKey.fill(0)
  }
}

/** Finds the file key for a parsed header and checks the header MAC with it. */
async function unwrap(header: ParsedHeader, identities: readonly Identity[]): Promise<Buffer> {
  const {stanzas} = header
  const scrypt = stanzas.some((s) => s.type === 'scrypt')
  if (scrypt && stanzas.length !== 1) {
    throw new AgeError('HEADER_INVALID', 'Invalid age header: a passphrase (scrypt) stanza must be the only stanza.')
  }
  let fileKey: Buffer | undefined
  for (const identity of identities) {
    const key = await identity.unwrapFileKey(stanzas)
    if (key === null) continue
    if (key.length !== FILE_KEY_SIZE) throw new AgeError('HEADER_INVALID', 'Invalid age header: the unwrapped file key has the wrong size.')
    fileKey = Buffer.from(key)
    break
  }
  if (fileKey === undefined) throw noMatch(scrypt, identities)
  try {
    verifyHeaderMac(header, fileKey)
  } catch (err) {
    fileKey.fill(0)
    throw err
  }
  return fileKey
}

function noMatch(scrypt: boolean, identities: readonly Identity[]): AgeError {
  const passphrases = identities.filter((i) => i instanceof ScryptIdentity).length
  if (scrypt && passphrases > 0) return new AgeError('WRONG_PASSPHRASE', 'The passphrase is incorrect.')
  if (scrypt) return new AgeError('NO_MATCHING_KEY', 'The file is encrypted with a passphrase, and no passphrase was given.')
  if (passphrases === identities.length) {
    return new AgeError('NO_MATCHING_KEY', 'The file is encrypted to public keys (age1…), not with a passphrase.')
  }
  return new AgeError('NO_MATCHING_KEY', 'None of the given identities can decrypt the file (it was encrypted to other recipients).')
}

type DecryptState = 'header' | 'nonce' | 'payload'

/** Buffers and parses the header, unwraps the file key, reads the nonce, then opens chunks synchronously. */
class Decryption {
  private state: DecryptState = 'header'
  private pending: Buffer[] = []
  private pendingLength = 0
  private fileKey: Buffer | undefined
  private decryptor: PayloadDecryptor | undefined
  private readonly identities: Identity[]

  constructor(identities: readonly IdentityLike[]) {
    this.identities = toIdentities(identities)
  }

  write(data: Buffer, out: Sink): void | Promise<void> {
    if (this.decryptor !== undefined) return this.decryptor.update(data, out)
    return this.advance(data, false, out)
  }

  end(out: Sink): void | Promise<void> {
    if (this.decryptor !== undefined) return this.decryptor.final(out)
    return this.advance(Buffer.alloc(0), true, out).then(() => {
      if (this.decryptor === undefined) throw new Error('age: decryption ended before the payload') // unreachable
      this.decryptor.final(out)
    })
  }

  private async advance(data: Buffer, final: boolean, out: Sink): Promise<void> {
    if (data.length > 0) {
      this.pending.push(data)
      this.pendingLength += data.length
    }
    if (this.state === 'header') {
      // Parse only when a line may have completed, at the first bytes (to reject non-age input early), or once
      // the header would be too large (so input without newlines is refused, not buffered without bound).
      const first = this.pendingLength === data.length
      if (!final && !first && this.pendingLength <= MAX_HEADER_SIZE && data.indexOf(10) === -1) return
      const buf = this.collect()
      const header = parseHeader(buf, final)
      if (header === undefined) return
      this.fileKey = await unwrap(header, this.identities)
      this.pending = [buf.subarray(header.length)]
      this.pendingLength = buf.length - header.length
      this.state = 'nonce'
    }
    if (this.state === 'nonce') {
      if (this.pendingLength < PAYLOAD_NONCE_SIZE) {
        if (final) {
          throw new AgeError('HEADER_INVALID', 'Invalid age file: it ends before the 16-byte payload nonce that follows the header.')
        }
        return
      }
      const buf = this.collect()
      const payloadKey = hkdf(this.fileKey!, buf.subarray(0, PAYLOAD_NONCE_SIZE), 'payload')
      this.fileKey!.fill(0)
      this.fileKey = undefined
      this.decryptor = new PayloadDecryptor(payloadKey)
      this.state = 'payload'
      this.pending = []
      this.pendingLength = 0
      this.decryptor.update(buf.subarray(PAYLOAD_NONCE_SIZE), out)
    }
  }

  private collect(): Buffer {
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingLength)
    this.pending = [buf]
    return buf
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Transform streams

const STREAM_HIGH_WATER_MARK = 4 * ENCRYPTED_CHUNK_SIZE

interface Machine {
  write(data: Buffer, out: Sink): void | Promise<void>
  end(out: Sink): void | Promise<void>
}

/** Runs a machine step and pushes whatever it released, then reports success or the error. */
function step(stream: Transform, run: (out: Sink) => void | Promise<void>, callback: TransformCallback): void {
  const out: Buffer[] = []
  const done = (err?: unknown) => {
    for (const b of out) stream.push(b)
    callback(err as Error | null | undefined)
  }
  let result: void | Promise<void>
  try {
    result = run(out)
  } catch (err) {
    done(err)
    return
  }
  if (result instanceof Promise) result.then(() => done(), done)
  else done()
}

class MachineStream extends Transform {
  constructor(private readonly machine: Machine) {
    super({readableHighWaterMark: STREAM_HIGH_WATER_MARK, writableHighWaterMark: STREAM_HIGH_WATER_MARK})
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    step(this, (out) => this.machine.write(chunk, out), callback)
  }

  override _flush(callback: TransformCallback): void {
    step(this, (out) => this.machine.end(out), callback)
  }
}

/**
 * A Transform that turns plaintext into an age file for `recipients` (`age1…` strings, X25519Recipient, or one
 * ScryptRecipient). Invalid recipients throw here; wrapping failures surface as the stream's error.
 */
export function createEncryptStream(recipients: readonly RecipientLike[]): Transform {
  return new MachineStream(new Encryption(recipients))
}

/**
 * A Transform that turns an age file into plaintext using the first of `identities` that matches. Plaintext is
 * emitted chunk by chunk, each only after its tag verified; the stream errors with an AgeError on any failure,
 * after emitting what verified before it, so a consumer must discard the output of a failed decryption.
 */
export function createDecryptStream(identities: readonly IdentityLike[]): Transform {
  return new MachineStream(new Decryption(identities))
}

// ---------------------------------------------------------------------------------------------------------------
// Async iterables

async function* run(machine: Machine, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const out: Buffer[] = []
    let failure: unknown
    try {
      await machine.write(toBuffer(chunk), out)
    } catch (err) {
      failure = err ?? new Error('unknown failure')
    }
    yield* out
    if (failure !== undefined) throw failure
  }
  const out: Buffer[] = []
  let failure: unknown
  try {
    await machine.end(out)
  } catch (err) {
    failure = err ?? new Error('unknown failure')
  }
  yield* out
  if (failure !== undefined) throw failure
}

/** Encrypts a byte source; usable as a stage of stream.pipeline. */
export function encryptIterable(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  recipients: readonly RecipientLike[],
): AsyncGenerator<Buffer> {
  return run(new Encryption(recipients), source)
}

/**
 * Decrypts a byte source; usable as a stage of stream.pipeline. Yields each verified chunk's plaintext, and throws
 * an AgeError at the first failure (after yielding everything that verified before it).
 */
export function decryptIterable(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  identities: readonly IdentityLike[],
): AsyncGenerator<Buffer> {
  return run(new Decryption(identities), source)
}

// ---------------------------------------------------------------------------------------------------------------
// Step-wise machines

/**
 * The state machine behind the streams and iterables, for callers that move bytes themselves (a pipeline that
 * batches its own I/O or hands work to other threads). `write` appends to `out` everything the bytes so far release
 * (for encryption, the header and nonce come out first); it returns a Promise only while the header is pending
 * (wrapping or unwrapping the file key), and is synchronous after that. `end` finishes. The output and every error
 * are exactly those of createEncryptStream / createDecryptStream: plaintext is released only after its chunk's tag
 * verified. The machine keeps references into the caller's input buffers (it does not copy them): once the
 * header is done, only to the most recent 64 KiB of input (64 KiB + 16 when decrypting), which later input or
 * `end` consumes; a buffer lying wholly before that may be reused once `write` returns (or its Promise resolves).
 */
export interface AgeMachine {
  write(data: Buffer, out: Sink): void | Promise<void>
  end(out: Sink): void | Promise<void>
}

/** An encryption machine for `recipients` (see AgeMachine). */
export function encryptionMachine(recipients: readonly RecipientLike[]): AgeMachine {
  return new Encryption(recipients)
}

/** A decryption machine for `identities` (see AgeMachine). */
export function decryptionMachine(identities: readonly IdentityLike[]): AgeMachine {
  return new Decryption(identities)
}

// ---------------------------------------------------------------------------------------------------------------
// Buffers

/**
 * Collects output into one buffer sized up front, copying each piece as it is released so the pieces die young
 * (holding thousands of 64 KiB buffers until one final concat is several times slower). Zero-filled, so the
 * unused tail of the allocation never holds stale memory.
 */
class Collector implements Sink {
  private readonly buf: Buffer
  private length = 0
  private overflow: Buffer[] | undefined

  constructor(capacity: number) {
    this.buf = Buffer.alloc(capacity)
  }

  push(chunk: Buffer): void {
    if (this.overflow === undefined && this.length + chunk.length <= this.buf.length) {
      chunk.copy(this.buf, this.length)
      this.length += chunk.length
    } else {
      ;(this.overflow ??= [this.buf.subarray(0, this.length)]).push(chunk)
    }
  }

  result(): Buffer {
    return this.overflow === undefined ? this.buf.subarray(0, this.length) : Buffer.concat(this.overflow)
  }
}

/** Encrypts a whole plaintext (a string is encoded as UTF-8). */
export async function encrypt(plaintext: Uint8Array | string, recipients: readonly RecipientLike[]): Promise<Buffer> {
  const machine = new Encryption(recipients)
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : toBuffer(plaintext)
  const chunks = Math.max(1, Math.ceil(data.length / CHUNK_SIZE))
  // Payload size is exact; the header (a few hundred bytes per recipient) gets generous slack.
  const out = new Collector(PAYLOAD_NONCE_SIZE + data.length + 16 * chunks + 64 * 1024)
  await machine.write(data, out)
  await machine.end(out)
  return out.result()
}

/** Decrypts a whole age file. Nothing is returned unless the entire file verified. */
export async function decrypt(file: Uint8Array, identities: readonly IdentityLike[]): Promise<Buffer> {
  const machine = new Decryption(identities)
  const out = new Collector(file.length) // the plaintext is always shorter than the file
  await machine.write(toBuffer(file), out)
  await machine.end(out)
  return out.result()
}
