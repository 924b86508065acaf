import * as nodeFs from 'node:fs'
import {join, relative} from 'node:path'

import {HatchError, fsError} from '../errors.js'
import {atomicWriteFileSync, readIfExists} from '../fs/atomic-write.js'
import {sha256} from '../fs/hash.js'
import {getHost} from './registry.js'

/**
 * `$HATCH_HOME/hosts.json`: the config file the user chose for a host (`hatch mcp hosts set-path`), used whenever a
 * command gets no `--config`: for a host with several candidate files, or a location hatch does not know (WSL, a
 * portable install). Written atomically, mode 0600; fields are only ever added.
 */
interface HostPathsFile {
  version: 1
  paths: Record<string, string>
}

/** `{"version": 1, "paths": {HOST: PATH, …}}`, other fields allowed (checked by hand: zod costs every command its load). */
function isHostPathsFile(value: unknown): value is HostPathsFile {
  if (typeof value !== 'object' || value === null) return false
  const {version, paths} = value as Record<string, unknown>
  return version === 1 && typeof paths === 'object' && paths !== null && !Array.isArray(paths) && Object.values(paths).every((p) => typeof p === 'string')
}

export function hostPathsFile(home: string): string {
  return join(home, 'hosts.json')
}

/** The saved paths by host id; none when the file does not exist. @throws HatchError INVALID_CONFIG for a damaged file. */
export function readHostPaths(home: string): Record<string, string> {
  return load(hostPathsFile(home)).paths
}

function load(file: string): {paths: Record<string, string>; sha256: string | null} {
  const bytes = readIfExists(file)
  if (bytes === null) return {paths: {}, sha256: null}
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch {
    parsed = undefined
  }
  if (!isHostPathsFile(parsed)) {
    throw new HatchError('INVALID_CONFIG', `${file} is not a hatch hosts file hatch can read.`, {
      suggestions: ['Fix it, or delete it and save the paths again with `hatch mcp hosts set-path HOST PATH`.'],
    })
  }
  return {paths: parsed.paths, sha256: sha256(bytes)}
}

/**
 * Saves the config file chosen for `host` (an absolute path), or forgets it when `path` is null. Returns whether
 * anything changed. @throws HatchError UNKNOWN_HOST; CONFLICT when another process changed the file meanwhile.
 */
export function saveHostPath(home: string, host: string, path: string | null): boolean {
  getHost(host)
  const file = hostPathsFile(home)
  const {paths, sha256: before} = load(file)
  if (path === null ? !(host in paths) : paths[host] === path) return false
  const next = {...paths}
  if (path === null) delete next[host]
  else next[host] = path
  try {
    const created = nodeFs.mkdirSync(home, {recursive: true, mode: 0o700})
    // mkdir's mode is filtered by the umask: hatch's home is tightened when hatch made it (as the backup store does).
    if (created !== undefined && !relative(created, home).startsWith('..')) nodeFs.chmodSync(home, 0o700)
  } catch (error) {
    throw fsError(error, 'create', home)
  }
  atomicWriteFileSync(file, Buffer.from(`${JSON.stringify({version: 1, paths: next}, null, 2)}\n`), {mode: 0o600, expectedSha256: before})
  return true
}
