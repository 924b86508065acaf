import {existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {AtomicFileOperations} from '../../../src/core/backup/atomic-file-operations.js'
import {BackupStore} from '../../../src/core/backup/store.js'
import {inspectConfigs, runGuarded, settleConfigs, snapshotConfigs, type GuardTarget} from '../../../src/core/guard/guard.js'
import {getHost} from '../../../src/core/hosts/registry.js'
import {workspace, type Workspace} from '../servers/helpers.js'

let ws: Workspace
beforeEach(() => {
  ws = workspace()
})
afterEach(() => ws.cleanup())

const target = (hostId: string, text?: string): GuardTarget => {
  const t = ws.put(hostId, text)
  return {host: t.host, path: t.path}
}

describe('guard core: snapshot, inspect, settle', () => {
  it('never overwrites a file another program changed after the inspection, and says so', async () => {
    const t = target('cursor', '{"mcpServers": {"a": {"command": "a"}}}')
    const [snap] = await snapshotConfigs(ws.ops, [t])
    writeFileSync(t.path, '{"mcpServers": ') // the command breaks it
    const inspections = inspectConfigs([snap!], false)
    expect(inspections[0]!.damage).toEqual([expect.stringContaining('no longer parses')])
    writeFileSync(t.path, '{"mcpServers": {"b": {"command": "b"}}}') // then another program writes it
    const [report] = await settleConfigs(ws.ops, inspections, false)
    expect(report).toMatchObject({status: 'conflict', restored: null, backupId: snap!.backup!.id})
    expect(report!.note).toContain(`backup ${snap!.backup!.id}`)
    expect(readFileSync(t.path, 'utf8')).toBe('{"mcpServers": {"b": {"command": "b"}}}')
  })

  it('deletes a broken file the command created, keeping it as a backup', async () => {
    const t: GuardTarget = {host: getHost('vscode'), path: join(ws.root, 'vscode', 'mcp.json')}
    mkdirSync(join(ws.root, 'vscode'))
    const [snap] = await snapshotConfigs(ws.ops, [t])
    expect(snap!.backup).toBeNull()
    writeFileSync(t.path, '{"servers": nope')
    const [report] = await settleConfigs(ws.ops, inspectConfigs([snap!], false), false)
    expect(report).toMatchObject({status: 'restored', restored: 'deleted', note: expect.stringContaining('created while the command ran (by it or another program)')})
    expect(report!.note).toContain(`kept as backup ${report!.replacedBackupId}`)
    expect(existsSync(t.path)).toBe(false)
    expect(ws.store.readVerified(ws.store.get('vscode', report!.replacedBackupId!)).toString()).toBe('{"servers": nope')
  })

  it("gives back only the servers of a file that also holds the app's state, keeping what the app wrote meanwhile", async () => {
    const before = '{\n  "numStartups": 1,\n  "mcpServers": {"a": {"command": "a"}, "b": {"command": "b"}}\n}\n'
    const t = target('claude-code', before)
    const [snap] = await snapshotConfigs(ws.ops, [t])
    writeFileSync(t.path, '{\n  "numStartups": 2,\n  "mcpServers": {"a": {"command": "a"}}\n}\n')
    const [report] = await settleConfigs(ws.ops, inspectConfigs([snap!], false), false)
    expect(report).toMatchObject({status: 'restored', restored: 'servers-only', damage: ['servers removed: b'], note: expect.stringContaining('put back the servers from before the command')})
    expect(JSON.parse(readFileSync(t.path, 'utf8'))).toEqual({numStartups: 2, mcpServers: {a: {command: 'a'}, b: {command: 'b'}}})
  })

  it('puts back a deleted file with its mode; a removal is no damage with allowRemoval', async () => {
    const t = target('cursor', '{"mcpServers": {"a": {"command": "a"}}}')
    const {chmodSync} = await import('node:fs')
    chmodSync(t.path, 0o640)
    const [snap] = await snapshotConfigs(ws.ops, [t])
    unlinkSync(t.path)
    const [report] = await settleConfigs(ws.ops, inspectConfigs([snap!], false), false)
    expect(report).toMatchObject({status: 'restored', restored: 'whole-file', damage: ['the file was deleted']})
    expect(readFileSync(t.path, 'utf8')).toBe('{"mcpServers": {"a": {"command": "a"}}}')
    expect(statSync(t.path).mode & 0o777).toBe(0o640)

    writeFileSync(t.path, '{"mcpServers": {}}')
    const [kept] = await settleConfigs(ws.ops, inspectConfigs([snap!], true), false)
    expect(kept).toMatchObject({status: 'changed', damage: [], servers: {removed: ['a']}})
  })

  it('does not run the command when a backup cannot be made', async () => {
    const t = target('cursor')
    const blocked = join(ws.root, 'not-a-folder')
    writeFileSync(blocked, '')
    const store = new BackupStore({root: join(blocked, 'backups'), hatchVersion: 'test'})
    const marker = join(ws.root, 'ran')
    const run = runGuarded(new AtomicFileOperations(store), {
      targets: [t],
      command: process.execPath,
      args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`],
      allowRemoval: false,
      stdout: 'inherit',
    })
    await expect(run).rejects.toMatchObject({message: expect.stringContaining('Could not create the backup')})
    expect(existsSync(marker)).toBe(false)
  })
})
