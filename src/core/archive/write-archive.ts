import {createHash} from 'node:crypto'
import * as fs from 'node:fs'
import {promisify} from 'node:util'

import {isHatchError} from '../errors.js'
import {CHUNK_SIZE, encryptionMachine, type AgeMachine, type Recipient, type Sink} from './age/index.js'
import {deflateBlock, type BlockPart} from './gzip/blocks.js'
import {storedMember} from './gzip/stored-member.js'
import type {Manifest} from './manifest.js'
import {BlockPool} from './block-pool.js'
import {packTreeInto, type PackProgress} from './tar/pack-into.js'
import type {SourceTree} from './walk.js'
import {WorkerLink, workerFailed, workerScript} from './worker/client.js'
import type {DeflateReply, DeflateRequest} from './worker/protocol.js'
import {RangeHasher} from './worker/range-hasher.js'

/**
 * The bytes of a new archive, on two threads:
 *
 *   this thread:  walk order → tar framing + file contents read straight into 1 MiB blocks
 *   worker:       SHA-256 of each file's ranges of the block, then block → gzip members (deflate for
 *                 compressible runs on the thread pool, stored blocks for random-looking ones)
 *   this thread:  members → age (ChaCha20-Poly1305 per 64 KiB chunk) → SHA-256 of the archive → batched writes
 *                 (thread pool) to `fd`
 *
 * Blocks circulate through a fixed pool (moved between threads, never copied), so memory stays bounded: at most
 * BLOCKS blocks exist, and reading waits for a free one; writes in flight are bounded too. Without a worker script
 * (tests running the TypeScript source) the blocks are compressed in this thread instead, with the same output.
 * The key material never leaves this thread; the worker sees only plaintext tar bytes, as this thread does.
 */
export const BLOCK_SIZE = 1024 * 1024
const BLOCKS = 8
const WRITE_BATCH = 1024 * 1024
const MAX_WRITING = 16 * 1024 * 1024

export interface WriteArchiveOptions {
  tree: SourceTree
  createdAt: string
  /** Open for writing, positioned at 0; written sequentially. The caller syncs and closes it. */
  fd: number
  recipients: Recipient[]
  level: number
  onProgress?: PackProgress
  /** Test hook, filled in at the end: blocks in the pool, most blocks at the compressor at once, most bytes waiting to be written. */
  stats?: {blocks?: number; maxAtCompressor?: number; maxWriting?: number}
}

export interface WrittenArchive {
  manifest: Manifest
  size: number
  sha256: string
}

const writevAsync = promisify(fs.writev)
const writeAsync = promisify(fs.write)

/** Hashes, counts and writes the archive's bytes, in batches on the thread pool, in order. */
class ArchiveOutput implements Sink {
  readonly hash = createHash('sha256')
  size = 0
  writing = 0
  maxWriting = 0
  private batch: Buffer[] = []
  private batchBytes = 0
  private chain: Promise<void> = Promise.resolve()
  private failure: unknown
  private wake: (() => void) | undefined

  constructor(private readonly fd: number) {}

  push(chunk: Buffer): void {
    this.hash.update(chunk)
    this.size += chunk.length
    this.batch.push(chunk)
    this.batchBytes += chunk.length
    if (this.batchBytes >= WRITE_BATCH) this.flush()
  }

  private flush(): void {
    if (this.batchBytes === 0) return
    const buffers = this.batch
    const bytes = this.batchBytes
    this.batch = []
    this.batchBytes = 0
    this.writing += bytes
    this.maxWriting = Math.max(this.maxWriting, this.writing)
    this.chain = this.chain
      .then(() => (this.failure === undefined ? writeAll(this.fd, buffers, bytes) : undefined))
      .catch((error: unknown) => {
        this.failure ??= error
      })
      .finally(() => {
        this.writing -= bytes
        this.wake?.()
      })
  }

  /** Resolves once few enough bytes wait to be written; throws a write failure. */
  async room(): Promise<void> {
    while (this.writing > MAX_WRITING && this.failure === undefined) await new Promise<void>((resolve) => (this.wake = resolve))
    if (this.failure !== undefined) throw this.failure
  }

  /** Writes what is left and waits for every write. */
  async done(): Promise<void> {
    this.flush()
    await this.chain
    if (this.failure !== undefined) throw this.failure
  }

  /** Waits for writes already started, ignoring failures (before the caller closes the file). */
  async settle(): Promise<void> {
    await this.chain
  }
}

async function writeAll(fd: number, buffers: Buffer[], total: number): Promise<void> {
  let written = (await writevAsync(fd, buffers)).bytesWritten
  if (written === total) return
  const rest = Buffer.concat(buffers, total)
  while (written < total) written += (await writeAsync(fd, rest, written, total - written, null)).bytesWritten
}

/** Turns blocks into gzip members, in order: in the worker thread, or here when there is no worker script. */
interface Compressor {
  /** Hands over `block` (first `used` bytes) and its hash ops; it comes back through the result callback. */
  submit(block: Buffer, used: number, hash: number[]): void
  idle(): Promise<void>
  close(): Promise<void>
}

type OnBlock = (block: Buffer, used: number, parts: BlockPart[], digests: string[]) => void

