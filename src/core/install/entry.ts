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

/** What a remote (Streamable HTTP) entry needs: the endpoint, and the environment variable that holds the token. */
export interface RemoteServer {
  url: string
  /** The variable the host reads the bearer token from; never the token itself. */
  tokenEnv?: string
}

/**
 * How each host writes a remote server and refers to an environment variable from its config (hosts.md §2): the
 * token stays in the user's environment, the file holds only the reference. Hosts whose syntax for either is not
 * documented are refused rather than guessed at.
 */
const REMOTE: Record<string, {entry: (url: string, header?: Record<string, string>) => Record<string, unknown>; ref?: (v: string) => string; tokenField?: string}> = {
  'claude-code': {entry: (url, headers) => ({type: 'http', url, ...(headers && {headers})}), ref: (v) => `\${${v}}`},
  vscode: {entry: (url, headers) => ({type: 'http', url, ...(headers && {headers})}), ref: (v) => `\${env:${v}}`},
  cursor: {entry: (url, headers) => ({url, ...(headers && {headers})}), ref: (v) => `\${env:${v}}`},
  windsurf: {entry: (url, headers) => ({serverUrl: url, ...(headers && {headers})}), ref: (v) => `\${env:${v}}`},
  gemini: {entry: (url, headers) => ({httpUrl: url, ...(headers && {headers})}), ref: (v) => `$${v}`},
  opencode: {entry: (url, headers) => ({type: 'remote', url, enabled: true, ...(headers && {headers})}), ref: (v) => `{env:${v}}`},
  codex: {entry: (url) => ({url}), tokenField: 'bearer_token_env_var'},
}

/** The remote entry for `host`, the token referenced through the host's own variable syntax. @throws HatchError INVALID_ARGUMENT */
export function remoteServerEntry(host: HostEntry, remote: RemoteServer): Record<string, unknown> {
  const shape = REMOTE[host.id]
  if (shape === undefined) {
    throw new HatchError('INVALID_ARGUMENT', `hatch does not know how ${host.displayName} writes a remote MCP server with a token from the environment, so it will not guess.`, {
      suggestions: [`Add it in ${host.displayName} itself, or use one of: ${Object.keys(REMOTE).join(', ')}.`],
    })
  }
  let url: URL
  try {
    url = new URL(remote.url)
  } catch {
    throw new HatchError('INVALID_ARGUMENT', `--url ${JSON.stringify(remote.url)} is not a URL.`, {suggestions: ['For example: --url https://hatch.example.com/mcp']})
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new HatchError('INVALID_ARGUMENT', '--url must be an http(s):// URL.', {suggestions: ['For example: --url https://hatch.example.com/mcp']})
  if ([...url.searchParams.keys()].some((k) => /token|key|secret|auth/i.test(k)) || url.username !== '' || url.password !== '') {
    throw new HatchError('INVALID_ARGUMENT', '--url carries a credential; hatch will not write a secret into the file.', {
      suggestions: ['Put the token in an environment variable and name it with --token-env VAR.'],
    })
  }
  if (remote.tokenEnv === undefined) return shape.entry(url.href)
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(remote.tokenEnv)) {
    throw new HatchError('INVALID_ARGUMENT', `--token-env ${JSON.stringify(remote.tokenEnv)} is not an environment variable name.`, {suggestions: ['For example: --token-env HATCH_TOKEN']})
  }
  if (shape.tokenField !== undefined) return {...shape.entry(url.href), [shape.tokenField]: remote.tokenEnv}
  return shape.entry(url.href, {Authorization: `Bearer ${shape.ref!(remote.tokenEnv)}`})
}
