import {writeSync} from 'node:fs'

import type {Reporter, TestModule} from 'vitest/node'

/**
 * Ends a run with the plain line 'N passed, N failed' (and skipped), which CI and other tools read in any
 * language; vitest's own summary is kept above it.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
    }
    // vitest prints its own summary after this hook: write at exit, so this is the run's last line.
    const line = `\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`
    process.once('exit', () => writeSync(1, line))
  }
}
