import {isDeepStrictEqual} from 'node:util'

import {findNodeAtLocation, getNodeValue, parseTree} from 'jsonc-parser'
import {parseTOML} from 'toml-eslint-parser'

import {HatchError} from '../errors.js'
import type {ConfigFormat} from '../formats/parse.js'
import {removeMember, setMember} from '../install/json-edit.js'

const BOM = '\uFEFF'

/** Servers kept per project beside the servers key (Claude Code: `projects[<path>].mcpServers`); see inventory.ts. */
export interface PerProjectServers {
  container: string
  key: string
}

/**
 * The current config with only its servers taken from the backup: what restoring a file that also holds the app's
 * other state should change (Claude Code's `~/.claude.json` keeps auth, caches and per-project data, Codex's
 * `config.toml` its model and profiles; a whole-file restore would roll all of that back, pitfalls.md §9). Every
 * byte outside the servers stays as it is now; the backup's servers are copied as text, comments included, in the
 * current line endings. A backup without servers removes the current ones. Both texts must already have parsed.
 *
 * With `perProject` (JSON only), each project's servers are taken from the backup too: a project the backup had
 * gets its servers back (its entry is created if it has gone), and a project the backup did not have, or had
 * without servers, is left with none (an empty object, so the app's own shape of the entry stays).
 */
export function spliceServers(current: string, backup: string, format: ConfigFormat, serversPath: readonly string[], perProject?: PerProjectServers): string {
  const bom = current.startsWith(BOM) ? BOM : ''
  const now = current.slice(bom.length)
  const then = backup.startsWith(BOM) ? backup.slice(BOM.length) : backup
  const eol = now.includes('\r\n') ? '\r\n' : '\n'
  if (format === 'toml') return bom + spliceTomlServers(now, then, serversPath, eol)
  let out = spliceJsonServers(now, then, serversPath, eol)
  if (perProject) for (const key of projectsToSplice(out, then, perProject)) out = spliceJsonServers(out, then, [perProject.container, key, perProject.key], eol, true)
  return bom + out
}

/** The projects whose servers differ between the two texts (a missing servers object counts as an empty one). */
function projectsToSplice(now: string, then: string, {container, key}: PerProjectServers): string[] {
  const projects = (text: string): Record<string, unknown> => {
    const node = findNodeAtLocation(parseTree(text, [], {allowTrailingComma: true})!, [container])
    const value: unknown = node === undefined ? undefined : getNodeValue(node)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  }
  const servers = (project: unknown): unknown => {
    const value = project !== null && typeof project === 'object' ? (project as Record<string, unknown>)[key] : undefined
    return value ?? {}
  }
  const [ours, theirs] = [projects(now), projects(then)]
  // A `projects` that is not an object now is not hatch's to reshape.
  const mine = findNodeAtLocation(parseTree(now, [], {allowTrailingComma: true})!, [container])
  if (mine !== undefined && mine.type !== 'object') return []
  return [...new Set([...Object.keys(theirs), ...Object.keys(ours)])].filter((p) => !isDeepStrictEqual(servers(ours[p]), servers(theirs[p])))
}

function spliceJsonServers(now: string, then: string, serversPath: readonly string[], eol: string, emptyWhenAbsent = false): string {
  const parent = serversPath.slice(0, -1)
  const key = serversPath.at(-1)!
  const theirs = findNodeAtLocation(parseTree(then, [], {allowTrailingComma: true})!, [...serversPath])
  const ours = findNodeAtLocation(parseTree(now, [], {allowTrailingComma: true})!, [...serversPath])
  if (theirs === undefined) {
    if (ours === undefined) return now
    return emptyWhenAbsent ? now.slice(0, ours.offset) + '{}' + now.slice(ours.offset + ours.length) : removeMember(now, parent, key)
  }
  // No servers key now: add the backup's value (formatted afresh, so comments inside it are not carried over).
  if (ours === undefined) return setMember(now, parent, key, getNodeValue(theirs))
  const segment = then.slice(theirs.offset, theirs.offset + theirs.length).replace(/\r?\n/g, eol)
  return now.slice(0, ours.offset) + segment + now.slice(ours.offset + ours.length)
}

interface Region {
  start: number
  end: number
}

/**
 * Where a TOML document keeps its servers: every `[root.*]` table and `[[root.*]]` array of tables (each with the
 * comment lines right above its header, which describe it), wherever they are in the file.
 * @throws HatchError INVALID_ARGUMENT when servers are written as dotted keys of the top-level table instead.
 */
function tomlServerRegions(text: string, root: string): Region[] {
  const regions: Region[] = []
  for (const node of parseTOML(text).body[0]?.body ?? []) {
    if (node.type === 'TOMLKeyValue') {
      const first = node.key.keys[0]
      if (first && (first.type === 'TOMLBare' ? first.name : first.value) === root) {
        throw new HatchError('INVALID_ARGUMENT', `--servers-only needs the servers in [${root}.*] tables; this file sets ${root} with keys at its top level.`, {
          suggestions: ['Restore the whole file (without --servers-only).'],
        })
      }
      continue
    }
    if (node.resolvedKey[0] !== root) continue
    let start = text.lastIndexOf('\n', node.range[0] - 1) + 1
    // Comment lines directly above the header belong to the table.
    for (;;) {
      const above = text.lastIndexOf('\n', start - 2) + 1
      if (start === 0 || !text.slice(above, start).trimStart().startsWith('#')) break
      start = above
    }
    const newline = text.indexOf('\n', node.range[1])
    regions.push({start, end: newline === -1 ? text.length : newline + 1})
  }
  return regions
}

function spliceTomlServers(now: string, then: string, serversPath: readonly string[], eol: string): string {
  if (serversPath.length !== 1) throw new Error(`a TOML servers key is one name, not ${serversPath.join('.')}`)
  const root = serversPath[0]!
  const ours = tomlServerRegions(now, root)
  const theirs = tomlServerRegions(then, root)
  // The backup's tables, one blank line apart, each ending in a newline.
  const block = theirs
    .map((r) => then.slice(r.start, r.end).replace(/\r?\n/g, eol))
    .map((t) => (t.endsWith(eol) ? t : t + eol))
    .join(eol)
  if (ours.length === 0) {
    if (block === '' || now.trim() === '') return now + block
    return now + (now.endsWith('\n') ? eol : eol + eol) + block
  }
  let out = ''
  let at = 0
  for (const [i, r] of ours.entries()) {
    let start = r.start
    // A table that is not replaced in place goes with the blank line before it, so no gap is left doubled.
    if (i > 0 || block === '') start -= /\r?\n[ \t]*\r?\n$/.exec(now.slice(at, start))?.[0].replace(/^\r?\n/, '').length ?? 0
    out += now.slice(at, start) + (i === 0 ? block : '')
    at = r.end
  }
  return out + now.slice(at)
}
