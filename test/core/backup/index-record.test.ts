import {describe, expect, it} from 'vitest'

import {isBackupRecord} from '../../../src/core/backup/index-record.js'
import {BackupRecord} from '../../../src/core/backup/schema.js'

const RECORD = {
  id: '20261121_165100_123456',
  host: 'cursor',
  fileName: 'mcp.json.cursor.20261121_165100_123456',
  createdAt: '2026-11-21T16:51:00.123456Z',
  sha256: 'a'.repeat(64),
  size: 812,
  sourcePath: '/home/me/.cursor/mcp.json',
  sourceRealPath: '/home/me/.cursor/mcp.json',
  sourceMode: 0o644,
  reason: 'manual',
  hatchVersion: '0.1.0',
}

// The wrong values each field can hold; every one must be refused by both checks.
const WRONG: unknown[] = [undefined, null, 1.5, -1, 'x', '', true, {}, [], 2 ** 53]

describe('isBackupRecord (the fast check list uses)', () => {
  it('accepts exactly what BackupRecord accepts, field by field', () => {
    expect(isBackupRecord(RECORD)).toBe(true)
    expect(BackupRecord.safeParse(RECORD).success).toBe(true)
    for (const field of Object.keys(BackupRecord.shape)) {
      for (const value of WRONG) {
        const record = {...RECORD, [field]: value}
        expect([field, value, isBackupRecord(record)]).toEqual([field, value, BackupRecord.safeParse(record).success])
      }
      const {[field]: _dropped, ...without} = RECORD as Record<string, unknown>
      expect([field, isBackupRecord(without)]).toEqual([field, false])
    }
    // Every field of the schema is in the sample, so the loop above covered them all.
    expect(Object.keys(BackupRecord.shape).sort()).toEqual(Object.keys(RECORD).sort())
  })

  it('refuses what is not an object and a malformed checksum', () => {
    for (const value of [null, [], 'record', 42]) expect(isBackupRecord(value)).toBe(false)
    expect(isBackupRecord({...RECORD, sha256: 'A'.repeat(64)})).toBe(false)
    expect(isBackupRecord({...RECORD, sha256: 'a'.repeat(63)})).toBe(false)
  })

  it('reads any reason, so backups a newer hatch made (guard, pre-edit, …) still list', () => {
    expect(isBackupRecord({...RECORD, reason: 'guard'})).toBe(true)
    expect(BackupRecord.safeParse({...RECORD, reason: 'guard'}).success).toBe(true)
  })
})
