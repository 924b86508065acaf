import * as nodeFs from 'node:fs'

import {HatchError} from '../errors.js'
import {readIfExists, resolveWriteTarget, stageAtomicWrite, sweepStaleTemps, type AtomicWriteResult, type StagedWrite, type SyncFs} from '../fs/atomic-write.js'
import {sha256} from '../fs/hash.js'
import {configLockPath, withLock} from '../fs/lock.js'
import type {BackupStore} from './store.js'
import type {BackupInfo, BackupReason} from './schema.js'

/** A config file as found under hatch's lock. */
export interface LockedFile {
  /** The path as named (may be a symlink). */
  path: string
  /** Where writes land: the symlink's final target. */
  realPath: string
  current: Buffer | null
  currentSha256: string | null
}

export interface WriteOptions {
  /** Throw to abort before the rename, e.g. parseConfig for the host's format. */
  validate?: (bytes: Buffer) => void
  /** SHA-256 of the content the new bytes were based on (null: the file must not exist). Default: as found. */
  expectedSha256?: string | null
  /** Mode for a file that does not exist yet. */
  mode?: number
  /** Skip the backup of the current content. Only for callers that made one themselves. */
  skipBackup?: boolean
  reason?: BackupReason
}

/** What a write inside withLockedFile may be told. */
export type LockedWriteOptions = Pick<WriteOptions, 'expectedSha256' | 'mode' | 'validate'>

export interface WriteOutcome extends AtomicWriteResult {
  /** The backup of the content that was replaced; null when the file was new or the caller opted out. */
  backup: BackupInfo | null
}

export function conflictError(path: string): HatchError {
  return new HatchError('CONFLICT', `${path} changed since hatch read it; hatch left it as it is.`, {
    suggestions: ['Look at the file again (another program wrote it), then run the command again.'],
  })
}

/**
 * How hatch writes a host's config: under hatch's lock on the real path, after backing up the current
 * content (the exact bytes it read), through an atomic, validated, hash-checked write (atomicWriteFileSync).
 */
export class AtomicFileOperations {
  constructor(
    readonly store: BackupStore,
    private readonly fs: SyncFs = nodeFs,
  ) {}

  /**
   * Runs `fn` with the file's current state while holding hatch's lock on its real path. The temp files that writes
   * of this file left when their hatch process died are swept first (sweepStaleTemps).
   */
  async withLockedFile<T>(path: string, fn: (file: LockedFile) => Promise<T>): Promise<T> {
    const realPath = resolveWriteTarget(path, this.fs)
    return withLock(
      realPath,
      async () => {
        sweepStaleTemps(realPath, this.fs)
        const current = readIfExists(realPath, this.fs)
        return fn({path, realPath, current, currentSha256: current === null ? null : sha256(current)})
      },
      {lockfilePath: configLockPath(realPath)},
    )
  }

  /**
   * Inside withLockedFile: backs up the content found under the lock (null when there is no file). The backup's
   * sync runs in the background once the call returns; writeAfter starts it and renames nothing into place before it
   * is durable. A failure is kept for whoever awaits it, never reported as unhandled.
   */
  backupLocked(host: string, file: LockedFile, reason: BackupReason): Promise<BackupInfo | null> {
    if (file.current === null) return Promise.resolve(null)
    const backup = this.store.create(host, file.path, {
      bytes: file.current,
      sha256: file.currentSha256 ?? undefined,
      realPath: file.realPath,
      reason,
      background: true,
    })
    backup.catch(() => {})
    return backup
  }

  /** Inside withLockedFile: validates and writes the temp file of a write, synced (see `background`); nothing renamed yet. */
  stageLocked(file: LockedFile, bytes: Uint8Array, options: LockedWriteOptions & {background?: boolean} = {}): StagedWrite {
    return stageAtomicWrite(file.realPath, bytes, {
      resolved: true,
      expectedSha256: options.expectedSha256 === undefined ? file.currentSha256 : options.expectedSha256,
      fs: this.fs,
      mode: options.mode,
      validate: options.validate,
      background: options.background,
    })
  }

  /** Writes inside withLockedFile: no lock of its own, no backup. */
  writeLocked(file: LockedFile, bytes: Uint8Array, options: LockedWriteOptions = {}): AtomicWriteResult {
    return this.stageLocked(file, bytes, options).commit()
  }

  /**
   * Inside withLockedFile: writes `bytes` once the backup of what they replace is durable. The temp file is written
   * first and syncs on the thread pool while `startBackup` (backupLocked) writes the backup, whose own sync follows;
   * nothing is renamed into place before both are durable. If the backup fails, the temp file goes and the file is
   * untouched; that failure is the one reported.
   */
  async writeAfter(startBackup: () => Promise<unknown>, file: LockedFile, bytes: Uint8Array, options: LockedWriteOptions = {}): Promise<AtomicWriteResult> {
    // Nothing is backed up for a write that is refused before it starts (validation, a conflict).
    const staged = this.stageLocked(file, bytes, {...options, background: true})
    const [backup, synced] = await Promise.allSettled([startBackup(), staged.synced])
    if (backup.status === 'rejected') {
      staged.discard()
      throw backup.reason
    }
    if (synced.status === 'rejected') throw synced.reason
    return staged.commit()
  }

  /** Inside withLockedFile: deletes a file hatch created, but only while it still holds what hatch wrote. */
  removeLocked(file: LockedFile, writtenSha256: string): void {
    const now = readIfExists(file.realPath, this.fs)
    if (now === null) return
    if (sha256(now) !== writtenSha256) throw conflictError(file.realPath)
    this.fs.unlinkSync(file.realPath)
  }

  /** Lock, back up the current content, write atomically. */
  async writeFile(host: string, path: string, bytes: Uint8Array, options: WriteOptions = {}): Promise<WriteOutcome> {
    return this.withLockedFile(path, async (file) => {
      if (options.expectedSha256 !== undefined && options.expectedSha256 !== file.currentSha256) throw conflictError(file.realPath)
      let backup: Promise<BackupInfo | null> = Promise.resolve(null)
      const startBackup = () => (backup = options.skipBackup ? backup : this.backupLocked(host, file, options.reason ?? 'pre-write'))
      const written = await this.writeAfter(startBackup, file, bytes, options)
      return {...written, backup: await backup}
    })
  }
}
