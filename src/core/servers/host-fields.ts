import * as z from 'zod'

/**
 * How each host writes one MCP server entry, as data (docs/servers.md shows the same table). Review a change here
 * like a change to the host table: every row says which keys the host reads, and a transport a host cannot take is
 * left out with the reason, never guessed. docs/servers.md names the source of each row.
 *
 * hatch translates between hosts through one neutral form (ServerSpec). Reading keeps every key it understands
 * (command, args, env, url, headers, transport, enabled) and names the others (cwd, timeout, trust, envFile, …) so
 * a copy can say what it left behind; writing uses only the host's own keys.
 */

export const Transport = z.enum(['stdio', 'http', 'sse'])
export type Transport = z.infer<typeof Transport>

/** One server in host-neutral terms. `$VAR` / `${env:VAR}` references are plain strings here: never expanded. */
export interface ServerSpec {
  transport: Transport
  /** stdio: the program and its arguments. */
  command?: string
  args: string[]
  env: Record<string, string>
  /** http (streamable HTTP) and sse: the endpoint and the headers sent to it. */
  url?: string
  headers: Record<string, string>
  enabled: boolean
}

/** How a host writes a remote server of one transport: the key of its URL, and the `type` value it needs (if any). */
interface RemoteForm {
  url: string
  type?: string
}

export interface HostFields {
  /** `type` written on a stdio entry (none: the host writes no type for stdio). */
  stdioType?: string
  /** OpenCode: `command: [cmd, ...args]` instead of `command` and `args`. */
  commandArray?: true
  /** The key of the environment map. */
  env: 'env' | 'environment'
  /** Remote forms by transport, in reading order (a `url` with no `type` is read as the first that uses `url`). */
  remote: Partial<Record<'http' | 'sse', RemoteForm>>
  /** The key of the remote headers map (none: the host takes no headers). */
  headers?: string
  /** Why a transport missing from `remote` is not written. */
  remoteNote?: string
  /** How the host marks a server switched off (none: it has no per-server switch). */
  disabled?: {key: string; value: boolean}
  /** Keys written on every new entry, e.g. OpenCode's `enabled: true`. */
  always?: Record<string, unknown>
}

const CLAUDE_REMOTE: HostFields['remote'] = {http: {url: 'url', type: 'http'}, sse: {url: 'url', type: 'sse'}}
const PLAIN_URL: HostFields['remote'] = {http: {url: 'url'}, sse: {url: 'url'}}

export const HOST_FIELDS: Readonly<Record<string, HostFields>> = {
  // neon-solutions/add-mcp#8 (verified by hand): `type: http|sse` entries crash Claude Desktop on launch; its config
  // file holds only stdio servers, remote ones are added in Settings → Connectors.
  'claude-desktop': {env: 'env', remote: {}, remoteNote: 'Claude Desktop reads only stdio servers from its config file (remote servers are added in its Settings → Connectors)'},
  'claude-code': {env: 'env', remote: CLAUDE_REMOTE, headers: 'headers'},
  vscode: {stdioType: 'stdio', env: 'env', remote: {http: {url: 'url', type: 'http'}, sse: {url: 'url', type: 'sse'}}, headers: 'headers'},
  // A url with no type: Cursor and LM Studio pick the transport themselves.
  cursor: {env: 'env', remote: PLAIN_URL, headers: 'headers'},
  lmstudio: {env: 'env', remote: PLAIN_URL, headers: 'headers'},
  // No `type`: `httpUrl` is streamable HTTP, `url` is SSE.
  gemini: {env: 'env', remote: {http: {url: 'httpUrl'}, sse: {url: 'url'}}, headers: 'headers'},
  kiro: {env: 'env', remote: PLAIN_URL, headers: 'headers', disabled: {key: 'disabled', value: true}},
  // [mcp_servers.NAME] with `args` (upstream Codex docs; not Hatch-py's `arguments`); env and http_headers as sub-tables.
  codex: {env: 'env', remote: {http: {url: 'url'}}, headers: 'http_headers', remoteNote: 'Codex connects to remote servers over streamable HTTP only', disabled: {key: 'enabled', value: false}},
  windsurf: {env: 'env', remote: {http: {url: 'serverUrl'}, sse: {url: 'serverUrl'}}, headers: 'headers'},
  // Zed's own settings schema (zed-industries/zed crates/settings_content/src/project.rs, ContextServerSettingsContent):
  // an untagged enum, stdio {command, args, env} or http {url, headers}, both with `enabled`. Whether its `url`
  // takes an SSE endpoint is not stated there.
  zed: {env: 'env', remote: {http: {url: 'url'}}, headers: 'headers', remoteNote: 'Zed\'s settings schema does not say that its url takes an SSE server', disabled: {key: 'enabled', value: false}},
  opencode: {
    stdioType: 'local',
    commandArray: true,
    env: 'environment',
    remote: {http: {url: 'url', type: 'remote'}, sse: {url: 'url', type: 'remote'}},
    headers: 'headers',
    disabled: {key: 'enabled', value: false},
    always: {enabled: true},
  },
  // Single source (Hatch-py): Claude-style.
  augment: {env: 'env', remote: CLAUDE_REMOTE, headers: 'headers'},
}

/** The field map of a host. @throws Error for a host without one (a bug: every registry host has a row). */
export function fieldsOf(hostId: string): HostFields {
  const fields = HOST_FIELDS[hostId]
  if (fields === undefined) throw new Error(`no server field map for host ${hostId}`)
  return fields
}

