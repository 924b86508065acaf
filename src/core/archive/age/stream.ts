/**
 * The age payload: STREAM (Hoang, Reyhanitabar, Rogaway, Vizár 2015) over ChaCha20-Poly1305.
 *
 * The plaintext is cut into 64 KiB chunks; every chunk but the last is exactly 64 KiB, the last is 1..64 KiB
 * (0 only when the whole plaintext is empty). Chunk i is sealed with the payload key and the 12-byte nonce
 * `i as 11-byte big-endian || 0x01 if last else 0x00`, and stored as ciphertext || 16-byte tag.
 *
 * Both directions work on a queue of references to the caller's buffers, so a chunk is never copied on its way
 * into the cipher; a plaintext chunk is released only after its tag verified.
 */
import {createCipheriv, createDecipheriv} from 'node:crypto'

import {AgeError} from './errors.js'
import {TAG_SIZE} from './primitives.js'

export const CHUNK_SIZE = 64 * 1024
export const ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
export const PAYLOAD_NONCE_SIZE = 16

/** Where released bytes go: an array, a Transform's push, or a copying collector. */
export interface Sink {
  push(chunk: Buffer): unknown
}

function chunkNonce(counter: number, last: boolean): Buffer {
  if (counter > Number.MAX_SAFE_INTEGER) throw new AgeError('PAYLOAD_AUTH', 'The payload has too many chunks.')
  const nonce = Buffer.alloc(12)
  nonce.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 3)
  nonce.writeUInt32BE(counter >>> 0, 7)
  nonce[11] = last ? 1 : 0
  return nonce
}

/** A FIFO of byte ranges that hands out exact-size runs without copying. */
class ByteQueue {
  private pieces: Buffer[] = []
  length = 0

  push(buf: Buffer): void {
    if (buf.length === 0) return
    this.pieces.push(buf)
    this.length += buf.length
  }

  /** Removes and returns the first `n` bytes (n <= length) as one or more views. */
  take(n: number): Buffer[] {
    const out: Buffer[] = []
    let need = n
    while (need > 0) {
      const head = this.pieces[0]!
      if (head.length <= need) {
        out.push(head)
        this.pieces.shift()
        need -= head.length
      } else {
        out.push(head.subarray(0, need))
        this.pieces[0] = head.subarray(need)
        need = 0
      }
    }
    this.length -= n
    return out
  }
}

/** Coalesces runs of many tiny writes so the cipher sees a few large updates. */
function coalesce(pieces: Buffer[]): Buffer[] {
  return pieces.length > 8 ? [Buffer.concat(pieces)] : pieces
}

export class PayloadEncryptor {
  private readonly queue = new ByteQueue()
  private counter = 0
  private finished = false

  constructor(private readonly key: Buffer) {}

  /** Queues plaintext and appends every chunk that is now known to be non-final to `out`. */
  update(data: Buffer, out: Sink): void {
    if (this.finished) throw new Error('PayloadEncryptor: update after final')
    this.queue.push(data)
    // A chunk is sealed as non-final only once at least one byte beyond it exists.
    while (this.queue.length > CHUNK_SIZE) this.seal(this.queue.take(CHUNK_SIZE), false, out)
  }

  /** Seals the last chunk (empty only if the whole plaintext was). */
  final(out: Sink): void {
    if (this.finished) return
    this.finished = true
    this.seal(this.queue.take(this.queue.length), true, out)
  }

  private seal(pieces: Buffer[], last: boolean, out: Sink): void {
    const cipher = createCipheriv('chacha20-poly1305', this.key, chunkNonce(this.counter, last), {authTagLength: TAG_SIZE})
    for (const piece of coalesce(pieces)) out.push(cipher.update(piece))
    cipher.final()
    out.push(cipher.getAuthTag())
    this.counter++
  }
}

export class PayloadDecryptor {
  private readonly queue = new ByteQueue()
  private counter = 0
  private failure: AgeError | undefined
  private finished = false

  constructor(private readonly key: Buffer) {}

