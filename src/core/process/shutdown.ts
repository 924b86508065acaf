import {constants} from 'node:os'

/**
 * What hatch does on SIGINT, SIGTERM and SIGHUP: it always ends promptly, and leaves none of its temp files, staging
 * folders or locks behind.
 *
 * - Whatever creates something that must not outlive an interrupted run (a temp file, a staging folder, a lock)
 *   registers a cleanup with {@link onInterrupt} and disposes of it as soon as the thing is gone or in its place.
 *   Cleanups are synchronous, best effort (a throw is ignored) and run newest first. Registering costs a Set insert,
 *   so it is done on every write.
 * - {@link installSignalHandlers} (called once by the CLI entry, src/run.ts) makes the first signal run every
 *   cleanup and then end the process by that same signal, so a shell or a supervisor sees "terminated by SIGTERM"
 *   (exit status 143; 130 for SIGINT) exactly as without hatch's handler.
 * - A long-running command with a graceful stop of its own (the stdio server closing its transport, an HTTP server
 *   draining its connections) takes the signals over with {@link handleSignalsGracefully}: the first signal then
 *   calls its `stop` instead, and the process ends when the command returns, with the command's own exit code. If
 *   it is still running `graceMs` later, or a second signal comes, the cleanups run and the process ends by the
 *   signal as above. The function it returns gives the signals back.
 * - A command that runs another program and must outlive it (`hatch mcp guard`, which checks and repairs the configs
 *   after the program ends) runs with the signals held ({@link withSignalsHeld}): meanwhile hatch's handler lets
 *   every signal go by, the first and each later one, for the command's own listeners to pass on to the program, and
 *   the process ends when the command returns.
 *
 * All of this needs the event loop: a synchronous call that never returns would keep a signal from being handled
 * at all. That is why hatch never blocks on a file that is not a regular one (fs/regular-file.ts).
 */

export type ShutdownSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP'

const SIGNALS: readonly ShutdownSignal[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP']
const DEFAULT_GRACE_MS = 5000

const cleanups = new Set<() => void>()
let installed = false
let graceful: {stop: (signal: ShutdownSignal) => Promise<void> | void; graceMs: number} | undefined
let stopping = false
let holds = 0

/**
 * Registers a synchronous cleanup to run if hatch is interrupted by a signal; returns its disposer (call it once
 * the thing it cleans up is gone or in its place).
 */
export function onInterrupt(cleanup: () => void): () => void {
  // A wrapper per registration, so the same function registered twice is two entries.
  const entry = (): void => cleanup()
  cleanups.add(entry)
  return () => {
    cleanups.delete(entry)
  }
}

/** Runs every registered cleanup, newest first, each at most once; failures are ignored. */
export function runInterruptCleanups(): void {
  const pending = [...cleanups].reverse()
  cleanups.clear()
  for (const cleanup of pending) {
    try {
      cleanup()
    } catch {
      // Best effort: the process is ending, and the next cleanup still deserves its turn.
    }
  }
}

/** How many cleanups are registered (tests). */
export function pendingInterruptCleanups(): number {
  return cleanups.size
}

/** Runs the cleanups and ends the process by `signal`. */
function terminate(signal: ShutdownSignal): void {
  runInterruptCleanups()
  // Without a listener the default action applies again: the process ends by the signal, as if never caught.
  for (const s of SIGNALS) process.removeAllListeners(s)
  process.kill(process.pid, signal)
  // Where raising the signal does not end the process at once, exit with the status a shell would show for it.
  process.exit(128 + (constants.signals[signal] ?? 15))
}

function onSignal(signal: ShutdownSignal): void {
  if (holds > 0) return
  if (graceful === undefined || stopping) {
    terminate(signal)
    return
  }
  stopping = true
  const timer = setTimeout(() => terminate(signal), graceful.graceMs)
  // The timer only bounds the stop; it must not keep a process alive that has finished.
  timer.unref()
  Promise.resolve()
    .then(() => graceful?.stop(signal))
    .catch(() => terminate(signal))
}

/** Installs hatch's handling of SIGINT, SIGTERM and SIGHUP (see the module doc). Idempotent. */
export function installSignalHandlers(): void {
  if (installed) return
  installed = true
  for (const signal of SIGNALS) process.on(signal, onSignal)
}

/**
 * Lets a long-running command stop gracefully on the first signal (see the module doc). Installs the handlers if
 * needed. Returns a function that gives the signals back to the default handling.
 */
export function handleSignalsGracefully(stop: (signal: ShutdownSignal) => Promise<void> | void, options: {graceMs?: number} = {}): () => void {
  installSignalHandlers()
  const owner = {stop, graceMs: options.graceMs ?? DEFAULT_GRACE_MS}
  graceful = owner
  return () => {
    if (graceful === owner) graceful = undefined
  }
}

/**
 * Runs `fn` holding SIGINT, SIGTERM and SIGHUP for a command that passes them on to a program it runs (see the module
 * doc): until `fn` settles, none of them ends hatch or runs the cleanups. Installs the handlers if needed, so that a
 * held signal never gets the default action either. Holds nest.
 */
export async function withSignalsHeld<T>(fn: () => Promise<T>): Promise<T> {
  installSignalHandlers()
  holds++
  try {
    return await fn()
  } finally {
    holds--
  }
}