function workerCompressor(script: URL, level: number, onBlock: OnBlock, onFail: (e: unknown) => void): Compressor {
  const link = new WorkerLink<DeflateRequest, DeflateReply>(
    script,
    {role: 'deflate', level},
    (r) => onBlock(Buffer.from(r.block.buffer as ArrayBuffer), r.block.length, r.parts, r.digests),
    (e) => onFail(isHatchError(e) ? e : workerFailed('compression', e)),
  )
  return {
    submit: (block, used, hash) => link.post({block: block.subarray(0, used), hash}, [block.buffer as ArrayBuffer]),
    idle: () => link.idle(),
    close: () => link.close(),
  }
}

function inThreadCompressor(level: number, onBlock: OnBlock, onFail: (e: unknown) => void): Compressor {
  let chain: Promise<void> = Promise.resolve()
  const hasher = new RangeHasher()
  return {
    submit: (block, used, hash) => {
      const digests = hasher.run(block, hash) // now: the ops belong to this block's contents as they are
      chain = chain.then(() => onBlock(block, used, deflateBlock(block.subarray(0, used), level), digests)).catch(onFail)
    },
    idle: () => chain,
    close: async () => {},
  }
}

export async function writeArchive(o: WriteArchiveOptions): Promise<WrittenArchive> {
  const out = new ArchiveOutput(o.fd)
  const pool = new BlockPool(BLOCKS, BLOCK_SIZE)
  const machine: AgeMachine = encryptionMachine(o.recipients)
  let failure: unknown
  let atCompressor = 0
  /** Hash ops for the block being filled, and the files waiting for their SHA-256, in order. */
  let hashOps: number[] = []
  const fileDigests: Array<{resolve: (sha256: string) => void; reject: (e: unknown) => void}> = []
  let maxAtCompressor = 0
  const fail = (error: unknown): void => {
    failure ??= error
    pool.fail(failure)
    for (const d of fileDigests.splice(0)) d.reject(failure)
  }

  /** A block's members go through age now, synchronously, and the block goes back to the pool. */
  const onBlock: OnBlock = (block, used, parts, digests) => {
    atCompressor--
    if (failure !== undefined) return
    for (const d of digests) fileDigests.shift()?.resolve(d)
    const data = block.subarray(0, used)
    const pieces: Buffer[] = []
    for (const p of parts) {
      if (p instanceof Uint8Array) pieces.push(Buffer.from(p.buffer, p.byteOffset, p.length))
      else for (const piece of storedMember(data.subarray(p[0], p[1]), p[2])) pieces.push(piece)
    }
    let left = 0
    for (const piece of pieces) left += piece.length
    for (const piece of pieces) {
      left -= piece.length
      // The encryptor keeps (without copying) up to the last 64 KiB it was given until more input arrives; the
      // block is reused once this returns, so a view of it that may stay behind is passed as a copy.
      const input = left < CHUNK_SIZE && piece.buffer === block.buffer ? Buffer.from(piece) : piece
      if (machine.write(input, out) !== undefined) throw new Error('age: encryption was not ready')
    }
    pool.give(block)
  }

  const script = workerScript()
  let compressor: Compressor | undefined
  try {
    compressor = script === undefined ? inThreadCompressor(o.level, onBlock, fail) : workerCompressor(script, o.level, onBlock, fail)
    // The header (file key wrapped for each recipient; scrypt for a passphrase) comes out first; from then on
    // every block is sealed synchronously as it arrives.
    await machine.write(Buffer.alloc(0), out)
    const inner = compressor
    const c = {
      submit: (block: Buffer, used: number) => {
        maxAtCompressor = Math.max(maxAtCompressor, ++atCompressor)
        const ops = hashOps
        hashOps = []
        inner.submit(block, used, ops)
      },
    }
    let current = await pool.take()
    const manifest = await packTreeInto(
      o.tree,
      o.createdAt,
      {
        block: current,
        ship: async (used) => {
          if (failure !== undefined) throw failure
          c.submit(current, used)
          await out.room()
          current = await pool.take()
          return current
        },
        last: (used) => {
          if (failure !== undefined) throw failure
          if (used > 0) c.submit(current, used)
          else pool.give(current)
        },
        // File contents are hashed in the worker (while it waits for zlib), not here.
        hash: {
          range: (start, end) => void hashOps.push(start, end),
          fileEnd: () => {
            hashOps.push(-1, -1)
            if (failure !== undefined) return Promise.reject(failure)
            return new Promise<string>((resolve, reject) => fileDigests.push({resolve, reject}))
          },
        },
      },
      o.onProgress,
    )
    await compressor.idle()
    if (failure !== undefined) throw failure
    if (machine.end(out) !== undefined) throw new Error('age: encryption was not ready')
    await out.done()
    if (o.stats !== undefined) {
      o.stats.blocks = pool.created
      o.stats.maxAtCompressor = maxAtCompressor
      o.stats.maxWriting = out.maxWriting
    }
    return {manifest, size: out.size, sha256: out.hash.digest('hex')}
  } catch (error) {
    fail(error)
    throw failure
  } finally {
    await compressor?.close()
    await out.settle()
  }
}
