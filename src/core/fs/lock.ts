import fs from 'node:fs'
import {join} from 'node:path'
import type lockfile from 'proper-lockfile'

import {HatchError, errnoCode, fsError} from '../errors.js'
import {onInterrupt} from '../process/shutdown.js'
import {sha256} from './hash.js'

export interface LockOptions {
  /** Where the lock lives; default `<path>.lock` beside the file. */
  lockfilePath?: string
  /** Roughly how long to wait for another hatch process before giving up. */
  waitMs?: number
}

// proper-lockfile's defaults wait a full second between tries; hatch's critical sections last about a millisecond,
// so poll fast and back off to 200 ms (stack.md §4). The retry schedule below adds up to `waitMs`.
function retriesFor(waitMs: number): lockfile.LockOptions['retries'] {
  const minTimeout = 5
  const maxTimeout = 200
  let total = 0
  let delay = minTimeout
  let retries = 0
  while (total < waitMs) {
    total += delay
    delay = Math.min(maxTimeout, delay * 1.5)
    retries++
  }
  return {retries, factor: 1.5, minTimeout, maxTimeout, randomize: true}
}

// Only the calls proper-lockfile makes. Its sync API copies the fs object it is given on every lock, and a copy of
// all of node:fs costs more than the lock's own system calls.
const LOCK_FS = {
  mkdir: fs.mkdir,
  mkdirSync: fs.mkdirSync,
  realpath: fs.realpath,
  realpathSync: fs.realpathSync,
  rmdir: fs.rmdir,
  rmdirSync: fs.rmdirSync,
  stat: fs.stat,
  statSync: fs.statSync,
  utimes: fs.utimes,
  utimesSync: fs.utimesSync,
}

/**
 * `<base>/hatch-<uid>`, made 0700 when missing, or null unless it is this user's own private folder: `base` (e.g.
 * /dev/shm) is shared and world-writable, so a folder another user made, a link, or one others can enter is refused.
 */
export function privateFolder(base: string): string | null {
  const uid = process.getuid?.()
  if (uid === undefined) return null
  const dir = join(base, `hatch-${uid}`)
  try {
    fs.mkdirSync(dir, {mode: 0o700})
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') return null
  }
  const st = fs.lstatSync(dir, {throwIfNoEntry: false})
  return st?.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0 ? dir : null
}

let runtimeDir: string | null | undefined
let lockfileModule: typeof lockfile | undefined

async function loadLockfile(): Promise<typeof lockfile> {
  lockfileModule ??= (await import('proper-lockfile')).default
  return lockfileModule
}

/**
 * Where hatch locks a config file it writes (`realPath` resolved). On Linux, a lock named by the SHA-256 of the
 * path in hatch's private folder in RAM: it costs a few microseconds instead of two metadata writes to the disk,
 * no `.lock` folder appears beside the app's config for its file watcher to see, and a reboot clears a lock left
 * by a crash. Elsewhere, `<path>.lock` beside the file.
 */
export function configLockPath(realPath: string): string {
  if (runtimeDir === undefined) runtimeDir = process.platform === 'linux' ? privateFolder('/dev/shm') : null
  return runtimeDir === null ? `${realPath}.lock` : join(runtimeDir, `${sha256(realPath).slice(0, 32)}.lock`)
}

/**
 * Runs `fn` while holding hatch's cross-process lock on `path` (proper-lockfile: an atomic `mkdir` of
 * `<path>.lock`, refreshed while held and considered stale after 10 s, so a crashed hatch never blocks forever).
 * Host applications do not take this lock; callers that write also re-check the file's hash before renaming.
 *
 * `path` must already be resolved (real path); it need not exist.
 * @throws HatchError LOCKED when another hatch process holds the lock for longer than `waitMs`.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 10_000
  let compromised: Error | undefined
  const lockOptions = {
    fs: LOCK_FS,
    realpath: false,
    lockfilePath: options.lockfilePath,
    stale: 10_000,
    update: 2000,
    onCompromised: (err: Error) => {
      compromised = err
    },
  }
  // Loaded on first use: proper-lockfile brings graceful-fs, which patches fs as it loads, and commands that never
  // lock (list, verify, hosts) need neither.
  const lockfile = await loadLockfile()
  let release: () => unknown
  try {
    try {
      // Uncontended (the usual case), one synchronous attempt takes the lock without a trip through the event
      // loop; it is the same mkdir protocol, so it excludes the async path and other processes alike.
      release = lockfile.lockSync(path, lockOptions)
    } catch (error) {
      if (errnoCode(error) !== 'ELOCKED') throw error
      release = await lockfile.lock(path, {...lockOptions, retries: retriesFor(waitMs)})
    }
  } catch (error) {
    if (errnoCode(error) === 'ELOCKED') {
      throw new HatchError('LOCKED', `Another hatch process is still working on ${path}.`, {
        cause: error,
        suggestions: ['Wait for it to finish and try again.', `If no hatch process is running, remove ${options.lockfilePath ?? `${path}.lock`}.`],
      })
    }
    throw fsError(error, 'lock', path)
  }
  // Interrupted by a signal, hatch removes the lock itself before it ends (process/shutdown.ts).
  const forget = onInterrupt(() => lockfile.unlockSync(path, lockOptions))
  try {
    return await fn()
  } finally {
    forget()
    try {
      await release()
    } catch (error) {
      // Releasing a compromised lock fails with ERELEASED/ENOTACQUIRED; the work itself is already done.
      if (!compromised) throw fsError(error, 'unlock', path)
    }
  }
}
