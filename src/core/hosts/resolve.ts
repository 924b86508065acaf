import {readdirSync, statSync} from 'node:fs'
import {homedir} from 'node:os'
import nodePath from 'node:path'
import {errnoCode, HatchError} from '../errors.js'
import {hatchHome} from '../paths/hatch-home.js'
import {shellQuote} from '../text/shell-quote.js'
import {getHost, HOSTS, type HostEntry, type HostPlatform, type Placeholder, templatesFor} from './registry.js'
import type {HostStatus, ResolvedHost} from './schemas.js'
import {hostPathsFile, readHostPaths} from './saved-paths.js'

/** Where and as whom hatch runs. Injected so tests can resolve Windows paths on Linux without touching the real home. */
export interface HostEnvironment {
  platform: NodeJS.Platform
  home: string
  env: Record<string, string | undefined>
  /** Base for a relative `--config`; defaults to process.cwd(). */
  cwd?: string
  /** Config files the user saved per host (`hatch mcp hosts set-path`), absolute paths by host id. */
  savedPaths?: Record<string, string>
}

/** The little of the file system resolution needs (node:fs/promises, memfs `vol.promises`, or a fake). */
export interface HostFs {
  stat(path: string): Promise<{isFile(): boolean; isDirectory(): boolean; dev?: number | bigint; ino?: number | bigint}>
  readdir(path: string): Promise<string[]>
}

/** What a missing candidate gives: one shared error, since most candidates of most hosts do not exist. */
const MISSING = Object.assign(new Error('ENOENT: no such file or directory'), {code: 'ENOENT'})

/**
 * The real file system, used synchronously behind the async interface on purpose: a host's candidates are a few
 * local paths, and a `stat` takes about 2 µs on the calling thread but some 25 µs through libuv's thread pool, where
 * it also queues behind other work (a server answering `list_hosts` spent most of its time there). A missing path
 * is reported without building an error for it (`throwIfNoEntry: false`).
 */
export const nodeHostFs: HostFs = {
  stat: async (p) => {
    const s = statSync(p, {throwIfNoEntry: false})
    if (s === undefined) throw MISSING
    return s
  },
  readdir: async (p) => readdirSync(p),
}

/** The saved paths as last read, and the file's identity then: re-read only when the file changed. */
let savedCache: {file: string; signature: string; paths: Record<string, string>} | undefined

function savedPaths(home: string): Record<string, string> {
  const file = hostPathsFile(home)
  const st = statSync(file, {throwIfNoEntry: false})
  const signature = st === undefined ? 'absent' : `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`
  if (savedCache?.file !== file || savedCache.signature !== signature) savedCache = {file, signature, paths: readHostPaths(home)}
  return savedCache.paths
}

/**
 * Where and as whom hatch runs now. A long-running server asks for it on every call, so it is cheap: the
 * environment is read in place (resolution only reads it), and `hosts.json` is parsed again only when it changed.
 */
export function currentHostEnvironment(): HostEnvironment {
  const home = homedir()
  return {platform: process.platform, home, env: process.env, cwd: process.cwd(), savedPaths: savedPaths(hatchHome(process.env, home))}
}

export type {HostStatus, ResolvedHost} from './schemas.js'

type PathApi = typeof nodePath.posix
/** 'special': neither a file nor a folder (a FIFO, socket or device), never read as a config. */
type Probe = {kind: 'file' | 'dir' | 'special' | 'none'; id?: string} | {kind: 'error'; message: string}

/** The environment variables the placeholders read. */
const ENV_PLACEHOLDERS = ['XDG_CONFIG_HOME', 'APPDATA', 'LOCALAPPDATA', 'CLAUDE_CONFIG_DIR', 'CODEX_HOME']

/** Expansions of templates without `*`, by environment signature and template. */
const EXPANSIONS = new Map<string, {paths: string[]; warnings: string[]}>()

/** Per-resolution state: the platform's path flavour, the fs, and the warnings collected so far. */
class Resolver {
  readonly platform: HostPlatform
  readonly path: PathApi
  readonly warnings: string[] = []

