import * as z from 'zod'

import type {AtomicFileOperations} from '../backup/atomic-file-operations.js'
import {conflictError} from '../backup/atomic-file-operations.js'
import {compareConfigs, ConfigComparison} from '../backup/diff.js'
import {executeRestore} from '../backup/restore.js'
import type {BackupInfo} from '../backup/schema.js'
import {spliceServers} from '../backup/servers-only.js'
import {isHatchError} from '../errors.js'
import {readIfExists, resolveWriteTarget} from '../fs/atomic-write.js'
import {sha256} from '../fs/hash.js'
import {isParseable, parseConfig} from '../formats/parse.js'
import {getHost, type HostEntry} from '../hosts/registry.js'
import {ambiguousReason, currentHostEnvironment, resolveConfigPath, resolveHosts, type HostEnvironment} from '../hosts/resolve.js'
import {withSignalsHeld} from '../process/shutdown.js'
import {maskText, maskValue} from '../redact/mask.js'
import {same} from '../install/plan.js'
import {PER_PROJECT_SERVERS} from '../servers/inventory.js'
import {runChild} from './child.js'

/**
 * `hatch mcp guard`: back up each host's config, let a command run, then check each config and repair what it
 * damaged. The three steps are separate so that each one's contract can be tested on its own:
 * snapshotConfigs (under hatch's lock: the exact bytes, backed up, reason `guard`), inspectConfigs (what changed,
 * and whether that is damage), settleConfigs (restore through the locked, hash-checked restore path).
 */

export interface GuardTarget {
  host: HostEntry
  path: string
}

export interface Snapshot extends GuardTarget {
  /** The bytes before the command (null: no file), as backed up. */
  before: Buffer | null
  beforeSha256: string | null
  /** The `guard` backup of those bytes; null when there was no file. */
  backup: BackupInfo | null
}

/**
 * Backs up every target (one `guard` backup each, of the bytes read under hatch's lock). A failed backup fails the
 * whole guard: the command must not run unprotected.
 */
export async function snapshotConfigs(ops: AtomicFileOperations, targets: readonly GuardTarget[]): Promise<Snapshot[]> {
  const out: Snapshot[] = []
  for (const target of targets) {
    out.push(
      await ops.withLockedFile(target.path, async (file) => {
        const backup = await ops.backupLocked(target.host.id, file, 'guard')
        return {...target, before: file.current, beforeSha256: file.currentSha256, backup}
      }),
    )
  }
  return out
}

export interface Inspection {
  snapshot: Snapshot
  /** Where the file really is now (symlinks resolved): a restore must land there, or it is a conflict. */
  realPath: string
  after: Buffer | null
  afterSha256: string | null
  comparison: ConfigComparison
  /** Why this file counts as damaged (empty: it does not). */
  damage: string[]
}

/**
 * Looks at each file after the command: what changed, and whether that is damage — the file no longer parses (or
 * is gone) although it did before, or a server it had is gone (unless `allowRemoval`).
 */
export function inspectConfigs(snapshots: readonly Snapshot[], allowRemoval: boolean): Inspection[] {
  return snapshots.map((snapshot) => {
    const {host, path, before} = snapshot
    const realPath = resolveWriteTarget(path)
    const after = readIfExists(realPath)
    const comparison = compareConfigs(host, {bytes: before, label: `${path} (before)`}, {bytes: after, label: path})
    const damage: string[] = []
    const parsedBefore = before === null || isParseable(before, host.format)
    if (before !== null && after === null) damage.push('the file was deleted')
    else if (after !== null && parsedBefore && !isParseable(after, host.format)) damage.push(`it no longer parses: ${comparison.problems.at(-1) ?? 'invalid'}`)
    const lost = comparison.servers?.removed ?? []
    if (!allowRemoval && lost.length > 0 && after !== null) damage.push(`servers removed: ${lost.join(', ')}`)
    return {snapshot, realPath, after, afterSha256: after === null ? null : sha256(after), comparison, damage}
  })
}

export const FileStatus = z.enum(['unchanged', 'changed', 'restored', 'conflict', 'failed'])

