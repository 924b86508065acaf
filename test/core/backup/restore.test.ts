import * as fs from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {AtomicFileOperations} from '../../../src/core/backup/atomic-file-operations.js'
import {BackupAwareOperation, type OperationContext} from '../../../src/core/backup/backup-aware-operation.js'
import {executeRestore, planRestore, restoreDiff} from '../../../src/core/backup/restore.js'
import {BackupStore, type StoreFs} from '../../../src/core/backup/store.js'
import {HatchError} from '../../../src/core/errors.js'
import {sha256} from '../../../src/core/fs/hash.js'

let dir: string
let config: string
let ops: AtomicFileOperations
const GOOD = Buffer.from('{\r\n  // mine\r\n  "servers": {"a": {"command": "x"}}\r\n}')
const OTHER = Buffer.from('{"servers": {}}\n')

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-restore-'))
  config = join(dir, 'mcp.json')
  fs.writeFileSync(config, GOOD)
  ops = new AtomicFileOperations(new BackupStore({root: join(dir, '.hatch', 'mcp_host_config_backups'), hatchVersion: 'test'}))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

class WriteThenFail extends BackupAwareOperation<void> {
  protected readonly reason = 'pre-write' as const
  constructor(
    ops: AtomicFileOperations,
    path: string,
    private readonly after: () => void = () => {},
  ) {
    super(ops, 'vscode', path)
  }

  protected async apply(context: OperationContext): Promise<void> {
    await context.write(OTHER)
    this.after()
    throw new HatchError('IO_ERROR', 'a later step failed.')
  }
}

describe('BackupAwareOperation', () => {
  it('backs up first and puts the original back when a later step fails', async () => {
    await expect(new WriteThenFail(ops, config).execute()).rejects.toThrow('a later step failed.')
    expect(fs.readFileSync(config)).toEqual(GOOD)
    const [backup] = ops.store.list('vscode')
    expect(backup).toMatchObject({reason: 'pre-write', sha256: sha256(GOOD)})
  })

  it('removes a file it created when a later step fails', async () => {
    const fresh = join(dir, 'fresh.json')
    await expect(new WriteThenFail(ops, fresh).execute()).rejects.toThrow('a later step failed.')
    expect(fs.existsSync(fresh)).toBe(false)
    expect(ops.store.list('vscode')).toEqual([])
  })

  it('never rolls back over another program’s write, and says where the original is', async () => {
    const theirs = Buffer.from('{"theirs": true}')
    const error = await new WriteThenFail(ops, config, () => fs.writeFileSync(config, theirs)).execute().catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'IO_ERROR', message: expect.stringContaining('Putting the previous content back failed too')})
    const [backup] = ops.store.list('vscode')
    expect((error as HatchError).suggestions.join(' ')).toContain(backup!.id)
    expect(fs.readFileSync(config)).toEqual(theirs)
  })

  it('refuses to start when the file is not what the caller planned against', async () => {
    await expect(new WriteThenFail(ops, config).execute(sha256('stale'))).rejects.toMatchObject({code: 'CONFLICT'})
    expect(ops.store.list('vscode')).toEqual([])
  })
})

/** A store whose backups' background fsync is handed to `onFsync` (call `run` to do it), on the real file system. */
function opsWithFsync(onFsync: (run: () => void, fail: (error: Error) => void) => void): AtomicFileOperations {
  const storeFs = new Proxy(fs, {
    get(target, prop, receiver) {
      if (prop !== 'fsync') return Reflect.get(target, prop, receiver)
      return (fd: number, callback: (error: Error | null) => void) => onFsync(() => fs.fsync(fd, callback), (error) => callback(error))
    },
  }) as StoreFs
  return new AtomicFileOperations(new BackupStore({root: join(dir, '.hatch', 'mcp_host_config_backups'), hatchVersion: 'test', fs: storeFs}))
}

class WriteOther extends BackupAwareOperation<void> {
  protected readonly reason = 'pre-write' as const
  constructor(ops: AtomicFileOperations, private readonly fail = false) {
    super(ops, 'vscode', config)
  }

  protected async apply(context: OperationContext): Promise<void> {
    if (this.fail) throw new HatchError('IO_ERROR', 'failed before writing.')
    await context.write(OTHER)
  }
}

