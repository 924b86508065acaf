import {HatchError} from '../errors.js'
import {sha256} from '../fs/hash.js'
import {decodeConfig} from '../formats/parse.js'
import {maskText} from '../redact/mask.js'
import {BACKUP_ID_PATTERN, parseBackupIdArgument} from './naming.js'
import type {VerifyStatus} from './results.js'
import type {BackupInfo} from './schema.js'
import type {BackupStore} from './store.js'

export interface ShownBackup {
  backup: BackupInfo
  /** Whether its bytes still match the recorded SHA-256 (as `verify` says it). */
  status: VerifyStatus
  /** Its content as text, secrets masked unless asked for. */
  content: string
  masked: boolean
}

/**
 * One backup, found by its id (or file name) in `host`'s folder, or in every host's when no host is given, with its
 * content: what `hatch mcp backup show` prints.
 * @throws HatchError BACKUP_NOT_FOUND; INVALID_ARGUMENT for an id that is not one, or one several hosts have.
 */
export function showBackup(store: BackupStore, request: {id: string; host?: string; showSecrets?: boolean}): ShownBackup {
  const backup = request.host === undefined ? findInAnyHost(store, request.id) : store.get(request.host, parseBackupIdArgument(request.id, request.host))
  const bytes = store.readUnverified(backup)
  const status: VerifyStatus = bytes === null ? 'missing' : !backup.indexed ? 'unrecorded' : sha256(bytes) === backup.sha256 ? 'intact' : 'damaged'
  const text = bytes === null ? '' : decodeConfig(bytes)
  const masked = !request.showSecrets
  return {backup, status, content: masked ? maskText(text) : text, masked}
}

function findInAnyHost(store: BackupStore, given: string): BackupInfo {
  const trimmed = given.trim()
  // An id, or a backup's file name (`<config file>.<host>.<id>`), whichever host's it is.
  const matches = store.hosts().flatMap((host) => {
    let id: string
    try {
      id = BACKUP_ID_PATTERN.test(trimmed) ? trimmed : parseBackupIdArgument(trimmed, host)
    } catch {
      return []
    }
    try {
      return [store.get(host, id)]
    } catch {
      return []
    }
  })
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) {
    throw new HatchError('INVALID_ARGUMENT', `Several hosts have a backup ${trimmed}: ${matches.map((b) => b.host).join(', ')}.`, {
      suggestions: matches.map((b) => `hatch mcp backup show ${b.id} --host ${b.host}`),
    })
  }
  if (!BACKUP_ID_PATTERN.test(trimmed) && !/^[^/\\]+\.[a-z0-9-]+\.\d{8}_\d{6}_\d{6}$/.test(trimmed)) parseBackupIdArgument(trimmed, 'HOST')
  throw new HatchError('BACKUP_NOT_FOUND', `No host has a backup ${trimmed}.`, {suggestions: ['Run `hatch mcp backup list` to see every backup, newest first.']})
}
