import * as nodeFs from 'node:fs'
import {randomBytes} from 'node:crypto'
import {basename, dirname, isAbsolute, join, resolve} from 'node:path'

import {HatchError, errnoCode, fsError} from '../errors.js'
import {sha256} from './hash.js'
import {onInterrupt} from '../process/shutdown.js'
import {assertRegularFile, readRegularFileIfExists, type ReadFs} from './regular-file.js'

/**
 * The synchronous file-system calls the writer uses. Tests pass a wrapper that fails a chosen step
 * (the way write-file-atomic's own tests do); production uses node:fs.
 */
export type SyncFs = Pick<
  typeof nodeFs,
  | 'chmodSync'
  | 'closeSync'
  | 'fchownSync'
  | 'fchmodSync'
  | 'fstatSync'
  | 'fsync'
  | 'fsyncSync'
  | 'lstatSync'
  | 'openSync'
  | 'readFileSync'
  | 'readSync'
  | 'readdirSync'
  | 'readlinkSync'
  | 'realpathSync'
  | 'renameSync'
  | 'statSync'
  | 'unlinkSync'
  | 'writeSync'
>

export interface AtomicWriteOptions {
  /**
   * SHA-256 of the content the new bytes were derived from, or null when the file must not exist.
   * Re-checked just before the rename: if another program changed the file meanwhile, nothing is written.
   * When omitted, the content found at the start of this call is the expectation.
   */
  expectedSha256?: string | null
  /** `path` is already the write target, as resolveWriteTarget gives it (a caller holding the lock resolved it). */
  resolved?: boolean
  /** Called with the bytes to write; throw to abort (nothing is written). */
  validate?: (bytes: Buffer) => void
  /**
   * stageAtomicWrite only: sync the temp file on libuv's thread pool, so the caller can do other work meanwhile (a
   * backup of the content it replaces); `synced` says when it is durable, and commit waits for nothing.
   */
  background?: boolean
  /** Mode of a file that does not exist yet (an existing file keeps its own). Default 0o600. */
  mode?: number
  fs?: SyncFs
}

export interface AtomicWriteResult {
  /** The path that was written: the symlink's final target when `path` is a symlink. */
  realPath: string
  sha256: string
  size: number
  /** SHA-256 of the content that was replaced, or null when the file was created. */
  previousSha256: string | null
}

/**
 * Where a write to `path` must land so that a symlink stays a symlink: the final target of the link chain
 * (even when that target does not exist yet), else `path` itself with its directory resolved.
 */
export function resolveWriteTarget(path: string, fs: SyncFs = nodeFs): string {
  let current = resolve(path)
  // Usually the file exists, and realpath(3) gives its final target in one call; a dangling link, a missing file
  // or a loop takes the walk below, which says which of those it is.
  try {
    return canonicalPath(current, fs)
  } catch {
    // Walk the links one by one.
  }
  for (let hops = 0; hops < 40; hops++) {
    let isLink: boolean
    try {
      isLink = fs.lstatSync(current).isSymbolicLink()
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw fsError(error, 'inspect', current)
      // A file that does not exist yet: resolve its directory, keep its name.
      try {
        return join(fs.realpathSync(dirname(current)), basename(current))
      } catch (dirError) {
        throw fsError(dirError, 'find the folder of', current)
      }
    }
    if (!isLink) return fs.realpathSync(current)
    const target = fs.readlinkSync(current)
    current = isAbsolute(target) ? target : resolve(dirname(current), target)
  }
  throw new HatchError('INVALID_ARGUMENT', `${path} is a chain of more than 40 symlinks (or a loop).`, {
    suggestions: ['Point hatch at the real file with --config PATH.'],
  })
}

let processToken: string | undefined
let tempCount = 0

/**
 * A name part no other temp file has: this process's pid, a random token drawn once per process, and a counter
 * (drawing random bytes for every temp file cost more than the rest of naming it). Temp files are still created
 * with O_EXCL, so a clash could only fail, never overwrite.
 */
export function uniqueTempPart(): string {
  processToken ??= randomBytes(6).toString('hex')
  return `${process.pid}.${processToken}.${++tempCount}`
}

