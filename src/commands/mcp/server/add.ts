import {Args, Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {openFileOperations} from '../../../cli/context.js'
import {configFlag, dryRunFlag, hostFlag, projectFlag, scopeFlag} from '../../../cli/flags.js'
import {renderEdit} from '../../../cli/render-servers.js'
import {applyServerEdit, planAddServer, type ServerEditOutput} from '../../../core/servers/edit.js'
import type {Scope} from '../../../core/servers/inventory.js'
import {parsePairs, specFromInput} from '../../../core/servers/spec.js'
import {resolveServersTarget} from '../../../core/servers/targets.js'

export default class ServerAdd extends HatchCommand<ServerEditOutput> {
  static override summary = "Add an MCP server to a host's config, in that host's own field names."
  static override description = `Writes one entry under the host's servers key (Codex [mcp_servers.NAME], VS Code "servers" with "type", Zed "context_servers", OpenCode "mcp" with a command array, Windsurf "serverUrl", Gemini "httpUrl", …). Only that entry changes: comments, order, formatting, other servers and unknown keys stay byte for byte. The file is backed up first (the id is printed) and written atomically under hatch's lock; a file that does not parse is refused.
An existing server of that name is refused unless --replace. $VAR and \${env:VAR} references are written as they are, never expanded (quote them for your shell). --env NAME without a value copies NAME's value from hatch's environment, so a secret need not be typed on the command line.`

  static override examples = [
    "<%= config.bin %> <%= command.id %> memory --host cursor --command npx --arg -y --arg @modelcontextprotocol/server-memory --dry-run",
    "<%= config.bin %> <%= command.id %> github --host vscode --url https://api.githubcopilot.com/mcp/ --header 'Authorization=Bearer ${input:github_token}'",
    '<%= config.bin %> <%= command.id %> fs --host claude-code --scope project --command npx --arg -y --arg @modelcontextprotocol/server-filesystem --arg .',
  ]

  static override args = {name: Args.string({required: true, description: 'Name of the server entry (letters, digits, - and _).'})}

  static override flags = {
    host: hostFlag(true),
    config: configFlag,
    scope: scopeFlag,
    project: projectFlag,
    command: Flags.string({description: 'Program the host starts (a stdio server).', helpValue: 'CMD', exclusive: ['url']}),
    arg: Flags.string({description: 'An argument of the command (repeatable, in order).', helpValue: 'ARG', multiple: true, multipleNonGreedy: true}),
    env: Flags.string({description: 'NAME=VALUE for the command\'s environment (repeatable); NAME alone takes the value from hatch\'s environment.', helpValue: 'NAME[=VALUE]', multiple: true, multipleNonGreedy: true}),
    url: Flags.string({description: 'URL of a remote server.', helpValue: 'URL', exclusive: ['command']}),
    header: Flags.string({description: 'NAME=VALUE header sent to the remote server (repeatable).', helpValue: 'NAME=VALUE', multiple: true, multipleNonGreedy: true}),
    transport: Flags.string({description: 'With --url: streamable HTTP (default) or SSE.', options: ['http', 'sse'], helpValue: 'TRANSPORT'}),
    replace: Flags.boolean({default: false, description: 'Overwrite an existing server of that name.'}),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<ServerEditOutput> {
    const {args, flags} = await this.parse(ServerAdd)
    const spec = specFromInput({
      command: flags.command,
      args: flags.arg,
      env: parsePairs(flags.env, 'env', process.env),
      url: flags.url,
      headers: parsePairs(flags.header, 'header', process.env),
      transport: flags.transport as 'http' | 'sse' | undefined,
    })
    const target = await resolveServersTarget(flags.host!, {config: flags.config, scope: flags.scope as Scope | undefined, project: flags.project})
    const edit = planAddServer(target, args.name, spec, flags.replace)
    const result = flags['dry-run'] ? {...edit.output, dryRun: true, backupId: null} : await applyServerEdit(openFileOperations(this.config.version), edit)
    this.out(renderEdit(result, target.host.displayName))
    return result
  }
}
