import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createArchive, planPrune, prunePlanned} from '../../../src/core/archive/index.js'
import {keyPair, tempDir} from './helpers.js'

describe('prune', () => {
  let t: {dir: string; cleanup: () => void}
  let out: string
  const keys = keyPair()
  const now = new Date('2025-03-01T00:00:00Z')

  beforeAll(async () => {
    t = tempDir()
    const src = join(t.dir, 'src')
    mkdirSync(src)
    writeFileSync(join(src, 'a'), 'a')
    out = join(t.dir, 'out')
    for (let day = 1; day <= 5; day++) {
      await createArchive({
        source: src,
        outputDir: out,
        name: `a${day}`,
        now: new Date(Date.UTC(2025, 1, day * 5)),
        recipients: [keys.recipient],
        encryption: {kind: 'x25519', recipients: []},
        hatchVersion: '0',
      })
    }
    // An archive without a sidecar, and an unrelated JSON file: never touched.
    writeFileSync(join(out, 'orphan.tar.gz.age'), 'x')
    writeFileSync(join(out, 'notes.json'), '{}')
  })
  afterAll(() => t.cleanup())

  it('keeps the newest N; the dry-run plan is what gets deleted', async () => {
    const plan = planPrune(out, {keepCount: 2}, now)
    expect(plan.delete.map((a) => a.name)).toEqual(['a3', 'a2', 'a1'])
    expect(plan.keep.map((a) => a.name)).toEqual(['a5', 'a4'])
    expect(plan.orphans).toEqual([join(out, 'orphan.tar.gz.age')])
    expect(await prunePlanned(out, plan)).toEqual(['a3', 'a2', 'a1'])
    expect(readdirSync(out).filter((n) => !n.startsWith('.')).sort()).toEqual(['a4.json', 'a4.tar.gz.age', 'a5.json', 'a5.tar.gz.age', 'notes.json', 'orphan.tar.gz.age'])
  })

  it('never deletes the newest without --all, and refuses keep 0, negatives and fractions', () => {
    expect(planPrune(out, {olderThanDays: 1}, now).keep.map((a) => a.name)).toEqual(['a5'])
    expect(planPrune(out, {olderThanDays: 1, all: true}, now).delete.map((a) => a.name)).toEqual(['a5', 'a4'])
    for (const bad of [0, -1, 1.5]) expect(() => planPrune(out, {keepCount: bad}, now)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT'}))
    expect(() => planPrune(out, {}, now)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT'}))
  })

  it('a missing folder is BACKUP_NOT_FOUND', () => {
    expect(() => planPrune(join(t.dir, 'nope'), {keepCount: 1}, now)).toThrow(expect.objectContaining({code: 'BACKUP_NOT_FOUND'}))
    expect(existsSync(join(t.dir, 'nope'))).toBe(false)
  })
})
