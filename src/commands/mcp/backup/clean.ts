import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {confirmOrRefuse} from '../../../cli/confirm.js'
import {openBackupStore} from '../../../cli/context.js'
import {configFlag, dryRunFlag, hostFlag, yesFlag} from '../../../cli/flags.js'
import {renderTable} from '../../../cli/table.js'
import type {CleanReport} from '../../../core/backup/results.js'
import {parseWholeNumberArgument, planClean} from '../../../core/backup/retention.js'
import {getHost} from '../../../core/hosts/registry.js'
import {resolveConfigPath} from '../../../core/hosts/resolve.js'


export default class BackupClean extends HatchCommand<CleanReport> {
  static override summary = "Delete a host's old backups."
  static override description = `A backup is deleted when it meets every criterion given. The newest backup is never deleted unless --all is given; --all alone deletes every backup of the host. --dry-run shows exactly the list that would be deleted, and that same list is what a real run deletes.
In a terminal it asks first; without one it needs --yes.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --host cursor --keep-count 10 --dry-run',
    '<%= config.bin %> <%= command.id %> --host claude-desktop --older-than-days 30 --yes',
  ]

  static override flags = {
    host: hostFlag(true),
    config: {...configFlag, description: 'Only backups of this config file.'},
    'older-than-days': Flags.string({description: 'Delete backups older than N days (a whole number >= 1).', helpValue: 'N'}),
    'keep-count': Flags.string({description: 'Keep the newest N backups (a whole number >= 1).', helpValue: 'N'}),
    all: Flags.boolean({default: false, description: 'Allow deleting the newest backup; alone, delete every backup of the host.'}),
    'dry-run': dryRunFlag,
    yes: yesFlag,
  }

  async run(): Promise<CleanReport> {
    const {flags} = await this.parse(BackupClean)
    const host = getHost(flags.host!)
    const criteria = {
      olderThanDays: parseWholeNumberArgument('--older-than-days', flags['older-than-days']),
      keepCount: parseWholeNumberArgument('--keep-count', flags['keep-count']),
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
    if (plan.delete.length === 0) {
      this.out(`Nothing to clean: all ${plan.keep.length} backups of ${host.id} are kept.`)
      return output
    }
    if (flags['dry-run']) {
      this.out(`Would delete ${plan.delete.length} of ${backups.length} backups of ${host.id}:\n${listing}`)
      return output
    }
    if (!flags.yes && process.stdin.isTTY) this.logToStderr(`These ${plan.delete.length} backups of ${host.id} would be deleted:\n${listing}`)
    await confirmOrRefuse(`Delete ${plan.delete.length} of ${backups.length} backups of ${host.id}?`, {
      yes: flags.yes,
      action: `delete ${plan.delete.length} backups of ${host.id}`,
    })
    output.deleted = await store.delete(host.id, output.deleted)
    this.out(`Deleted ${output.deleted.length} backups of ${host.id}; ${output.kept.length} kept.`)
    return output
  }
}
