import {isDeepStrictEqual} from 'node:util'

import type {HostEntry} from '../hosts/registry.js'
import {getIn, plain} from '../install/plan.js'

/**
 * Claude Code's scopes: `user` (top-level `mcpServers` of ~/.claude.json), `local` (`projects[<path>].mcpServers` in
 * the same file) and `project` (a project's `.mcp.json`). Every other host has one scope, `user`.
 */
/** Where a server entry lives (Claude Code has all three). Its zod schema is in scope-schema.ts: loading zod is left to
 * the code that validates, so that restore, which reads inventories, starts without it. */
export const SCOPES = ['user', 'local', 'project'] as const
export type Scope = (typeof SCOPES)[number]

/**
 * Servers kept per project inside a host's file, beside its own servers key: Claude Code's local scope,
 * `projects[<absolute path>].mcpServers` in ~/.claude.json (hosts.md §1).
 */
export const PER_PROJECT_SERVERS: Readonly<Record<string, {container: string; key: string}>> = {
  'claude-code': {container: 'projects', key: 'mcpServers'},
}

/** Where one server is: its scope, its project (local and project scope), and its name. */
export interface ServerLocation {
  scope: Scope
  project: string | null
  name: string
}

export interface InventoryEntry extends ServerLocation {
  /** The entry as the file holds it. */
  raw: unknown
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Every server of a parsed config file: those under the host's servers key (in scope `scope`: `project` for a
 * Claude Code `.mcp.json`), and for a file that keeps servers per project (~/.claude.json) each project's.
 */
export function inventory(host: HostEntry, doc: Record<string, unknown>, scope: Scope = 'user'): InventoryEntry[] {
  const out: InventoryEntry[] = []
  const servers = getIn(doc, host.serversPath)
  if (isRecord(servers)) for (const [name, raw] of Object.entries(servers)) out.push({scope, project: null, name, raw})
  const perProject = scope === 'user' ? PER_PROJECT_SERVERS[host.id] : undefined
  const projects = perProject && doc[perProject.container]
  if (perProject && isRecord(projects)) {
    for (const [project, entry] of Object.entries(projects)) {
      const local = isRecord(entry) ? entry[perProject.key] : undefined
      if (isRecord(local)) for (const [name, raw] of Object.entries(local)) out.push({scope: 'local', project, name, raw})
    }
  }
  return out
}

/** How a server is named in reports: `name`, `name (local: /path)`, `name (project)`. */
export function locationLabel(l: ServerLocation): string {
  if (l.scope === 'local') return `${l.name} (local: ${l.project})`
  return l.scope === 'project' ? `${l.name} (project)` : l.name
}

const locationKey = (l: ServerLocation): string => JSON.stringify([l.scope, l.project, l.name])

/** What changed between two versions of a config's servers. Names only: values (secrets) never. */
export interface ServerChanges {
  added: string[]
  removed: string[]
  /** Each changed server with the keys whose values differ (`env.API_KEY` for a changed variable). */
  changed: Array<{name: string; fields: string[]}>
}

function changedFields(before: unknown, after: unknown): string[] {
  if (!isRecord(before) || !isRecord(after)) return ['(entry)']
  const fields: string[] = []
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const [a, b] = [before[key], after[key]]
    if (isDeepStrictEqual(a, b)) continue
    if (isRecord(a) && isRecord(b)) {
      for (const sub of new Set([...Object.keys(a), ...Object.keys(b)])) if (!isDeepStrictEqual(a[sub], b[sub])) fields.push(`${key}.${sub}`)
    } else fields.push(key)
  }
  return fields
}

/** Servers added, removed and changed from `before` to `after` (either may be absent: no file, or unparseable). */
export function compareServers(before: readonly InventoryEntry[], after: readonly InventoryEntry[]): ServerChanges {
  const old = new Map(before.map((e) => [locationKey(e), e]))
  const now = new Map(after.map((e) => [locationKey(e), e]))
  const changes: ServerChanges = {added: [], removed: [], changed: []}
  for (const [key, e] of now) {
    const was = old.get(key)
    if (was === undefined) {
      changes.added.push(locationLabel(e))
      continue
    }
    const [a, b] = [plain(was.raw), plain(e.raw)]
    if (!isDeepStrictEqual(a, b)) changes.changed.push({name: locationLabel(e), fields: changedFields(a, b)})
  }
  for (const [key, e] of old) if (!now.has(key)) changes.removed.push(locationLabel(e))
  return changes
}

/** True when nothing was added, removed or changed. */
export function noServerChanges(c: ServerChanges): boolean {
  return c.added.length === 0 && c.removed.length === 0 && c.changed.length === 0
}