  constructor(readonly hostEnv: HostEnvironment, readonly fs: HostFs) {
    const p = hostEnv.platform
    this.platform = p === 'win32' || p === 'darwin' ? p : 'linux'
    this.path = this.platform === 'win32' ? nodePath.win32 : nodePath.posix
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message)
  }

  /** An environment variable; case-insensitive on Windows; empty counts as unset. */
  env(name: string): string | undefined {
    const {env} = this.hostEnv
    const key = this.platform === 'win32' ? Object.keys(env).find((k) => k.toUpperCase() === name) : name
    const value = key === undefined ? undefined : env[key]
    return value === '' ? undefined : value
  }

  clean(p: string): string {
    const n = this.path.normalize(p)
    return n.length > this.path.parse(n).root.length && n.endsWith(this.path.sep) ? n.slice(0, -1) : n
  }

  /** An absolute override from the environment, or the fallback (with a warning when the value is not absolute). */
  private override(name: string, fallback: string, probeBoth = false): string[] {
    const value = this.env(name)
    if (value === undefined) return [fallback]
    if (!this.path.isAbsolute(value)) {
      this.warn(`${name} is "${value}", which is not an absolute path; ignored it and used ${fallback}.`)
      return [fallback]
    }
    return probeBoth ? this.dedupe([this.clean(value), fallback]) : [this.clean(value)]
  }

  placeholder(name: Placeholder): string[] {
    const {home} = this.hostEnv
    const j = (...s: string[]) => this.path.join(home, ...s)
    switch (name) {
      case 'home': return [this.clean(home)]
      case 'xdgConfig': return this.override('XDG_CONFIG_HOME', j('.config'), true)
      case 'appData': return this.override('APPDATA', j('AppData', 'Roaming'))
      case 'localAppData': return this.override('LOCALAPPDATA', j('AppData', 'Local'))
      case 'claudeConfigDir': return this.override('CLAUDE_CONFIG_DIR', this.clean(home))
      case 'codexHome': return this.override('CODEX_HOME', j('.codex'))
    }
  }

  /** Same path twice (case-insensitively on Windows) counts once. */
  dedupe(paths: string[]): string[] {
    const key = (p: string) => (this.platform === 'win32' ? p.toLowerCase() : p)
    const seen = new Set<string>()
    return paths.filter((p) => !seen.has(key(p)) && seen.add(key(p)))
  }

  /** What the expansion of a template depends on: the platform, the home folder and the variables placeholders read. */
  private signature(): string {
    return (this.signatureText ??= [this.platform, this.hostEnv.home, ...ENV_PLACEHOLDERS.map((n) => this.env(n) ?? '')].join('\0'))
  }

  private signatureText: string | undefined

  /**
   * The real paths of one template; a `*` segment is matched against its parent directory's entries. Templates
   * without one depend only on the environment, so their expansion (and its warnings) is remembered.
   */
  async expand(template: string): Promise<string[]> {
    if (template.includes('*')) return this.expandNow(template)
    const key = `${this.signature()}\0${template}`
    let known = EXPANSIONS.get(key)
    if (known === undefined) {
      const before = this.warnings.length
      const paths = await this.expandNow(template)
      if (EXPANSIONS.size > 2000) EXPANSIONS.clear()
      EXPANSIONS.set(key, (known = {paths, warnings: this.warnings.slice(before)}))
    } else {
      for (const w of known.warnings) this.warn(w)
    }
    return [...known.paths]
  }

  private async expandNow(template: string): Promise<string[]> {
    const [head = '', ...segments] = template.split('/')
    let paths = this.placeholder(head.slice(1, -1) as Placeholder)
    for (const segment of segments) {
      if (!segment.includes('*')) {
        paths = paths.map((p) => this.path.join(p, segment))
        continue
      }
      const source = `^${segment.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`
      const pattern = new RegExp(source, this.platform === 'win32' ? 'i' : '')
      const next: string[] = []
      for (const dir of paths) {
        next.push(...(await this.list(dir)).filter((n) => pattern.test(n)).sort().map((n) => this.path.join(dir, n)))
      }
      paths = next
    }
    return paths
  }

  async expandAll(templates: readonly string[]): Promise<string[]> {
    return this.dedupe((await Promise.all(templates.map((t) => this.expand(t)))).flat())
  }

  private async list(dir: string): Promise<string[]> {
    try {
      return await this.fs.readdir(dir)
    } catch (error) {
      const code = errnoCode(error)
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.warn(`Could not list ${dir}: ${code ?? String(error)}.`)
      return []
    }
  }

  async probe(p: string): Promise<Probe> {
    try {
      const s = await this.fs.stat(p)
      const id = s.ino && s.dev !== undefined ? `${s.dev}:${s.ino}` : undefined
      return {kind: s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'special', id}
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') return {kind: 'none'}
      return {kind: 'error', message: code ?? String(error)}
    }
  }
}

