import {HatchError} from '../errors.js'
import {unifiedDiff} from '../diff/unified.js'
import {readIfExists, resolveWriteTarget} from '../fs/atomic-write.js'
import {sha256} from '../fs/hash.js'
import {decodeConfig, fixTheFile, isParseable, parseConfig, type ConfigFormat} from '../formats/parse.js'
import type {AtomicFileOperations} from './atomic-file-operations.js'
import type {RestoreResult} from './results.js'
import {PER_PROJECT_SERVERS} from '../servers/inventory.js'
import {spliceServers} from './servers-only.js'
import {BackupAwareOperation, type OperationContext} from './backup-aware-operation.js'
import type {BackupInfo} from './schema.js'
import type {BackupStore} from './store.js'

export interface RestoreRequest {
  host: string
  format: ConfigFormat
  /** A validated backup id; the newest backup when omitted. */
  id?: string
  /** Write here instead of the path the backup came from. */
  to?: string
  /** Restore a backup that does not parse in the host's format, or that has no recorded checksum. */
  force?: boolean
  /**
   * Restore only the servers subtree (at `serversPath`) into the current file and keep everything else in it:
   * for files that also hold the app's other state (JSON and JSONC: the servers key; TOML: its [servers.*] tables).
   * The whole file when none exists now.
   */
  serversOnly?: boolean
  serversPath?: readonly string[]
}

export interface RestorePlan {
  host: string
  format: ConfigFormat
  backup: BackupInfo
  /** What the restore writes: the backup's bytes, or (servers only) the current file with the backup's servers. */
  bytes: Buffer
  sha256: string
  serversOnly: boolean
  targetPath: string
  /** Where the write lands (symlinks resolved) when planned; a different one at restore time is a conflict. */
  realPath: string
  /** The target's content when planned (null: no file). */
  current: Buffer | null
  /** Its SHA-256 (null: no file); a change before execute is a conflict. */
  currentSha256: string | null
  /** The target already holds exactly the bytes the restore would write. */
  unchanged: boolean
  force: boolean
}


/**
 * Everything a restore will do, computed without changing anything: which backup (checksum verified, content
 * parsed in the host's format unless forced) and where it goes. `--dry-run` stops here and shows restoreDiff.
 */
export function planRestore(store: BackupStore, request: RestoreRequest): RestorePlan {
  const backup = request.id === undefined ? store.latest(request.host) : store.get(request.host, request.id)
  const force = request.force ?? false
  let bytes: Buffer
  try {
    bytes = store.readVerified(backup)
  } catch (error) {
    // A damaged backup is always refused; one that merely has no recorded checksum may be forced.
    if (!(force && !backup.indexed)) throw error
    bytes = readIfExists(backup.path) ?? Buffer.alloc(0)
  }
  if (!force) {
    parseConfig(bytes, request.format, `Backup ${backup.id}`, [
      `If these are the bytes you want back (say, the file as it was before a restore), restore them anyway: \`hatch mcp backup restore --host ${request.host} --id ${backup.id} --force\`.`,
      `Or choose another backup: \`hatch mcp backup list --host ${request.host}\` lists them, newest first.`,
    ])
  }
  const targetPath = request.to ?? backup.sourcePath
  if (targetPath === '') {
    throw new HatchError('INVALID_ARGUMENT', `Backup ${backup.id} does not record where it came from.`, {
      suggestions: ['Name the file to restore to with --to PATH.'],
    })
  }
  const realPath = resolveWriteTarget(targetPath)
  const current = readIfExists(realPath)
  const currentSha256 = current === null ? null : sha256(current)
  const serversOnly = request.serversOnly === true && current !== null
  if (serversOnly) {
    // Both must parse to be spliced, whatever --force says; so must the result.
    parseConfig(current, request.format, targetPath, fixTheFile(request.host))
    parseConfig(bytes, request.format, `Backup ${backup.id}`)
    const spliced = spliceServers(current.toString('utf8'), bytes.toString('utf8'), request.format, request.serversPath ?? [], PER_PROJECT_SERVERS[request.host])
    bytes = Buffer.from(spliced, 'utf8')
    parseConfig(bytes, request.format, `${targetPath} with the servers of backup ${backup.id}`)
  }
  // A backup's bytes were just checked against its recorded SHA-256; spliced bytes are new.
  const digest = serversOnly || !backup.indexed ? sha256(bytes) : backup.sha256
  return {host: request.host, format: request.format, backup, bytes, sha256: digest, serversOnly, targetPath, realPath, current, currentSha256, unchanged: currentSha256 === digest, force}
}

