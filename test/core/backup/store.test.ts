import * as fs from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {idFromMicros, microsFromId} from '../../../src/core/backup/naming.js'
import {BackupStore, type StoreFs} from '../../../src/core/backup/store.js'
import {sha256} from '../../../src/core/fs/hash.js'

let dir: string
let home: string
let root: string
let config: string
const CONTENT = Buffer.from('\uFEFF{\r\n  // comment\r\n  "mcpServers": {}\r\n}', 'utf8')

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-store-'))
  home = join(dir, '.hatch')
  root = join(home, 'mcp_host_config_backups')
  config = join(dir, 'app', 'claude_desktop_config.json')
  fs.mkdirSync(join(dir, 'app'))
  fs.writeFileSync(config, CONTENT)
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

const store = (fsImpl?: StoreFs) => new BackupStore({root, hatchVersion: '9.9.9', fs: fsImpl})
const mode = (p: string) => fs.statSync(p).mode & 0o777

describe('BackupStore.create', () => {
  it('stores a byte-for-byte copy, 0600 in 0700 folders, with its record', async () => {
    const b = await store().create('claude-desktop', config)
    expect(fs.readFileSync(b.path)).toEqual(CONTENT)
    expect(b.path).toBe(join(root, 'claude-desktop', `claude_desktop_config.json.claude-desktop.${b.id}`))
    expect(b.id).toMatch(/^\d{8}_\d{6}_\d{6}$/)
    expect(b).toMatchObject({host: 'claude-desktop', sha256: sha256(CONTENT), size: CONTENT.length, sourcePath: config, sourceRealPath: config, reason: 'manual', hatchVersion: '9.9.9', indexed: true})
    expect(mode(b.path)).toBe(0o600)
    expect(mode(join(root, 'claude-desktop'))).toBe(0o700)
    expect(mode(root)).toBe(0o700)
    expect(mode(home)).toBe(0o700)
    expect(mode(join(root, 'claude-desktop', 'index.jsonl'))).toBe(0o600)
    expect(fs.readdirSync(join(root, 'claude-desktop')).sort()).toEqual(['index.jsonl', b.fileName].sort())
  })

  it('tightens its own folders but leaves a hatch home it did not create alone', async () => {
    fs.mkdirSync(root, {recursive: true, mode: 0o755})
    fs.chmodSync(home, 0o755)
    fs.chmodSync(root, 0o755)
    await store().create('cursor', config)
    expect(mode(root)).toBe(0o700)
    expect(mode(home)).toBe(0o755)
  })

  it('a store below a regular file is a clear error, for a backup and a listing alike', async () => {
    fs.writeFileSync(home, '')
    await expect(store().create('cursor', config)).rejects.toMatchObject({name: 'HatchError', message: expect.stringContaining('Could not create the backup folder')})
    expect(() => store().list('cursor')).toThrow(expect.objectContaining({name: 'HatchError', message: expect.stringContaining('Could not read the backup folder')}))
  })

  it('records the symlink it was given and the file behind it', async () => {
    const link = join(dir, 'link.json')
    fs.symlinkSync(config, link)
    const b = await store().create('cursor', link)
    expect(b.sourcePath).toBe(link)
    expect(b.sourceRealPath).toBe(config)
    expect(b.fileName.startsWith('link.json.cursor.')).toBe(true)
  })

  it('never overwrites an existing backup: a name taken at link time moves to the next microsecond', async () => {
    let stolen: string | undefined
    const racing = new Proxy(fs, {
      get(target, prop, receiver) {
        if (prop !== 'linkSync' || stolen) return Reflect.get(target, prop, receiver)
        return (from: string, to: string) => {
          stolen = to
          fs.writeFileSync(to, 'another process got here first')
          return fs.linkSync(from, to)
        }
      },
    }) as StoreFs
    const b = await store(racing).create('cursor', config)
    expect(fs.readFileSync(stolen!, 'utf8')).toBe('another process got here first')
    expect(b.path).not.toBe(stolen)
    const stolenId = stolen!.slice(-22)
    expect(microsFromId(b.id)! - microsFromId(stolenId)!).toBe(1n)
    expect(fs.readFileSync(b.path)).toEqual(CONTENT)
  })

  it('works on a file system without hard links, still never replacing a backup', async () => {
    const noLinks = new Proxy(fs, {
      get(target, prop, receiver) {
        if (prop !== 'linkSync') return Reflect.get(target, prop, receiver)
        return () => {
          throw Object.assign(new Error('EPERM: operation not permitted, link'), {code: 'EPERM'})
        }
      },
    }) as StoreFs
    const s = store(noLinks)
    const a = await s.create('cursor', config)
    const b = await s.create('cursor', config)
    expect(a.id).not.toBe(b.id)
    expect(fs.readFileSync(a.path)).toEqual(CONTENT)
    expect(s.verify('cursor').map((r) => r.status)).toEqual(['intact', 'intact'])
    expect(fs.readdirSync(join(root, 'cursor')).filter((n) => n.startsWith('.tmp-'))).toEqual([])
  })

  it('keeps ids growing when the clock is behind the newest backup', async () => {
    const s = store()
    const first = await s.create('cursor', config)
    // Pretend the newest backup came from a clock an hour ahead.
    const future = idFromMicros(microsFromId(first.id)! + 3_600_000_000n)
    const index = join(root, 'cursor', 'index.jsonl')
    fs.renameSync(first.path, first.path.replace(first.id, future))
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replaceAll(first.id, future))
    const next = await s.create('cursor', config)
    expect(microsFromId(next.id)).toBe(microsFromId(future)! + 1n)
    expect(s.list('cursor').map((b) => b.id)).toEqual([next.id, future])
  })

  it('leaves nothing behind when the disk fills up mid-backup', async () => {
    const s = store()
    await s.create('cursor', config)
    const indexBefore = fs.readFileSync(join(root, 'cursor', 'index.jsonl'))
    const full = new Proxy(fs, {
      get(target, prop, receiver) {
        if (prop !== 'writeSync') return Reflect.get(target, prop, receiver)
        return () => {
          throw Object.assign(new Error('ENOSPC: no space left on device'), {code: 'ENOSPC'})
        }
      },
    }) as StoreFs
    await expect(store(full).create('cursor', config)).rejects.toMatchObject({code: 'IO_ERROR', message: expect.stringMatching(/disk is full/)})
    expect(fs.readdirSync(join(root, 'cursor')).filter((n) => !n.endsWith('index.jsonl'))).toHaveLength(1)
    expect(fs.readFileSync(join(root, 'cursor', 'index.jsonl'))).toEqual(indexBefore)
    expect(s.list('cursor')).toHaveLength(1)
  })

  it('removes the backup when its record cannot be written, and the next record survives the torn line', async () => {
    const s = store()
    const a = await s.create('cursor', config)
    // The disk fills up in the middle of the record: only part of the line reaches the index.
    const full = new Proxy(fs, {
      get(target, prop, receiver) {
        if (prop !== 'writeSync') return Reflect.get(target, prop, receiver)
        return (fd: number, data: Buffer, ...rest: never[]) => {
          if (Buffer.isBuffer(data) && data.includes('"sha256"')) return fs.writeSync(fd, data.subarray(0, 20))
          return fs.writeSync(fd, data, ...rest)
        }
      },
    }) as StoreFs
    await expect(store(full).create('cursor', config)).rejects.toMatchObject({code: 'IO_ERROR', message: expect.stringMatching(/disk is full/)})
    expect(fs.readdirSync(join(root, 'cursor')).sort()).toEqual(['index.jsonl', a.fileName].sort())
    const b = await s.create('cursor', config)
    expect(s.list('cursor').map((x) => [x.id, x.indexed])).toEqual([
      [b.id, true],
      [a.id, true],
    ])
  })

  it('says clearly when there is no file, or a folder, to back up', async () => {
    await expect(store().create('cursor', join(dir, 'missing.json'))).rejects.toMatchObject({code: 'CONFIG_NOT_FOUND', exitCode: 3})
    await expect(store().create('cursor', join(dir, 'app'))).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    expect(fs.existsSync(join(root, 'cursor'))).toBe(false)
  })

  it('refuses a host id that is not a plain name', async () => {
    await expect(store().create('../evil', config)).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })
})

