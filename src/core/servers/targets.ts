import * as nodeFs from 'node:fs'
import {join, resolve} from 'node:path'

import {HatchError} from '../errors.js'
import {canonicalPath, readIfExists, resolveWriteTarget} from '../fs/atomic-write.js'
import {isParseable, parseConfig} from '../formats/parse.js'
import {getHost} from '../hosts/registry.js'
import {currentHostEnvironment, resolveConfigPath, type HostEnvironment} from '../hosts/resolve.js'
import type {EditTarget} from '../install/apply.js'
import {PER_PROJECT_SERVERS, type Scope} from './inventory.js'

/** The servers object a command edits: a host's file and key, in a Claude Code scope. */
export interface ServersTarget extends EditTarget {
  scope: Scope
  /** The project (local and project scope): its folder, as the key of ~/.claude.json's `projects` for local. */
  project: string | null
}

export interface TargetOptions {
  /** Another file than the host's own (user and local scope). */
  config?: string
  /** Claude Code only; default `local` when `project` is given, else `user`. */
  scope?: Scope
  /** Claude Code's project folder (local and project scope); default the current folder. */
  project?: string
}

function usage(message: string, suggestion: string): HatchError {
  return new HatchError('INVALID_ARGUMENT', message, {suggestions: [suggestion]})
}

function projectFolder(given: string | undefined, hostEnv: HostEnvironment): string {
  const cwd = hostEnv.cwd ?? process.cwd()
  const tilde = given !== undefined && /^~(?=$|[\\/])/.test(given) ? hostEnv.home + given.slice(1) : given
  const dir = resolve(cwd, tilde ?? '.')
  if (!nodeFs.statSync(dir, {throwIfNoEntry: false})?.isDirectory()) throw usage(`The project folder ${dir} does not exist.`, 'Name an existing folder with --project PATH.')
  return dir
}

/**
 * The key of a project in ~/.claude.json's `projects`: the one already there for this folder (as given, or its
 * real path), else the real path, which is what Claude Code records (the working directory it starts in).
 */
function projectKey(configPath: string, dir: string): string {
  const real = canonicalPath(dir, nodeFs)
  const bytes = readIfExists(resolveWriteTarget(configPath))
  if (bytes !== null && isParseable(bytes, 'json')) {
    const projects = parseConfig(bytes, 'json')[PER_PROJECT_SERVERS['claude-code']!.container]
    if (projects !== null && typeof projects === 'object') for (const key of [dir, real]) if (Object.hasOwn(projects, key)) return key
  }
  return real
}

/**
 * Resolves which servers object a server command works on.
 * - Claude Code: `user` → `mcpServers` of ~/.claude.json; `local` → `projects[<folder>].mcpServers` there;
 *   `project` → `mcpServers` of `<folder>/.mcp.json`.
 * - Every other host: its config file (or `config`) and its servers key; scopes are refused.
 * @throws HatchError UNKNOWN_HOST, INVALID_ARGUMENT, AMBIGUOUS_CONFIG, CONFIG_NOT_FOUND (see resolveConfigPath)
 */
export async function resolveServersTarget(hostId: string, options: TargetOptions = {}, hostEnv: HostEnvironment = currentHostEnvironment()): Promise<ServersTarget> {
  const host = getHost(hostId)
  const perProject = PER_PROJECT_SERVERS[host.id]
  if (perProject === undefined) {
    if ((options.scope !== undefined && options.scope !== 'user') || options.project !== undefined) {
      throw usage(`${host.displayName} has one set of servers; --scope and --project are for Claude Code.`, 'Drop --scope/--project.')
    }
    const {path} = await resolveConfigPath(host.id, {config: options.config}, hostEnv)
    return {host, path, serversPath: host.serversPath, scope: 'user', project: null}
  }
  const scope = options.scope ?? (options.project === undefined ? 'user' : 'local')
  if (scope === 'user') {
    if (options.project !== undefined) throw usage('--project is for the local and project scopes.', 'Add --scope local (servers of that project in ~/.claude.json) or --scope project (its .mcp.json).')
    const {path} = await resolveConfigPath(host.id, {config: options.config}, hostEnv)
    return {host, path, serversPath: host.serversPath, scope, project: null}
  }
  const dir = projectFolder(options.project, hostEnv)
  if (scope === 'project') {
    if (options.config !== undefined) throw usage('The project scope is the project\'s .mcp.json; --config does not apply.', 'Drop --config, or name the folder with --project PATH.')
    return {host, path: join(dir, '.mcp.json'), serversPath: host.serversPath, scope, project: dir}
  }
  const {path} = await resolveConfigPath(host.id, {config: options.config}, hostEnv)
  const key = projectKey(path, dir)
  return {host, path, serversPath: [perProject.container, key, perProject.key], scope, project: key}
}
