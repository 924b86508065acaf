import * as fs from 'node:fs'
import {promisify} from 'node:util'
import {dirname} from 'node:path'

import type {FileSink, FoundEntry} from './read.js'

const {O_WRONLY, O_CREAT, O_EXCL} = fs.constants
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0
const BATCH = 1024 * 1024
const openAsync = promisify(fs.open)
const writevAsync = promisify(fs.writev)
const writeAsync = promisify(fs.write)
const closeAsync = promisify(fs.close)
/** Bytes handed to the thread pool but not yet written; above it, reading waits. */
const MAX_IN_FLIGHT = 32 * 1024 * 1024

/**
 * Writes restored files into the staging folder on libuv's thread pool, so writing overlaps with decryption,
 * decompression and hashing on the main thread. Each file is a chain (open → writes in order → chmod, utimes,
 * close); many files may be in flight at once, bounded by MAX_IN_FLIGHT bytes. New files only: O_CREAT|O_EXCL|
 * O_NOFOLLOW, mode 0600 until the recorded mode is applied. Call `finish()` before trusting the staged tree, and
 * `settle()` before removing it.
 */
export class StagedWriter {
  private inFlight = 0
  private readonly files = new Set<Promise<void>>()
  private failure: unknown
  private wake: (() => void) | undefined
  /** Folders known to exist in the staging tree (skips a mkdir per file). */
  private readonly folders = new Set<string>()

  file(path: string, onDone: (found: FoundEntry & {type: 'file'}) => void): FileSink {
    const folder = dirname(path)
    if (!this.folders.has(folder)) {
      fs.mkdirSync(folder, {recursive: true, mode: 0o700})
      this.folders.add(folder)
    }
    let fd: number | undefined
    // Two thread-pool round trips per small file (open, writev); the cheap metadata calls run synchronously.
    let chain: Promise<void> = openAsync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600).then((n) => {
      fd = n
    })
    let pending: Buffer[] = []
    let pendingBytes = 0
    const track = (p: Promise<void>) => {
      const tracked = p.catch((error: unknown) => {
        this.failure ??= error
      })
      this.files.add(tracked)
      void tracked.finally(() => this.files.delete(tracked))
    }
    const send = () => {
      if (pendingBytes === 0) return
      const batch = pending
      const bytes = pendingBytes
      pending = []
      pendingBytes = 0
      this.inFlight += bytes
      chain = chain
        .then(() => writeAll(fd!, batch, bytes))
        .finally(() => {
          this.inFlight -= bytes
          this.wake?.()
        })
    }
    return {
      write: (chunk) => {
        pending.push(chunk)
        pendingBytes += chunk.length
        if (pendingBytes >= BATCH) send()
        return this.backpressure()
      },
      end: (found) => {
        send()
        const done = chain.then(
          () => {
            try {
              fs.fchmodSync(fd!, found.mode)
              fs.futimesSync(fd!, found.mtime, found.mtime)
            } finally {
              fs.closeSync(fd!)
            }
          },
          async (error: unknown) => {
            if (fd !== undefined) await closeAsync(fd).catch(() => {})
            throw error
          },
        )
        track(done)
        onDone(found)
        return this.backpressure()
      },
      abort: () => {
        track(chain.finally(() => (fd === undefined ? undefined : closeAsync(fd).catch(() => {}))))
      },
    }
  }

  private async backpressure(): Promise<void> {
    if (this.failure !== undefined) throw this.failure
    while (this.inFlight > MAX_IN_FLIGHT) {
      await new Promise<void>((resolve) => (this.wake = resolve))
      if (this.failure !== undefined) throw this.failure
    }
  }

  /** Waits for every write; throws the first failure. */
  async finish(): Promise<void> {
    await this.settle()
    if (this.failure !== undefined) throw this.failure
  }

  /** Waits for every write to end, successfully or not. */
  async settle(): Promise<void> {
    while (this.files.size > 0) await Promise.all([...this.files])
  }
}

async function writeAll(fd: number, buffers: Buffer[], total: number): Promise<void> {
  let written = (await writevAsync(fd, buffers)).bytesWritten
  if (written === total) return
  const rest = Buffer.concat(buffers, total)
  while (written < total) written += (await writeAsync(fd, rest, written, total - written, null)).bytesWritten
}
