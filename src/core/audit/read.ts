import * as fs from 'node:fs'
import {join} from 'node:path'

import {HatchError, errnoCode, fsError} from '../errors.js'
import {AUDIT_FILE_NAME} from './log.js'
import {AuditRecord} from './record.js'

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}

/**
 * Parses `--since`: a duration back from now (`30m`, `12h`, `7d`, `2w`) or an ISO 8601 date or date-time
 * (`2026-11-21`, `2026-11-21T16:00:00Z`). @throws HatchError INVALID_ARGUMENT
 */
export function parseSince(value: string, now: Date = new Date()): Date {
  const text = value.trim()
  const rel = /^(\d{1,6})\s*([smhdw])$/i.exec(text)
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase()]!)
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'))
    if (!Number.isNaN(ms)) return new Date(ms)
  }
  throw new HatchError('INVALID_ARGUMENT', `--since must be a duration such as 30m, 12h or 7d, or a date such as 2026-11-21; "${value}" is neither.`, {
    suggestions: ['For example: --since 24h'],
  })
}

export interface ReadAuditResult {
  records: AuditRecord[]
  /** Lines that were not valid records (e.g. torn by a crash); they are skipped, never fatal. */
  skipped: number
}

/** Reads the audit log in `dir`, oldest first, optionally only the records at or after `since`. A missing log is empty. */
export function readAuditLog(dir: string, options: {since?: Date} = {}): ReadAuditResult {
  let text: string
  try {
    text = fs.readFileSync(join(dir, AUDIT_FILE_NAME), 'utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return {records: [], skipped: 0}
    throw fsError(error, 'read the audit log in', dir)
  }
  const since = options.since?.getTime()
  const records: AuditRecord[] = []
  let skipped = 0
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    let parsed
    try {
      parsed = AuditRecord.safeParse(JSON.parse(line))
    } catch {
      skipped++
      continue
    }
    if (!parsed.success) {
      skipped++
      continue
    }
    if (since !== undefined && !(Date.parse(parsed.data.time) >= since)) continue
    records.push(parsed.data)
  }
  return {records, skipped}
}