/**
 * The unified diff a restore would apply, from the current file to the backup; empty when they are the same.
 * @param maskLine masks secrets line by line (pass one unless the user asked to see them).
 */
export function restoreDiff(plan: RestorePlan, maskLine?: (line: string) => string): string {
  const oldLabel = plan.current === null ? `${plan.targetPath} (absent)` : plan.targetPath
  return unifiedDiff(decodeConfig(plan.current ?? ''), decodeConfig(plan.bytes), oldLabel, `backup ${plan.backup.id}`, {maskLine})
}

class RestoreOperation extends BackupAwareOperation<{sha256: string; realPath: string; changed: boolean}> {
  protected readonly reason = 'pre-restore' as const

  constructor(
    ops: AtomicFileOperations,
    private readonly plan: RestorePlan,
  ) {
    super(ops, plan.host, plan.targetPath)
  }

  protected async apply(context: OperationContext): Promise<{sha256: string; realPath: string; changed: boolean}> {
    if (context.currentSha256 === this.plan.sha256) return {sha256: this.plan.sha256, realPath: context.realPath, changed: false}
    // No validate: planRestore parsed these very bytes (unless forced), and the write reads its synced temp file back
    // and compares it with them byte for byte before the rename, which is what the host will then read.
    const written = await context.write(this.plan.bytes, {mode: this.plan.backup.sourceMode})
    return {sha256: written.sha256, realPath: context.realPath, changed: true}
  }
}

/**
 * Restores a planned backup: under hatch's lock, backs up the current file (even an unparseable one), then
 * writes the backup atomically to the target, keeping its mode and writing through a symlink.
 * @throws HatchError CONFLICT when the target changed after the plan was made (its content, or where it leads).
 */
export async function executeRestore(ops: AtomicFileOperations, plan: RestorePlan): Promise<RestoreResult> {
  if (plan.unchanged) {
    // The file already holds the backup's bytes: nothing to write, and no pre-restore backup to make. If it has
    // changed since the plan, the restore proceeds (and gives a conflict, as any stale plan does).
    const realPath = resolveWriteTarget(plan.targetPath)
    const now = readIfExists(realPath)
    if (now !== null && sha256(now) === plan.sha256) {
      return {host: plan.host, id: plan.backup.id, restoredPath: plan.targetPath, realPath, sha256: plan.sha256, preRestoreBackupId: null, changed: false}
    }
  }
  const {result, backup} = await new RestoreOperation(ops, plan).execute(plan.currentSha256, plan.realPath)
  return {
    host: plan.host,
    id: plan.backup.id,
    restoredPath: plan.targetPath,
    realPath: result.realPath,
    sha256: result.sha256,
    preRestoreBackupId: backup?.id ?? null,
    changed: result.changed,
  }
}

/**
 * How to undo a restore: put its pre-restore backup back. That backup holds whatever the file held, which may not
 * parse (the user had broken it), and restore refuses such a backup without --force: the command says so up front.
 * Null when there is nothing to undo (no file was there, or nothing changed).
 */
export function undoRestore(plan: RestorePlan, result: RestoreResult): {command: string; needsForce: boolean} | null {
  if (result.preRestoreBackupId === null || !result.changed) return null
  const needsForce = plan.current !== null && !isParseable(plan.current, plan.format)
  return {command: `hatch mcp backup restore --host ${plan.host} --id ${result.preRestoreBackupId}${needsForce ? ' --force' : ''}`, needsForce}
}

export type {RestoreResult} from './results.js'
