import {createHash, type Hash} from 'node:crypto'
import * as fs from 'node:fs'

import type {WriteReply, WriteRequest} from './protocol.js'

const {O_WRONLY, O_CREAT, O_EXCL} = fs.constants
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0

/**
 * Writes restored files, synchronously, in the thread it runs in (the restore's worker thread), hashing each as it
 * goes: new files only (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 until the recorded mode is applied at close). On any
 * failure every file still open is closed before the error is thrown, since the restore is abandoned (its staging
 * folder removed).
 */
export class FileWriter {
  private readonly open = new Map<number, {fd: number; hash: Hash}>()

  handle(m: WriteRequest): WriteReply['hashes'] {
    try {
      return this.run(m)
    } catch (error) {
      this.closeAll()
      throw error
    }
  }

  private run(m: WriteRequest): WriteReply['hashes'] {
    const hashes: WriteReply['hashes'] = []
    for (const op of m.ops) {
      if (op.abort) {
        const f = this.open.get(op.id)
        this.open.delete(op.id)
        if (f !== undefined) closeQuietly(f.fd)
        continue
      }
      if (op.path !== undefined) {
        this.open.set(op.id, {fd: fs.openSync(op.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600), hash: createHash('sha256')})
      }
      const f = this.open.get(op.id)
      if (f === undefined) throw new Error(`file ${op.id} is not open`)
      if (op.end > op.start) {
        if (m.block === undefined) throw new Error(`file ${op.id}: bytes without a block`)
        const data = m.block.subarray(op.start, op.end)
        f.hash.update(data)
        let written = 0
        while (written < data.length) written += fs.writeSync(f.fd, data, written, data.length - written)
      }
      if (op.close !== undefined) {
        this.open.delete(op.id)
        try {
          fs.fchmodSync(f.fd, op.close.mode)
          fs.futimesSync(f.fd, op.close.mtime, op.close.mtime)
        } finally {
          fs.closeSync(f.fd)
        }
        hashes.push([op.id, f.hash.digest('hex')])
      }
    }
    return hashes
  }

  closeAll(): void {
    for (const f of this.open.values()) closeQuietly(f.fd)
    this.open.clear()
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd)
  } catch {
    // already closed
  }
}
