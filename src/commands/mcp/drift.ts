import {Flags} from '@oclif/core'

import {HatchCommand} from '../../cli/base-command.js'
import {openBackupStore} from '../../cli/context.js'
import {renderServerChanges} from '../../cli/render-servers.js'
import {driftReport, type DriftReport} from '../../core/backup/drift.js'

export default class McpDrift extends HatchCommand<DriftReport> {
  static override summary = "What changed in each host's config since its newest backup."
  static override description = `For every host with a config file or a backup (or the named ones), compares the file with the newest backup of that file: unchanged, changed (servers added, removed and changed), missing (the file is gone), no-backup. Values are never shown; --diff adds the unified diff with secrets masked.
Hosts rewrite their own files (Claude Desktop drops servers, Codex strips comments): run it after starting an app, or from cron.`

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --host claude-desktop --diff', '<%= config.bin %> <%= command.id %> --json']

  static override flags = {
    host: Flags.string({description: 'Only this host (repeatable).', helpValue: 'HOST', multiple: true}),
    diff: Flags.boolean({default: false, description: 'Also print the masked unified diff of each changed file.'}),
  }

  async run(): Promise<DriftReport> {
    const {flags} = await this.parse(McpDrift)
    const report = await driftReport(openBackupStore(this.config.version), flags.host)
    const lines: string[] = []
    for (const h of report.hosts) {
      const since = h.backup ? ` since backup ${h.backup.id} (${h.backup.createdAt})` : ''
      lines.push(`${h.host}  ${h.status}${since}${h.path ? `  ${h.path}` : ''}`)
      if (h.status === 'changed' || h.status === 'missing') lines.push(...renderServerChanges(h.servers ?? null))
      lines.push(...h.problems.map((p) => `  note: ${this.hint(p)}`))
      if (flags.diff && h.diff) lines.push(h.diff.trimEnd())
    }
    this.out(lines.length > 0 ? lines.join('\n') : 'No host has a config file or a backup.')
    return report
  }
}
