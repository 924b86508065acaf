import {dirname} from 'node:path'
import {statSync} from 'node:fs'

import type {AtomicFileOperations} from '../backup/atomic-file-operations.js'
import {BackupAwareOperation, type OperationContext} from '../backup/backup-aware-operation.js'
import {errnoCode, HatchError} from '../errors.js'
import {readIfExists, resolveWriteTarget} from '../fs/atomic-write.js'
import {sha256} from '../fs/hash.js'
import {parseConfig} from '../formats/parse.js'
import type {HostEntry} from '../hosts/registry.js'
import {planServerEdits, type EditPlan, type ServerChange} from './plan.js'

export interface ServerEditRequest {
  host: HostEntry
  /** The host's config file (resolved by the caller). */
  path: string
  name: string
  /** The entry to add; undefined removes the server. */
  entry?: Record<string, unknown>
  dryRun: boolean
}

export interface ServerEditResult {
  host: string
  path: string
  name: string
  action: 'install' | 'uninstall'
  changed: boolean
  dryRun: boolean
  /** Unified diff of the change (the whole change with --dry-run), secrets masked. */
  diff: string
  /** The backup of the file as it was, so the change can be undone; null when the file was new or nothing changed. */
  backupId: string | null
}

/** Which file to edit, and where its servers object is (the host's own key, or e.g. a Claude Code project's). */
export interface EditTarget {
  host: HostEntry
  path: string
  serversPath: readonly string[]
}

/** Server changes planned on a file's current bytes, ready to be written (or shown, for a dry run). */
export interface PlannedEdit extends EditPlan {
  target: EditTarget
  /** The file's bytes the plan was made on (null: no file). */
  current: Buffer | null
  /** Their SHA-256; the write is refused (CONFLICT) if the file no longer holds them. */
  currentSha256: string | null
  /** Where the write lands (a symlink's final target). */
  realPath: string
}

class ServerEditOperation extends BackupAwareOperation<void> {
  protected readonly reason = 'pre-write' as const

  constructor(
    ops: AtomicFileOperations,
    private readonly planned: PlannedEdit,
  ) {
    super(ops, planned.target.host.id, planned.target.path)
  }

  protected async apply(context: OperationContext): Promise<void> {
    const {host, path} = this.planned.target
    await context.write(this.planned.bytes, {mode: 0o600, validate: (b) => parseConfig(b, host.format, path)})
  }
}

function assertFolderExists(host: HostEntry, path: string): void {
  try {
    if (statSync(dirname(path)).isDirectory()) return
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error
  }
  throw new HatchError('CONFIG_NOT_FOUND', `The folder of ${path} does not exist, so ${host.displayName} does not seem to be installed.`, {
    suggestions: [`Start ${host.displayName} once so it creates its folder, or name the file with --config PATH.`],
  })
}

/** The current bytes of a file to edit (null: none yet), read where a write would land. */
export function readForEdit(target: EditTarget): {current: Buffer | null; realPath: string} {
  assertFolderExists(target.host, target.path)
  const realPath = resolveWriteTarget(target.path)
  return {current: readIfExists(realPath), realPath}
}

/**
 * Plans `changes` on the file's current bytes (`read`, when the caller has read them already): surgical edits,
 * each checked (see planServerEdit). Nothing is written.
 * @throws HatchError CONFIG_NOT_FOUND (no folder), INVALID_CONFIG (does not parse, or cannot be edited safely)
 */
export function planEdit(target: EditTarget, changes: readonly ServerChange[], read = readForEdit(target)): PlannedEdit {
  const {current, realPath} = read
  const plan = planServerEdits({id: target.host.id, format: target.host.format, serversPath: target.serversPath}, target.path, current, changes)
  return {...plan, target, current, currentSha256: current === null ? null : sha256(current), realPath}
}

/**
 * Writes a planned edit through the core's locked, backed-up, atomic write (BackupAwareOperation), which refuses
 * if the file changed since it was read, or the path now leads to another file than the one planned on. Returns the
 * id of the backup of the previous content (null: no file then).
 * @throws HatchError CONFLICT when the file no longer holds the bytes the plan was made on, or is elsewhere now
 */
export async function applyEdit(ops: AtomicFileOperations, planned: PlannedEdit): Promise<string | null> {
  if (!planned.changed) return null
  const {backup} = await new ServerEditOperation(ops, planned).execute(planned.currentSha256, planned.realPath)
  return backup?.id ?? null
}

/**
 * Adds or removes one server entry in a host's config file: planned on the file's current bytes (surgical edit,
 * checked), then written through the core's locked, backed-up, atomic write. With `dryRun`, only the plan (and its
 * diff) is returned.
 */
export async function editServerEntry(ops: AtomicFileOperations, request: ServerEditRequest): Promise<ServerEditResult> {
  const {host, path, name, entry, dryRun} = request
  const planned = planEdit({host, path, serversPath: host.serversPath}, [{name, entry}])
  const result: ServerEditResult = {host: host.id, path, name, action: entry === undefined ? 'uninstall' : 'install', changed: planned.changed, dryRun, diff: planned.diff, backupId: null}
  if (dryRun || !planned.changed) return result
  return {...result, backupId: await applyEdit(ops, planned)}
}
