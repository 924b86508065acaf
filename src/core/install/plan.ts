import {isDeepStrictEqual} from 'node:util'

import {unifiedDiff} from '../diff/unified.js'
import {HatchError} from '../errors.js'
import {decodeConfig, fixTheFile, parseConfig} from '../formats/parse.js'
import type {HostEntry} from '../hosts/registry.js'
import {configLineMasker, configSecretNames} from '../redact/config-values.js'
import {dropEmptiedObject, removeMember, setMember} from './json-edit.js'
import {removeTable, setTable} from './toml-edit.js'

const BOM = '\uFEFF'

export interface EditPlan {
  /** The new content; equal to the old when nothing changes. */
  bytes: Buffer
  changed: boolean
  /** Unified diff from the old to the new content, secrets masked. */
  diff: string
}

/** The value at `path` inside parsed config data (undefined when any step is missing or not an object). */
export function getIn(value: unknown, path: readonly string[]): unknown {
  let v = value
  for (const key of path) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined
  return v
}

/** A deep copy without servers[name], and without the servers containers that are then empty. */
function withoutEntry(doc: Record<string, unknown>, path: readonly string[], name: string): unknown {
  const copy = plain(doc) as Record<string, unknown>
  const chain: Array<Record<string, unknown>> = [copy]
  for (const key of path) {
    const next = chain.at(-1)![key]
    if (next === null || typeof next !== 'object' || Array.isArray(next)) break
    chain.push(next as Record<string, unknown>)
  }
  if (chain.length === path.length + 1) delete chain.at(-1)![name]
  // Empty containers along the path go on both sides alike, whether the edit made them or found them.
  for (let i = chain.length - 1; i > 0 && Object.keys(chain[i]!).length === 0; i--) delete chain[i - 1]![path[i - 1]!]
  return copy
}

/** Plain JSON data for comparing (smol-toml builds null-prototype objects and Date values). */
export function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value))
}

/** Equal as config data: the same JSON, whatever the parser (key order is not compared). */
export function same(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(plain(a), plain(b))
}

/** What an edit needs to know about where servers live: the file's format and the servers object's path in it. */
export interface ServersLocation {
  /** The host's id, for the next steps of an error (a restore needs it). */
  id?: string
  format: HostEntry['format']
  serversPath: readonly string[]
}

/** One server to set (`entry` given) or remove (`entry` undefined). */
export interface ServerChange {
  name: string
  entry?: Record<string, unknown>
}

function refuse(host: ServersLocation, path: string, why: string): HatchError {
  return new HatchError('INVALID_CONFIG', `hatch cannot edit ${path} safely: ${why}. Nothing was written.`, {
    suggestions: [`Add or remove the entry under "${host.serversPath.join('.')}" by hand, or fix the file and try again.`],
  })
}

/**
 * Computes the content after adding (`entry` given) or removing (`entry` undefined) server `name`, for a file
 * that currently holds `current` (null: it does not exist). Refuses a file that does not parse, and checks the
 * result: it must parse, hold exactly the wanted entry, and equal the original everywhere else.
 * @throws HatchError INVALID_CONFIG
 */
export function planServerEdit(host: ServersLocation, path: string, current: Buffer | null, name: string, entry: Record<string, unknown> | undefined): EditPlan {
  const raw = current === null ? '' : decodeConfig(current)
  const bom = current !== null && current.toString('utf8').startsWith(BOM) ? BOM : ''
  const before = current === null ? {} : parseConfig(current, host.format, path, fixTheFile(host.id))
  const servers = getIn(before, host.serversPath)
  if (servers !== undefined && (servers === null || typeof servers !== 'object' || Array.isArray(servers))) {
    throw refuse(host, path, `"${host.serversPath.join('.')}" is not an object`)
  }
  const existing = getIn(servers, [name])
  if (entry === undefined && existing === undefined) return {bytes: current ?? Buffer.alloc(0), changed: false, diff: ''}
  if (entry !== undefined && same(existing, entry)) return {bytes: current!, changed: false, diff: ''}

  let text: string
  if (host.format === 'toml') {
    const [root, ...rest] = host.serversPath
    if (rest.length > 0) throw refuse(host, path, 'a nested TOML servers table is not supported')
    text = entry === undefined ? removeTable(raw, root!, name) : setTable(raw, root!, name, entry)
  } else {
    const base = current === null ? '{}\n' : raw
    // A servers object that the removal empties goes too where an add would have created it (see dropEmptiedObject),
    // so adding then removing a server gives back a file that had none.
    text = entry === undefined ? dropEmptiedObject(removeMember(base, host.serversPath, name), host.serversPath) : setMember(base, host.serversPath, name, entry)
  }

  let after: Record<string, unknown>
  try {
    after = parseConfig(text, host.format, path)
  } catch {
    throw refuse(host, path, 'the edited file would not parse (the servers entry may be written in a form hatch does not edit)')
  }
  const got = getIn(getIn(after, host.serversPath), [name])
  const rightEntry = entry === undefined ? got === undefined : same(got, entry)
  if (!rightEntry || !same(withoutEntry(after, host.serversPath, name), withoutEntry(before, host.serversPath, name))) {
    throw refuse(host, path, `the "${name}" entry is written in a form hatch does not edit`)
  }
  const bytes = Buffer.from(bom + text, 'utf8')
  return {bytes, changed: true, diff: editDiff(host, path, current, bytes)}
}

/**
 * The masked unified diff of an edit of `path`, from `before` (null: no file) to `after`, both of which parse:
 * secrets masked, and the values of every environment variable and header the entries set.
 */
function editDiff(host: ServersLocation, path: string, before: Buffer | null, after: Buffer): string {
  const oldLabel = before === null ? `${path} (absent)` : path
  const names = configSecretNames(before === null ? {} : parseConfig(before, host.format), parseConfig(after, host.format))
  return unifiedDiff(decodeConfig(before ?? ''), decodeConfig(after), oldLabel, `${path} (after)`, {maskLine: configLineMasker(names)})
}

/**
 * Several server changes to one file, each planned (and checked) on the result of the one before, with one diff
 * from the original: what `hatch mcp server sync` writes to a target in a single backed-up write.
 */
export function planServerEdits(host: ServersLocation, path: string, current: Buffer | null, changes: readonly ServerChange[]): EditPlan {
  let bytes = current
  for (const change of changes) {
    const step = planServerEdit(host, path, bytes, change.name, change.entry)
    if (step.changed) bytes = step.bytes
  }
  if (bytes === null || (current !== null && bytes.equals(current))) return {bytes: current ?? Buffer.alloc(0), changed: false, diff: ''}
  return {bytes, changed: true, diff: editDiff(host, path, current, bytes)}
}