/** What guard found and did for one file. */
export const GuardFileReport = z.object({
  host: z.string(),
  path: z.string(),
  /**
   * unchanged; changed (kept); restored (hatch put the content from before back); conflict (it should have been,
   * but another program changed it again after the command ended, so hatch left it); failed (restoring it failed).
   */
  status: FileStatus,
  /** The backup of the file as it was before the command (null: there was no file). */
  backupId: z.string().nullable(),
  /** Why it counted as damaged; empty when it did not. */
  damage: z.array(z.string()),
  /** What restoring wrote: the whole file, or (for files that also hold the app's other state) only its servers. */
  restored: z.enum(['whole-file', 'servers-only', 'deleted']).nullable(),
  /** The backup of the content hatch replaced when it restored, so nothing the command (or anyone) wrote is lost. */
  replacedBackupId: z.string().nullable(),
  /**
   * What went wrong restoring (conflict, failed), or what a restore undid and where the content it replaced is kept
   * (restored); secrets masked.
   */
  note: z.string().nullable(),
}).merge(ConfigComparison)
export type GuardFileReport = z.infer<typeof GuardFileReport>

/** The bytes that undo the command's damage, and how much of the file they replace. */
function repairFor(i: Inspection): {bytes: Buffer; restored: 'whole-file' | 'servers-only'} {
  const {host} = i.snapshot
  const before = i.snapshot.before!
  // A file that also holds the app's other state (~/.claude.json) gets back only its servers, so whatever else the
  // app wrote meanwhile is kept; everything else, and anything that does not parse, gets back the whole file.
  if (host.sharedState && i.after !== null && isParseable(i.after, host.format) && isParseable(before, host.format)) {
    const spliced = Buffer.from(spliceServers(i.after.toString('utf8'), before.toString('utf8'), host.format, host.serversPath, PER_PROJECT_SERVERS[host.id]), 'utf8')
    // Nothing but servers changed: the exact bytes from before are the better repair.
    if (!same(parseConfig(spliced, host.format), parseConfig(before, host.format))) return {bytes: spliced, restored: 'servers-only'}
  }
  return {bytes: before, restored: 'whole-file'}
}

/** Deletes a file the command created, once it is backed up, and only while it still is (and holds) what was inspected. */
async function removeCreated(ops: AtomicFileOperations, i: Inspection): Promise<string | null> {
  return ops.withLockedFile(i.snapshot.path, async (file) => {
    if (file.currentSha256 !== i.afterSha256 || file.realPath !== i.realPath) throw conflictError(file.realPath)
    const backup = await ops.backupLocked(i.snapshot.host.id, file, 'pre-restore')
    ops.removeLocked(file, i.afterSha256!)
    return backup?.id ?? null
  })
}

/**
 * What a restore undid, said plainly: hatch cannot tell the command's edits from another program's made while it
 * ran, so it undid them all, and the content it replaced is kept as a backup.
 */
function restoredNote(host: string, restored: 'whole-file' | 'servers-only' | 'deleted', replacedBackupId: string | null): string {
  const undone = {
    deleted: 'The file was created while the command ran (by it or another program); hatch removed it',
    'whole-file': 'hatch put back the content from before the command, undoing every change made while it ran (by it or another program)',
    'servers-only': 'hatch put back the servers from before the command, undoing every change to them made while it ran (by it or another program), and kept its other settings',
  }[restored]
  return replacedBackupId === null ? `${undone}.` : `${undone}. The content it replaced is kept as backup ${replacedBackupId}: hatch mcp backup restore --host ${host} --id ${replacedBackupId}`
}

async function settleOne(ops: AtomicFileOperations, i: Inspection, commandFailed: boolean): Promise<GuardFileReport> {
  const {snapshot, comparison, damage} = i
  const base: GuardFileReport = {
    host: snapshot.host.id,
    path: snapshot.path,
    status: comparison.changed ? 'changed' : 'unchanged',
    backupId: snapshot.backup?.id ?? null,
    damage,
    restored: null,
    replacedBackupId: null,
    note: null,
    ...comparison,
  }
  if (!comparison.changed || (damage.length === 0 && !commandFailed)) return base
  try {
    if (snapshot.before === null) {
      const replaced = await removeCreated(ops, i)
      return {...base, status: 'restored', restored: 'deleted', replacedBackupId: replaced, note: restoredNote(snapshot.host.id, 'deleted', replaced)}
    }
    const repair = repairFor(i)
    const digest = sha256(repair.bytes)
    if (digest === i.afterSha256) return {...base, note: 'Only settings outside its servers changed; they were kept.'}
    const result = await executeRestore(ops, {
      host: snapshot.host.id,
      format: snapshot.host.format,
      backup: snapshot.backup!,
      bytes: repair.bytes,
      sha256: digest,
      serversOnly: repair.restored === 'servers-only',
      targetPath: snapshot.path,
      realPath: i.realPath,
      current: i.after,
      currentSha256: i.afterSha256,
      unchanged: false,
      force: false,
    })
    const replaced = result.preRestoreBackupId
    return {...base, status: 'restored', restored: repair.restored, replacedBackupId: replaced, note: restoredNote(snapshot.host.id, repair.restored, replaced)}
  } catch (error) {
    if (!isHatchError(error)) throw error
    const status = error.code === 'CONFLICT' || error.code === 'LOCKED' ? 'conflict' : 'failed'
    const undo = snapshot.backup ? ` Its content from before the command is backup ${snapshot.backup.id}: hatch mcp backup restore --host ${snapshot.host.id} --id ${snapshot.backup.id}` : ''
    return {...base, status, note: maskText(`${status === 'conflict' ? 'Another program changed it again after the command ended, so hatch left it as it is.' : error.message}${undo}`)}
  }
}

