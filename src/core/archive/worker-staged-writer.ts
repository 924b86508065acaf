import * as fs from 'node:fs'
import {dirname} from 'node:path'

import {isHatchError} from '../errors.js'
import {BlockPool} from './block-pool.js'
import type {FileSink, FoundEntry} from './read.js'
import {StagedWriter} from './staged-writer.js'
import {WorkerLink, workerFailed, workerScript} from './worker/client.js'
import type {WriteOp, WriteReply, WriteRequest} from './worker/protocol.js'

/** What restore needs from a writer of the staging folder (StagedWriter, or WorkerStagedWriter). */
export interface StagingWriter {
  file(path: string, onDone: (found: FoundEntry & {type: 'file'}) => void): FileSink
  /** Waits for every write; throws the first failure. */
  finish(): Promise<void>
  /** Waits for every write to end, successfully or not, and releases the writer. */
  settle(): Promise<void>
}

/** The worker-thread writer when the worker script exists, else the thread-pool one. */
export function stagingWriter(): StagingWriter {
  const script = workerScript()
  return script === undefined ? new StagedWriter() : new WorkerStagedWriter(script)
}

const BLOCK_SIZE = 1024 * 1024
const BLOCKS = 8
/** Steps per message: small files pack many to a block, but a message should not wait forever for bytes. */
const MAX_OPS = 256

/**
 * Writes restored files into the staging folder in the archive worker thread: this thread copies each file's bytes
 * into 1 MiB blocks (many small files share one) with the steps that use them (create, append, close with mode and
 * mtime), and moves each full block to the worker, which makes the system calls and hashes what it writes. So
 * this thread spends no time on per-file system calls or on hashing file contents; the SHA-256 of each file comes
 * back with its block (FileSink.sha256). Blocks come from a fixed pool, so at most BLOCKS MiB are in flight, and a
 * write waits for a free block. New files only: O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 until the recorded mode.
 */
export class WorkerStagedWriter implements StagingWriter {
  private readonly link: WorkerLink<WriteRequest, WriteReply>
  private readonly pool = new BlockPool(BLOCKS, BLOCK_SIZE)
  private block: Buffer | undefined
  private used = 0
  private ops: WriteOp[] = []
  private nextId = 1
  private readonly waiting = new Map<number, {resolve: (h: string) => void; reject: (e: unknown) => void}>()
  private failure: unknown
  private readonly folders = new Set<string>()
  /** Blocks in the pool (the memory bound), and the most that were at the worker at once (tests). */
  readonly blocks = BLOCKS
  maxAtWorker = 0
  private atWorker = 0

  constructor(script: URL) {
    this.link = new WorkerLink<WriteRequest, WriteReply>(
      script,
      {role: 'write'},
      (r) => {
        if (r.block !== undefined) {
          this.atWorker--
          this.pool.give(Buffer.from(r.block.buffer as ArrayBuffer))
        }
        for (const [id, sha256] of r.hashes) {
          this.waiting.get(id)?.resolve(sha256)
          this.waiting.delete(id)
        }
      },
      (e) => this.fail(isHatchError(e) || (e as {code?: unknown}).code !== undefined ? e : workerFailed('restore', e)),
    )
  }

  file(path: string, onDone: (found: FoundEntry & {type: 'file'}) => void): FileSink {
    if (this.failure !== undefined) throw this.failure
    const folder = dirname(path)
    if (!this.folders.has(folder)) {
      fs.mkdirSync(folder, {recursive: true, mode: 0o700})
      this.folders.add(folder)
    }
    const id = this.nextId++
    let opened = false
    const hashed = new Promise<string>((resolve, reject) => this.waiting.set(id, {resolve, reject}))
    hashed.catch(() => {}) // reported through write/end/finish as well
    const step = (start: number, end: number, extra: Partial<WriteOp> = {}): void => {
      const last = this.ops.at(-1)
      if (opened && last !== undefined && last.id === id && last.end === start && extra.close === undefined && extra.abort === undefined) {
        last.end = end
        return
      }
      this.ops.push({id, ...(opened ? {} : {path}), start, end, ...extra})
      opened = true
    }
    return {
      write: async (chunk) => {
        if (this.failure !== undefined) throw this.failure
        let off = 0
        while (off < chunk.length) {
          const block = this.block ?? (await this.take())
          const n = Math.min(chunk.length - off, block.length - this.used)
          chunk.copy(block, this.used, off, off + n)
          step(this.used, this.used + n)
          this.used += n
          off += n
          if (this.used === block.length) this.send()
        }
      },
      end: (found) => {
        if (this.failure !== undefined) throw this.failure
        step(this.used, this.used, {close: {mode: found.mode, mtime: found.mtime}})
        onDone(found)
        if (this.ops.length >= MAX_OPS) this.send()
      },
      abort: () => {
        this.waiting.delete(id)
        if (opened && this.failure === undefined) step(this.used, this.used, {abort: true})
      },
      sha256: () => {
        this.send()
        return hashed
      },
    }
  }

  private async take(): Promise<Buffer> {
    if (this.failure !== undefined) throw this.failure
    this.block = await this.pool.take()
    this.used = 0
    return this.block
  }

  /** Moves the current block (if any) and the steps that use it to the worker. */
  private send(): void {
    if (this.failure !== undefined || this.ops.length === 0) return
    const block = this.block
    const ops = this.ops
    this.block = undefined
    this.ops = []
    if (block === undefined) this.link.post({ops})
    else {
      this.link.post({block: block.subarray(0, this.used), ops}, [block.buffer as ArrayBuffer])
      this.maxAtWorker = Math.max(this.maxAtWorker, ++this.atWorker)
    }
    this.used = 0
  }

  private fail(error: unknown): void {
    this.failure ??= error
    this.pool.fail(this.failure)
    for (const w of this.waiting.values()) w.reject(this.failure)
    this.waiting.clear()
  }

  async finish(): Promise<void> {
    this.send()
    await this.link.idle().catch(() => {})
    if (this.failure !== undefined) throw this.failure
  }

  async settle(): Promise<void> {
    this.send()
    await this.link.idle().catch(() => {})
    await this.link.close()
  }
}
