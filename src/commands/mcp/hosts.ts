import {Flags} from '@oclif/core'

import {HatchCommand} from '../../cli/base-command.js'
import {configFlag} from '../../cli/flags.js'
import {renderTable} from '../../cli/table.js'
import {currentHostEnvironment, resolveHostAt, resolveHosts, type ResolvedHost} from '../../core/hosts/resolve.js'

export interface HostsResult {
  hosts: ResolvedHost[]
}

export default class McpHosts extends HatchCommand<HostsResult> {
  static override summary = 'List the MCP hosts hatch knows and where their config files are.'

  static override description = `Probes every known location of each host's config file and reports a status per host:
- present: exactly one config file exists.
- ambiguous: several exist; hatch will not guess, so pass --config PATH to other commands, or save one with \`hatch mcp hosts set-path HOST PATH\`.
- app-only: the app's folder exists but holds no config file yet.
- absent: neither exists.
A host with a saved path (set-path) shows that file instead of probing. Honours XDG_CONFIG_HOME, APPDATA, LOCALAPPDATA, CLAUDE_CONFIG_DIR and CODEX_HOME.`

  static override examples = [
    {description: 'Show every host and its config file.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Where is the Codex config, as JSON?', command: '<%= config.bin %> <%= command.id %> --host codex --json'},
  ]

  static override flags = {
    host: Flags.string({description: 'Show only this host (an id from the list).', helpValue: 'HOST'}),
    config: {...configFlag, description: 'Show the host with this file as its config (needs --host): what other commands do with --config.', dependsOn: ['host']},
  }

  async run(): Promise<HostsResult> {
    const {flags} = await this.parse(McpHosts)
    const hostEnv = currentHostEnvironment()
    const hosts =
      flags.config === undefined
        ? await resolveHosts(hostEnv, undefined, flags.host === undefined ? undefined : [flags.host])
        : [await resolveHostAt(flags.host!, flags.config, hostEnv)]
    this.out(this.hint(render(hosts, hostEnv.home)))
    return {hosts}
  }
}

function render(hosts: ResolvedHost[], home: string): string {
  const short = (p: string) => (home && p.startsWith(home) && /^[\\/]/.test(p.slice(home.length)) ? `~${p.slice(home.length)}` : p)
  const shown = (h: ResolvedHost) => h.path === null ? (h.status === 'ambiguous' ? '(several files, see below)' : '(no known location)') : short(h.path)
  const rows = hosts.map((h) => [h.id, h.format, h.status, shown(h)])
  const lines = [renderTable(['HOST', 'FORMAT', 'STATUS', 'PATH'], rows)]
  for (const h of hosts.filter((x) => x.status === 'ambiguous')) {
    lines.push('', `${h.id}: more than one config file exists; hatch will not guess. Pass --config (or save one with \`hatch mcp hosts set-path ${h.id} PATH\`):`)
    for (const c of h.candidates.filter((x) => x.exists)) lines.push(`  ${c.path}`)
  }
  const saved = hosts.filter((h) => h.saved).map((h) => h.id)
  if (saved.length > 0) lines.push('', `Saved paths (hatch mcp hosts set-path): ${saved.join(', ')}`)
  const warnings = hosts.flatMap((h) => h.warnings.map((w) => `  ${h.id}: ${w}`))
  if (warnings.length > 0) lines.push('', 'Warnings:', ...warnings)
  return lines.join('\n')
}
