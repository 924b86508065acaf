import {execute} from '@oclif/core'

import {installSignalHandlers} from './core/process/shutdown.js'

/** Runs hatch; bin/run.js passes its own URL so oclif finds the package root from it. */
export async function run(binUrl: string): Promise<void> {
  // SIGINT/SIGTERM/SIGHUP end every command promptly, without leaving temp files or locks (process/shutdown.ts).
  installSignalHandlers()
  await execute({dir: binUrl})
}