describe('BackupStore.list, verify, delete', () => {
  it('lists newest first from the index, across hosts when no host is named', async () => {
    const s = store()
    const a = await s.create('cursor', config)
    const b = await s.create('cursor', config)
    const c = await s.create('vscode', config)
    expect(s.list('cursor').map((x) => x.id)).toEqual([b.id, a.id])
    expect(s.list().map((x) => x.id)).toEqual([c.id, b.id, a.id])
    expect(s.list('kiro')).toEqual([])
    expect(s.latest('cursor').id).toBe(b.id)
    expect(() => s.latest('kiro')).toThrow(expect.objectContaining({code: 'BACKUP_NOT_FOUND'}))
    expect(() => s.get('cursor', '20000101_000000_000000')).toThrow(expect.objectContaining({code: 'BACKUP_NOT_FOUND'}))
  })

  it('reports a flipped byte as damaged and refuses to hand out the bytes', async () => {
    const s = store()
    const good = await s.create('cursor', config)
    const bad = await s.create('cursor', config)
    const bytes = fs.readFileSync(bad.path)
    bytes[5] = bytes[5]! ^ 0x01
    fs.writeFileSync(bad.path, bytes)
    const results = s.verify('cursor')
    expect(results.map((r) => [r.id, r.status])).toEqual([
      [bad.id, 'damaged'],
      [good.id, 'intact'],
    ])
    expect(() => s.readVerified(bad)).toThrow(expect.objectContaining({code: 'CHECKSUM_MISMATCH', exitCode: 4}))
    expect(s.readVerified(good)).toEqual(CONTENT)
    expect(s.verify('cursor', good.id).map((r) => r.status)).toEqual(['intact'])
  })

  it('reports a backup file deleted by hand as missing, and one with no record as unrecorded', async () => {
    const s = store()
    const gone = await s.create('cursor', config)
    fs.unlinkSync(gone.path)
    const stray = join(root, 'cursor', `mcp.json.cursor.20250101_000000_000001`)
    fs.writeFileSync(stray, '{}')
    expect(s.list('cursor').map((b) => [b.id, b.indexed])).toEqual([['20250101_000000_000001', false]])
    expect(s.verify('cursor').map((r) => r.status).sort()).toEqual(['missing', 'unrecorded'])
    expect(() => s.readVerified(s.list('cursor')[0]!)).toThrow(expect.objectContaining({code: 'CHECKSUM_MISMATCH'}))
  })

  it('skips a torn index line instead of failing', async () => {
    const s = store()
    const a = await s.create('cursor', config)
    fs.appendFileSync(join(root, 'cursor', 'index.jsonl'), '{"id":"2026')
    expect(s.list('cursor').map((b) => b.id)).toEqual([a.id])
    const b = await s.create('cursor', config)
    // The next record starts on a line of its own, so the torn one does not take it down too.
    expect(s.list('cursor').map((x) => [x.id, x.indexed])).toEqual([
      [b.id, true],
      [a.id, true],
    ])
  })

  it('ignores index records that point outside the host folder or at another id', async () => {
    const s = store()
    const a = await s.create('cursor', config)
    const outside = join(dir, 'app', 'precious.json')
    fs.writeFileSync(outside, 'do not touch')
    const index = join(root, 'cursor', 'index.jsonl')
    const line = fs.readFileSync(index, 'utf8').trim()
    const forged = [
      line.replace(a.fileName, '../../app/precious.json').replace(a.id, '20250101_000000_000001'),
      line.replace(a.fileName, `../../app/x.cursor.20250101_000000_000002`).replace(a.id, '20250101_000000_000002'),
      line.replace(a.id, '20250101_000000_000003'),
      line.replace('"host":"cursor"', '"host":"vscode"').replace(a.id, '20250101_000000_000004'),
    ]
    fs.appendFileSync(index, `${forged.join('\n')}\n`)
    expect(s.list('cursor').map((b) => b.id)).toEqual([a.id])
    await s.delete('cursor', ['20250101_000000_000001', '20250101_000000_000002'])
    expect(fs.readFileSync(outside, 'utf8')).toBe('do not touch')
  })

  it('finds a backup by id without being misled by a later forged line for the same id', async () => {
    const s = store()
    const a = await s.create('cursor', config)
    const b = await s.create('cursor', config)
    const index = join(root, 'cursor', 'index.jsonl')
    const lineA = fs.readFileSync(index, 'utf8').split('\n')[0]!
    // A later line claiming a's id but b's file (and one pointing outside) must not be believed.
    fs.appendFileSync(index, `${lineA.replace(a.fileName, b.fileName)}\n${lineA.replace(a.fileName, '../../app/claude_desktop_config.json')}\n`)
    expect(s.get('cursor', a.id).path).toBe(a.path)
    expect(s.get('cursor', b.id).path).toBe(b.path)
    fs.unlinkSync(a.path)
    expect(() => s.get('cursor', a.id)).toThrow(expect.objectContaining({code: 'BACKUP_NOT_FOUND'}))
  })

  it('finds a backup by id in a long index by reading only small pieces of it, in order or not', () => {
    const s = store()
    const hostDir = join(root, 'cursor')
    fs.mkdirSync(hostDir, {recursive: true})
    const ids = Array.from({length: 3000}, (_, i) => idFromMicros(1_790_000_000_000_000n + BigInt(i) * 1_000_001n))
    const line = (id: string) =>
      JSON.stringify({id, host: 'cursor', fileName: `mcp.json.cursor.${id}`, createdAt: '2026-09-21T00:00:00.000000Z', sha256: 'a'.repeat(64), size: 2, sourcePath: '/p/mcp.json', sourceRealPath: '/p/mcp.json', sourceMode: 420, reason: 'manual', hatchVersion: '9.9.9'})
    // Two records out of order (backups that raced), a torn line and a blank line along the way.
    const order = [...ids]
    ;[order[1500], order[1501]] = [order[1501]!, order[1500]!]
    const lines = order.map(line)
    lines.splice(700, 0, '{"id":"2026', '')
    fs.writeFileSync(join(hostDir, 'index.jsonl'), `${lines.join('\n')}\n`)
    for (const id of ids) fs.writeFileSync(join(hostDir, `mcp.json.cursor.${id}`), '{}')
    let bytesRead = 0
    const counting = new Proxy(fs, {
      get(target, prop, receiver) {
        if (prop === 'readSync') return (...args: Parameters<typeof fs.readSync>) => (bytesRead += fs.readSync(...args))
        if (prop === 'readFileSync') return (...args: Parameters<typeof fs.readFileSync>) => {
          const out = fs.readFileSync(...args)
          bytesRead += out.length
          return out
        }
        return Reflect.get(target, prop, receiver)
      },
    }) as StoreFs
    const counted = store(counting)
    for (const id of [ids[0]!, ids[1]!, ids[1234]!, ids[2999]!]) {
      bytesRead = 0
      expect(counted.get('cursor', id).fileName).toBe(`mcp.json.cursor.${id}`)
      expect(bytesRead, id).toBeLessThan(64 * 1024)
    }
    // Out of order or next to a torn line: still found (the full read is the fallback).
    for (const id of [ids[1500]!, ids[1501]!, ids[699]!, ids[700]!]) expect(s.get('cursor', id).id).toBe(id)
    expect(() => s.get('cursor', idFromMicros(1_790_000_000_000_001n))).toThrow(expect.objectContaining({code: 'BACKUP_NOT_FOUND'}))
    expect(fs.statSync(join(hostDir, 'index.jsonl')).size).toBeGreaterThan(1_000_000)
  })

  it('deletes exactly the given backups and their records', async () => {
    const s = store()
    const a = await s.create('cursor', config)
    const b = await s.create('cursor', config)
    const c = await s.create('cursor', config)
    expect(await s.delete('cursor', [a.id, b.id])).toEqual([a.id, b.id])
    expect(s.list('cursor').map((x) => x.id)).toEqual([c.id])
    expect(fs.existsSync(a.path)).toBe(false)
    expect(fs.readFileSync(join(root, 'cursor', 'index.jsonl'), 'utf8')).not.toContain(a.id)
    const lines = fs.readFileSync(join(root, 'cursor', 'index.jsonl'), 'utf8').trim().split('\n')
    expect(lines.map((l) => Object.keys(JSON.parse(l)))).toEqual([Object.keys(JSON.parse(fs.readFileSync(join(root, 'cursor', 'index.jsonl'), 'utf8').trim()))])
    expect(lines[0]).not.toMatch(/"path"|"indexed"/)
    expect(s.verify('cursor').every((r) => r.status === 'intact')).toBe(true)
    expect(mode(join(root, 'cursor', 'index.jsonl'))).toBe(0o600)
  })
})

