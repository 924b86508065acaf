import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {makeSandbox, runCli, type Sandbox} from '../../helpers/cli.js'
import {snapshot} from '../../core/archive/helpers.js'

const dist = resolve(import.meta.dirname, '..', '..', '..', 'dist')
const MiB = 1024 * 1024

// The built CLI runs create's compression and restore's file writing in the worker thread
// (dist/workers/archive-worker.js); this drives several MiB through it, end to end.
describe('hatch archive with its worker thread (built CLI)', () => {
  let sb: Sandbox
  let src: string

  beforeAll(async () => {
    sb = await makeSandbox()
    src = join(sb.root, 'src')
    mkdirSync(join(src, 'logs'), {recursive: true})
    mkdirSync(join(src, 'bin'), {recursive: true})
    const line = (i: number) => `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}Z INFO req=${(i * 2654435761) >>> 0} path=/api/${i % 97}\n`
    for (let f = 0; f < 5; f++) writeFileSync(join(src, 'logs', `app-${f}.log`), Array.from({length: 30_000}, (_, i) => line(i + f)).join(''))
    for (let f = 0; f < 3; f++) writeFileSync(join(src, 'bin', `blob-${f}.bin`), randomBytes(1.5 * MiB + f))
    for (let f = 0; f < 200; f++) writeFileSync(join(src, `note-${f}.txt`), `note ${f}\n`.repeat(f))
  })
  afterAll(() => sb.cleanup())

  it('the bundle finds its worker: the code that starts it resolves dist/workers/archive-worker.js', () => {
    expect(existsSync(join(dist, 'workers', 'archive-worker.js'))).toBe(true)
    const starters = [join(dist, 'commands', 'archive'), join(dist, 'chunks')].flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.js'))
        .map((f) => join(d, f))
        .filter((f) => readFileSync(f, 'utf8').includes('archive-worker.js')),
    )
    expect(starters.length).toBeGreaterThan(0)
    for (const file of starters) {
      const found = ['./archive-worker.js', '../workers/archive-worker.js', '../../workers/archive-worker.js'].some((rel) => existsSync(resolve(dirname(file), rel)))
      expect(found, file).toBe(true)
    }
  })

  it('create → verify → restore of a multi-MiB tree gives the same tree', async () => {
    const keyFile = join(sb.root, 'key.txt')
    const k = await runCli(['archive', 'keygen', '--output', keyFile, '--json'], {env: sb.env})
    const out = join(sb.root, 'out')
    const c = await runCli(['archive', 'create', src, '--output', out, '--name', 'big', '--recipient', k.json.recipient, '--json'], {env: sb.env})
    expect(c.code).toBe(0)
    expect(c.json.archiveSize).toBeGreaterThan(4 * MiB)
    const v = await runCli(['archive', 'verify', c.json.archive, '--identity', keyFile, '--json'], {env: sb.env})
    expect(v.json).toMatchObject({sidecar: 'ok', contents: 'ok', files: 208})
    const to = join(sb.root, 'back')
    const r = await runCli(['archive', 'restore', c.json.archive, '--to', to, '--identity', keyFile, '--json'], {env: sb.env})
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({files: 208, verified: true})
    expect(snapshot(to)).toEqual(snapshot(src))
  })
})
