import * as z from 'zod'

import {unifiedDiff} from '../diff/unified.js'
import {HatchError, isHatchError} from '../errors.js'
import {readIfExists, resolveWriteTarget} from '../fs/atomic-write.js'
import {decodeConfig, parseConfig} from '../formats/parse.js'
import type {HostEntry} from '../hosts/registry.js'
import {configLineMasker, configSecretNames} from '../redact/config-values.js'
import {maskText} from '../redact/mask.js'
import {compareServers, inventory} from '../servers/inventory.js'
import type {BackupInfo} from './schema.js'
import type {BackupStore} from './store.js'

export const ServerChangesSchema = z.object({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.object({name: z.string(), fields: z.array(z.string())})),
})

/** Two versions of a config compared: server by server (names only) and as a masked text diff. */
export const ConfigComparison = z.object({
  /** False when both sides hold the same bytes. */
  changed: z.boolean(),
  /** Servers added, removed and changed from the old side to the new one; null when a side does not parse. */
  servers: ServerChangesSchema.nullable(),
  /** Why a side could not be compared server by server (does not parse; no recorded checksum), secrets masked. */
  problems: z.array(z.string()),
  /** Unified diff from the old side to the new one, secrets masked. */
  diff: z.string(),
})
export type ConfigComparison = z.infer<typeof ConfigComparison>

/** One side of a comparison: its bytes (null: no file) and how to name it. */
export interface Side {
  bytes: Buffer | null
  label: string
}

function parsed(host: HostEntry, side: Side, problems: string[]): Record<string, unknown> | undefined {
  if (side.bytes === null) return {}
  try {
    return parseConfig(side.bytes, host.format, side.label)
  } catch (error) {
    if (!isHatchError(error)) throw error
    problems.push(maskText(error.message))
    return undefined
  }
}

/** Compares two versions of a host's config: servers added, removed and changed, then the masked text diff. */
export function compareConfigs(host: HostEntry, old: Side, now: Side): ConfigComparison {
  const problems: string[] = []
  const [a, b] = [parsed(host, old, problems), parsed(host, now, problems)]
  const label = (s: Side) => (s.bytes === null ? `${s.label} (absent)` : s.label)
  const maskLine = configLineMasker(configSecretNames(a, b))
  const diff = unifiedDiff(decodeConfig(old.bytes ?? ''), decodeConfig(now.bytes ?? ''), label(old), label(now), {maskLine})
  const changed = old.bytes === null || now.bytes === null ? old.bytes !== now.bytes : !old.bytes.equals(now.bytes)
  const servers = a === undefined || b === undefined ? null : compareServers(inventory(host, a), inventory(host, b))
  return {changed, servers, problems, diff}
}

/** A backup's bytes for comparing: checked against its checksum; one with no recorded checksum is read with a note. */
export function readBackupToCompare(store: BackupStore, backup: BackupInfo, problems: string[]): Buffer {
  if (backup.indexed) return store.readVerified(backup)
  problems.push(`Backup ${backup.id} has no recorded checksum, so hatch cannot tell whether it is intact.`)
  return readIfExists(backup.path) ?? Buffer.alloc(0)
}

const BackupRef = z.object({id: z.string(), createdAt: z.string(), path: z.string()})

/** The `--json` shape of `hatch mcp backup diff`. */
export const BackupDiff = ConfigComparison.extend({
  host: z.string(),
  from: BackupRef,
  /** The other side: a backup (`id`), or the current file (`id` null). */
  to: z.object({id: z.string().nullable(), createdAt: z.string().nullable(), path: z.string(), exists: z.boolean()}),
})
export type BackupDiff = z.infer<typeof BackupDiff>

export interface BackupDiffRequest {
  host: HostEntry
  /** The backup to compare; default the newest (of `config`, when given). */
  id?: string
  /** Compare with this backup instead of the current file. */
  to?: string
  /** Only backups of this config file count as the newest. */
  config?: string
}

/**
 * What changed between a backup and the file it came from as it is now (or a second backup): servers added, removed
 * and changed, then the masked text diff.
 * @throws HatchError BACKUP_NOT_FOUND, CHECKSUM_MISMATCH (a damaged backup)
 */
export function diffBackup(store: BackupStore, request: BackupDiffRequest): BackupDiff {
  const {host} = request
  const from = request.id !== undefined ? store.get(host.id, request.id) : newestOf(store, host.id, request.config)
  const problems: string[] = []
  const old = readBackupToCompare(store, from, problems)
  let to: BackupDiff['to']
  let now: Buffer | null
  if (request.to !== undefined) {
    const other = store.get(host.id, request.to)
    now = readBackupToCompare(store, other, problems)
    to = {id: other.id, createdAt: other.createdAt, path: other.sourcePath, exists: true}
  } else {
    now = readIfExists(resolveWriteTarget(from.sourcePath))
    to = {id: null, createdAt: null, path: from.sourcePath, exists: now !== null}
  }
  const comparison = compareConfigs(host, {bytes: old, label: `backup ${from.id}`}, {bytes: now, label: to.id === null ? to.path : `backup ${to.id}`})
  return {host: host.id, from: {id: from.id, createdAt: from.createdAt, path: from.sourcePath}, to, ...comparison, problems: [...problems, ...comparison.problems]}
}

/** The newest backup of a host, or of one of its files. @throws HatchError BACKUP_NOT_FOUND */
export function newestOf(store: BackupStore, host: string, path?: string): BackupInfo {
  if (path === undefined) return store.latest(host)
  const found = store.list(host).find((b) => b.sourcePath === path || b.sourceRealPath === path)
  if (found) return found
  throw new HatchError('BACKUP_NOT_FOUND', `Host ${host} has no backup of ${path} yet.`, {
    suggestions: [`Make one with \`hatch mcp backup create --host ${host} --config ${path}\`.`],
  })
}