describe('BackupStore: backups take no lock, deletes do', () => {
  const hostDir = () => join(root, 'cursor')
  const index = () => join(hostDir(), 'index.jsonl')
  const recordsOf = (id: string) => fs.readFileSync(index(), 'utf8').split('\n').filter((l) => l.startsWith(`{"id":"${id}",`))

  it('backs up while another hatch process holds the folder lock, and puts back a record a delete dropped', async () => {
    const s = store()
    await s.create('cursor', config)
    const before = fs.readFileSync(index())
    // A delete holds the lock and has read the index: the new record goes into the file it is about to replace.
    fs.mkdirSync(join(hostDir(), '.lock'))
    const pending = s.create('cursor', config)
    fs.writeFileSync(`${index()}.new`, before)
    fs.renameSync(`${index()}.new`, index())
    fs.rmdirSync(join(hostDir(), '.lock'))
    const b = await pending
    expect(recordsOf(b.id)).toHaveLength(1)
    expect(s.list('cursor').map((x) => [x.id, x.indexed])[0]).toEqual([b.id, true])
    expect(s.verify('cursor').map((r) => r.status)).toEqual(['intact', 'intact'])
  })

  it('notices an index replaced after its append even once the lock is gone, and appends again', async () => {
    const s = store()
    await s.create('cursor', config)
    const before = fs.readFileSync(index())
    // The delete renames its new index over the old one just after the record went into the old one, and is done.
    let renamed = false
    const racing = new Proxy(fs, {
      get(target, prop, receiver) {
        if (prop !== 'lstatSync') return Reflect.get(target, prop, receiver)
        return (path: string, options?: fs.StatSyncOptions) => {
          if (path === join(hostDir(), '.lock') && !renamed) {
            renamed = true
            fs.writeFileSync(`${index()}.new`, before)
            fs.renameSync(`${index()}.new`, index())
          }
          return fs.lstatSync(path, options)
        }
      },
    }) as StoreFs
    const b = await store(racing).create('cursor', config)
    expect(recordsOf(b.id)).toHaveLength(1)
    expect(s.verify('cursor').map((r) => r.status)).toEqual(['intact', 'intact'])
  })

  it('starts the rewrite of a delete again when a backup was recorded meanwhile, keeping that record', async () => {
    const s = store()
    const a = await s.create('cursor', config)
    const b = await s.create('cursor', config)
    let meanwhile: Promise<{id: string}> | undefined
    const racing = new Proxy(fs, {
      get(target, prop, receiver) {
        if (prop !== 'openSync') return Reflect.get(target, prop, receiver)
        return (path: string, flags: fs.OpenMode, mode?: fs.Mode) => {
          // The first temp file of the index rewrite: another process backs up right then.
          if (!meanwhile && path.includes('index.jsonl') && path.endsWith('.hatch-tmp')) meanwhile = store().create('cursor', config)
          return fs.openSync(path, flags, mode)
        }
      },
    }) as StoreFs
    expect(await store(racing).delete('cursor', [a.id])).toEqual([a.id])
    const c = await meanwhile!
    expect(s.list('cursor').map((x) => x.id)).toEqual([c.id, b.id])
    expect(recordsOf(c.id)).toHaveLength(1)
    expect(recordsOf(a.id)).toHaveLength(0)
    expect(s.verify('cursor').map((r) => r.status)).toEqual(['intact', 'intact'])
  })

  it('fails clearly when a delete that ran at the same time removed the new backup', async () => {
    const s = store()
    await s.create('cursor', config)
    fs.mkdirSync(join(hostDir(), '.lock'))
    const pending = s.create('cursor', config)
    const [newest] = s.list('cursor')
    // The delete listed the new backup (not yet recorded) and removed it, and dropped nothing else.
    fs.unlinkSync(newest!.path)
    fs.writeFileSync(`${index()}.new`, fs.readFileSync(index(), 'utf8').split('\n').filter((l) => !l.includes(newest!.id)).join('\n'))
    fs.renameSync(`${index()}.new`, index())
    fs.rmdirSync(join(hostDir(), '.lock'))
    await expect(pending).rejects.toMatchObject({code: 'CONFLICT', message: expect.stringMatching(/removed the new backup/)})
    expect(s.verify('cursor').map((r) => r.status)).toEqual(['intact'])
  })
})

describe('BackupStore.createIfChanged', () => {
  it('finds the file\'s newest backup past the 64 KB tail of a long index, and makes none when it holds the bytes', async () => {
    const s = store()
    const mine = await s.create('cursor', config)
    // 400 backups of another file after it push its record out of the index's last 64 KB.
    const other = join(dir, 'app', 'other.json')
    fs.writeFileSync(other, '{}')
    for (let i = 0; i < 400; i++) await s.create('cursor', other)
    expect(fs.statSync(join(root, 'cursor', 'index.jsonl')).size).toBeGreaterThan(65_536)
    expect(await s.createIfChanged('cursor', config)).toEqual({backup: mine, created: false})
    const forced = await s.createIfChanged('cursor', config, {force: true})
    expect(forced.created).toBe(true)
    expect(forced.backup.id).not.toBe(mine.id)
  })

  it('makes one when the newest backup of the file is gone, or holds other bytes', async () => {
    const s = store()
    const first = await s.create('cursor', config)
    fs.unlinkSync(first.path)
    const second = await s.createIfChanged('cursor', config)
    expect(second.created).toBe(true)
    fs.writeFileSync(second.backup.path, 'other bytes')
    expect((await s.createIfChanged('cursor', config)).created).toBe(true)
  })
})
