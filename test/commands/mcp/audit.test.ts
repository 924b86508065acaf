import {mkdirSync, readdirSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, expect, it} from 'vitest'

import {AuditLog} from '../../../src/core/audit/log.js'
import {makeSandbox, runCli, type Sandbox} from '../../helpers/cli.js'

let sandbox: Sandbox
beforeEach(async () => {
  sandbox = await makeSandbox('hatch-audit-cmd-')
  sandbox.env.HATCH_LOG_DIR = `${sandbox.root}/logs`
})
afterEach(async () => {
  await sandbox.cleanup()
})

it('hatch mcp audit shows the log, filtered with --since, as a table or JSON', async () => {
  const log = AuditLog.open(sandbox.env.HATCH_LOG_DIR!)
  const caller = {transport: 'stdio' as const, user: 'me', uid: 1, client: 'Claude 1.0'}
  log.append({tool: 'list_hosts', caller, arguments: {}, outcome: 'ok', durationMs: 2, time: new Date(Date.now() - 3 * 86_400_000)})
  log.append({tool: 'restore_host_config', caller, arguments: {host: 'cursor', confirmation_token: 'hatch-confirm-v2.x'}, outcome: 'error', errorCode: 'CONFIRMATION_REQUIRED', durationMs: 3})

  const json = await runCli(['mcp', 'audit', '--since', '1d', '--json'], {env: sandbox.env})
  expect(json.code).toBe(0)
  expect(json.json.file).toBe(`${sandbox.env.HATCH_LOG_DIR}/mcp-audit.jsonl`)
  expect(json.json.entries).toHaveLength(1)
  expect(json.json.entries[0]).toMatchObject({tool: 'restore_host_config', arguments: {confirmation_token: '[REDACTED:secret]'}})

  const table = await runCli(['mcp', 'audit'], {env: sandbox.env})
  expect(table.code).toBe(0)
  expect(table.stdout).toMatch(/list_hosts\s+ok/)
  expect(table.stdout).toMatch(/restore_host_config\s+error CONFIRMATION_REQUIRED/)

  const bad = await runCli(['mcp', 'audit', '--since', 'soon', '--json'], {env: sandbox.env})
  expect(bad.code).toBe(2)
})

it('one data home: without HATCH_LOG_DIR the log is in $HATCH_HOME/logs, beside the backups', async () => {
  const home = `${sandbox.root}/data home`
  const {HATCH_LOG_DIR: _none, ...rest} = sandbox.env
  const env = {...rest, HATCH_HOME: home}
  AuditLog.open(`${home}/logs`).append({tool: 'list_hosts', caller: {transport: 'stdio', user: 'me', uid: 1, client: null}, arguments: {}, outcome: 'ok', durationMs: 1})
  const r = await runCli(['mcp', 'audit', '--json'], {env})
  expect(r.code).toBe(0)
  expect(r.json.file).toBe(`${home}/logs/mcp-audit.jsonl`)
  expect(r.json.entries).toHaveLength(1)
})

it('hatch mcp serve refuses a symlinked ~/.hatch for its log unless HATCH_HOME names it, as the backup store does', async () => {
  const {HATCH_LOG_DIR: _none, ...env} = sandbox.env
  const elsewhere = join(sandbox.root, 'elsewhere')
  mkdirSync(elsewhere)
  symlinkSync(elsewhere, join(sandbox.home, '.hatch'))
  const refused = await runCli(['mcp', 'serve'], {env, timeoutMs: 30_000})
  expect(refused.code, refused.stderr).toBe(8)
  expect(refused.stdout).toBe('')
  expect(refused.stderr).toContain(`${join(sandbox.home, '.hatch')} is a symbolic link; hatch keeps its audit log only in real folders`)
  expect(refused.stderr).toContain(`HATCH_HOME=${join(sandbox.home, '.hatch')}`)
  expect(readdirSync(elsewhere)).toEqual([])

  // Named, the link is the user's choice: the server starts (and ends when stdin closes) with its log there.
  const chosen = await runCli(['mcp', 'serve'], {env: {...env, HATCH_HOME: join(sandbox.home, '.hatch')}, timeoutMs: 30_000})
  expect(chosen.code, chosen.stderr).toBe(0)
  expect(readdirSync(join(elsewhere, 'logs'))).toEqual(['mcp-audit.jsonl'])
})
