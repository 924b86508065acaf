import {Errors, flush, run as runOclif} from '@oclif/core'

import {commandFirst} from './cli/argv.js'
import {jsonRequested, reportError} from './cli/errors.js'
import {installSignalHandlers} from './core/process/shutdown.js'

/**
 * Runs hatch; bin/run.js passes its own URL so oclif finds the package root from it. What oclif's execute() does,
 * except that an error that escapes a command (an unknown command, an error in a plugin's command) is reported
 * through hatch's error family, as one JSON document under --json, instead of oclif's own printout.
 */
export async function run(binUrl: string): Promise<void> {
  // SIGINT/SIGTERM/SIGHUP end every command promptly, without leaving temp files or locks (process/shutdown.ts).
  installSignalHandlers()
  // Flags typed before the command (`hatch --json mcp backup list`) go after it: oclif reads the first word as the id.
  const argv = commandFirst(process.argv.slice(2))
  try {
    await runOclif(argv, binUrl)
    await flush()
  } catch (error) {
    // this.exit(n) in a plugin's command, and Ctrl-C: oclif's own handling (it exits with their code).
    const code = (error as {code?: unknown}).code
    if (code === 'EEXIT' || (error as Error).message === 'SIGINT') return Errors.handle(error as Error)
    await reportError(error, {json: jsonRequested(argv)})
  }
}
