import {Args} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {hatchHome} from '../../../cli/context.js'
import {getHost} from '../../../core/hosts/registry.js'
import {saveHostPath} from '../../../core/hosts/saved-paths.js'

export interface UnsetPathResult {
  host: string
  changed: boolean
}

export default class McpHostsUnsetPath extends HatchCommand<UnsetPathResult> {
  static override summary = 'Forget the config file saved for a host; hatch finds it again as usual.'

  static override examples = ['<%= config.bin %> <%= command.id %> claude-desktop']

  static override args = {
    host: Args.string({description: 'Host id (see `hatch mcp hosts`).', required: true}),
  }

  async run(): Promise<UnsetPathResult> {
    const {args} = await this.parse(McpHostsUnsetPath)
    const host = getHost(args.host)
    const changed = saveHostPath(hatchHome(), host.id, null)
    this.out(changed ? `Forgot the path saved for ${host.displayName}; hatch finds its config as usual again.` : `No path was saved for ${host.displayName}.`)
    return {host: host.id, changed}
  }
}