const notRegular = (p: string) => `${p} is not a regular file (a FIFO, socket or device), so it is not read as a config; ignored it.`

function platformName(p: HostPlatform): string {
  return {darwin: 'macOS', linux: 'Linux', win32: 'Windows'}[p]
}

/** Finds a host's config file: probes every candidate and never picks one when several exist. */
export async function resolveHost(
  hostOrId: HostEntry | string,
  hostEnv: HostEnvironment = currentHostEnvironment(),
  fs: HostFs = nodeHostFs,
): Promise<ResolvedHost> {
  const host = typeof hostOrId === 'string' ? getHost(hostOrId) : hostOrId
  const saved = hostEnv.savedPaths?.[host.id]
  if (saved !== undefined) return {...(await resolveAt(host, saved, `The path saved for ${host.id}:`, hostEnv, fs)), saved: true}
  const r = new Resolver(hostEnv, fs)
  const paths = await r.expandAll(templatesFor(host.configPaths, r.platform))
  const probes = await Promise.all(paths.map((p) => r.probe(p)))
  const existing: string[] = []
  const files = new Map<string, string>()
  paths.forEach((p, i) => {
    const probe = probes[i]!
    if (probe.kind === 'dir') r.warn(`${p} is a directory, not a config file; ignored it.`)
    if (probe.kind === 'special') r.warn(notRegular(p))
    if (probe.kind === 'error') r.warn(`Could not check ${p}: ${probe.message}.`)
    if (probe.kind !== 'file') return
    const same = probe.id === undefined ? undefined : files.get(probe.id)
    if (same !== undefined) return r.warn(`${p} is the same file as ${same}.`)
    if (probe.id !== undefined) files.set(probe.id, p)
    existing.push(p)
  })
  if (paths.length === 0) {
    r.warn(`hatch knows no config location for ${host.displayName} on ${platformName(r.platform)}; pass --config PATH.`)
  }

  let status: HostStatus
  let path: string | null
  if (existing.length > 1) {
    status = 'ambiguous'
    path = null
  } else if (existing.length === 1) {
    status = 'present'
    path = existing[0]!
  } else {
    const appDirs = await r.expandAll(templatesFor(host.appDirs, r.platform))
    const dirProbes = await Promise.all(appDirs.map((d) => r.probe(d)))
    status = dirProbes.some((d) => d.kind === 'dir') ? 'app-only' : 'absent'
    // Default: the first candidate whose folder already exists, else the first candidate.
    const parents = await Promise.all(paths.map((p) => r.probe(r.path.dirname(p))))
    path = paths[parents.findIndex((d) => d.kind === 'dir')] ?? paths[0] ?? null
  }

  return {
    ...describeHost(host),
    status,
    path,
    candidates: paths.map((p, i) => ({path: p, exists: probes[i]!.kind === 'file'})),
    saved: false,
    warnings: r.warnings,
  }
}

/** Resolves every host (or the named ones), in table order. */
export async function resolveHosts(
  hostEnv: HostEnvironment = currentHostEnvironment(),
  fs: HostFs = nodeHostFs,
  ids?: string[],
): Promise<ResolvedHost[]> {
  const hosts = ids === undefined ? HOSTS : ids.map((id) => getHost(id))
  const shared = probeOnce(fs)
  return Promise.all(hosts.map((h) => resolveHost(h, hostEnv, shared)))
}

/** A file system for one resolution of many hosts, which share folders (~/.config, …): each path is probed once. */
function probeOnce(fs: HostFs): HostFs {
  const stats = new Map<string, ReturnType<HostFs['stat']>>()
  return {
    stat: (p) => {
      let probe = stats.get(p)
      if (probe === undefined) stats.set(p, (probe = fs.stat(p)))
      return probe
    },
    readdir: (p) => fs.readdir(p),
  }
}

/**
 * Why a host with several config files was left alone, with the commands that settle it: one
 * `hatch mcp hosts set-path HOST PATH` per file found, each ready to run.
 */
export function ambiguousReason(resolved: ResolvedHost, platform: NodeJS.Platform): string {
  const commands = resolved.candidates.filter((c) => c.exists).map((c) => `\`hatch mcp hosts set-path ${resolved.id} ${shellQuote(c.path, platform)}\``)
  return `several config files exist; name the live one with ${commands.join(' or ')}`
}

export interface ConfigPath {
  host: HostEntry
  /** Absolute path of the config file to work on. */
  path: string
  exists: boolean
  warnings: string[]
}

