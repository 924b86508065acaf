import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {openBackupStore} from '../../../cli/context.js'
import {configFlag, hostFlag} from '../../../cli/flags.js'
import {renderServerChanges} from '../../../cli/render-servers.js'
import {diffBackup, type BackupDiff} from '../../../core/backup/diff.js'
import {parseBackupIdArgument} from '../../../core/backup/naming.js'
import {getHost} from '../../../core/hosts/registry.js'
import {resolveConfigPath} from '../../../core/hosts/resolve.js'

export default class BackupDiffCommand extends HatchCommand<BackupDiff> {
  static override summary = 'What changed between a backup and the current file (or another backup).'
  static override description = 'Lists the servers added, removed and changed (names, and which keys changed; never values), then the unified diff with secrets masked. Compares the newest backup (or --id) with the file it came from as it is now, or with backup --to.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --host claude-desktop',
    '<%= config.bin %> <%= command.id %> --host cursor --id 20261121_165100_123456 --to 20261122_090000_000001 --json',
  ]

  static override flags = {
    host: hostFlag(true),
    id: Flags.string({description: 'The backup to compare (default: the newest).', helpValue: 'ID'}),
    to: Flags.string({description: 'Compare with this backup instead of the current file.', helpValue: 'ID'}),
    config: {...configFlag, description: 'Without --id: the newest backup of this file.'},
  }

  async run(): Promise<BackupDiff> {
    const {flags} = await this.parse(BackupDiffCommand)
    const host = getHost(flags.host!)
    const id = flags.id === undefined ? undefined : parseBackupIdArgument(flags.id, host.id)
    const to = flags.to === undefined ? undefined : parseBackupIdArgument(flags.to, host.id)
    const config = flags.config === undefined ? undefined : (await resolveConfigPath(host.id, {config: flags.config})).path
    const d = diffBackup(openBackupStore(this.config.version), {host, id, to, config})
    const other = d.to.id === null ? `${d.to.path}${d.to.exists ? '' : ' (no file now)'}` : `backup ${d.to.id} (${d.to.createdAt})`
    const lines = [`backup ${d.from.id} (${d.from.createdAt}) → ${other}`]
    const servers = renderServerChanges(d.servers)
    if (!d.changed) lines.push('  identical')
    else if (d.servers !== null) lines.push(...(servers.length > 0 ? servers : ['  servers: no change']))
    lines.push(...d.problems.map((p) => `  note: ${p}`))
    if (d.diff !== '') lines.push('', d.diff.trimEnd())
    this.out(lines.join('\n'))
    return d
  }
}
