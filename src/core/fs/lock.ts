import fs from 'node:fs'
import lockfile from 'proper-lockfile'

import {HatchError, errnoCode, fsError} from '../errors.js'

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
    fs,
    realpath: false,
    lockfilePath: options.lockfilePath,
    stale: 10_000,
    update: 2000,
    onCompromised: (err: Error) => {
      compromised = err
    },
  }
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
  try {
    return await fn()
  } finally {
    try {
      await release()
    } catch (error) {
      // Releasing a compromised lock fails with ERELEASED/ENOTACQUIRED; the work itself is already done.
      if (!compromised) throw fsError(error, 'unlock', path)
    }
  }
}