const TEMP_SUFFIX = '.hatch-tmp'
/** uniqueTempPart's shape: pid, 12 hex digits, counter. */
const TEMP_PART = /^(\d{1,10})\.[0-9a-f]{12}\.\d+$/

/** The temp file a write of `realPath` stages its bytes in: `.<name>.<pid>.<token>.<n>.hatch-tmp` beside it. */
function tempPathFor(realPath: string): string {
  return join(dirname(realPath), `.${basename(realPath)}.${uniqueTempPart()}${TEMP_SUFFIX}`)
}

/** True while a process with this id exists (EPERM: it does, but belongs to another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errnoCode(error) === 'EPERM'
  }
}

/**
 * Removes the temp files that writes of `realPath` left behind when their hatch process died before it could
 * (`kill -9`, a crash, power loss): one readdir of the file's folder; only names of exactly hatch's temp pattern for
 * this file, and only those whose owner pid no longer exists. Best effort, and meant to run under the file's lock,
 * so no live write of this process or of another hatch is ever touched. Returns the names removed.
 */
export function sweepStaleTemps(realPath: string, fs: Pick<SyncFs, 'readdirSync' | 'unlinkSync'> = nodeFs): string[] {
  const dir = dirname(realPath)
  const prefix = `.${basename(realPath)}.`
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue
    const pid = TEMP_PART.exec(name.slice(prefix.length, -TEMP_SUFFIX.length))?.[1]
    if (pid === undefined || Number(pid) === process.pid || processExists(Number(pid))) continue
    try {
      fs.unlinkSync(join(dir, name))
      removed.push(name)
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed
}

/** Reads a regular file, or returns null when it does not exist; a FIFO, device or folder is refused (regular-file.ts). */
export function readIfExists(path: string, fs: ReadFs = nodeFs): Buffer | null {
  return readRegularFileIfExists(path, fs)
}

function conflict(path: string): HatchError {
  return new HatchError('CONFLICT', `${path} was changed by another program while hatch was writing it; hatch left it as it is.`, {
    suggestions: ['Close the application that edits this file (or wait for it), then run the command again.'],
  })
}

/** fsyncs a folder so a rename or link in it survives a crash (a no-op where the OS cannot). */
export function fsyncDirectory(dir: string, fs: SyncFs): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch (error) {
    // Windows cannot open or fsync a directory; the rename itself is what matters there.
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL'].includes(errnoCode(error) ?? '')) throw fsError(error, 'sync the folder', dir)
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

function renameWithRetry(from: string, to: string, fs: SyncFs): void {
  // On Windows a rename over a file another process has open fails with EPERM/EACCES/EBUSY for a moment.
  const retryable = process.platform === 'win32' ? ['EPERM', 'EACCES', 'EBUSY'] : []
  for (let attempt = 0; ; attempt++) {
    try {
      fs.renameSync(from, to)
      return
    } catch (error) {
      if (attempt >= 20 || !retryable.includes(errnoCode(error) ?? '')) throw error
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25 * (attempt + 1))
    }
  }
}

/** realpath(3): the file's canonical path, in one native call. */
export function canonicalPath(path: string, fs: Pick<SyncFs, 'realpathSync'>): string {
  return (fs.realpathSync.native ?? fs.realpathSync)(path)
}

/** Writes all of `data` at the file position (write(2) may take less than asked). */
export function writeAll(fd: number, data: Uint8Array, fs: Pick<SyncFs, 'writeSync'>): void {
  let offset = 0
  while (offset < data.byteLength) offset += fs.writeSync(fd, data, offset, data.byteLength - offset)
}

/** A write whose temp file is written, validated and synced (see `synced`), and not yet renamed over its target. */
export interface StagedWrite {
  /** Resolves once the temp file is durable: at once, unless staged with `background`. Commit only after it. */
  synced: Promise<void>
  /** Re-checks the target's hash, renames the temp file over it and syncs the folder; once. */
  commit(): AtomicWriteResult
  /** Removes the temp file: the target was never touched. */
  discard(): void
}

/**
 * Replaces a file's content the way a careful tool must: a unique temp file in the same folder, validated, written
 * and fsynced, the target's hash re-checked, renamed over the target, the folder fsynced.
 * The target keeps its mode (and owner, when running as root); a symlinked target is written through, so the
 * link stays a link. On any failure the temp file is removed and the target is untouched.
 *
 * Cross-process exclusion is the caller's job (see withLock); the hash re-check catches programs that ignore it.
 */
export function atomicWriteFileSync(path: string, data: Uint8Array, options: AtomicWriteOptions = {}): AtomicWriteResult {
  return stageAtomicWrite(path, data, options).commit()
}

/**
 * atomicWriteFileSync in two steps, so a caller can finish other work (e.g. wait for a backup to be durable) between
 * the synced temp file and the rename. Until commit, the target is untouched.
 */
export function stageAtomicWrite(path: string, data: Uint8Array, options: AtomicWriteOptions = {}): StagedWrite {
  const fs = options.fs ?? nodeFs
  const realPath = options.resolved ? path : resolveWriteTarget(path, fs)
  let expected = options.expectedSha256
  if (expected === undefined) {
    const current = readIfExists(realPath, fs)
    expected = current === null ? null : sha256(current)
  }
  // The content itself is compared with `expected` just before the rename; whether the file exists, now.
  const st = fs.statSync(realPath, {throwIfNoEntry: false})
  if (st !== undefined) assertRegularFile(st, realPath)
  if ((st === undefined) !== (expected === null)) throw conflict(realPath)
  const mode = st ? st.mode & 0o7777 : (options.mode ?? 0o600)
  const owner = st && {uid: st.uid, gid: st.gid}

  const dir = dirname(realPath)
  const tmp = tempPathFor(realPath)
  let tmpCreated = false
  let forgetTemp = (): void => {}
  // Best effort: the temp name is unique and hidden, and never mistaken for the config; one left behind by a
  // process that died is swept by the next locked write (sweepStaleTemps).
  const unlinkTemp = (): void => {
    try {
      fs.unlinkSync(tmp)
    } catch {
      // Left behind; see above.
    }
  }
  const removeTemp = (): void => {
    if (!tmpCreated) return
    tmpCreated = false
    forgetTemp()
    unlinkTemp()
  }
  const fail = (error: unknown): never => {
    removeTemp()
    throw fsError(error, 'write', realPath)
  }

  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  let synced: Promise<void>
  let durable = false
  try {
    // Validated before anything is written: the bytes are the caller's own, in memory; reading them back from
    // the page cache after the fsync proved nothing the write's own return values do not.
    options.validate?.(bytes)
    const fd = fs.openSync(tmp, 'wx', 0o600)
    tmpCreated = true
    forgetTemp = onInterrupt(unlinkTemp)
    try {
      writeAll(fd, bytes, fs)
      fs.fchmodSync(fd, mode)
      // As root, the file keeps its owner.
      if (owner && process.getuid?.() === 0) fs.fchownSync(fd, owner.uid, owner.gid)
    } catch (error) {
      fs.closeSync(fd)
      throw error
    }
    if (options.background) {
      synced = new Promise<void>((resolve, reject) =>
        fs.fsync(fd, (error) => {
          fs.closeSync(fd)
          if (error) {
            removeTemp()
            reject(fsError(error, 'write', realPath))
          } else {
            durable = true
            resolve()
          }
        }),
      )
      synced.catch(() => {}) // Kept for whoever awaits it, never reported as unhandled.
    } else {
      try {
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      durable = true
      synced = Promise.resolve()
    }
  } catch (error) {
    return fail(error)
  }

  return {
    synced,
    commit: () => {
      if (!tmpCreated) throw new HatchError('INTERNAL', `The write of ${realPath} was already committed or discarded.`)
      if (!durable) throw new HatchError('INTERNAL', `The write of ${realPath} was committed before its temp file was synced.`)
      try {
        const now = readIfExists(realPath, fs)
        if ((now === null ? null : sha256(now)) !== expected) throw conflict(realPath)
        renameWithRetry(tmp, realPath, fs)
        tmpCreated = false
        forgetTemp()
        fsyncDirectory(dir, fs)
        return {realPath, sha256: sha256(bytes), size: bytes.byteLength, previousSha256: expected}
      } catch (error) {
        return fail(error)
      }
    },
    discard: removeTemp,
  }
}
