import {HatchCommand} from '../../../cli/base-command.js'
import {openBackupStore} from '../../../cli/context.js'
import {configFlag, hostFlag} from '../../../cli/flags.js'
import {formatBytes, renderTable} from '../../../cli/table.js'
import type {BackupInfo} from '../../../core/backup/schema.js'
import {getHost} from '../../../core/hosts/registry.js'
import {resolveConfigPath} from '../../../core/hosts/resolve.js'

export default class BackupList extends HatchCommand<BackupInfo[]> {
  static override summary = 'List backups, newest first.'
  static override description = `Reads each host folder's index, not the backups themselves. Without --host, every host's backups are listed.
REASON says why each backup exists: manual (backup create), pre-restore (the file a restore replaced), pre-write (the file install or uninstall changed), or any reason a newer hatch records.`

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --host cursor --json']

  static override flags = {
    host: hostFlag(false),
    config: {...configFlag, description: 'Only backups of this config file (needs --host).', dependsOn: ['host']},
  }

  async run(): Promise<BackupInfo[]> {
    const {flags} = await this.parse(BackupList)
    if (flags.host !== undefined) getHost(flags.host)
    let backups = openBackupStore(this.config.version).list(flags.host)
    if (flags.config !== undefined) {
      const {path} = await resolveConfigPath(flags.host!, {config: flags.config})
      backups = backups.filter((b) => b.sourcePath === path)
    }
    // Under --json only the result is printed: the table is not even built (10,000 rows cost ~10 ms).
    if (this.jsonEnabled()) return backups
    const rows = backups.map((b) => [
      b.host,
      b.id,
      b.createdAt.replace('T', ' ').slice(0, 19),
      b.indexed ? b.reason : '?',
      formatBytes(b.size),
      b.sha256.slice(0, 12),
      b.indexed ? b.sourcePath : '(not indexed)',
    ])
    this.log(renderTable(['HOST', 'ID', 'CREATED (UTC)', 'REASON', 'SIZE', 'SHA256', 'SOURCE'], rows, this.hint('No backups yet. Make one with `hatch mcp backup create --host HOST` (or --all for every host found).')))
    return backups
  }
}
