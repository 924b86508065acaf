import {dirname} from 'node:path'
import {statSync} from 'node:fs'

import type {AtomicFileOperations} from '../backup/atomic-file-operations.js'
import {BackupAwareOperation, type OperationContext} from '../backup/backup-aware-operation.js'
import {errnoCode, HatchError} from '../errors.js'
import {readIfExists, resolveWriteTarget} from '../fs/atomic-write.js'
import {sha256} from '../fs/hash.js'
import {parseConfig} from '../formats/parse.js'
import type {HostEntry} from '../hosts/registry.js'
import {planServerEdit, type EditPlan} from './plan.js'

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

class ServerEditOperation extends BackupAwareOperation<void> {
  protected readonly reason = 'pre-write' as const

  constructor(
    ops: AtomicFileOperations,
    private readonly request: ServerEditRequest,
    private readonly plan: EditPlan,
  ) {
    super(ops, request.host.id, request.path)
  }

  protected async apply(context: OperationContext): Promise<void> {
    const {host, path} = this.request
    await context.write(this.plan.bytes, {mode: 0o600, validate: (b) => parseConfig(b, host.format, path)})
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

/**
 * Adds or removes one server entry in a host's config file: planned on the file's current bytes (surgical edit,
 * checked), then written through the core's locked, backed-up, atomic write (BackupAwareOperation), which refuses
 * if the file changed since it was read. With `dryRun`, only the plan (and its diff) is returned.
 */
export async function editServerEntry(ops: AtomicFileOperations, request: ServerEditRequest): Promise<ServerEditResult> {
  const {host, path, name, entry, dryRun} = request
  assertFolderExists(host, path)
  const current = readIfExists(resolveWriteTarget(path))
  const plan = planServerEdit(host, path, current, name, entry)
  const result: ServerEditResult = {host: host.id, path, name, action: entry === undefined ? 'uninstall' : 'install', changed: plan.changed, dryRun, diff: plan.diff, backupId: null}
  if (dryRun || !plan.changed) return result
  const {backup} = await new ServerEditOperation(ops, request, plan).execute(current === null ? null : sha256(current))
  return {...result, backupId: backup?.id ?? null}
}
