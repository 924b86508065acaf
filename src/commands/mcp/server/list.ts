import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {configFlag, projectFlag} from '../../../cli/flags.js'
import {renderTable} from '../../../cli/table.js'
import {HatchError} from '../../../core/errors.js'
import {listServers, type ServerList} from '../../../core/servers/list.js'

export default class ServerListCommand extends HatchCommand<ServerList> {
  static override summary = 'List the MCP servers of every host (or the named ones), secrets masked.'
  static override description = `Reads each host's config file (every host with one, by default) and shows each server: its name, transport (stdio, http, sse), command or url, and whether it is on. Secrets in arguments and urls are masked; environment and header values are never shown, only their names.
Claude Code shows its user servers, every project's local servers (from ~/.claude.json), and the current folder's .mcp.json (or --project's).`

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --host cursor --host codex --json']

  static override flags = {
    host: Flags.string({description: 'Only this host (repeatable).', helpValue: 'HOST', multiple: true}),
    config: {...configFlag, description: "With one --host: list this file instead of the host's own."},
    project: projectFlag,
  }

  async run(): Promise<ServerList> {
    const {flags} = await this.parse(ServerListCommand)
    if (flags.config !== undefined && flags.host?.length !== 1) {
      throw new HatchError('INVALID_ARGUMENT', '--config names one file, so it needs exactly one --host.', {suggestions: ['For example: --host vscode --config ./.vscode/mcp.json']})
    }
    const list = await listServers({hosts: flags.host, config: flags.config, project: flags.project})
    const rows = list.servers.map((s) => [
      s.host,
      s.scope === 'local' ? `local:${s.project}` : s.scope,
      s.name,
      s.transport,
      s.enabled ? 'on' : 'off',
      s.transport === 'stdio' ? [s.command, ...(s.args ?? [])].join(' ') : (s.url ?? s.problem ?? ''),
    ])
    const lines = [renderTable(['HOST', 'SCOPE', 'NAME', 'TRANSPORT', 'ON', 'COMMAND / URL'], rows, 'No MCP servers found.')]
    const notes = list.files.filter((f) => f.status === 'ambiguous' || f.status === 'invalid')
    if (notes.length > 0) lines.push('', 'Not listed:', ...notes.map((f) => `  ${f.host}${f.path ? ` ${f.path}` : ''}: ${f.message}`))
    this.out(lines.join('\n'))
    return list
  }
}
