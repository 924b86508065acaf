import {Args} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {openFileOperations} from '../../../cli/context.js'
import {configFlag, dryRunFlag, hostFlag, projectFlag, scopeFlag} from '../../../cli/flags.js'
import {renderEdit} from '../../../cli/render-servers.js'
import {applyServerEdit, planRemoveServer, type ServerEditOutput} from '../../../core/servers/edit.js'
import type {Scope} from '../../../core/servers/inventory.js'
import {resolveServersTarget} from '../../../core/servers/targets.js'

export default class ServerRemove extends HatchCommand<ServerEditOutput> {
  static override summary = "Remove an MCP server from a host's config."
  static override description = 'Removes only that entry: comments, formatting and every other entry stay byte for byte. The file is backed up first (the id is printed) and written atomically under hatch\'s lock. A name the file does not have is an error (exit 3).'

  static override examples = ['<%= config.bin %> <%= command.id %> memory --host cursor --dry-run', '<%= config.bin %> <%= command.id %> fs --host claude-code --scope local --project ~/src/app']

  static override args = {name: Args.string({required: true, description: 'Name of the server entry.'})}

  static override flags = {
    host: hostFlag(true),
    config: configFlag,
    scope: scopeFlag,
    project: projectFlag,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<ServerEditOutput> {
    const {args, flags} = await this.parse(ServerRemove)
    const target = await resolveServersTarget(flags.host!, {config: flags.config, scope: flags.scope as Scope | undefined, project: flags.project})
    const edit = planRemoveServer(target, args.name)
    const result = flags['dry-run'] ? {...edit.output, dryRun: true, backupId: null} : await applyServerEdit(openFileOperations(this.config.version), edit)
    this.out(renderEdit(result, target.host.displayName))
    return result
  }
}