/** What reading a host's entry gives: the neutral form, or why it has none, plus the keys it did not translate. */
export type ReadEntry = {spec: ServerSpec; untranslated: string[]} | {spec: undefined; problem: string; untranslated: string[]}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isStringMap = (v: unknown): v is Record<string, string> => isRecord(v) && Object.values(v).every((x) => typeof x === 'string')
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')

/** Reads one entry as the host wrote it. Never throws: an entry hatch cannot read says why. */
export function readEntry(hostId: string, raw: unknown): ReadEntry {
  const fields = fieldsOf(hostId)
  if (!isRecord(raw)) return {spec: undefined, problem: 'the entry is not an object', untranslated: []}
  const used = new Set<string>(['type'])
  const untranslated = () => Object.keys(raw).filter((k) => !used.has(k))
  const enabled = fields.disabled === undefined || raw[fields.disabled.key] !== fields.disabled.value
  if (fields.disabled) used.add(fields.disabled.key)
  for (const k of Object.keys(fields.always ?? {})) used.add(k)

  if (raw.command !== undefined) {
    used.add('command').add('args').add(fields.env)
    let command: unknown = raw.command
    let args: unknown = raw.args ?? []
    let env: unknown = raw[fields.env] ?? {}
    if (isStringList(command) && fields.commandArray) [command, args] = [command[0], command.slice(1)]
    else if (isRecord(command) && typeof command.path === 'string') {
      // Zed's older shape: "command": {"path", "args", "env"}.
      ;[command, args, env] = [command.path, command.args ?? [], command.env ?? {}]
    }
    if (typeof command !== 'string' || command === '') return {spec: undefined, problem: 'its command is not a string', untranslated: untranslated()}
    if (!isStringList(args)) return {spec: undefined, problem: 'its args are not all strings', untranslated: untranslated()}
    if (!isStringMap(env)) return {spec: undefined, problem: `its ${fields.env} is not a map of strings`, untranslated: untranslated()}
    return {spec: {transport: 'stdio', command, args, env, headers: {}, enabled}, untranslated: untranslated()}
  }

  for (const [transport, form] of Object.entries(fields.remote) as Array<['http' | 'sse', RemoteForm]>) {
    const url = raw[form.url]
    if (url === undefined) continue
    const type = typeof raw.type === 'string' ? raw.type : undefined
    // With a type, it must be this form's; a url key shared by both forms (no type written) reads as the first.
    if (form.type !== undefined && type !== undefined && type !== form.type && !(transport === 'http' && /^streamable-?http$/i.test(type))) continue
    used.add(form.url)
    if (fields.headers) used.add(fields.headers)
    const headers = fields.headers === undefined ? {} : (raw[fields.headers] ?? {})
    if (typeof url !== 'string' || url === '') return {spec: undefined, problem: `its ${form.url} is not a string`, untranslated: untranslated()}
    if (!isStringMap(headers)) return {spec: undefined, problem: `its ${fields.headers} is not a map of strings`, untranslated: untranslated()}
    return {spec: {transport, url, args: [], env: {}, headers, enabled}, untranslated: untranslated()}
  }
  const type = typeof raw.type === 'string' ? ` (type "${raw.type}")` : ''
  return {spec: undefined, problem: `it has no command and no url this host reads${type}`, untranslated: untranslated()}
}

/** The entry in the host's own keys, or why the host cannot hold this server. */
export type WrittenEntry = {entry: Record<string, unknown>} | {entry: undefined; reason: string}

/** Writes a server in the host's own field names and shape. */
export function writeEntry(hostId: string, displayName: string, spec: ServerSpec): WrittenEntry {
  const fields = fieldsOf(hostId)
  const entry: Record<string, unknown> = {}
  if (spec.transport === 'stdio') {
    if (spec.command === undefined) return {entry: undefined, reason: 'a stdio server needs a command'}
    if (fields.stdioType !== undefined) entry.type = fields.stdioType
    if (fields.commandArray) entry.command = [spec.command, ...spec.args]
    else {
      entry.command = spec.command
      if (spec.args.length > 0) entry.args = spec.args
    }
    if (Object.keys(spec.env).length > 0) entry[fields.env] = spec.env
  } else {
    const form = fields.remote[spec.transport]
    if (form === undefined) {
      const why = fields.remoteNote ?? `${displayName} has no way to write a ${spec.transport} server`
      return {entry: undefined, reason: `a remote (${spec.transport === 'http' ? 'streamable HTTP' : 'SSE'}) server cannot be written: ${why}`}
    }
    if (spec.url === undefined) return {entry: undefined, reason: 'a remote server needs a url'}
    if (form.type !== undefined) entry.type = form.type
    entry[form.url] = spec.url
    if (Object.keys(spec.headers).length > 0) {
      if (fields.headers === undefined) return {entry: undefined, reason: `${displayName} takes no headers for a remote server`}
      entry[fields.headers] = spec.headers
    }
  }
  Object.assign(entry, fields.always)
  if (!spec.enabled) {
    if (fields.disabled === undefined) return {entry: undefined, reason: `the server is switched off, and ${displayName} has no way to mark a server off (it would start)`}
    entry[fields.disabled.key] = fields.disabled.value
  }
  return {entry}
}
