import {HatchCommand} from '../../../cli/base-command.js'
import {openBackupStore} from '../../../cli/context.js'
import {configFlag, hostFlag} from '../../../cli/flags.js'
import {renderTable} from '../../../cli/table.js'
import {Flags} from '@oclif/core'
import {parseBackupIdArgument} from '../../../core/backup/naming.js'
import type {VerifyReport} from '../../../core/backup/results.js'
import {verifyReport} from '../../../core/backup/verify-report.js'
import {EXIT} from '../../../core/errors.js'
import {getHost} from '../../../core/hosts/registry.js'
import {resolveConfigPath} from '../../../core/hosts/resolve.js'
import {count} from '../../../core/text/plural.js'


export default class BackupVerify extends HatchCommand<VerifyReport> {
  static override summary = 'Recompute every backup checksum and report each backup as intact or damaged.'
  static override description = `Exits ${EXIT.INTEGRITY} when any backup is damaged, missing, or has no recorded checksum.`

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --host claude-desktop --id 20261121_165100_123456 --json']

  static override flags = {
    host: hostFlag(false),
    id: Flags.string({description: 'Check only this backup (needs --host).', dependsOn: ['host'], helpValue: 'ID'}),
    config: {...configFlag, description: 'Check only backups of this config file (needs --host).', dependsOn: ['host']},
  }

  async run(): Promise<VerifyReport> {
    const {flags} = await this.parse(BackupVerify)
    if (flags.host !== undefined) getHost(flags.host)
    const id = flags.id === undefined ? undefined : parseBackupIdArgument(flags.id, flags.host!)
    const store = openBackupStore(this.config.version)
    let checked = store.verify(flags.host, id)
    if (flags.config !== undefined) {
      const {path} = await resolveConfigPath(flags.host!, {config: flags.config})
      const ofFile = new Set(store.list(flags.host).filter((b) => b.sourcePath === path).map((b) => b.id))
      checked = checked.filter((r) => ofFile.has(r.id))
    }
    // The next steps name commands: written the way the user can run them here, printed and in the JSON alike.
    const report = verifyReport(checked)
    const output = {...report, nextSteps: report.nextSteps.map((s) => this.hint(s))}
    const {results, damaged} = output
    this.out(renderTable(['HOST', 'ID', 'STATUS'], results.map((r) => [r.host, r.id, r.status.toUpperCase()]), 'No backups to verify.'))
    if (results.length > 0) {
      this.out(output.ok ? `\n${results.length === 1 ? 'The backup is' : `All ${count(results.length, 'backup')} are`} intact.` : `\n${damaged} of ${count(results.length, 'backup')} ${damaged === 1 ? 'is' : 'are'} not intact.`)
    }
    if (output.nextSteps.length > 0) this.out(`\nWhat to do:\n${output.nextSteps.map((s) => `  - ${s}`).join('\n')}`)
    if (!output.ok) process.exitCode = EXIT.INTEGRITY
    return output
  }
}
