import {spawn} from 'node:child_process'
import {constants} from 'node:os'

import {errnoCode, fsError, HatchError} from '../errors.js'

export interface ChildOutcome {
  /** The command's exit code; null when a signal ended it. */
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** What a shell reports for it: the exit code, or 128 + the signal's number. */
  status: number
}

/**
 * Signals passed on to the command. A terminal's Ctrl-C reaches the whole process group, so the command may see it
 * twice; `kill PID` of hatch reaches only hatch, and is passed on. SIGUSR1 is Node's (it starts the inspector).
 */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2']

export interface RunOptions {
  /** Where the command's stdout goes: hatch's stdout, or its stderr (so hatch's stdout can carry one JSON document). */
  stdout: 'inherit' | 'stderr'
}

/**
 * Runs a command with hatch's stdin and stderr (and stdout, unless told otherwise), passes on the signals hatch gets
 * while it runs, and resolves when it ends, with its exit code or signal. No shell is involved: the command and its
 * arguments are given to the OS as they are.
 * @throws HatchError COMMAND_NOT_FOUND when there is no such program; PERMISSION_DENIED when it cannot be run
 */
export function runChild(command: string, args: readonly string[], options: RunOptions): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {stdio: ['inherit', options.stdout === 'stderr' ? 2 : 'inherit', 'inherit']})
    const listeners = FORWARDED.map((signal) => {
      const pass = (): void => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      }
      try {
        process.on(signal, pass)
      } catch {
        // A signal this platform cannot listen for (Windows).
      }
      return [signal, pass] as const
    })
    const stopForwarding = (): void => {
      for (const [signal, pass] of listeners) process.removeListener(signal, pass)
    }
    child.once('error', (error) => {
      stopForwarding()
      if (errnoCode(error) === 'ENOENT') {
        reject(new HatchError('COMMAND_NOT_FOUND', `There is no program "${command}" to run.`, {suggestions: ['Check the name, or give its full path. The command after -- runs without a shell: for pipes or && use sh -c \'…\'.']}))
      } else reject(fsError(error, 'run', command))
    })
    child.once('exit', (exitCode, signal) => {
      stopForwarding()
      resolve({exitCode, signal, status: exitCode ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0))})
    })
  })
}
