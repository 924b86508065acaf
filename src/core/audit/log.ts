import * as fs from 'node:fs'
import {join} from 'node:path'

import {errnoCode, fsError} from '../errors.js'
import {refuseLinkedFolders} from '../paths/real-folders.js'
import {maskValue} from '../redact/mask.js'
import type {AuditCaller, AuditOutcome, AuditRecord} from './record.js'

export const AUDIT_FILE_NAME = 'mcp-audit.jsonl'
const DIR_MODE = 0o700
const FILE_MODE = 0o600

export interface AuditEntry {
  tool: string
  caller: AuditCaller
  /** The raw arguments; masked here before anything is written. */
  arguments: unknown
  outcome: AuditOutcome
  errorCode?: string | null
  durationMs: number
  time?: Date
}

export interface AuditLogOptions {
  /**
   * The folder is hatch's own (logs/ in hatch's home, not a HATCH_LOG_DIR the user named): it is refused when it is
   * a symbolic link, and so is `home` (hatch's home, given when HATCH_HOME did not name it), as the backup store
   * refuses its folders (paths/real-folders.ts). Without it, the folder is the user's choice, link or not.
   */
  hatchFolder?: {home?: string}
}

/**
 * The append-only MCP audit log: one JSON line per tool call in `<dir>/mcp-audit.jsonl`, the folder 0700 and the
 * file 0600 (set explicitly, not left to the umask). Each line is one write(2) with O_APPEND, so concurrent servers
 * never interleave within a line.
 */
export class AuditLog {
  readonly file: string

  private constructor(readonly dir: string) {
    this.file = join(dir, AUDIT_FILE_NAME)
  }

  /**
   * Opens (creating when needed) the log in `dir`; fails now rather than on the first call if it cannot be written.
   * @throws HatchError PERMISSION_DENIED for a symbolic link where `options.hatchFolder` wants a real folder.
   */
  static open(dir: string, options: AuditLogOptions = {}): AuditLog {
    if (options.hatchFolder !== undefined) {
      refuseLinkedFolders({home: options.hatchFolder.home, folders: [dir], keeps: 'its audit log', action: 'check the audit log folder'})
    }
    const log = new AuditLog(dir)
    try {
      const created = fs.mkdirSync(dir, {recursive: true, mode: DIR_MODE})
      if (created !== undefined) fs.chmodSync(dir, DIR_MODE)
      const fd = fs.openSync(log.file, 'a', FILE_MODE)
      try {
        fs.fchmodSync(fd, FILE_MODE)
      } finally {
        fs.closeSync(fd)
      }
    } catch (error) {
      throw fsError(error, 'open the audit log in', dir)
    }
    return log
  }

  /** The record as it is written: arguments masked, duration rounded to 0.1 ms. */
  static toRecord(entry: AuditEntry): AuditRecord {
    return {
      time: (entry.time ?? new Date()).toISOString(),
      tool: entry.tool,
      caller: entry.caller,
      arguments: maskValue(entry.arguments ?? null),
      outcome: entry.outcome,
      errorCode: entry.errorCode ?? null,
      durationMs: Math.round(entry.durationMs * 10) / 10,
    }
  }

  append(entry: AuditEntry): void {
    const line = `${JSON.stringify(AuditLog.toRecord(entry))}\n`
    const fd = fs.openSync(this.file, 'a', FILE_MODE)
    try {
      fs.writeSync(fd, line)
    } finally {
      fs.closeSync(fd)
    }
  }
}

/** True when the audit log file exists. */
export function auditLogExists(dir: string): boolean {
  try {
    fs.statSync(join(dir, AUDIT_FILE_NAME))
    return true
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false
    throw fsError(error, 'read the audit log in', dir)
  }
}
