import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {openFileOperations} from '../../../cli/context.js'
import {dryRunFlag} from '../../../cli/flags.js'
import {undoCommand} from '../../../cli/render-servers.js'
import {applySync, planSync, type SyncReport} from '../../../core/servers/sync.js'
import {resolveServersTarget} from '../../../core/servers/targets.js'

export default class ServerSync extends HatchCommand<SyncReport> {
  static override summary = "Copy MCP servers from one host's config to others, translating field names."
  static override description = `Reads the servers of --from and writes them into each --to host in that host's own field names and shape. A server a target cannot express (a remote server for a host that only runs stdio servers, an SSE server for a host that speaks streamable HTTP only, a switched-off server for a host without an off switch) is skipped with the reason; so is one the target already has with a different entry, unless --replace. Host-specific keys with no counterpart (cwd, timeout, …) are left behind and named.
Every target is checked before anything is written; each is then backed up and written atomically, one write per target. Claude Code's user servers are read and written (its local and project scopes: use server add).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --from claude-desktop --to cursor --to vscode --dry-run',
    '<%= config.bin %> <%= command.id %> --from cursor --to codex --servers github,memory',
  ]

  static override flags = {
    from: Flags.string({description: 'Host to copy from.', helpValue: 'HOST', required: true}),
    to: Flags.string({description: 'Host to copy to (repeatable).', helpValue: 'HOST', required: true, multiple: true}),
    servers: Flags.string({description: 'Only these servers, comma-separated (default: all).', helpValue: 'A,B'}),
    replace: Flags.boolean({default: false, description: "Overwrite a target's server of the same name that differs."}),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<SyncReport> {
    const {flags} = await this.parse(ServerSync)
    const from = await resolveServersTarget(flags.from)
    const to = await Promise.all(flags.to.map((id) => resolveServersTarget(id)))
    const servers = flags.servers?.split(',').map((s) => s.trim()).filter((s) => s !== '')
    const plan = planSync({from, to, servers, replace: flags.replace})
    const dryRun = flags['dry-run']
    const report: SyncReport = dryRun
      ? {from: plan.from, dryRun, targets: plan.targets.map((t) => ({...t.report, backupId: null}))}
      : await applySync(openFileOperations(this.config.version), plan)
    const lines: string[] = []
    for (const t of report.targets) {
      const done = [...t.copied.map((n) => `+ ${n}`), ...t.replaced.map((n) => `~ ${n} (replaced)`)]
      lines.push(`${t.host} ${t.path}: ${done.length === 0 ? 'nothing to write' : dryRun ? 'would write' : 'wrote'}${t.backupId ? ` (previous content: backup ${t.backupId})` : ''}`)
      if (t.backupId) lines.push(`  undo with: ${undoCommand(t.host, t.backupId)}`)
      lines.push(...done.map((d) => `  ${d}`), ...t.unchanged.map((n) => `  = ${n} (already there)`))
      lines.push(...t.skipped.map((s) => `  skipped ${s.name}: ${s.reason}`))
      lines.push(...t.untranslated.map((u) => `  ${u.name}: not copied (no such setting here): ${u.fields.join(', ')}`))
      if (dryRun && t.changed) lines.push(t.diff)
    }
    this.out(lines.join('\n'))
    return report
  }
}
