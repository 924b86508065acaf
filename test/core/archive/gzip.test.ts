import {randomBytes} from 'node:crypto'
import {gunzipSync, gzipSync} from 'node:zlib'

import {describe, expect, it} from 'vitest'

import {sampleEntropy} from '../../../src/core/archive/gzip/entropy.js'
import {compressBlock, DEFAULT_GZIP_LEVEL} from '../../../src/core/archive/gzip/compress-block.js'
import {storedMember} from '../../../src/core/archive/gzip/stored-member.js'

const text = (n: number) => Buffer.from('2025-01-01T00:00:00Z INFO request completed path=/api status=200\n'.repeat(Math.ceil(n / 66))).subarray(0, n)

/** Log-like text with varying fields, closer to real data than one repeated line. */
function logLines(n: number): Buffer {
  const rnd = Math.random
  const lines: string[] = []
  let len = 0
  while (len < n) {
    const line = `2025-01-01T00:${String(Math.floor(rnd() * 60)).padStart(2, '0')}:00Z ${['INFO', 'WARN', 'DEBUG'][Math.floor(rnd() * 3)]} req=${Math.floor(rnd() * 1e9).toString(16)} dur_ms=${Math.floor(rnd() * 2000)} path=/api/v1/items/${Math.floor(rnd() * 5000)}\n`
    lines.push(line)
    len += line.length
  }
  return Buffer.from(lines.join('')).subarray(0, n)
}

describe('block gzip', () => {
  it('makes one valid gzip stream from blocks compressed concurrently, in order', async () => {
    // What create does: the tar stream in blocks, each compressed on the thread pool, members concatenated in order.
    const input = Buffer.concat([text(300_000), randomBytes(200_000), text(5), randomBytes(70_000), text(100_000)])
    const blocks = []
    for (let i = 0; i < input.length; i += 64 * 1024) blocks.push(input.subarray(i, i + 64 * 1024))
    const members = await Promise.all(blocks.map((b) => compressBlock(b, DEFAULT_GZIP_LEVEL)))
    expect(gunzipSync(Buffer.concat(members.flat())).equals(input)).toBe(true)
  })

  it('compresses an empty block to a valid gzip member', async () => {
    expect(gunzipSync(Buffer.concat(await compressBlock(Buffer.alloc(0), DEFAULT_GZIP_LEVEL))).length).toBe(0)
  })

  it('stores random data (almost no growth) and keeps a half-text, half-random mix within 1.1x gzip -6', async () => {
    const random = randomBytes(1 << 20)
    const stored = Buffer.concat(await compressBlock(random, DEFAULT_GZIP_LEVEL))
    expect(gunzipSync(stored).equals(random)).toBe(true)
    expect(stored.length).toBeLessThan(random.length * 1.001 + 64)
    const t = logLines(1 << 20)
    const mixed = Buffer.concat([t, random])
    const ours = Buffer.concat([...(await compressBlock(t, DEFAULT_GZIP_LEVEL)), ...(await compressBlock(random, DEFAULT_GZIP_LEVEL))])
    expect(ours.length).toBeLessThan(gzipSync(mixed, {level: 6}).length * 1.1)
    // Pure log text at the default (fastest) level costs more space; level 3 stays within 1.1x (docs/archive-format.md).
    expect(Buffer.concat(await compressBlock(t, 3)).length).toBeLessThan(gzipSync(t, {level: 6}).length * 1.1 + 64)
  })

  it('frames stored members gunzip reads, at every size around the 65,535-byte block limit', () => {
    for (const n of [0, 1, 65_535, 65_536, 131_071, 200_000]) {
      const data = randomBytes(n)
      expect(gunzipSync(Buffer.concat(storedMember(data))).equals(data)).toBe(true)
    }
  })

  it('entropy tells random from text', () => {
    expect(sampleEntropy(randomBytes(4096))).toBeGreaterThan(7.6)
    expect(sampleEntropy(text(4096))).toBeLessThan(6)
  })
})
