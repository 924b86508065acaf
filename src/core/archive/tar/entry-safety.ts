import {posix} from 'node:path'

import {HatchError} from '../../errors.js'

/**
 * The rules that keep a restore inside DIR (mcp.md §5 rule 3). Every entry name and symlink target from an archive
 * goes through here before anything touches the disk; a refusal stops the whole restore.
 */

export function unsafeEntry(name: string, why: string): HatchError {
  const shown = JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name)
  return new HatchError('UNSAFE_ARCHIVE_ENTRY', `The archive entry ${shown} ${why}; hatch refuses to restore this archive. Nothing was written to the destination.`, {
    suggestions: ['The archive was not made by hatch, or was crafted to write outside the destination. Inspect it with `age -d … | tar tvz` before trusting it.'],
  })
}

/**
 * The safe relative form of a tar entry name: `./` prefixes, repeated and trailing slashes removed. Refuses
 * absolute names, `..` components, NUL and (on Windows) backslashes and drive letters. '' means the root itself.
 * `refuse` makes the error (default: the archive is unsafe; a user's own argument is refused as a bad argument).
 */
export function safeEntryPath(name: string, platform: NodeJS.Platform = process.platform, refuse: (name: string, why: string) => Error = unsafeEntry): string {
  if (name.includes('\0')) throw refuse(name, 'contains a NUL byte')
  if (name.startsWith('/')) throw refuse(name, 'is an absolute path')
  if (platform === 'win32' && (name.includes('\\') || /^[A-Za-z]:/.test(name))) throw refuse(name, 'is a Windows path')
  const parts = name.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) throw refuse(name, 'contains ".."')
  return parts.join('/')
}

/**
 * True when a symlink at `linkPath` (relative to the root) pointing at `target` resolves inside the root when
 * read lexically. Absolute targets and targets that climb above the root are outside.
 */
export function symlinkStaysInside(linkPath: string, target: string): boolean {
  if (target === '' || target.includes('\0') || posix.isAbsolute(target)) return false
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target))
  return resolved !== '..' && !resolved.startsWith('../')
}

/**
 * Why a symlink of a tree leads outside the root, or undefined when it stays inside. The link is resolved the way
 * the kernel would, following links to links (`links` maps each symlink's relative path to its target). A
 * per-link lexical check is not enough: `d/a -> ..` stays inside, but `c -> d/a/../..` climbs out through it.
 */
export function symlinkEscape(link: string, links: ReadonlyMap<string, string>): string | undefined {
  const target = links.get(link) ?? ''
  if (!symlinkStaysInside(link, target)) return `is a symlink that points outside the destination (${JSON.stringify(target)})`
  let hops = 0
  const todo = [...posix.dirname(link).split('/'), ...target.split('/')]
  const at: string[] = []
  while (todo.length > 0) {
    const part = todo.shift()!
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (at.length === 0) return `is a symlink that leads outside the destination through other links (${JSON.stringify(target)})`
      at.pop()
      continue
    }
    at.push(part)
    const next = links.get(at.join('/'))
    if (next === undefined) continue
    if (++hops > 40) return 'is part of a symlink loop'
    if (posix.isAbsolute(next)) return `leads through ${JSON.stringify(at.join('/'))}, a symlink that points outside the destination`
    at.pop()
    todo.unshift(...next.split('/'))
  }
  return undefined
}

/** Refuses the archive when any of its symlinks leads outside the root (see symlinkEscape). */
export function checkSymlinkGraph(links: ReadonlyMap<string, string>): void {
  for (const link of links.keys()) {
    const why = symlinkEscape(link, links)
    if (why !== undefined) throw unsafeEntry(link, why)
  }
}
