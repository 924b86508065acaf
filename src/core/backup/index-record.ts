import type {BackupInfo, BackupRecord} from './schema.js'

const SHA256_HEX = /^[0-9a-f]{64}$/
const isString = (v: unknown): v is string => typeof v === 'string'
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0

/**
 * BackupRecord's check, written out: listing 10,000 backups checks 10,000 records, and this costs a quarter of
 * zod's safeParse. It accepts exactly what BackupRecord (schema.ts) accepts, which test/core/backup/schema.test.ts
 * holds together field by field; unlike safeParse it keeps the object as it is, unknown fields included. It is apart
 * from the schema so that reading an index never loads zod.
 */
export function isBackupRecord(value: unknown): value is BackupRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const r = value as Record<string, unknown>
  return (
    isString(r.id) &&
    isString(r.host) &&
    isString(r.fileName) &&
    isString(r.createdAt) &&
    isString(r.sha256) &&
    SHA256_HEX.test(r.sha256) &&
    isCount(r.size) &&
    isString(r.sourcePath) &&
    isString(r.sourceRealPath) &&
    isCount(r.sourceMode) &&
    isString(r.reason) &&
    isString(r.hatchVersion)
  )
}

/** The record a backup is written as: everything but what listing derives (its path, whether it is indexed). */
export function recordOf(backup: BackupInfo): BackupRecord {
  const {path: _path, indexed: _indexed, ...record} = backup
  return record
}
