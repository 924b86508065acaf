import {HatchError, isHatchError} from '../errors.js'
import type {AtomicWriteResult} from '../fs/atomic-write.js'
import {conflictError, type AtomicFileOperations, type LockedFile, type WriteOptions} from './atomic-file-operations.js'
import type {BackupInfo, BackupReason} from './schema.js'

export interface OperationContext extends LockedFile {
  /**
   * Writes the file atomically, once the backup of its previous content is durable; every write is undone if the
   * operation fails later.
   */
  write(bytes: Uint8Array, options?: Pick<WriteOptions, 'mode' | 'validate'>): Promise<AtomicWriteResult>
}

export interface OperationOutcome<T> {
  result: T
  backup: BackupInfo | null
}

/**
 * The pattern every mutating operation on a host config follows: under hatch's lock, back up the current
 * content before the first write replaces it (a failed backup fails the operation; nothing is replaced before the
 * backup is durable), and if a later step fails, put the original content back — unless another program has
 * changed the file since, which is never overwritten.
 */
export abstract class BackupAwareOperation<T> {
  protected abstract readonly reason: BackupReason

  constructor(
    protected readonly ops: AtomicFileOperations,
    protected readonly host: string,
    protected readonly path: string,
  ) {}

  /** The mutation itself. Throwing rolls back whatever it wrote. */
  protected abstract apply(context: OperationContext): Promise<T>

  /**
   * @param expectedSha256 the content the caller planned against (null: no file); a change since is a CONFLICT.
   * @param expectedRealPath where the caller planned the write to land; the path leading elsewhere now (a link swapped
   *   in, to a file that may even hold the same bytes) is a CONFLICT too.
   */
  async execute(expectedSha256?: string | null, expectedRealPath?: string): Promise<OperationOutcome<T>> {
    return this.ops.withLockedFile(this.path, async (file) => {
      if (expectedSha256 !== undefined && expectedSha256 !== file.currentSha256) throw conflictError(file.realPath)
      if (expectedRealPath !== undefined && expectedRealPath !== file.realPath) throw conflictError(this.path)
      // The backup is made with the first write, once its temp file is staged: both sync together (writeAfter).
      // An operation that writes nothing backs nothing up.
      let backup: Promise<BackupInfo | null> | undefined
      const startBackup = () => (backup ??= this.ops.backupLocked(this.host, file, this.reason))
      let lastSha = file.currentSha256
      const context: OperationContext = {
        ...file,
        write: async (bytes, options = {}) => {
          const written = await this.ops.writeAfter(startBackup, file, bytes, {...options, expectedSha256: lastSha})
          lastSha = written.sha256
          return written
        },
      }
      let result: T
      try {
        result = await this.apply(context)
      } catch (error) {
        // A failed backup is what went wrong first (nothing was written then): this throws it.
        const made = backup === undefined ? null : await backup
        if (lastSha !== file.currentSha256) this.rollback(file, lastSha, made, error)
        throw error
      }
      return {result, backup: backup === undefined ? null : await backup}
    })
  }

  private rollback(file: LockedFile, writtenSha: string | null, backup: BackupInfo | null, cause: unknown): void {
    try {
      if (file.current === null) {
        if (writtenSha !== null) this.ops.removeLocked(file, writtenSha)
      } else this.ops.writeLocked(file, file.current, {expectedSha256: writtenSha})
    } catch (rollbackError) {
      const why = isHatchError(cause) ? cause.message : String(cause)
      throw new HatchError('IO_ERROR', `${why} Putting the previous content back failed too (${(rollbackError as Error).message}).`, {
        cause,
        suggestions: backup ? [`The previous content is safe in backup ${backup.id}: hatch mcp backup restore --host ${this.host} --id ${backup.id}`] : [],
      })
    }
  }
}
