import {createHash, type Hash} from 'node:crypto'

/**
 * SHA-256 of files whose contents arrive as ranges of successive blocks: `ops` is a flat list of pairs, [start, end]
 * for a range of `block` that continues the current file, [-1, -1] for the end of the current file (whose hash is
 * then returned, in order).
 */
export class RangeHasher {
  private hash: Hash | undefined

  run(block: Uint8Array, ops: readonly number[]): string[] {
    const digests: string[] = []
    for (let i = 0; i + 1 < ops.length; i += 2) {
      const start = ops[i]!
      const end = ops[i + 1]!
      if (start >= 0) (this.hash ??= createHash('sha256')).update(block.subarray(start, end))
      else {
        digests.push((this.hash ?? createHash('sha256')).digest('hex'))
        this.hash = undefined
      }
    }
    return digests
  }
}
