import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import {HatchError} from '../../errors.js'
import {rebuildFailure, type WorkerData, type WorkerFailure} from './protocol.js'

const SCRIPT = 'archive-worker.js'

/**
 * Candidate locations of the worker script, relative to this module: beside it (tsc's per-file output,
 * dist/core/archive/worker/), or dist/workers/ from the bundle's dist/chunks/ or dist/commands/archive/.
 */
const CANDIDATES = [`./${SCRIPT}`, `../workers/${SCRIPT}`, `../../workers/${SCRIPT}`]

let override: URL | null | undefined

/** How long a worker may go without answering a request it has before it is given up on (a hung thread). */
const STALL_MS = 120_000
let stallMs = STALL_MS

/** Tests only: give up on a silent worker after `ms` instead (undefined restores the default). */
export function useWorkerStallTimeout(ms: number | undefined): void {
  stallMs = ms ?? STALL_MS
}

/**
 * Tests only: `url` forces that worker script, `null` forces in-thread processing, `undefined` restores the
 * default lookup. (Under vitest this module is TypeScript source, with no worker script beside it.)
 */
export function useWorkerScript(url: URL | null | undefined): void {
  override = url
}

/** The worker script to start, or undefined when there is none (work then runs in the calling thread). */
export function workerScript(): URL | undefined {
  if (override !== undefined) return override ?? undefined
  for (const rel of CANDIDATES) {
    const url = new URL(rel, import.meta.url)
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url
  }
  return undefined
}

/** How a worker's death or failure is reported to the user (the caller cleans up around it). */
export function workerFailed(role: string, cause: unknown): HatchError {
  const why = cause instanceof Error ? cause.message : String(cause)
  return new HatchError('INTERNAL', `hatch's ${role} worker thread failed (${why}); nothing was written.`, {
    cause,
    suggestions: ['Run the command again; if it keeps failing, report it with the output of --json.'],
  })
}

/**
 * A worker thread with one role, driven by request/reply messages answered in order. Replies go to `onReply`;
 * the first failure (an error reply, an uncaught error in the worker, the worker exiting early, or no answer for
 * two minutes while requests wait) goes to `onFail` once, after which further replies are ignored. `close()`
 * terminates the worker.
 */
export class WorkerLink<Req, Rep> {
  private readonly worker: Worker
  private pending = 0
  private failed = false
  private closed = false
  private idleWaiters: Array<{resolve: () => void; reject: (e: unknown) => void}> = []
  private failure: unknown
  private watchdog: NodeJS.Timeout | undefined

  constructor(
    script: URL,
    data: WorkerData,
    private readonly onReply: (reply: Rep) => void,
    private readonly onFail: (error: unknown) => void,
  ) {
    this.worker = new Worker(script, {workerData: data, stdout: false, stderr: false})
    this.worker.on('message', (m: Rep | WorkerFailure) => {
      if (this.failed) return
      if (typeof m === 'object' && m !== null && 'failure' in m) {
        this.fail(rebuildFailure((m as WorkerFailure).failure))
        return
      }
      this.pending--
      try {
        this.onReply(m as Rep)
      } catch (error) {
        this.fail(error)
        return
      }
      if (this.pending === 0) {
        clearTimeout(this.watchdog)
        this.wakeIdle()
      } else this.watch()
    })
    this.worker.on('error', (error) => this.fail(error))
    this.worker.on('messageerror', (error) => this.fail(error))
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`the worker exited unexpectedly (code ${code})`))
    })
  }

  get inFlight(): number {
    return this.pending
  }

  post(request: Req, transfer: ArrayBuffer[] = []): void {
    if (this.failed) throw this.failure
    if (this.pending++ === 0) this.watch()
    this.worker.postMessage(request, transfer)
  }

  /** Resolves once every request has been answered (and handled); rejects on failure. */
  idle(): Promise<void> {
    if (this.failed) return Promise.reject(this.failure)
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve, reject) => this.idleWaiters.push({resolve, reject}))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.watchdog)
    await this.worker.terminate()
  }

  /** (Re)starts the wait for the next answer. */
  private watch(): void {
    clearTimeout(this.watchdog)
    const ms = stallMs
    this.watchdog = setTimeout(() => this.fail(new Error(`it has not answered for ${ms / 1000} s`)), ms)
    // A hang must not keep the process alive on its own, and a finished run must not wait for the timer.
    this.watchdog.unref()
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w.resolve()
  }

  private fail(error: unknown): void {
    if (this.failed || this.closed) return
    clearTimeout(this.watchdog)
    this.failed = true
    this.failure = error
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w.reject(error)
    this.onFail(error)
  }
}
