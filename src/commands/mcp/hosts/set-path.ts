import {Args} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {hatchHome} from '../../../cli/context.js'
import {currentHostEnvironment, resolveHostAt} from '../../../core/hosts/resolve.js'
import {saveHostPath} from '../../../core/hosts/saved-paths.js'

export interface SetPathResult {
  host: string
  path: string
  exists: boolean
  changed: boolean
}

export default class McpHostsSetPath extends HatchCommand<SetPathResult> {
  static override summary = "Save which file is a host's config, for every command run without --config."
  static override description = `For a host with several config files (hatch will not guess which is live) or one kept where hatch does not look (WSL, a portable install). The path is saved in ~/.hatch/hosts.json (0600); --config still wins for one command. Undo with \`hatch mcp hosts unset-path HOST\`.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> claude-desktop "~/AppData/Local/Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude/claude_desktop_config.json"',
    '<%= config.bin %> <%= command.id %> lmstudio ~/.lmstudio/mcp.json --json',
  ]

  static override args = {
    host: Args.string({description: 'Host id (see `hatch mcp hosts`).', required: true}),
    path: Args.string({description: "The host's config file (relative to the current folder, ~ allowed). It need not exist yet.", required: true}),
  }

  async run(): Promise<SetPathResult> {
    const {args} = await this.parse(McpHostsSetPath)
    const env = currentHostEnvironment()
    const at = await resolveHostAt(args.host, args.path, env)
    const changed = saveHostPath(hatchHome(), at.id, at.path!)
    for (const w of at.warnings) this.logToStderr(`Warning: ${w}`)
    this.out(
      `${changed ? 'Saved' : 'Already saved'}: ${at.displayName} uses ${at.path}${at.status === 'present' ? '' : ' (it does not exist yet)'} when a command gets no --config.`,
    )
    return {host: at.id, path: at.path!, exists: at.status === 'present', changed}
  }
}
