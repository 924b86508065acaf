import {HatchCommand} from '../../../cli/base-command.js'
import {openBackupStore} from '../../../cli/context.js'
import {configFlag, hostFlag} from '../../../cli/flags.js'
import {formatBytes} from '../../../cli/table.js'
import type {BackupInfo} from '../../../core/backup/schema.js'
import {resolveConfigPath} from '../../../core/hosts/resolve.js'

export default class BackupCreate extends HatchCommand<BackupInfo> {
  static override summary = "Back up a host's MCP config file."
  static override description = `Stores a byte-for-byte copy (comments, BOM and line endings kept) under ~/.hatch/mcp_host_config_backups/<host>/, checked by SHA-256 after it is written, in a folder only you can read (0700, files 0600).
Use it as a pre-change hook: it prints the new backup's id, and exits non-zero if nothing was backed up.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --host claude-desktop',
    '<%= config.bin %> <%= command.id %> --host vscode --config ./.vscode/mcp.json --json',
  ]

  static override flags = {
    host: hostFlag(true),
    config: configFlag,
  }

  async run(): Promise<BackupInfo> {
    const {flags} = await this.parse(BackupCreate)
    const target = await resolveConfigPath(flags.host!, {config: flags.config})
    const backup = await openBackupStore(this.config.version).create(target.host.id, target.path)
    this.out(`Backed up ${backup.sourcePath}\n  id      ${backup.id}\n  file    ${backup.path}\n  size    ${formatBytes(backup.size)}\n  sha256  ${backup.sha256}`)
    return backup
  }
}