/**
 * The config file a command works on: `--config` when given (resolved against the cwd, `~` expanded, not probed
 * against the host's candidates), else the path saved for the host, else the host's one existing file or its
 * default path. Does not throw when the file is missing: callers decide.
 * @throws HatchError UNKNOWN_HOST; AMBIGUOUS_CONFIG when several candidates exist; INVALID_ARGUMENT for a
 *   `--config` (or saved path) that is empty or a directory; CONFIG_NOT_FOUND when no location is known here.
 */
export async function resolveConfigPath(
  hostId: string,
  options: {config?: string},
  hostEnv: HostEnvironment = currentHostEnvironment(),
  fs: HostFs = nodeHostFs,
): Promise<ConfigPath> {
  const host = getHost(hostId)
  if (options.config !== undefined) return toConfigPath(host, await resolveAt(host, options.config, '--config', hostEnv, fs))
  const resolved = await resolveHost(host, hostEnv, fs)
  if (resolved.status === 'ambiguous') {
    const found = resolved.candidates.filter((c) => c.exists).map((c) => c.path)
    const list = found.map((p) => `  ${p}`).join('\n')
    throw new HatchError('AMBIGUOUS_CONFIG', `${host.displayName} has ${found.length} config files and hatch will not guess which one is live:\n${list}`, {
      suggestions: [
        ...found.map((p) => `--config ${shellQuote(p, hostEnv.platform)}`),
        `hatch mcp hosts set-path ${host.id} ${shellQuote(found[0]!, hostEnv.platform)}   (saves the choice for every command)`,
      ],
    })
  }
  if (resolved.path === null) {
    const where = `${host.displayName} on ${platformName(new Resolver(hostEnv, fs).platform)}`
    throw new HatchError('CONFIG_NOT_FOUND', `hatch knows no config location for ${where}.`, {
      suggestions: [`Name the file with --config PATH, or save it once with \`hatch mcp hosts set-path ${host.id} PATH\`.`],
    })
  }
  return toConfigPath(host, resolved)
}

function toConfigPath(host: HostEntry, resolved: ResolvedHost): ConfigPath {
  return {host, path: resolved.path!, exists: resolved.status === 'present', warnings: resolved.warnings}
}

/**
 * A host as it would be resolved with `--config PATH`: that one file as its only candidate, present or absent.
 * What `hatch mcp hosts --host H --config PATH` shows.
 */
export async function resolveHostAt(
  hostId: string,
  config: string,
  hostEnv: HostEnvironment = currentHostEnvironment(),
  fs: HostFs = nodeHostFs,
): Promise<ResolvedHost> {
  return resolveAt(getHost(hostId), config, '--config', hostEnv, fs)
}

/**
 * The host with `given` as its one config file (resolved against the cwd, `~` expanded), present or absent.
 * `label` names where the path came from in an error.
 */
async function resolveAt(host: HostEntry, given: string, label: string, hostEnv: HostEnvironment, fs: HostFs): Promise<ResolvedHost> {
  const r = new Resolver(hostEnv, fs)
  if (given.trim() === '') {
    throw new HatchError('INVALID_ARGUMENT', `${label} is empty.`, {suggestions: ['Name the config file, e.g. --config ./mcp.json.']})
  }
  const tilde = /^~(?=$|[\\/])/.test(given) ? hostEnv.home + given.slice(1) : given
  const path = r.clean(r.path.resolve(hostEnv.cwd ?? process.cwd(), tilde))
  const probe = await r.probe(path)
  if (probe.kind === 'dir') {
    throw new HatchError('INVALID_ARGUMENT', `${label} ${path} is a directory, not a file.`, {
      suggestions: ['Name the config file itself, not its folder.'],
    })
  }
  const warnings = probe.kind === 'error' ? [`Could not check ${path}: ${probe.message}.`] : probe.kind === 'special' ? [notRegular(path)] : []
  return {...describeHost(host), status: probe.kind === 'file' ? 'present' : 'absent', path, candidates: [{path, exists: probe.kind === 'file'}], saved: false, warnings}
}

/** What every resolved host says about the host itself, whatever was found on disk. */
function describeHost(host: HostEntry): Pick<ResolvedHost, 'id' | 'displayName' | 'format' | 'serversKey' | 'sharedState'> {
  return {id: host.id, displayName: host.displayName, format: host.format, serversKey: host.serversPath.join('.'), sharedState: host.sharedState}
}
