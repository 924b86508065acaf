/**
 * What trying to break `hatch archive` found (issue 13): a bad --file reported as a malicious archive, FIFOs where
 * an archive or its sidecar should be, and signals that left temp files behind. Through the built CLI.
 */
import {execFileSync} from 'node:child_process'
import {closeSync, copyFileSync, existsSync, ftruncateSync, lstatSync, mkdirSync, openSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {makeSandbox, runCli, startCli, type Sandbox} from '../../helpers/cli.js'

let sb: Sandbox
let keyFile: string
let recipient: string
let archive: string

beforeAll(async () => {
  sb = await makeSandbox('hatch-archive-hardening-')
  keyFile = join(sb.root, 'key.txt')
  recipient = (await runCli(['archive', 'keygen', '--output', keyFile, '--json'], {env: sb.env})).json.recipient
  mkdirSync(join(sb.root, 'src'))
  writeFileSync(join(sb.root, 'src', 'a.txt'), 'alpha\n')
  const made = await runCli(['archive', 'create', join(sb.root, 'src'), '--output', join(sb.root, 'out'), '--name', 'one', '--recipient', recipient, '--json'], {env: sb.env})
  expect(made.code, made.stderr).toBe(0)
  archive = made.json.archive
})
afterAll(() => sb.cleanup())

describe('hatch archive: arguments and special files', {timeout: 60_000}, () => {
  it('restore --file ../../etc/passwd is a bad argument (exit 2 naming --file), not a malicious archive', async () => {
    const to = join(sb.root, 'restored-file')
    for (const file of ['../../etc/passwd', '/etc/passwd', 'a/../../b']) {
      const r = await runCli(['archive', 'restore', archive, '--to', to, '--file', file, '--identity', keyFile, '--json'], {env: sb.env})
      expect(r.code, r.stdout).toBe(2)
      expect(r.json.error.code).toBe('INVALID_ARGUMENT')
      expect(r.json.error.message).toMatch(/^--file /)
    }
    expect(existsSync(to)).toBe(false)
  })

  it('a FIFO as the archive or as its sidecar is refused at once', async () => {
    const dir = join(sb.root, 'fifos')
    mkdirSync(dir)
    execFileSync('mkfifo', [join(dir, 'pipe.tar.gz.age')])
    copyFileSync(join(sb.root, 'out', 'one.json'), join(dir, 'pipe.json')) // a valid sidecar: verify hashes the archive
    writeFileSync(join(dir, 'side.tar.gz.age'), 'x')
    execFileSync('mkfifo', [join(dir, 'side.json')])
    const [verifyPipe, restorePipe, list] = await Promise.all([
      runCli(['archive', 'verify', join(dir, 'pipe.tar.gz.age'), '--json'], {env: sb.env, timeoutMs: 15_000}),
      runCli(['archive', 'restore', join(dir, 'pipe.tar.gz.age'), '--to', join(sb.root, 'r'), '--identity', keyFile, '--json'], {env: sb.env, timeoutMs: 15_000}),
      runCli(['archive', 'list', dir, '--json'], {env: sb.env, timeoutMs: 15_000}),
    ])
    for (const r of [verifyPipe, restorePipe, list]) expect(r.timedOut, r.stderr).toBe(false)
    for (const r of [verifyPipe, restorePipe]) {
      expect(r.code, r.stdout).toBe(2)
      expect(r.json.error.message).toMatch(/pipe\.tar\.gz\.age is a FIFO/)
    }
    expect(list.code, list.stdout).toBe(0)
    expect(list.json.warnings.join('\n')).toMatch(/side\.json is a FIFO/)
    expect(lstatSync(join(dir, 'side.json')).isFIFO()).toBe(true)
  })
})

describe('hatch archive: SIGTERM and SIGINT', {timeout: 60_000}, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during create ends hatch promptly, removing its temp file and releasing its lock`, async () => {
      const src = join(sb.root, `big-${signal}`)
      const out = join(sb.root, `out-${signal}`)
      mkdirSync(src)
      // 8 GiB of zeros that take no disk space: archiving them takes far longer than the test waits.
      const fd = openSync(join(src, 'sparse.bin'), 'w')
      ftruncateSync(fd, 8 * 1024 ** 3)
      closeSync(fd)
      const run = startCli(['archive', 'create', src, '--output', out, '--recipient', recipient], {env: sb.env})
      run.child.stdin.end()
      const busy = () => existsSync(out) && readdirSync(out).some((n) => n.endsWith('.hatch-tmp'))
      for (let i = 0; i < 300 && !busy(); i++) await new Promise((r) => setTimeout(r, 20))
      expect(busy(), `no temp file appeared; stderr: ${run.stderr()}`).toBe(true)
      const sent = Date.now()
      run.child.kill(signal)
      const ended = await Promise.race([run.result, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))])
      if (ended === undefined) run.child.kill('SIGKILL')
      expect(ended, 'hatch kept running after the signal').toBeDefined()
      expect(Date.now() - sent).toBeLessThan(5000)
      // Nothing of the interrupted run is left: no temp file, no archive, no lock.
      expect(readdirSync(out)).toEqual([])
      // Ended by the signal itself, as without a handler: a shell shows 143 (SIGTERM) or 130 (SIGINT).
      expect(ended!.signal).toBe(signal)
    })
  }
})
