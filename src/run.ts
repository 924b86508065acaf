import {execute} from '@oclif/core'

/** Runs hatch; bin/run.js passes its own URL so oclif finds the package root from it. */
export async function run(binUrl: string): Promise<void> {
  await execute({dir: binUrl})
}
