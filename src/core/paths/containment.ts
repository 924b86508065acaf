import {lstat, realpath, stat} from 'node:fs/promises'
import path from 'node:path'

import {errnoCode, HatchError} from '../errors.js'

/**
 * Allow-dir containment for paths that arrive from outside (MCP tool arguments), per mcp.md §5.
 *
 * Rules: reject NUL bytes (and, on Windows, any `:` after the drive letter: NTFS streams like `file.txt:stream`);
 * resolve the path (relative paths against the first allowed dir), check containment *by path components*
 * (`path.relative`, never `startsWith`) against the roots as given, then realpath the target — or, for a path that
 * does not exist yet, its deepest existing ancestor — and check again against the canonical roots. A dangling
 * symlink is refused (a write would land wherever it points). Everything fails closed.
 *
 * Codes: a path that cannot be a valid path (NUL, stream syntax, non-string) is INVALID_ARGUMENT; a well-formed path
 * that escapes the allowed dirs is PERMISSION_DENIED (the request is understood and refused by policy; the fix is
 * to use, or allow, another directory). A missing path with `mustExist` is CONFIG_NOT_FOUND. Messages name only the
 * path the caller gave — never the roots, the resolved path or a link target.
 *
 * There is a window between this check and the caller's open (TOCTOU): open the returned canonical path at once,
 * with O_NOFOLLOW / `wx` where possible.
 */

export interface ResolveOptions {
  /** Refuse a path that does not exist (CONFIG_NOT_FOUND). Default false. */
  mustExist?: boolean
  /** The caller will write here. Default false. Both modes refuse escapes; kept explicit for call sites and audits. */
  forWrite?: boolean
}

export interface PathPolicy {
  /** The allowed dirs: as given (absolute, normalized) and canonical (realpath). */
  readonly roots: ReadonlyArray<{given: string; canonical: string}>
  /** Returns the canonical absolute path of `p` when it stays inside an allowed dir; throws HatchError otherwise. */
  resolveInside(p: string, options?: ResolveOptions): Promise<string>
}

export interface PathPolicyOptions {
  /** The platform whose path syntax rules apply. Default `process.platform`; injectable for tests. */
  platform?: NodeJS.Platform
}

/** True when `target` is `root` or below it, compared by path components. */
export function isWithin(root: string, target: string): boolean {
  const rel = path.relative(root, target)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))
}

/** The caller's path, quoted and escaped, for messages. */
function show(p: string): string {
  return JSON.stringify(p.length > 300 ? `${p.slice(0, 300)}…` : p)
}

function invalid(p: string, why: string): HatchError {
  return new HatchError('INVALID_ARGUMENT', `The path ${show(p)} ${why}.`, {
    suggestions: ['Give a plain file path inside one of the allowed directories.'],
  })
}

function outside(p: string): HatchError {
  return new HatchError(
    'PERMISSION_DENIED',
    `The path ${show(p)} is outside the allowed directories (after resolving ".." and symbolic links) ` +
      'or goes through a broken symbolic link.',
    {suggestions: ['Use a path inside one of the allowed directories, or ask the operator to allow its directory.']},
  )
}

function checkSyntax(p: string, platform: NodeJS.Platform): void {
  if (typeof p !== 'string' || p === '') throw invalid(String(p), 'is empty or not a string')
  if (p.includes('\0')) throw invalid(p, 'contains a NUL byte')
  if (platform === 'win32') {
    const rest = /^[A-Za-z]:/.test(p) ? p.slice(2) : p
    if (rest.includes(':')) throw invalid(p, 'contains ":" after the drive letter (an NTFS stream or device path)')
  }
}

/** The deepest ancestor of `abs` (or `abs` itself) that exists, found with lstat. */
async function deepestExisting(abs: string): Promise<string> {
  let current = abs
  for (;;) {
    try {
      await lstat(current)
      return current
    } catch (error) {
      const code = errnoCode(error)
      const parent = path.dirname(current)
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw error
      current = parent
    }
  }
}

/**
 * Creates a path policy for the allowed dirs. Each root is canonicalized with realpath once, now; a missing root,
 * or one that is not a directory, is refused with INVALID_ARGUMENT.
 */
export async function createPathPolicy(allowedDirs: string[], options: PathPolicyOptions = {}): Promise<PathPolicy> {
  const platform = options.platform ?? process.platform
  if (allowedDirs.length === 0) throw new HatchError('INVALID_ARGUMENT', 'No allowed directory was given.')
  const roots: Array<{given: string; canonical: string}> = []
  for (const dir of allowedDirs) {
    checkSyntax(dir, platform)
    const given = path.resolve(dir)
    let canonical: string
    try {
      canonical = await realpath(given)
      if (!(await stat(canonical)).isDirectory()) throw new Error('not a directory')
    } catch (error) {
      throw new HatchError('INVALID_ARGUMENT', `The allowed directory ${show(dir)} does not exist or is not a directory.`, {
        cause: error,
        suggestions: ['Create it, or remove it from the allowed directories.'],
      })
    }
    roots.push({given, canonical})
  }
  const insideGiven = (abs: string): boolean => roots.some((root) => isWithin(root.given, abs) || isWithin(root.canonical, abs))
  const insideCanonical = (real: string): boolean => roots.some((root) => isWithin(root.canonical, real))

  return {
    roots,
    async resolveInside(p, {mustExist = false} = {}) {
      checkSyntax(p, platform)
      const abs = path.resolve(roots[0]!.given, p)
      // Lexical check first, so a path that is plainly outside never touches the file system.
      if (!insideGiven(abs)) throw outside(p)
      let real: string
      try {
        real = await realpath(abs)
      } catch (error) {
        const code = errnoCode(error)
        if (code === 'EACCES' || code === 'EPERM') {
          throw new HatchError('PERMISSION_DENIED', `The path ${show(p)} cannot be read: permission denied.`, {cause: error})
        }
        if (code === 'ELOOP') throw invalid(p, 'goes through too many symbolic links')
        if (code !== 'ENOENT' && code !== 'ENOTDIR') {
          throw new HatchError('IO_ERROR', `The path ${show(p)} could not be resolved.`, {cause: error})
        }
        // Escapes are reported before "not found", so an outside path's existence never shows.
        const planned = await resolveMissing(abs, p)
        if (!insideCanonical(planned)) throw outside(p)
        if (mustExist) throw new HatchError('CONFIG_NOT_FOUND', `The path ${show(p)} does not exist.`, {cause: error})
        return planned
      }
      if (!insideCanonical(real)) throw outside(p)
      return real
    },
  }
}

/** Canonical form of a path that does not exist: realpath of its deepest existing ancestor + the missing rest. */
async function resolveMissing(abs: string, p: string): Promise<string> {
  let existing: string
  try {
    existing = await deepestExisting(abs)
  } catch (error) {
    throw new HatchError('IO_ERROR', `The path ${show(p)} could not be resolved.`, {cause: error})
  }
  let base: string
  try {
    base = await realpath(existing)
  } catch {
    // lstat sees it but realpath fails: a dangling symlink. A write would land wherever it points.
    throw outside(p)
  }
  // If `base` is a file, the path cannot be created; the caller's own open reports that (ENOTDIR).
  return path.join(base, path.relative(existing, abs))
}