/**
 * Repairs what needs it: a damaged file, and — when the command failed — every file changed while it ran (by it or
 * by another program meanwhile: hatch cannot tell them apart, and the report says so). Each restore goes
 * through the locked restore path and is refused if the file changed again since it was inspected (status
 * `conflict`, said in the report: never overwritten silently). What a restore replaces is backed up first.
 */
export async function settleConfigs(ops: AtomicFileOperations, inspections: readonly Inspection[], commandFailed: boolean): Promise<GuardFileReport[]> {
  const out: GuardFileReport[] = []
  for (const i of inspections) out.push(await settleOne(ops, i, commandFailed))
  return out
}

/**
 * The files to guard: the named hosts' config files (one that does not exist yet too: a command may create it), or
 * by default every host whose config file or app folder exists. Hosts with several candidate files are skipped
 * (named ones are refused by resolveConfigPath: hatch never guesses which file is live).
 */
export async function guardTargets(hostIds: readonly string[] | undefined, hostEnv: HostEnvironment = currentHostEnvironment()): Promise<{targets: GuardTarget[]; skipped: Array<{host: string; reason: string}>}> {
  if (hostIds !== undefined && hostIds.length > 0) {
    const targets = await Promise.all([...new Set(hostIds)].map(async (id) => {
      const {host, path} = await resolveConfigPath(id, {}, hostEnv)
      return {host, path}
    }))
    return {targets, skipped: []}
  }
  const targets: GuardTarget[] = []
  const skipped: Array<{host: string; reason: string}> = []
  for (const resolved of await resolveHosts(hostEnv)) {
    if (resolved.status === 'ambiguous') skipped.push({host: resolved.id, reason: ambiguousReason(resolved, hostEnv.platform)})
    else if ((resolved.status === 'present' || resolved.status === 'app-only') && resolved.path !== null) targets.push({host: getHost(resolved.id), path: resolved.path})
  }
  return {targets, skipped}
}

/** The `--json` shape of `hatch mcp guard`. */
export const GuardReport = z.object({
  /** The command run, secrets masked. */
  command: z.array(z.string()),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** What a shell reports for the command: its exit code, or 128 + the signal's number. */
  status: z.number().int(),
  /** The command succeeded and damaged nothing. */
  ok: z.boolean(),
  damaged: z.boolean(),
  files: z.array(GuardFileReport),
  /** Hosts not guarded, with the reason. */
  skipped: z.array(z.object({host: z.string(), reason: z.string()})),
})
export type GuardReport = z.infer<typeof GuardReport>

export interface GuardRequest {
  targets: readonly GuardTarget[]
  skipped?: Array<{host: string; reason: string}>
  command: string
  args: readonly string[]
  allowRemoval: boolean
  /** Where the command's stdout goes (see runChild). */
  stdout: 'inherit' | 'stderr'
  /** Told once the backups are made, before the command starts. */
  onSnapshot?: (snapshots: readonly Snapshot[]) => void
}

/** Backs up, runs the command, inspects and repairs: the whole of `hatch mcp guard`. */
export async function runGuarded(ops: AtomicFileOperations, request: GuardRequest): Promise<GuardReport> {
  const snapshots = await snapshotConfigs(ops, request.targets)
  request.onSnapshot?.(snapshots)
  // From here until the files are settled a signal is the command's to answer: runChild passes each one on, and hatch
  // does not end before it has checked and repaired the configs (process/shutdown.ts).
  const {outcome, files} = await withSignalsHeld(async () => {
    const outcome = await runChild(request.command, request.args, {stdout: request.stdout})
    return {outcome, files: await settleConfigs(ops, inspectConfigs(snapshots, request.allowRemoval), outcome.status !== 0)}
  })
  const failed = outcome.status !== 0
  const damaged = files.some((f) => f.damage.length > 0)
  return {
    command: maskValue([request.command, ...request.args]) as string[],
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    status: outcome.status,
    ok: !failed && !damaged,
    damaged,
    files,
    skipped: request.skipped ?? [],
  }
}
