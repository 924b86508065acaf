import {describe, expect, it} from 'vitest'

import {formatProgress, ProgressLine} from '../../../src/core/archive/progress.js'

describe('progress line', () => {
  it('shows bytes, files, rate and ETA', () => {
    const line = formatProgress('Archiving', {bytes: 50 * 1024 * 1024, totalBytes: 150 * 1024 * 1024, files: 10, totalFiles: 30}, 2)
    expect(line).toBe('Archiving  50.0/150.0 MiB  10/30 files  25.0 MiB/s  ETA 4s')
  })

  it('is silent without a stream, and for the first half second, and redraws at most every 100 ms', () => {
    let now = 1000
    const written: string[] = []
    const stream = {write: (s: string) => written.push(s)} as unknown as NodeJS.WritableStream
    new ProgressLine(undefined, 'x').update({bytes: 1, files: 0})
    const p = new ProgressLine(stream, 'x', () => now)
    p.update({bytes: 1, files: 0})
    expect(written).toEqual([])
    now = 1600
    p.update({bytes: 2, files: 0})
    now = 1650
    p.update({bytes: 3, files: 0})
    expect(written).toHaveLength(1)
    p.done()
    expect(written).toHaveLength(2)
  })
})
