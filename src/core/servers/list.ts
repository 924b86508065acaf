import {existsSync} from 'node:fs'

import * as z from 'zod'

import {isHatchError} from '../errors.js'
import {readIfExists, resolveWriteTarget} from '../fs/atomic-write.js'
import {fixTheFile, parseConfig} from '../formats/parse.js'
import {getHost, HOSTS} from '../hosts/registry.js'
import {currentHostEnvironment, resolveHost, type HostEnvironment} from '../hosts/resolve.js'
import {maskText, maskValue} from '../redact/mask.js'
import {readEntry} from './host-fields.js'
import {inventory} from './inventory.js'
import {Scope} from './scope-schema.js'
import {resolveServersTarget, type ServersTarget} from './targets.js'

/** One server as `hatch mcp server list` shows it: secrets masked, environment and header values left out. */
export const ServerRow = z.object({
  host: z.string(),
  scope: Scope,
  /** The project (Claude Code local and project scope). */
  project: z.string().nullable(),
  path: z.string(),
  name: z.string(),
  transport: z.enum(['stdio', 'http', 'sse', 'unknown']),
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  url: z.string().optional(),
  enabled: z.boolean(),
  /** Names of the environment variables it sets (values never shown). */
  env: z.array(z.string()),
  /** Names of the headers it sends (values never shown). */
  headers: z.array(z.string()),
  /** Why hatch could not read the entry (transport `unknown`). */
  problem: z.string().optional(),
})
export type ServerRow = z.infer<typeof ServerRow>

/** Each file looked at: `ok`, `absent` (no file), `ambiguous` (several candidates), `invalid` (does not parse). */
export const FileListing = z.object({
  host: z.string(),
  scope: Scope,
  path: z.string().nullable(),
  status: z.enum(['ok', 'absent', 'ambiguous', 'invalid']),
  servers: z.number().int().nonnegative(),
  message: z.string().optional(),
})
export type FileListing = z.infer<typeof FileListing>

export const ServerList = z.object({servers: z.array(ServerRow), files: z.array(FileListing)})
export type ServerList = z.infer<typeof ServerList>

function rowsOf(target: ServersTarget, doc: Record<string, unknown>): ServerRow[] {
  const {host, path, scope} = target
  return inventory(host, doc, scope).map((e) => {
    const read = readEntry(host.id, e.raw)
    const base = {host: host.id, scope: e.scope, project: e.project, path, name: e.name}
    if (read.spec === undefined) return {...base, transport: 'unknown' as const, enabled: true, env: [], headers: [], problem: read.problem}
    const s = read.spec
    const shown = s.transport === 'stdio' ? {command: maskText(s.command!), args: maskValue(s.args) as string[]} : {url: maskText(s.url!)}
    return {...base, transport: s.transport, ...shown, enabled: s.enabled, env: Object.keys(s.env), headers: Object.keys(s.headers)}
  })
}

/** Lists one file's servers into `out`. @throws what reading or parsing throws */
function listFile(target: ServersTarget, out: ServerList): void {
  const bytes = readIfExists(resolveWriteTarget(target.path))
  if (bytes === null) {
    out.files.push({host: target.host.id, scope: target.scope, path: target.path, status: 'absent', servers: 0})
    return
  }
  const rows = rowsOf(target, parseConfig(bytes, target.host.format, target.path, fixTheFile(target.host.id)))
  out.servers.push(...rows)
  out.files.push({host: target.host.id, scope: target.scope, path: target.path, status: 'ok', servers: rows.length})
}

export interface ListOptions {
  /** Only these hosts; their errors (ambiguous, unparseable) are thrown. Default: every host with a config file. */
  hosts?: string[]
  /** With exactly one host: this file instead of the host's own. */
  config?: string
  /** Claude Code: the folder whose `.mcp.json` is listed too (default: the current folder, when it has one). */
  project?: string
}

/**
 * Every server of each host (Claude Code: user, local and the project's `.mcp.json`): name, transport, command or
 * url, on or off. Secrets in arguments and urls are masked; environment and header values are never included.
 * Without named hosts, a file that is ambiguous or does not parse is reported in `files` and skipped.
 */
export async function listServers(options: ListOptions = {}, hostEnv: HostEnvironment = currentHostEnvironment()): Promise<ServerList> {
  const out: ServerList = {servers: [], files: []}
  const named = options.hosts !== undefined && options.hosts.length > 0
  const hosts = named ? options.hosts!.map((id) => getHost(id)) : HOSTS
  for (const host of hosts) {
    if (!named) {
      const resolved = await resolveHost(host, hostEnv)
      if (resolved.status === 'ambiguous') {
        out.files.push({host: host.id, scope: 'user', path: null, status: 'ambiguous', servers: 0, message: 'several config files exist; name one with --host and --config'})
      }
      if (resolved.status !== 'present') continue
    }
    const targets = [await resolveServersTarget(host.id, {config: options.config}, hostEnv)]
    if (host.id === 'claude-code' && options.config === undefined) {
      const project = await resolveServersTarget(host.id, {scope: 'project', project: options.project}, hostEnv)
      if (options.project !== undefined || existsSync(project.path)) targets.push(project)
    }
    for (const target of targets) {
      try {
        listFile(target, out)
      } catch (error) {
        if (named || !isHatchError(error)) throw error
        out.files.push({host: host.id, scope: target.scope, path: target.path, status: 'invalid', servers: 0, message: maskText(error.message)})
      }
    }
  }
  return out
}
