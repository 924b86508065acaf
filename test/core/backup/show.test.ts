import * as fs from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {showBackup} from '../../../src/core/backup/show.js'
import {BackupStore} from '../../../src/core/backup/store.js'

let dir: string
let store: BackupStore
let config: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-show-'))
  store = new BackupStore({root: join(dir, 'store'), hatchVersion: '1'})
  config = join(dir, 'mcp.json')
  fs.writeFileSync(config, '{"password": "hunter2hunter2"}\n')
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('showBackup', () => {
  it('masks secrets unless asked, and says whether the bytes still match', async () => {
    const b = await store.create('cursor', config)
    expect(showBackup(store, {id: b.id})).toMatchObject({status: 'intact', masked: true, content: '{"password": "[REDACTED:secret]"}\n'})
    expect(showBackup(store, {id: b.id, host: 'cursor', showSecrets: true}).content).toBe('{"password": "hunter2hunter2"}\n')
    fs.unlinkSync(b.path)
    expect(() => showBackup(store, {id: b.id})).toThrow(expect.objectContaining({code: 'BACKUP_NOT_FOUND'}))
  })

  it('asks for --host when two hosts have a backup with the same id', async () => {
    const b = await store.create('cursor', config)
    // The same id in kiro's folder, as a record and a file.
    const kiro = store.hostDir('kiro')
    fs.mkdirSync(kiro, {recursive: true})
    const fileName = `mcp.json.kiro.${b.id}`
    fs.copyFileSync(b.path, join(kiro, fileName))
    fs.writeFileSync(join(kiro, 'index.jsonl'), `${JSON.stringify({...b, host: 'kiro', fileName, path: undefined, indexed: undefined})}\n`)
    expect(() => showBackup(store, {id: b.id})).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT', message: `Several hosts have a backup ${b.id}: cursor, kiro.`}))
    expect(showBackup(store, {id: b.id, host: 'kiro'}).backup.host).toBe('kiro')
  })
})
