import * as z from 'zod'

import type {AtomicFileOperations} from '../backup/atomic-file-operations.js'
import {HatchError} from '../errors.js'
import {fixTheFile, parseConfig} from '../formats/parse.js'
import {applyEdit, planEdit, readForEdit, type PlannedEdit} from '../install/apply.js'
import {getIn, same} from '../install/plan.js'
import {assertServerName} from '../install/entry.js'
import {writeEntry, type ServerSpec} from './host-fields.js'
import {Scope} from './scope-schema.js'
import type {ServersTarget} from './targets.js'

/** The `--json` shape of `hatch mcp server add|remove`. */
export const ServerEditOutput = z.object({
  host: z.string(),
  scope: Scope,
  project: z.string().nullable(),
  path: z.string(),
  name: z.string(),
  action: z.enum(['add', 'remove']),
  /** False when the file already held exactly this (add), or nothing was to remove. */
  changed: z.boolean(),
  /** add: an existing entry of that name was replaced (--replace). */
  replaced: z.boolean(),
  dryRun: z.boolean(),
  /** Unified diff of the change, secrets masked. */
  diff: z.string(),
  /** The backup of the file as it was (undo with `hatch mcp backup restore`); null for a new file, a dry run, or no change. */
  backupId: z.string().nullable(),
})
export type ServerEditOutput = z.infer<typeof ServerEditOutput>

/** A planned add or remove: the edit, and what the output says about it. */
export interface PlannedServerEdit {
  planned: PlannedEdit
  output: Omit<ServerEditOutput, 'dryRun' | 'backupId'>
}

/** The servers object of a parsed file at `path` (undefined when absent or not an object). */
export function serversAt(doc: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | undefined {
  const v = getIn(doc, path)
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

function where(target: ServersTarget): string {
  return target.scope === 'local' ? `${target.path} (project ${target.project})` : target.path
}

function describe(target: ServersTarget, name: string, action: 'add' | 'remove', planned: PlannedEdit, replaced: boolean): PlannedServerEdit {
  const {host, path, scope, project} = target
  return {planned, output: {host: host.id, scope, project, path, name, action, changed: planned.changed, replaced, diff: planned.diff}}
}

/**
 * Plans adding server `name` to a target, in the host's own field names. An existing entry of that name is refused
 * unless `replace` (an identical one is no change).
 * @throws HatchError INVALID_ARGUMENT (bad name, or the host cannot hold this server), SERVER_EXISTS, INVALID_CONFIG
 */
export function planAddServer(target: ServersTarget, name: string, spec: ServerSpec, replace: boolean): PlannedServerEdit {
  assertServerName(name)
  const written = writeEntry(target.host.id, target.host.displayName, spec)
  if (written.entry === undefined) {
    throw new HatchError('INVALID_ARGUMENT', `${target.host.displayName} cannot hold "${name}": ${written.reason}.`, {suggestions: ['See docs/servers.md for what each host can hold.']})
  }
  const read = readForEdit(target)
  const existing = read.current === null ? undefined : serversAt(parseConfig(read.current, target.host.format, target.path, fixTheFile(target.host.id)), target.serversPath)?.[name]
  if (existing !== undefined && !replace && !same(existing, written.entry)) {
    throw new HatchError('SERVER_EXISTS', `${where(target)} already has a server named "${name}"; hatch left it as it is.`, {
      suggestions: ['Pass --replace to overwrite it, or choose another name.'],
    })
  }
  return describe(target, name, 'add', planEdit(target, [{name, entry: written.entry}], read), existing !== undefined && !same(existing, written.entry))
}

/**
 * Plans removing server `name` from a target.
 * @throws HatchError SERVER_NOT_FOUND, INVALID_CONFIG
 */
export function planRemoveServer(target: ServersTarget, name: string): PlannedServerEdit {
  const read = readForEdit(target)
  const servers = read.current === null ? undefined : serversAt(parseConfig(read.current, target.host.format, target.path, fixTheFile(target.host.id)), target.serversPath)
  if (servers?.[name] === undefined) {
    const names = Object.keys(servers ?? {})
    throw new HatchError('SERVER_NOT_FOUND', `${where(target)} has no server named "${name}".`, {
      suggestions: [names.length > 0 ? `Its servers: ${names.join(', ')}.` : 'It has no servers at all.', `See them all with \`hatch mcp server list --host ${target.host.id}\`.`],
    })
  }
  return describe(target, name, 'remove', planEdit(target, [{name}], read), false)
}

/** Writes a planned add or remove (locked, backed up, refused if the file changed since the plan). */
export async function applyServerEdit(ops: AtomicFileOperations, edit: PlannedServerEdit): Promise<ServerEditOutput> {
  const backupId = await applyEdit(ops, edit.planned)
  return {...edit.output, dryRun: false, backupId}
}
