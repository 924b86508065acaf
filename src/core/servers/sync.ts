import * as z from 'zod'

import type {AtomicFileOperations} from '../backup/atomic-file-operations.js'
import {HatchError, isHatchError} from '../errors.js'
import {readIfExists, resolveWriteTarget} from '../fs/atomic-write.js'
import {fixTheFile, parseConfig} from '../formats/parse.js'
import {applyEdit, planEdit, readForEdit, type PlannedEdit} from '../install/apply.js'
import {same, type ServerChange} from '../install/plan.js'
import {readEntry, writeEntry} from './host-fields.js'
import {serversAt} from './edit.js'
import {Scope} from './scope-schema.js'
import type {ServersTarget} from './targets.js'

const Place = z.object({host: z.string(), scope: Scope, project: z.string().nullable(), path: z.string()})

export const SyncTargetReport = Place.extend({
  /** Servers written that the target did not have. */
  copied: z.array(z.string()),
  /** Servers the target had with another entry, overwritten (--replace). */
  replaced: z.array(z.string()),
  /** Servers the target already had exactly so. */
  unchanged: z.array(z.string()),
  /** Servers not written, each with the reason (the target cannot express it, or has a different one of that name). */
  skipped: z.array(z.object({name: z.string(), reason: z.string()})),
  /** Keys of copied servers the target has no place for (cwd, timeout, …), left behind. */
  untranslated: z.array(z.object({name: z.string(), fields: z.array(z.string())})),
  changed: z.boolean(),
  /** Unified diff of the target, secrets masked. */
  diff: z.string(),
  backupId: z.string().nullable(),
})
export type SyncTargetReport = z.infer<typeof SyncTargetReport>

/** The `--json` shape of `hatch mcp server sync`. */
export const SyncReport = z.object({from: Place, dryRun: z.boolean(), targets: z.array(SyncTargetReport)})
export type SyncReport = z.infer<typeof SyncReport>

export interface SyncRequest {
  from: ServersTarget
  to: readonly ServersTarget[]
  /** Only these servers of the source (each must exist); default all. */
  servers?: readonly string[]
  /** Overwrite a target's server of the same name that differs. */
  replace: boolean
}

export interface SyncPlan {
  from: z.infer<typeof Place>
  targets: Array<{planned: PlannedEdit; report: Omit<SyncTargetReport, 'backupId'>}>
}

const place = (t: ServersTarget) => ({host: t.host.id, scope: t.scope, project: t.project, path: t.path})

/**
 * Plans copying servers from one host to others, translating field names (host-fields.ts). A server a target
 * cannot express is skipped with the reason; so is one the target has with a different entry, unless `replace`.
 * Every target is planned (and must parse) before anything is written.
 * @throws HatchError SERVER_NOT_FOUND (a named server the source lacks), INVALID_ARGUMENT, INVALID_CONFIG
 */
export function planSync(request: SyncRequest): SyncPlan {
  const {from} = request
  const bytes = readIfExists(resolveWriteTarget(from.path))
  if (bytes === null) {
    throw new HatchError('CONFIG_NOT_FOUND', `There is no config file at ${from.path}, so there is nothing to copy.`, {suggestions: ['Run `hatch mcp hosts` to see where hatch looks.']})
  }
  const source = serversAt(parseConfig(bytes, from.host.format, from.path, fixTheFile(from.host.id)), from.serversPath) ?? {}
  const names = request.servers ?? Object.keys(source)
  const missing = names.filter((n) => source[n] === undefined)
  if (missing.length > 0) {
    throw new HatchError('SERVER_NOT_FOUND', `${from.path} has no server named ${missing.map((n) => `"${n}"`).join(', ')}.`, {
      suggestions: [`Its servers: ${Object.keys(source).join(', ') || '(none)'}.`],
    })
  }
  const specs = names.map((name) => ({name, read: readEntry(from.host.id, source[name])}))
  const targets = request.to.map((target, i) => {
    const sameAs = (other: ServersTarget) => target.path === other.path && same(target.serversPath, other.serversPath)
    if (sameAs(from)) throw new HatchError('INVALID_ARGUMENT', `--to ${target.host.id} is the source itself.`, {suggestions: ['Name another host with --to.']})
    if (request.to.slice(0, i).some(sameAs)) throw new HatchError('INVALID_ARGUMENT', `--to ${target.host.id} is named twice.`, {suggestions: ['Name each target once.']})
    const read = readForEdit(target)
    const existing = read.current === null ? {} : (serversAt(parseConfig(read.current, target.host.format, target.path, fixTheFile(target.host.id)), target.serversPath) ?? {})
    const report: Omit<SyncTargetReport, 'backupId' | 'changed' | 'diff'> = {...place(target), copied: [], replaced: [], unchanged: [], skipped: [], untranslated: []}
    const changes: ServerChange[] = []
    for (const {name, read: entry} of specs) {
      if (entry.spec === undefined) {
        report.skipped.push({name, reason: `hatch cannot read it in ${from.host.displayName}'s config: ${entry.problem}`})
        continue
      }
      const written = writeEntry(target.host.id, target.host.displayName, entry.spec)
      if (written.entry === undefined) {
        report.skipped.push({name, reason: written.reason})
        continue
      }
      const had = existing[name]
      if (had !== undefined && same(had, written.entry)) {
        report.unchanged.push(name)
        continue
      }
      if (had !== undefined && !request.replace) {
        report.skipped.push({name, reason: `${target.host.displayName} already has a different server of that name (--replace overwrites it)`})
        continue
      }
      ;(had === undefined ? report.copied : report.replaced).push(name)
      if (entry.untranslated.length > 0) report.untranslated.push({name, fields: entry.untranslated})
      changes.push({name, entry: written.entry})
    }
    const planned = planEdit(target, changes, read)
    return {planned, report: {...report, changed: planned.changed, diff: planned.diff}}
  })
  return {from: place(from), targets}
}

/**
 * Writes each target of a sync plan in turn (one locked, backed-up write per target). If a write fails, the error
 * says which targets were already written and their backups.
 */
export async function applySync(ops: AtomicFileOperations, plan: SyncPlan): Promise<SyncReport> {
  const done: SyncTargetReport[] = []
  for (const {planned, report} of plan.targets) {
    try {
      done.push({...report, backupId: await applyEdit(ops, planned)})
    } catch (error) {
      const written = done.filter((t) => t.changed).map((t) => `${t.host}${t.backupId ? ` (its previous content is backup ${t.backupId})` : ''}`)
      if (!isHatchError(error) || written.length === 0) throw error
      throw new HatchError(error.code, `${error.message} Already synced before that: ${written.join(', ')}.`, {suggestions: error.suggestions, cause: error})
    }
  }
  return {from: plan.from, dryRun: false, targets: done}
}