describe('BackupAwareOperation: the backup syncs while the write is staged', () => {
  const temps = () => fs.readdirSync(dir).filter((n) => n.endsWith('.hatch-tmp'))

  it('renames nothing into place until the backup is durable and recorded', async () => {
    let syncBackup: (() => void) | undefined
    const slow = opsWithFsync((run) => (syncBackup = run))
    const done = new WriteOther(slow).execute()
    await vi.waitFor(() => expect(syncBackup).toBeDefined())
    await vi.waitFor(() => expect(temps()).toHaveLength(1))
    // The new content is staged beside the config, the backup is linked but not yet synced: nothing is replaced.
    expect(fs.readFileSync(config)).toEqual(GOOD)
    expect(slow.store.list('vscode').map((b) => b.indexed)).toEqual([false])
    syncBackup!()
    const {backup} = await done
    expect(fs.readFileSync(config)).toEqual(OTHER)
    expect(temps()).toEqual([])
    expect(slow.store.list('vscode')).toEqual([expect.objectContaining({id: backup!.id, indexed: true, sha256: sha256(GOOD)})])
  })

  it('writes nothing, and leaves no temp file or backup, when the backup cannot be synced', async () => {
    const eio = Object.assign(new Error('EIO: i/o error, fsync'), {code: 'EIO'})
    const broken = opsWithFsync((_run, fail) => fail(eio))
    await expect(new WriteOther(broken).execute()).rejects.toMatchObject({code: 'IO_ERROR', message: expect.stringMatching(/backup/)})
    expect(fs.readFileSync(config)).toEqual(GOOD)
    expect(temps()).toEqual([])
    expect(broken.store.list('vscode')).toEqual([])
  })

  it('backs nothing up for an operation that fails before it writes', async () => {
    let synced = 0
    const counting = opsWithFsync((run) => {
      synced++
      run()
    })
    await expect(new WriteOther(counting, true).execute()).rejects.toMatchObject({message: 'failed before writing.'})
    expect(synced).toBe(0)
    expect(fs.readFileSync(config)).toEqual(GOOD)
    expect(counting.store.list('vscode')).toEqual([])
  })
})

describe('AtomicFileOperations.writeFile', () => {
  it('backs up the replaced content, unless the caller opts out', async () => {
    const first = await ops.writeFile('vscode', config, OTHER)
    expect(first.backup).toMatchObject({reason: 'pre-write', sha256: sha256(GOOD)})
    expect(fs.readFileSync(first.backup!.path)).toEqual(GOOD)
    const second = await ops.writeFile('vscode', config, GOOD, {skipBackup: true})
    expect(second.backup).toBeNull()
    expect(ops.store.list('vscode')).toHaveLength(1)
  })
})

