import {promisify} from 'node:util'
import {crc32, gzip, gzipSync} from 'node:zlib'

import {INCOMPRESSIBLE_BITS, sampleEntropy} from './entropy.js'

/**
 * How a block of the tar stream becomes gzip members (see compress-block.ts for the format): the block is cut into
 * 64 KiB slices, each judged compressible or not from the order-0 entropy of a 4 KiB sample, and each run of
 * alike slices becomes one member.
 */
export const SLICE = 64 * 1024
const SAMPLE = 4 * 1024

export interface Run {
  start: number
  end: number
  store: boolean
}

export function planRuns(block: Uint8Array): Run[] {
  const runs: Run[] = []
  for (let start = 0; start < block.length; start += SLICE) {
    const end = Math.min(block.length, start + SLICE)
    const sample = Math.min(SAMPLE, end - start)
    const store = sample >= 1024 && sampleEntropy(block, start + Math.floor((end - start - sample) / 2), sample) > INCOMPRESSIBLE_BITS
    const last = runs.at(-1)
    if (last !== undefined && last.store === store) last.end = end
    else runs.push({start, end, store})
  }
  if (runs.length === 0) runs.push({start: 0, end: 0, store: false})
  return runs
}

/**
 * One gzip member of a compressed block: a deflated member's bytes (in an ArrayBuffer of its own, so it can be
 * transferred between threads), or a run to store, as [start, end, CRC-32] of the block (framed by storedMember).
 */
export type BlockPart = Uint8Array | readonly [start: number, end: number, crc: number]

/** The members of one block (none for an empty block), synchronously (for a worker thread, or in-thread when there is none). */
export function deflateBlock(block: Uint8Array, level: number): BlockPart[] {
  if (block.length === 0) return []
  return planRuns(block).map((r): BlockPart => {
    const data = block.subarray(r.start, r.end)
    if (r.store) return [r.start, r.end, crc32(data) >>> 0]
    const out = gzipSync(data, {level, chunkSize: Math.max(64 * 1024, data.length + (data.length >> 8) + 1024)})
    // gzipSync's result is a view of zlib's (oversized) output buffer; keep an exact copy that owns its memory.
    return new Uint8Array(out)
  })
}

const gzipAsync = promisify(gzip)
const MIN_OUT_CHUNK = 16 * 1024

/**
 * deflateBlock on libuv's thread pool: the deflated runs compress there (several blocks may be in flight at once,
 * so both cores work), the calling thread only plans runs and computes stored runs' CRC-32.
 */
export async function deflateBlockAsync(block: Uint8Array, level: number): Promise<BlockPart[]> {
  if (block.length === 0) return []
  return Promise.all(
    planRuns(block).map(async (r): Promise<BlockPart> => {
      const data = block.subarray(r.start, r.end)
      if (r.store) return [r.start, r.end, crc32(data) >>> 0]
      // Text deflates to about a quarter: an output buffer of 40 % of the input usually holds the whole member, and
      // a member that needs more simply takes several (zlib joins them).
      const out = await gzipAsync(data, {level, chunkSize: Math.max(MIN_OUT_CHUNK, Math.ceil(data.length * 0.4))})
      // Moved to the other thread as it is when it has an ArrayBuffer of its own (zlib's output buffer, or its join
      // of several); a result of 4 KiB or less may sit in Node's shared 8 KiB allocation pool, which must never be
      // transferred: copy that.
      return out.buffer.byteLength > 8192 ? new Uint8Array(out.buffer, out.byteOffset, out.length) : new Uint8Array(out)
    }),
  )
}
