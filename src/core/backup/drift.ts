import * as z from 'zod'

import {isHatchError} from '../errors.js'
import {readIfExists, resolveWriteTarget} from '../fs/atomic-write.js'
import {getHost, HOSTS} from '../hosts/registry.js'
import {ambiguousReason, currentHostEnvironment, resolveHost, type HostEnvironment} from '../hosts/resolve.js'
import {maskText} from '../redact/mask.js'
import {compareConfigs, ConfigComparison, readBackupToCompare} from './diff.js'
import type {BackupStore} from './store.js'

/**
 * `unchanged` / `changed`: the file against its newest backup; `missing`: it has a backup but is gone; `no-backup`:
 * it exists but was never backed up; `ambiguous`: several candidate files; `unreadable`: the backup is damaged or
 * the file cannot be read (see `problems`).
 */
export const DriftStatus = z.enum(['unchanged', 'changed', 'missing', 'no-backup', 'ambiguous', 'unreadable'])

export const HostDrift = ConfigComparison.partial({servers: true, diff: true, changed: true}).extend({
  host: z.string(),
  path: z.string().nullable(),
  status: DriftStatus,
  /** The newest backup of this file, compared with it. */
  backup: z.object({id: z.string(), createdAt: z.string()}).nullable(),
})
export type HostDrift = z.infer<typeof HostDrift>

export const DriftReport = z.object({hosts: z.array(HostDrift)})
export type DriftReport = z.infer<typeof DriftReport>

/**
 * For each host, what changed in its config file since its newest backup of that file. Without named hosts:
 * every host with a config file or a backup.
 */
export async function driftReport(store: BackupStore, hostIds?: readonly string[], hostEnv: HostEnvironment = currentHostEnvironment()): Promise<DriftReport> {
  const named = hostIds !== undefined && hostIds.length > 0
  const hosts = named ? hostIds.map((id) => getHost(id)) : HOSTS
  const withBackups = new Set(store.hosts())
  const out: HostDrift[] = []
  for (const host of hosts) {
    const resolved = await resolveHost(host, hostEnv)
    if (!named && resolved.status !== 'present' && resolved.status !== 'ambiguous' && !withBackups.has(host.id)) continue
    if (resolved.path === null) {
      const why = resolved.status === 'ambiguous' ? ambiguousReason(resolved, hostEnv.platform) : 'hatch knows no config location for it here'
      out.push({host: host.id, path: null, status: resolved.status === 'ambiguous' ? 'ambiguous' : 'no-backup', backup: null, problems: [why]})
      continue
    }
    const path = resolved.path
    try {
      const realPath = resolveWriteTarget(path)
      const backup = store.list(host.id).find((b) => b.sourcePath === path || b.sourceRealPath === realPath)
      const current = readIfExists(realPath)
      if (backup === undefined) {
        out.push({host: host.id, path, status: 'no-backup', backup: null, problems: []})
        continue
      }
      const problems: string[] = []
      const old = readBackupToCompare(store, backup, problems)
      const comparison = compareConfigs(host, {bytes: old, label: `backup ${backup.id}`}, {bytes: current, label: path})
      const status = current === null ? 'missing' : comparison.changed ? 'changed' : 'unchanged'
      out.push({host: host.id, path, status, backup: {id: backup.id, createdAt: backup.createdAt}, ...comparison, problems: [...problems, ...comparison.problems]})
    } catch (error) {
      if (!isHatchError(error)) throw error
      out.push({host: host.id, path, status: 'unreadable', backup: null, problems: [maskText(error.message)]})
    }
  }
  return {hosts: out}
}
