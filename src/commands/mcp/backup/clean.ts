import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {confirmOrRefuse} from '../../../cli/confirm.js'
import {openBackupStore} from '../../../cli/context.js'
import {configFlag, dryRunFlag, hostFlag, yesFlag} from '../../../cli/flags.js'
import {renderTable} from '../../../cli/table.js'
import type {CleanReport} from '../../../core/backup/results.js'
import {parseWholeNumberArgument, planClean} from '../../../core/backup/retention.js'
import {getHost} from '../../../core/hosts/registry.js'
import {count} from '../../../core/text/plural.js'
import {resolveConfigPath} from '../../../core/hosts/resolve.js'


export default class BackupClean extends HatchCommand<CleanReport> {
  static override summary = "Delete a host's old backups."
  static override description = `A backup is deleted when it meets every criterion given. The newest backup is never deleted unless --all is given; --all alone deletes every backup of the host. --dry-run shows exactly the list that would be deleted, and that same list is what a real run deletes.
In a terminal it asks first; without one it needs --yes.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --host cursor --keep 10 --dry-run',
    '<%= config.bin %> <%= command.id %> --host claude-desktop --older-than-days 30 --yes',
  ]

  static override flags = {
    host: hostFlag(true),
    config: {...configFlag, description: 'Only backups of this config file.'},
    'older-than-days': Flags.string({description: 'Delete backups older than N days (a whole number >= 1).', helpValue: 'N'}),
    // --keep, as archive prune says it; --keep-count, its first name, still works.
    keep: Flags.string({aliases: ['keep-count'], description: 'Keep the newest N backups (a whole number >= 1). Also --keep-count N.', helpValue: 'N'}),
    all: Flags.boolean({default: false, description: 'Allow deleting the newest backup; alone, delete every backup of the host.'}),
    'dry-run': dryRunFlag,
    yes: yesFlag,
  }

  async run(): Promise<CleanReport> {
    const {flags} = await this.parse(BackupClean)
    const host = getHost(flags.host!)
    const criteria = {
      olderThanDays: parseWholeNumberArgument('--older-than-days', flags['older-than-days']),
      keepCount: parseWholeNumberArgument(this.argv.some((a) => a.startsWith('--keep-count')) ? '--keep-count' : '--keep', flags.keep),
      all: flags.all,
    }
    const store = openBackupStore(this.config.version)
    let backups = store.list(host.id)
    if (flags.config !== undefined) {
      const {path} = await resolveConfigPath(host.id, {config: flags.config})
      backups = backups.filter((b) => b.sourcePath === path)
    }
    const plan = planClean(backups, criteria, new Date())
    const output: CleanReport = {host: host.id, dryRun: flags['dry-run'], deleted: plan.delete.map((b) => b.id), kept: plan.keep.map((b) => b.id)}
    const listing = renderTable(['ID', 'CREATED (UTC)'], plan.delete.map((b) => [b.id, b.createdAt.replace('T', ' ').slice(0, 19)]))
    const doomed = `${plan.delete.length} of ${count(backups.length, 'backup')} of ${host.id}`
    if (plan.delete.length === 0) {
      this.out(`Nothing to clean: ${host.id} has ${count(plan.keep.length, 'backup')}, and all are kept.`)
      return output
    }
    if (flags['dry-run']) {
      this.out(`Would delete ${doomed}:\n${listing}`)
      return output
    }
    if (!flags.yes && process.stdin.isTTY) this.logToStderr(`These ${doomed} would be deleted:\n${listing}`)
    await confirmOrRefuse(`Delete ${doomed}?`, {yes: flags.yes, action: `delete ${doomed}`})
    output.deleted = await store.delete(host.id, output.deleted)
    this.out(`Deleted ${count(output.deleted.length, 'backup')} of ${host.id}; ${output.kept.length} kept.`)
    return output
  }
}
