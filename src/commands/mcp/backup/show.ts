import {Args, Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {openBackupStore} from '../../../cli/context.js'
import {hostFlag} from '../../../cli/flags.js'
import {formatBytes} from '../../../cli/table.js'
import type {BackupInfo} from '../../../core/backup/schema.js'
import {showBackup} from '../../../core/backup/show.js'
import type {VerifyStatus} from '../../../core/backup/results.js'
import {EXIT} from '../../../core/errors.js'

export type ShowOutput = BackupInfo & {status: VerifyStatus; content: string; masked: boolean}

export default class BackupShow extends HatchCommand<ShowOutput> {
  static override summary = "Print a backup's record and its content, secrets masked."
  static override description = `ID is a backup id (or a backup's file name) from \`hatch mcp backup list\`. Without --host every host's backups are searched. The content is checked against its recorded SHA-256 (STATUS says intact, damaged, missing or unrecorded; anything but intact exits 4) and printed with secret values (tokens, keys, passwords, e-mail addresses, …) masked as [REDACTED:kind] unless --show-secrets.`

  static override examples = ['<%= config.bin %> <%= command.id %> 20261121_165100_123456', '<%= config.bin %> <%= command.id %> 20261121_165100_123456 --host cursor --json']

  static override args = {
    id: Args.string({description: 'The backup id (see `hatch mcp backup list`).', required: true}),
  }

  static override flags = {
    host: hostFlag(false),
    'show-secrets': Flags.boolean({default: false, description: 'Print secret values instead of masking them.'}),
  }

  async run(): Promise<ShowOutput> {
    const {args, flags} = await this.parse(BackupShow)
    const shown = showBackup(openBackupStore(this.config.version), {id: args.id, host: flags.host, showSecrets: flags['show-secrets']})
    const b = shown.backup
    const fields: [string, string][] = [
      ['id', b.id],
      ['host', b.host],
      ['created', `${b.createdAt.replace('T', ' ').slice(0, 26)} UTC`],
      ['reason', b.indexed ? b.reason : '(not indexed)'],
      ['source', b.indexed ? b.sourcePath + (b.sourceRealPath !== b.sourcePath ? ` -> ${b.sourceRealPath}` : '') : '(not recorded)'],
      ['size', formatBytes(b.size)],
      ['sha256', b.sha256],
      ['status', shown.status.toUpperCase()],
      ['file', b.path],
    ]
    const width = Math.max(...fields.map(([k]) => k.length))
    const note = shown.masked ? ' (secrets masked; --show-secrets to see them)' : ''
    this.out([...fields.map(([k, v]) => `${k.padEnd(width)}  ${v}`), '', `--- content${note} ---`, shown.content.replace(/\n$/, '')].join('\n'))
    // As verify does: a backup that is not intact is exit 4, whatever else is printed.
    if (shown.status !== 'intact') process.exitCode = EXIT.INTEGRITY
    return {...b, status: shown.status, content: shown.content, masked: shown.masked}
  }
}
