import {describe, expect, it} from 'vitest'

import {parseWholeNumberArgument, planClean} from '../../../src/core/backup/retention.js'
import type {BackupInfo} from '../../../src/core/backup/schema.js'

const NOW = new Date('2026-11-21T12:00:00Z')
const DAY = 86_400_000

/** Backups newest first, `ages` in days. */
function backups(...ages: number[]): BackupInfo[] {
  return ages.map((age, i) => ({
    id: `id-${i}`,
    createdAt: new Date(NOW.getTime() - age * DAY).toISOString(),
  })) as BackupInfo[]
}
const ids = (list: BackupInfo[]) => list.map((b) => b.id)

describe('parseWholeNumberArgument', () => {
  it('accepts whole numbers from 1', () => {
    expect(parseWholeNumberArgument('--keep-count', '1')).toBe(1)
    expect(parseWholeNumberArgument('--keep-count', ' 30 ')).toBe(30)
    expect(parseWholeNumberArgument('--keep-count', undefined)).toBeUndefined()
  })
  it('says the real limit for a whole number too large to count exactly', () => {
    expect(parseWholeNumberArgument('--keep-count', '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER)
    expect(() => parseWholeNumberArgument('--keep-count', '9007199254740993')).toThrow(
      expect.objectContaining({code: 'INVALID_ARGUMENT', message: '--keep-count must be a whole number from 1 to 9007199254740991; "9007199254740993" is too large.'}),
    )
  })
  it.each(['-1', '0', '1.5', 'abc', '', '1e3', '0x10', '99999999999999999999', '+3'])('refuses %j, naming the flag', (value) => {
    expect(() => parseWholeNumberArgument('--older-than-days', value)).toThrow(
      expect.objectContaining({code: 'INVALID_ARGUMENT', message: expect.stringContaining('--older-than-days')}),
    )
  })
})

describe('planClean', () => {
  it('needs a criterion', () => {
    expect(() => planClean(backups(1, 2), {}, NOW)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT'}))
  })
  it('refuses bad numbers even when called directly', () => {
    expect(() => planClean(backups(1), {keepCount: 0}, NOW)).toThrow(/--keep /)
    expect(() => planClean(backups(1), {olderThanDays: -1}, NOW)).toThrow(/--older-than-days/)
    expect(() => planClean(backups(1), {keepCount: 1.5}, NOW)).toThrow(/--keep /)
  })
  it('keeps the newest N', () => {
    const plan = planClean(backups(0, 1, 2, 3), {keepCount: 2}, NOW)
    expect(ids(plan.delete)).toEqual(['id-2', 'id-3'])
    expect(ids(plan.keep)).toEqual(['id-0', 'id-1'])
  })
  it('deletes only what is older than N days, never the newest', () => {
    expect(ids(planClean(backups(0, 5, 40, 50), {olderThanDays: 30}, NOW).delete)).toEqual(['id-2', 'id-3'])
    expect(ids(planClean(backups(40, 50), {olderThanDays: 30}, NOW).delete)).toEqual(['id-1'])
    expect(ids(planClean(backups(40), {keepCount: 1}, NOW).delete)).toEqual([])
  })
  it('applies both criteria together: only what is old AND beyond the newest K', () => {
    expect(ids(planClean(backups(0, 40, 50, 60), {olderThanDays: 30, keepCount: 3}, NOW).delete)).toEqual(['id-3'])
    expect(ids(planClean(backups(0, 1, 2, 60), {olderThanDays: 30, keepCount: 1}, NOW).delete)).toEqual(['id-3'])
  })
  it('--all lets the newest go too, and alone deletes everything', () => {
    expect(ids(planClean(backups(40, 50), {olderThanDays: 30, all: true}, NOW).delete)).toEqual(['id-0', 'id-1'])
    expect(ids(planClean(backups(0, 1, 2), {all: true}, NOW).delete)).toEqual(['id-0', 'id-1', 'id-2'])
  })
  it('an empty list plans nothing', () => {
    expect(planClean([], {keepCount: 1}, NOW)).toEqual({delete: [], keep: []})
  })
  it('is exactly N days: a backup of exactly 30 days is not older than 30 days', () => {
    expect(ids(planClean(backups(0, 30, 30.001), {olderThanDays: 30}, NOW).delete)).toEqual(['id-2'])
  })
})
