import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {openBackupStore} from '../../../cli/context.js'
import {missingHostSteps} from '../../../cli/errors.js'
import {configFlag, hostFlag} from '../../../cli/flags.js'
import {formatBytes, renderTable} from '../../../cli/table.js'
import {backupAllHosts, type AllHostsReport} from '../../../core/backup/create-all.js'
import type {BackupInfo} from '../../../core/backup/schema.js'
import {HatchError} from '../../../core/errors.js'
import {resolveConfigPath} from '../../../core/hosts/resolve.js'
import {count} from '../../../core/text/plural.js'

export type CreateOutput = (BackupInfo & {created: boolean}) | AllHostsReport

export default class BackupCreate extends HatchCommand<CreateOutput> {
  static override summary = "Back up a host's MCP config file (or, with --all, every host's)."
  static override description = `Stores a byte-for-byte copy (comments, BOM and line endings kept) under ~/.hatch/mcp_host_config_backups/<host>/, recorded with its SHA-256, in a folder only you can read (0700, files 0600).
A file unchanged since its newest backup is not backed up again: hatch says so and prints that backup (--force makes a new one).
Use it as a pre-change hook: it prints the backup's id, and exits non-zero if the file could not be backed up.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --host claude-desktop',
    '<%= config.bin %> <%= command.id %> --all',
    '<%= config.bin %> <%= command.id %> --host vscode --config ./.vscode/mcp.json --json',
  ]

  static override flags = {
    host: hostFlag(false),
    all: Flags.boolean({default: false, description: 'Back up every host whose config file hatch finds here (see `hatch mcp hosts`).'}),
    config: {...configFlag, dependsOn: ['host']},
    force: Flags.boolean({default: false, description: 'Make a new backup even when the file is unchanged since its newest one.'}),
  }

  async run(): Promise<CreateOutput> {
    const {flags} = await this.parse(BackupCreate)
    // Checked here, not with oclif's exactlyOne: a boolean that defaults to false counts as given there.
    if (flags.all === (flags.host !== undefined)) {
      if (flags.all) throw new HatchError('INVALID_ARGUMENT', 'Give either --host HOST or --all, not both.')
      throw new HatchError('INVALID_ARGUMENT', 'Missing required flag --host (or --all, for every host found).', {
        suggestions: await missingHostSteps({id: this.id, argv: this.argv}),
      })
    }
    const store = openBackupStore(this.config.version)
    if (flags.all) return this.all(await backupAllHosts(store, {force: flags.force}))
    const target = await resolveConfigPath(flags.host!, {config: flags.config})
    const {backup, created} = await store.createIfChanged(target.host.id, target.path, {force: flags.force})
    const details = `  id      ${backup.id}\n  file    ${backup.path}\n  size    ${formatBytes(backup.size)}\n  sha256  ${backup.sha256}`
    this.out(
      created
        ? `Backed up ${backup.sourcePath}\n${details}`
        : `${backup.sourcePath} is unchanged since its newest backup (${backup.createdAt.replace('T', ' ').slice(0, 19)} UTC), so no new one was made; pass --force to make one anyway.\n${details}`,
    )
    return {...backup, created}
  }

  private all(report: AllHostsReport): AllHostsReport {
    const rows = report.backups.map((b) => [b.host, b.id, b.created ? 'backed up' : 'unchanged', b.sourcePath])
    const made = report.backups.filter((b) => b.created).length
    const lines = [renderTable(['HOST', 'ID', 'STATUS', 'SOURCE'], rows), '', `${count(made, 'new backup')}; ${count(report.backups.length - made, 'host')} unchanged since the last backup.`]
    for (const s of report.skipped) lines.push(`Skipped ${s.host}: ${this.hint(s.reason)}`)
    for (const f of report.failed) lines.push(`Failed ${f.host}: ${this.hint(f.error.message)} (${f.error.code}, exit ${f.error.exitCode})`)
    this.out(lines.join('\n'))
    // Every host that could be backed up was; the first that could not sets the exit code.
    if (report.failed.length > 0) process.exitCode = report.failed[0]!.error.exitCode
    return report
  }
}