describe('restore', () => {
  it('restores byte for byte, after backing up the current file', async () => {
    const backup = await ops.store.create('vscode', config)
    fs.writeFileSync(config, OTHER)
    const plan = planRestore(ops.store, {host: 'vscode', format: 'jsonc'})
    expect(plan.backup.id).toBe(backup.id)
    expect(restoreDiff(plan)).toContain('-{"servers": {}}')
    const result = await executeRestore(ops, plan)
    expect(fs.readFileSync(config)).toEqual(GOOD)
    expect(result).toMatchObject({id: backup.id, restoredPath: config, changed: true})
    expect(fs.readFileSync(ops.store.get('vscode', result.preRestoreBackupId!).path)).toEqual(OTHER)
  })

  it('restores over a current file that does not parse, keeping that file as a backup', async () => {
    await ops.store.create('vscode', config)
    const broken = Buffer.from('{"servers": {')
    fs.writeFileSync(config, broken)
    const result = await executeRestore(ops, planRestore(ops.store, {host: 'vscode', format: 'jsonc'}))
    expect(fs.readFileSync(config)).toEqual(GOOD)
    expect(fs.readFileSync(ops.store.get('vscode', result.preRestoreBackupId!).path)).toEqual(broken)
  })

  it('refuses a backup that does not parse unless forced', async () => {
    fs.writeFileSync(config, '{"servers": {')
    const backup = await ops.store.create('vscode', config)
    fs.writeFileSync(config, GOOD)
    expect(() => planRestore(ops.store, {host: 'vscode', format: 'jsonc', id: backup.id})).toThrow(expect.objectContaining({code: 'INVALID_CONFIG'}))
    await executeRestore(ops, planRestore(ops.store, {host: 'vscode', format: 'jsonc', id: backup.id, force: true}))
    expect(fs.readFileSync(config, 'utf8')).toBe('{"servers": {')
  })

  it('refuses a damaged backup even when forced', async () => {
    const backup = await ops.store.create('vscode', config)
    fs.appendFileSync(backup.path, ' ')
    for (const force of [false, true]) {
      expect(() => planRestore(ops.store, {host: 'vscode', format: 'jsonc', force})).toThrow(expect.objectContaining({code: 'CHECKSUM_MISMATCH'}))
    }
  })

  it('gives a conflict, and writes nothing, when the file changes between preview and restore', async () => {
    await ops.store.create('vscode', config)
    fs.writeFileSync(config, OTHER)
    const plan = planRestore(ops.store, {host: 'vscode', format: 'jsonc'})
    const theirs = Buffer.from('{"servers": {"new": {}}}')
    fs.writeFileSync(config, theirs)
    await expect(executeRestore(ops, plan)).rejects.toMatchObject({code: 'CONFLICT', exitCode: 5})
    expect(fs.readFileSync(config)).toEqual(theirs)
    expect(ops.store.list('vscode')).toHaveLength(1)
  })

  it('gives a conflict when the file became a symlink to another file with the same bytes after the preview', async () => {
    await ops.store.create('vscode', config)
    fs.writeFileSync(config, OTHER)
    const plan = planRestore(ops.store, {host: 'vscode', format: 'jsonc'})
    const elsewhere = join(dir, 'elsewhere.json')
    fs.writeFileSync(elsewhere, OTHER)
    fs.rmSync(config)
    fs.symlinkSync(elsewhere, config)
    await expect(executeRestore(ops, plan)).rejects.toMatchObject({code: 'CONFLICT', exitCode: 5})
    expect(fs.readFileSync(elsewhere)).toEqual(OTHER)
    expect(ops.store.list('vscode')).toHaveLength(1)
  })

  it('writes through a symlink and keeps the mode; recreates a deleted file with its recorded mode', async () => {
    fs.chmodSync(config, 0o640)
    const link = join(dir, 'link.json')
    fs.symlinkSync(config, link)
    await ops.store.create('vscode', link)
    fs.writeFileSync(config, OTHER)
    await executeRestore(ops, planRestore(ops.store, {host: 'vscode', format: 'jsonc'}))
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true)
    expect(fs.readFileSync(config)).toEqual(GOOD)
    expect(fs.statSync(config).mode & 0o777).toBe(0o640)

    fs.unlinkSync(config)
    const result = await executeRestore(ops, planRestore(ops.store, {host: 'vscode', format: 'jsonc', id: ops.store.list('vscode').at(-1)!.id}))
    expect(result.preRestoreBackupId).toBeNull()
    expect(fs.readFileSync(config)).toEqual(GOOD)
    expect(fs.statSync(config).mode & 0o777).toBe(0o640)
  })

  it('restores to another file with `to`, and reports no change when the content is already there', async () => {
    await ops.store.create('vscode', config)
    const other = join(dir, 'elsewhere.json')
    const result = await executeRestore(ops, planRestore(ops.store, {host: 'vscode', format: 'jsonc', to: other}))
    expect(fs.readFileSync(other)).toEqual(GOOD)
    expect(result.preRestoreBackupId).toBeNull()
    const again = planRestore(ops.store, {host: 'vscode', format: 'jsonc', to: other})
    expect(restoreDiff(again)).toBe('')
    expect(again.unchanged).toBe(true)
    const before = ops.store.list('vscode').length
    expect(await executeRestore(ops, again)).toMatchObject({changed: false, preRestoreBackupId: null})
    expect(ops.store.list('vscode')).toHaveLength(before)
  })

  it('restores only the servers with serversOnly, keeping the rest of the current file', async () => {
    const claude = join(dir, '.claude.json')
    fs.writeFileSync(claude, '{\n  "numStartups": 1,\n  "mcpServers": {"fs": {"command": "npx"}}\n}\n')
    const backup = await ops.store.create('claude-code', claude)
    const now = '{\n  "numStartups": 99,\n  "mcpServers": {},\n  "oauthAccount": {"id": 7}\n}\n'
    fs.writeFileSync(claude, now)
    const plan = planRestore(ops.store, {host: 'claude-code', format: 'json', serversOnly: true, serversPath: ['mcpServers']})
    expect(plan.serversOnly).toBe(true)
    expect(restoreDiff(plan)).toContain('+  "mcpServers": {"fs": {"command": "npx"}},')
    const result = await executeRestore(ops, plan)
    expect(fs.readFileSync(claude, 'utf8')).toBe('{\n  "numStartups": 99,\n  "mcpServers": {"fs": {"command": "npx"}},\n  "oauthAccount": {"id": 7}\n}\n')
    expect(result).toMatchObject({id: backup.id, changed: true})
    expect(fs.readFileSync(ops.store.get('claude-code', result.preRestoreBackupId!).path, 'utf8')).toBe(now)
    // Doing it again changes nothing.
    expect((await executeRestore(ops, planRestore(ops.store, {host: 'claude-code', format: 'json', id: backup.id, serversOnly: true, serversPath: ['mcpServers']}))).changed).toBe(false)
  })

  it('refuses serversOnly over a current file that does not parse, and restores the whole file when there is none', async () => {
    await ops.store.create('vscode', config)
    fs.writeFileSync(config, '{"servers": {')
    expect(() => planRestore(ops.store, {host: 'vscode', format: 'jsonc', serversOnly: true, serversPath: ['servers']})).toThrow(expect.objectContaining({code: 'INVALID_CONFIG'}))
    fs.unlinkSync(config)
    const plan = planRestore(ops.store, {host: 'vscode', format: 'jsonc', serversOnly: true, serversPath: ['servers']})
    expect(plan.serversOnly).toBe(false)
    await executeRestore(ops, plan)
    expect(fs.readFileSync(config)).toEqual(GOOD)
  })

  it('masks lines in the diff with the given mask', async () => {
    await ops.store.create('vscode', config)
    fs.writeFileSync(config, OTHER)
    const diff = restoreDiff(planRestore(ops.store, {host: 'vscode', format: 'jsonc'}), (l) => l.replace('"x"', '"****"'))
    expect(diff).toContain('"command": "****"')
    expect(diff).not.toContain('"command": "x"')
  })
})
