import {Flags} from '@oclif/core'

import {HatchCommand} from '../../cli/base-command.js'
import {openFileOperations} from '../../cli/context.js'
import {configFlag, dryRunFlag, hostFlag} from '../../cli/flags.js'
import {serveLaunch} from '../../cli/invocation.js'
import {getHost, type HostEntry} from '../../core/hosts/registry.js'
import {resolveConfigPath} from '../../core/hosts/resolve.js'
import {editServerEntry, type ServerEditResult} from '../../core/install/apply.js'
import {assertServerName, DEFAULT_SERVER_NAME, remoteServerEntry, serverEntry} from '../../core/install/entry.js'

export type InstallOutput = ServerEditResult & {entry: Record<string, unknown>; warnings: string[]}

export default class McpInstall extends HatchCommand<InstallOutput> {
  static override summary = "Add hatch's MCP server to a host's config (Claude Desktop, Cursor, VS Code, Codex, …)."
  static override description = `Adds one entry, named "hatch", under the host's servers key, in that host's own field names. Comments, formatting and every other entry stay byte-for-byte; a file that does not parse is refused. The file is backed up first and written atomically (undo with \`hatch mcp backup restore\` or \`hatch mcp uninstall\`).
The entry runs \`hatch mcp serve\` when this hatch is installed globally (npm i -g), which keeps working through upgrades. Otherwise it starts this hatch by its full paths (\`node …/bin/run.js mcp serve\`), with a warning when they point into a temporary folder or a working checkout, which the host stops finding once it moves. --command CMD writes CMD instead (e.g. a full path, for an app that does not see your shell's PATH).
With --url, the entry points at a remote \`hatch mcp serve --http\` instead; --token-env VAR makes the host send "Authorization: Bearer <token>" with the token read from its environment variable VAR (written in the host's own syntax, e.g. \${env:VAR} for VS Code and Cursor), so the token itself never lands in the file.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --host claude-desktop --dry-run',
    '<%= config.bin %> <%= command.id %> --host cursor --allow-write',
    '<%= config.bin %> <%= command.id %> --host codex --command hatch',
    '<%= config.bin %> <%= command.id %> --host vscode --url https://hatch.example.com/mcp --token-env HATCH_TOKEN',
  ]

  static override flags = {
    host: hostFlag(true),
    config: configFlag,
    name: Flags.string({default: DEFAULT_SERVER_NAME, description: 'Name of the server entry.', helpValue: 'NAME'}),
    url: Flags.string({description: 'Point the entry at a remote hatch mcp serve --http endpoint instead of starting hatch.', helpValue: 'URL', exclusive: ['command', 'allow-write', 'allow-destructive']}),
    'token-env': Flags.string({description: "With --url: the environment variable the host reads the bearer token from (the token is never written).", helpValue: 'VAR', dependsOn: ['url']}),
    command: Flags.string({description: 'Command the host runs instead of this node and hatch, e.g. `hatch`; `mcp serve` is appended.', helpValue: 'CMD'}),
    'allow-write': Flags.boolean({default: false, description: 'Start the server with --allow-write.'}),
    'allow-destructive': Flags.boolean({default: false, description: 'Start the server with --allow-destructive.'}),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<InstallOutput> {
    const {flags} = await this.parse(McpInstall)
    const host = getHost(flags.host!)
    assertServerName(flags.name)
    const serveArgs = ['mcp', 'serve', ...(flags['allow-destructive'] ? ['--allow-destructive'] : flags['allow-write'] ? ['--allow-write'] : [])]
    const warnings: string[] = []
    const entry =
      flags.url === undefined ? localEntry(host, this.config.root, flags.command, serveArgs, (w) => warnings.push(w)) : remoteServerEntry(host, {url: flags.url, tokenEnv: flags['token-env']})
    for (const w of warnings) this.logToStderr(`Warning: ${w}`)
    const {path} = await resolveConfigPath(host.id, {config: flags.config})
    const result = await editServerEntry(openFileOperations(this.config.version), {host, path, name: flags.name, entry, dryRun: flags['dry-run']})
    if (!result.changed) this.out(`${path} already has this "${flags.name}" entry; nothing changed.`)
    else if (result.dryRun) this.out(result.diff)
    else {
      this.out(`Added "${flags.name}" to ${host.displayName}'s config ${path}.` + (result.backupId ? `\nThe previous content is backup ${result.backupId}.` : '') + `\nRestart ${host.displayName} to load it.`)
    }
    return {...result, entry, warnings}
  }
}

/** The entry that starts this hatch's stdio server (with a warning when its command will not survive). */
function localEntry(host: HostEntry, root: string, command: string | undefined, serveArgs: string[], warn: (message: string) => void): Record<string, unknown> {
  const found = command === undefined ? serveLaunch(root) : {command, args: [], warning: undefined}
  if (found.warning !== undefined) warn(found.warning)
  return serverEntry(host, {command: found.command, args: [...found.args, ...serveArgs]})
}
