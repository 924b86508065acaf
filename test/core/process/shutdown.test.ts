import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import {afterEach, describe, expect, it} from 'vitest'

import {onInterrupt, pendingInterruptCleanups, runInterruptCleanups} from '../../../src/core/process/shutdown.js'

afterEach(() => runInterruptCleanups())

describe('interrupt cleanups', () => {
  it('run newest first, each once, past a failing one; a disposed one never runs', () => {
    const ran: string[] = []
    onInterrupt(() => ran.push('first'))
    const dispose = onInterrupt(() => ran.push('disposed'))
    onInterrupt(() => {
      throw new Error('boom')
    })
    const twice = () => ran.push('same function')
    onInterrupt(twice)
    onInterrupt(twice)
    dispose()
    expect(pendingInterruptCleanups()).toBe(4)
    runInterruptCleanups()
    runInterruptCleanups()
    expect(ran).toEqual(['same function', 'same function', 'first'])
    expect(pendingInterruptCleanups()).toBe(0)
  })
})

// In a child process: signals cannot be tried on the test runner itself. It uses tsc's output of the module.
const MODULE = pathToFileURL(resolve(import.meta.dirname, '../../../dist/core/process/shutdown.js')).href

function child(script: string): {status: number | null; signal: NodeJS.Signals | null; ms: number; marker: string | undefined} {
  const dir = mkdtempSync(join(tmpdir(), 'hatch-shutdown-'))
  try {
    const marker = join(dir, 'marker')
    const started = Date.now()
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import * as s from ${JSON.stringify(MODULE)}; const marker = ${JSON.stringify(marker)}; ${script}`], {timeout: 20_000})
    return {status: r.status, signal: r.signal, ms: Date.now() - started, marker: existsSync(marker) ? readFileSync(marker, 'utf8') : undefined}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

const WRITE = "const write = (t) => import('node:fs').then((fs) => fs.appendFileSync(marker, t));"

describe('signal handling (child processes)', {timeout: 30_000}, () => {
  it('the first signal runs the cleanups and ends the process by that signal', () => {
    const r = child(`import {appendFileSync} from 'node:fs'; s.installSignalHandlers(); s.onInterrupt(() => appendFileSync(marker, 'cleaned')); setInterval(() => {}, 1000); setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50)`)
    expect([r.status, r.signal, r.marker]).toEqual([null, 'SIGTERM', 'cleaned'])
  })

  it('a graceful owner stops on the first signal and the process ends as the command ends', () => {
    const r = child(`${WRITE} const stop = s.handleSignalsGracefully(async () => { await write('stopped'); clearInterval(t); stop() }); const t = setInterval(() => {}, 1000); setTimeout(() => process.kill(process.pid, 'SIGINT'), 50)`)
    expect([r.status, r.signal, r.marker]).toEqual([0, null, 'stopped'])
  })

  it('a graceful stop that takes too long is cut short: cleanups, then the signal', () => {
    const r = child(`import {appendFileSync} from 'node:fs'; s.handleSignalsGracefully(() => new Promise(() => {}), {graceMs: 300}); s.onInterrupt(() => appendFileSync(marker, 'cleaned')); setInterval(() => {}, 1000); setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50)`)
    expect([r.status, r.signal, r.marker]).toEqual([null, 'SIGTERM', 'cleaned'])
    expect(r.ms).toBeLessThan(10_000)
  })

  it('held signals, every one of them, leave the process to its command; given back, the next one ends it', () => {
    const r = child(`${WRITE} const t = setInterval(() => {}, 1000); process.on('SIGTERM', () => write('seen ')); s.withSignalsHeld(() => new Promise((done) => { process.kill(process.pid, 'SIGTERM'); setTimeout(() => process.kill(process.pid, 'SIGINT'), 50); setTimeout(done, 300) })).then(() => write('returned ')).then(() => process.kill(process.pid, 'SIGHUP'))`)
    expect([r.status, r.signal, r.marker]).toEqual([null, 'SIGHUP', 'seen returned '])
  })

  it('a second signal during a graceful stop ends the process at once', () => {
    const r = child(`import {appendFileSync} from 'node:fs'; s.handleSignalsGracefully(() => new Promise(() => {}), {graceMs: 60_000}); s.onInterrupt(() => appendFileSync(marker, 'cleaned')); setInterval(() => {}, 1000); setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50); setTimeout(() => process.kill(process.pid, 'SIGTERM'), 300)`)
    expect([r.status, r.signal, r.marker]).toEqual([null, 'SIGTERM', 'cleaned'])
    expect(r.ms).toBeLessThan(10_000)
  })
})
