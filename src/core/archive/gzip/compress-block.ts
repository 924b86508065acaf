import {promisify} from 'node:util'
import {gzip} from 'node:zlib'

import {planRuns} from './blocks.js'
import {storedMember} from './stored-member.js'

const gzipAsync = promisify(gzip)

// Archives compress the tar stream as a sequence of independent gzip members (RFC 1952 §2.2: a gzip file is one
// or more members; gunzip, `tar xz`, Node's createGunzip and Go's compress/gzip read them all as one stream).
// Create cuts the stream into 1 MiB blocks and compresses them concurrently on libuv's thread pool (see
// write-archive.ts and the archive worker); each block is split into runs of 64 KiB slices judged compressible or
// not (order-0 entropy of a 4 KiB sample), and each run becomes one member: deflate at the level below, or stored
// blocks (framed without zlib) for random-looking data, which costs one CRC pass and grows it by 0.01 %.

/**
 * zlib's fastest level: deflate is most of create's CPU time, and level 1 costs about 0.7x of level 3 on log-like
 * text for output about 1.07x as large (1.15x gzip -6 on pure text; about 1.03x on the benchmark's half-random tree).
 */
export const DEFAULT_GZIP_LEVEL = 1

/** The gzip members for one block, as buffers to write in order. */
export async function compressBlock(block: Buffer, level: number): Promise<Buffer[]> {
  // Stored runs are framed here, without zlib (one CRC pass, no copy). Compressible runs go to zlib's thread pool,
  // one output buffer per member (chunkSize above the worst case), so each costs one round trip.
  const members = await Promise.all(
    planRuns(block).map((r) => {
      const data = block.subarray(r.start, r.end)
      if (r.store) return storedMember(data)
      return gzipAsync(data, {level, chunkSize: Math.max(64 * 1024, data.length + (data.length >> 8) + 1024)}).then((b) => [b])
    }),
  )
  return members.flat()
}
