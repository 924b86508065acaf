import {Flags} from '@oclif/core'

import {HatchCommand} from '../../cli/base-command.js'
import {openFileOperations} from '../../cli/context.js'
import {configFlag, dryRunFlag, hostFlag} from '../../cli/flags.js'
import {getHost} from '../../core/hosts/registry.js'
import {resolveConfigPath} from '../../core/hosts/resolve.js'
import {editServerEntry, type ServerEditResult} from '../../core/install/apply.js'
import {assertServerName, DEFAULT_SERVER_NAME} from '../../core/install/entry.js'

export default class McpUninstall extends HatchCommand<ServerEditResult> {
  static override summary = "Remove hatch's MCP server from a host's config."
  static override description = 'Removes only the entry named "hatch" (or --name); comments, formatting and every other entry stay byte-for-byte. The file is backed up first and written atomically. Nothing to remove is not an error.'

  static override examples = ['<%= config.bin %> <%= command.id %> --host cursor --dry-run', '<%= config.bin %> <%= command.id %> --host codex']

  static override flags = {
    host: hostFlag(true),
    config: configFlag,
    name: Flags.string({default: DEFAULT_SERVER_NAME, description: 'Name of the server entry.', helpValue: 'NAME'}),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<ServerEditResult> {
    const {flags} = await this.parse(McpUninstall)
    const host = getHost(flags.host!)
    assertServerName(flags.name)
    const {path} = await resolveConfigPath(host.id, {config: flags.config})
    const result = await editServerEntry(openFileOperations(this.config.version), {host, path, name: flags.name, dryRun: flags['dry-run']})
    if (!result.changed) this.out(`${path} has no "${flags.name}" entry; nothing changed.`)
    else if (result.dryRun) this.out(result.diff)
    else this.out(`Removed "${flags.name}" from ${host.displayName}'s config ${path}.` + (result.backupId ? `\nThe previous content is backup ${result.backupId}.` : ''))
    return result
  }
}
