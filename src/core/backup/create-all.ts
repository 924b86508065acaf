import {HatchError, isHatchError} from '../errors.js'
import {resolveHosts, type HostEnvironment} from '../hosts/resolve.js'
import type {BackupInfo} from './schema.js'
import type {BackupStore} from './store.js'

export interface AllHostsReport {
  /** One per host with a config file: the backup made now (created) or the one that already held its bytes. */
  backups: Array<BackupInfo & {created: boolean}>
  /** Hosts hatch found more than one config file for: it will not guess which to back up. */
  skipped: Array<{host: string; reason: string}>
  /** Hosts whose file could not be backed up (unreadable, vanished…), each with its error. */
  failed: Array<{host: string; error: ReturnType<HatchError['toJSON']>}>
}

/**
 * Backs up every host whose config file hatch finds here (`backup create --all`), each unless unchanged since its
 * newest backup (or always, with `force`). One host's failure does not stop the others; it is reported.
 * @throws HatchError CONFIG_NOT_FOUND when no host has a config file here; AMBIGUOUS_CONFIG when the only ones
 *   found have several.
 */
export async function backupAllHosts(store: BackupStore, options: {force?: boolean; hostEnv?: HostEnvironment} = {}): Promise<AllHostsReport> {
  const hosts = await resolveHosts(options.hostEnv)
  const report: AllHostsReport = {backups: [], skipped: [], failed: []}
  for (const h of hosts) {
    if (h.status === 'ambiguous') {
      const files = h.candidates.filter((c) => c.exists).length
      report.skipped.push({host: h.id, reason: `${files} config files exist; hatch will not guess. Back it up with --host ${h.id} --config PATH, or save one with \`hatch mcp hosts set-path ${h.id} PATH\`.`})
      continue
    }
    if (h.status !== 'present' || h.path === null) continue
    try {
      const {backup, created} = await store.createIfChanged(h.id, h.path, {force: options.force})
      report.backups.push({...backup, created})
    } catch (error) {
      if (!isHatchError(error)) throw error
      report.failed.push({host: h.id, error: error.toJSON()})
    }
  }
  if (report.backups.length === 0 && report.failed.length === 0) {
    if (report.skipped.length > 0) {
      throw new HatchError('AMBIGUOUS_CONFIG', `The only hosts found here have several config files each (${report.skipped.map((s) => s.host).join(', ')}), and hatch will not guess.`, {
        suggestions: report.skipped.map((s) => s.reason),
      })
    }
    throw new HatchError('CONFIG_NOT_FOUND', 'hatch found no MCP host config file on this machine, so there is nothing to back up.', {
      suggestions: ['Run `hatch mcp hosts` to see where it looked; name a file with --host HOST --config PATH.'],
    })
  }
  return report
}
