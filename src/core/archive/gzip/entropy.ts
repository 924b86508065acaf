/**
 * A cheap guess whether deflate can shrink some bytes: the order-0 entropy of a sample, in bits per byte. Random,
 * encrypted and already-compressed data sit near 8; text and most binaries well below 7.
 */
export function sampleEntropy(data: Uint8Array, start = 0, length = data.length - start): number {
  const counts = new Uint32Array(256)
  const end = start + length
  for (let i = start; i < end; i++) counts[data[i]!]!++
  let bits = 0
  for (let b = 0; b < 256; b++) {
    const c = counts[b]!
    if (c === 0) continue
    const p = c / length
    bits -= p * Math.log2(p)
  }
  return bits
}

/** Above this many bits per byte (on a 4 KiB sample), a slice is stored rather than compressed. */
export const INCOMPRESSIBLE_BITS = 7.6