  /**
   * Queues ciphertext and appends the plaintext of every chunk that verified to `out`. A full chunk with more
   * bytes after it must be a non-final chunk. Throws (after filling `out` with what verified) on the first failure.
   */
  update(data: Buffer, out: Sink): void {
    this.check()
    this.queue.push(data)
    try {
      while (this.queue.length > ENCRYPTED_CHUNK_SIZE) {
        const chunk = this.queue.take(ENCRYPTED_CHUNK_SIZE)
        const plain = this.open(chunk, ENCRYPTED_CHUNK_SIZE, false)
        if (plain !== undefined) {
          pushAll(out, plain)
          this.counter++
          continue
        }
        const asLast = this.open(chunk, ENCRYPTED_CHUNK_SIZE, true)
        if (asLast !== undefined) {
          pushAll(out, asLast)
          throw new AgeError('PAYLOAD_TRAILING_DATA', `The payload continues after its final chunk (chunk ${this.counter + 1}).`)
        }
        throw this.authFailure()
      }
    } catch (err) {
      this.failure = err as AgeError
      throw err
    }
  }

  /** The input ended: the queued bytes must be the final chunk. */
  final(out: Sink): void {
    this.check()
    try {
      const size = this.queue.length
      if (size === 0) {
        throw new AgeError(
          'PAYLOAD_TRUNCATED',
          this.counter === 0
            ? 'The payload is truncated: it ends before its first chunk.'
            : `The payload is truncated: it ends after chunk ${this.counter} without a final chunk.`,
        )
      }
      if (size < TAG_SIZE) {
        throw new AgeError('PAYLOAD_TRUNCATED', `The payload is truncated: chunk ${this.counter + 1} is shorter than its tag.`)
      }
      const chunk = this.queue.take(size)
      const plain = this.open(chunk, size, true)
      if (plain !== undefined) {
        if (size === TAG_SIZE && this.counter > 0) {
          throw new AgeError('PAYLOAD_EMPTY_CHUNK', `The payload ends with an empty final chunk (chunk ${this.counter + 1}); only an empty file may have one.`)
        }
        pushAll(out, plain)
        this.counter++
        this.finished = true
        return
      }
      const notLast = this.open(chunk, size, false)
      if (notLast !== undefined) {
        // A valid non-final chunk at the very end: the final chunk(s) were cut off. A full one is authentic, so it
        // is released like any other verified chunk before the error; a short one is malformed and is not.
        if (size === ENCRYPTED_CHUNK_SIZE) {
          pushAll(out, notLast)
          this.counter++
        }
        throw new AgeError('PAYLOAD_TRUNCATED', `The payload is truncated: it ends after chunk ${this.counter} without a final chunk.`)
      }
      throw this.authFailure()
    } catch (err) {
      this.failure = err as AgeError
      throw err
    }
  }

  get done(): boolean {
    return this.finished
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure
    if (this.finished) throw new Error('PayloadDecryptor: used after final')
  }

  private authFailure(): AgeError {
    return new AgeError(
      'PAYLOAD_AUTH',
      `Payload chunk ${this.counter + 1} failed authentication: the file is damaged, or truncated inside a chunk.`,
    )
  }

  /** Decrypts one chunk of `size` bytes spread over `pieces`; undefined if its tag does not verify. */
  private open(pieces: Buffer[], size: number, last: boolean): Buffer[] | undefined {
    const decipher = createDecipheriv('chacha20-poly1305', this.key, chunkNonce(this.counter, last), {authTagLength: TAG_SIZE})
    decipher.setAuthTag(tail(pieces, TAG_SIZE))
    const plain: Buffer[] = []
    let remaining = size - TAG_SIZE
    for (const piece of pieces) {
      if (remaining === 0) break
      const part = piece.length <= remaining ? piece : piece.subarray(0, remaining)
      remaining -= part.length
      plain.push(decipher.update(part))
    }
    try {
      decipher.final()
    } catch {
      for (const p of plain) p.fill(0)
      return undefined
    }
    return plain
  }
}

function pushAll(out: Sink, bufs: Buffer[]): void {
  for (const b of bufs) if (b.length > 0) out.push(b)
}

/** The last `n` bytes of a run of pieces. */
function tail(pieces: Buffer[], n: number): Buffer {
  const last = pieces[pieces.length - 1]!
  if (last.length >= n) return last.subarray(last.length - n)
  const parts: Buffer[] = []
  let need = n
  for (let i = pieces.length - 1; i >= 0 && need > 0; i--) {
    const p = pieces[i]!
    const part = p.length <= need ? p : p.subarray(p.length - need)
    parts.unshift(part)
    need -= part.length
  }
  return Buffer.concat(parts)
}
