import {execFileSync} from 'node:child_process'
import {chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createToken} from '../../../src/core/auth/tokens.js'
import {SCHEMA_VERSION} from '../../../src/core/store/migrations.js'
import {defaultStorePath, openStore} from '../../../src/core/store/open.js'
import {APPLICATION_ID, SqliteStore} from '../../../src/core/store/sqlite.js'
import {storeContract} from './contract.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-store-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

storeContract('SQLite', async () => {
  const path = join(dir, `s-${Math.random().toString(36).slice(2)}.db`)
  return {store: SqliteStore.open(path), reopen: async () => SqliteStore.open(path)}
})

const mode = async (p: string) => (await stat(p)).mode & 0o777

describe('SQLite store file', () => {
  it('is created mode 0600 in a 0700 folder, in WAL mode, with its -wal and -shm files 0600 too', async () => {
    const path = join(dir, 'home', '.hatch', 'hatch.db')
    const store = SqliteStore.open(path)
    try {
      await createToken(store, {user: 'a', role: 'r', scopes: ['hatch:read'], expiresAt: null, now: 1})
      expect(await mode(path)).toBe(0o600)
      expect(await mode(join(dir, 'home', '.hatch'))).toBe(0o700)
      expect(store.db.pragma('journal_mode', {simple: true})).toBe('wal')
      expect(await mode(`${path}-wal`)).toBe(0o600)
      expect(await mode(`${path}-shm`)).toBe(0o600)
    } finally {
      await store.close()
    }
  })

  it('applies the migrations once and records them; a second process opening it changes nothing', async () => {
    const path = join(dir, 'hatch.db')
    const [a, b] = [SqliteStore.open(path), SqliteStore.open(path)]
    try {
      const rows = a.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{version: number}>
      expect(rows.map((r) => r.version)).toEqual(Array.from({length: SCHEMA_VERSION}, (_, i) => i + 1))
      expect(b.db.pragma('application_id', {simple: true})).toBe(APPLICATION_ID)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('tightens a store others could read, with a warning', async () => {
    const path = join(dir, 'hatch.db')
    await SqliteStore.open(path).close()
    await chmod(path, 0o644)
    const warnings: string[] = []
    await SqliteStore.open(path, {warn: (m) => warnings.push(m)}).close()
    expect(await mode(path)).toBe(0o600)
    expect(warnings.join('\n')).toMatch(/mode 644/)
  })

  it('refuses a file that is not a database, or is another program\'s, and leaves it exactly as it was', async () => {
    const junk = join(dir, 'junk.db')
    const bytes = Buffer.from('SQLite format 3\0'.padEnd(4096, 'x'))
    await writeFile(junk, bytes, {mode: 0o600})
    expect(() => SqliteStore.open(junk)).toThrow(expect.objectContaining({code: 'STORE_INVALID', exitCode: 7}))
    expect(await readFile(junk)).toEqual(bytes)

    const foreign = join(dir, 'foreign.db')
    const db = new Database(foreign)
    db.exec('CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES (\'keep me\')')
    db.close()
    await chmod(foreign, 0o600)
    const before = await readFile(foreign)
    expect(() => SqliteStore.open(foreign)).toThrow(/another program/)
    expect(await readFile(foreign)).toEqual(before)
  })

  it('refuses a store migrated by a newer hatch, unchanged', async () => {
    const path = join(dir, 'hatch.db')
    const store = SqliteStore.open(path)
    store.db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'from the future', 1)
    await store.close()
    const before = await readFile(path)
    expect(() => SqliteStore.open(path)).toThrow(/newer than this hatch knows/)
    expect(await readFile(path)).toEqual(before)
  })

  it('refuses a FIFO, a folder or a symbolic link at the store path at once', async () => {
    const fifo = join(dir, 'fifo.db')
    execFileSync('mkfifo', [fifo])
    expect(() => SqliteStore.open(fifo)).toThrow(/not a regular file/)
    await mkdir(join(dir, 'folder.db'))
    expect(() => SqliteStore.open(join(dir, 'folder.db'))).toThrow(/a folder/)
    await SqliteStore.open(join(dir, 'real.db')).close()
    await symlink(join(dir, 'real.db'), join(dir, 'link.db'))
    expect(() => SqliteStore.open(join(dir, 'link.db'))).toThrow(/symbolic link/)
  })

  it('lives at $HATCH_HOME/hatch.db unless --store or $HATCH_STORE name another file', async () => {
    expect(defaultStorePath({HATCH_HOME: join(dir, 'h')})).toBe(join(dir, 'h', 'hatch.db'))
    const viaEnv = await openStore({env: {HATCH_STORE: join(dir, 'env.db')}})
    expect(viaEnv.location).toBe(join(dir, 'env.db'))
    await viaEnv.close()
    const viaFlag = await openStore({spec: 'flag.db', cwd: dir, env: {HATCH_STORE: join(dir, 'env.db')}})
    expect(viaFlag.location).toBe(join(dir, 'flag.db'))
    await viaFlag.close()
  })
})
