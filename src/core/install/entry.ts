import {HatchError} from '../errors.js'
import type {HostEntry} from '../hosts/registry.js'

/** How the client should start hatch's server. */
export interface LaunchCommand {
  command: string
  args: string[]
}

export const DEFAULT_SERVER_NAME = 'hatch'

/** A server name hatch will write: a bare key in every format (JSON, JSONC, TOML). */
export function assertServerName(name: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new HatchError('INVALID_ARGUMENT', `"${name}" is not a usable server name: use letters, digits, - and _ only.`, {
      suggestions: ['For example: --name hatch'],
    })
  }
}

/**
 * The server entry in the host's own field names (hosts.md §2–3): `{command, args}` for the mcpServers hosts
 * (no invented `type`), VS Code `{type: "stdio", command, args}`, OpenCode `{type: "local", command: [cmd, ...args],
 * enabled: true}`, Zed `{command, args}`, Codex `command` / `args` in `[mcp_servers.<name>]`.
 */
export function serverEntry(host: HostEntry, launch: LaunchCommand): Record<string, unknown> {
  switch (host.id) {
    case 'vscode':
      return {type: 'stdio', command: launch.command, args: launch.args}
    case 'opencode':
      return {type: 'local', command: [launch.command, ...launch.args], enabled: true}
    default:
      return {command: launch.command, args: launch.args}
  }
}
