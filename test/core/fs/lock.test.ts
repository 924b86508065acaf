import {spawn} from 'node:child_process'
import * as fs from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {AtomicFileOperations} from '../../../src/core/backup/atomic-file-operations.js'
import {BackupStore} from '../../../src/core/backup/store.js'
import {configLockPath, privateFolder, withLock} from '../../../src/core/fs/lock.js'

const LOCK_JS = pathToFileURL(join(import.meta.dirname, '../../../dist/core/fs/lock.js')).href

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-lock-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

/** Runs a script in a separate Node process that imports the built lock module. */
function node(script: string): Promise<{code: number | null; stdout: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', `import {configLockPath, withLock} from ${JSON.stringify(LOCK_JS)};\n${script}`], {stdio: ['ignore', 'pipe', 'inherit']})
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout}))
  })
}

describe('withLock', () => {
  it('gives LOCKED while another process holds the lock, and the lock once it is released', async () => {
    const target = join(dir, 'mcp.json')
    const holder = node(`
      await withLock(${JSON.stringify(target)}, async () => {
        console.log('held')
        await new Promise((r) => setTimeout(r, 1500))
      })
    `)
    // Wait until the other process holds it (its lock directory exists).
    while (!fs.existsSync(`${target}.lock`)) await new Promise((r) => setTimeout(r, 10))
    await expect(withLock(target, async () => 'mine', {waitMs: 100})).rejects.toMatchObject({code: 'LOCKED', exitCode: 5})
    await expect(withLock(target, async () => 'mine', {waitMs: 10_000})).resolves.toBe('mine')
    expect((await holder).stdout.trim()).toBe('held')
    expect(fs.existsSync(`${target}.lock`)).toBe(false)
  })

  it('loses no update when 4 processes each increment a counter 10 times', async () => {
    const counter = join(dir, 'counter')
    fs.writeFileSync(counter, '0')
    const worker = `
      import {readFileSync, writeFileSync} from 'node:fs'
      for (let i = 0; i < 10; i++) {
        await withLock(${JSON.stringify(counter)}, async () => {
          const n = Number(readFileSync(${JSON.stringify(counter)}, 'utf8'))
          await new Promise((r) => setTimeout(r, 2))
          writeFileSync(${JSON.stringify(counter)}, String(n + 1))
        })
      }
    `
    const results = await Promise.all([1, 2, 3, 4].map(() => node(worker)))
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0])
    expect(fs.readFileSync(counter, 'utf8')).toBe('40')
  })

  it('releases the lock when the work throws', async () => {
    const target = join(dir, 'x')
    await expect(withLock(target, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(fs.existsSync(`${target}.lock`)).toBe(false)
  })
})

describe('config locks', () => {
  const uid = process.getuid?.()

  it.skipIf(process.platform !== 'linux')('live in a private folder in RAM, one per real path', () => {
    const a = configLockPath(join(dir, 'a.json'))
    expect(a).toBe(configLockPath(join(dir, 'a.json')))
    expect(a).not.toBe(configLockPath(join(dir, 'b.json')))
    expect(a.startsWith(`/dev/shm/hatch-${uid}/`)).toBe(true)
    expect(fs.statSync(`/dev/shm/hatch-${uid}`).mode & 0o777).toBe(0o700)
  })

  it.skipIf(uid === undefined)('trust only a private folder of this user, never a link', () => {
    const mine = join(dir, 'mine')
    fs.mkdirSync(mine)
    expect(privateFolder(mine)).toBe(join(mine, `hatch-${uid}`))
    expect(fs.statSync(join(mine, `hatch-${uid}`)).mode & 0o777).toBe(0o700)

    const open = join(dir, 'open')
    fs.mkdirSync(join(open, `hatch-${uid}`), {recursive: true})
    fs.chmodSync(join(open, `hatch-${uid}`), 0o755)
    expect(privateFolder(open)).toBeNull()

    const linked = join(dir, 'linked')
    fs.mkdirSync(linked)
    fs.symlinkSync(join(mine, `hatch-${uid}`), join(linked, `hatch-${uid}`))
    expect(privateFolder(linked)).toBeNull()

    expect(privateFolder(join(dir, 'missing', 'base'))).toBeNull()
  })

  it.skipIf(uid !== 0)('refuse a folder another user made first', () => {
    const planted = join(dir, 'planted')
    fs.mkdirSync(join(planted, 'hatch-0'), {recursive: true, mode: 0o700})
    fs.chownSync(join(planted, 'hatch-0'), 4242, 4242)
    expect(privateFolder(planted)).toBeNull()
  })

  it('make a config write wait for another hatch process writing the same file', async () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, '{}')
    const marker = join(dir, 'released')
    const holder = node(`
      import {writeFileSync} from 'node:fs'
      await withLock(${JSON.stringify(target)}, async () => {
        await new Promise((r) => setTimeout(r, 400))
        writeFileSync(${JSON.stringify(marker)}, 'x')
      }, {lockfilePath: configLockPath(${JSON.stringify(target)})})
    `)
    while (!fs.existsSync(configLockPath(target))) await new Promise((r) => setTimeout(r, 5))
    const ops = new AtomicFileOperations(new BackupStore({root: join(dir, 'store'), hatchVersion: 'test'}))
    await ops.writeFile('cursor', target, Buffer.from('{"mcpServers":{}}'))
    // The write could only start once the other process had finished and let go.
    expect(fs.existsSync(marker)).toBe(true)
    expect((await holder).code).toBe(0)
    expect(fs.readFileSync(target, 'utf8')).toBe('{"mcpServers":{}}')
  })
})
