import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {readAuditLog} from '../../../src/core/audit/read.js'
import {makeSandbox, runCli, type Sandbox} from '../../helpers/cli.js'
import {connect, createPat, type HttpServed, post, race, serveHttp, TOOLS_CALL} from './http-helpers.js'
import {auditDir, writeCursorConfig} from './serve-helpers.js'

const text = (r: {content?: unknown}) => (r.content as Array<{text?: string}>).map((c) => c.text ?? '').join('\n')

describe('hatch mcp serve --http with limits (SQLite store, built CLI)', () => {
  let sandbox: Sandbox
  let served: HttpServed
  const tokens: Record<string, string> = {}

  beforeAll(async () => {
    sandbox = await makeSandbox('hatch-quota-')
    await writeCursorConfig(sandbox)
    tokens.ann = (await createPat(sandbox, 'ann', {role: 'dev'})).token
    tokens.bob = (await createPat(sandbox, 'bob', {role: 'dev'})).token
    tokens.admin = (await createPat(sandbox, 'root', {role: 'ops', scope: 'hatch:admin'})).token
    served = await serveHttp(sandbox)
  })
  afterAll(async () => {
    await served?.stop()
    await sandbox?.cleanup()
  })

  const cli = async (...args: string[]) => {
    const r = await runCli([...args, '--json'], {env: sandbox.env})
    expect(r.code, r.stderr).toBe(0)
    return r.json
  }

  it('refuses the call over the limit as a tool error naming the rule, used/limit and the reset; it is logged as denied and not counted', async () => {
    const rule = await cli('auth', 'limit', 'set', '--role', 'dev', '--tool', 'list_hosts', '--daily', '2')
    const client = await connect(served.url, tokens.ann!)
    try {
      for (let i = 0; i < 2; i++) expect((await client.callTool({name: 'list_hosts', arguments: {host: 'cursor'}})).isError).toBeFalsy()
      const refused = await client.callTool({name: 'list_hosts', arguments: {host: 'cursor'}})
      expect(refused.isError).toBe(true)
      expect(text(refused)).toMatch(new RegExp(`^QUOTA_EXCEEDED: list_hosts was not run: role dev's daily limit for list_hosts \\(${rule.id}\\) is used up \\(2 of 2 calls today\\)\\. It resets at \\d{4}-\\d{2}-\\d{2}T00:00:00\\.000Z\\.`))
      // Refused before it runs (bad arguments): not counted either.
      expect((await client.callTool({name: 'list_host_config_backups', arguments: {host: 'nope'}})).isError).toBe(true)
    } finally {
      await client.close()
    }
    const denied = readAuditLog(auditDir(sandbox)).records.filter((r) => r.outcome === 'denied')
    expect(denied).toHaveLength(1)
    expect(denied[0]).toMatchObject({tool: 'list_hosts', errorCode: 'QUOTA_EXCEEDED', caller: {user: 'ann'}})
    const usage = await cli('auth', 'usage', '--user', 'ann')
    expect(usage.usage).toContainEqual(expect.objectContaining({user: 'ann', role: 'dev', tool: 'list_hosts', period: 'daily', used: 2, limit: 2, remaining: 0, rule: rule.id}))
    expect(usage.calls).toEqual([
      {user: 'ann', tool: 'list_hosts', outcome: 'denied', calls: 1},
      {user: 'ann', tool: 'list_hosts', outcome: 'ok', calls: 2},
    ])
  })

  it('counts an admitted call that then fails, and logs it as error', async () => {
    const cat = await createPat(sandbox, 'cat', {role: 'qa'})
    await cli('auth', 'limit', 'set', '--user', 'cat', '--tool', 'diff_host_config_backup', '--daily', '2')
    const client = await connect(served.url, cat.token)
    try {
      // Well-formed arguments, so the call is admitted and counted; the backup does not exist, so it fails.
      const missing = {host: 'cursor', id: '20200101_000000_000000'}
      for (let i = 0; i < 2; i++) expect(text(await client.callTool({name: 'diff_host_config_backup', arguments: missing}))).toMatch(/^BACKUP_NOT_FOUND/)
      expect(text(await client.callTool({name: 'diff_host_config_backup', arguments: {host: 'cursor'}}))).toMatch(/^QUOTA_EXCEEDED: .*\(2 of 2 calls today\)/)
    } finally {
      await client.close()
    }
    const usage = await cli('auth', 'usage', '--user', 'cat', '--tool', 'diff_host_config_backup')
    expect(usage.usage).toContainEqual(expect.objectContaining({tool: 'diff_host_config_backup', period: 'daily', used: 2, limit: 2, remaining: 0}))
    expect(usage.calls).toEqual([
      {user: 'cat', tool: 'diff_host_config_backup', outcome: 'denied', calls: 1},
      {user: 'cat', tool: 'diff_host_config_backup', outcome: 'error', calls: 2},
    ])
    // --since after those calls: none of them.
    expect((await cli('auth', 'usage', '--user', 'cat', '--since', new Date(Date.now() + 60_000).toISOString())).calls).toEqual([])
  })

  it('applies limits changed while the server runs, and a user rule over the role rule', async () => {
    const client = await connect(served.url, tokens.bob!)
    try {
      await cli('auth', 'limit', 'set', '--user', 'bob', '--tool', 'list_hosts', '--daily', '3')
      for (let i = 0; i < 3; i++) expect((await client.callTool({name: 'list_hosts', arguments: {}})).isError).toBeFalsy()
      expect((await client.callTool({name: 'list_hosts', arguments: {}})).isError).toBe(true)
      const rules = await cli('auth', 'limit', 'list')
      const bobs = rules.limits.find((l: {subject: string}) => l.subject === 'bob')
      await cli('auth', 'limit', 'rm', bobs.id)
      // Back under the role's rule (2 a day), which bob's three calls already exceed.
      expect((await client.callTool({name: 'list_hosts', arguments: {}})).isError).toBe(true)
      await cli('auth', 'limit', 'set', '--role', 'dev', '--tool', 'list_hosts', '--daily', '10')
      expect((await client.callTool({name: 'list_hosts', arguments: {}})).isError).toBeFalsy()
    } finally {
      await client.close()
    }
  })

  it('my_usage shows the caller their own figures only, and takes no user argument', async () => {
    const client = await connect(served.url, tokens.ann!)
    try {
      const mine = await client.callTool({name: 'my_usage', arguments: {}})
      expect(mine.isError).toBeFalsy()
      const s = mine.structuredContent as {user: string; limits: Array<{tool: string; period: string; used: number; limit: number | null}>}
      expect(s.user).toBe('ann')
      expect(s.limits).toContainEqual(expect.objectContaining({tool: 'list_hosts', period: 'daily', used: 2, limit: 10}))
      expect(JSON.stringify(s)).not.toContain('bob')
      const smuggled = await client.callTool({name: 'my_usage', arguments: {user: 'bob'}})
      expect(smuggled.isError).toBe(true)
      // With every tool blocked, my_usage still answers (it is never limited nor counted) and shows why.
      const blockAll = await cli('auth', 'limit', 'set', '--user', 'ann', '--all', '--daily', '0')
      try {
        expect(text(await client.callTool({name: 'list_hosts', arguments: {}}))).toMatch(/^QUOTA_EXCEEDED/)
        const still = await client.callTool({name: 'my_usage', arguments: {}})
        expect(still.isError).toBeFalsy()
        expect((still.structuredContent as typeof s).limits).toContainEqual(expect.objectContaining({tool: '*', period: 'daily', limit: 0}))
      } finally {
        await cli('auth', 'limit', 'rm', blockAll.id)
      }
      const unlimitable = await runCli(['auth', 'limit', 'set', '--user', 'ann', '--tool', 'my_usage', '--daily', '1'], {env: sandbox.env})
      expect(unlimitable.code).toBe(2)
      expect(unlimitable.stderr).toMatch(/no tool named "my_usage"/)
    } finally {
      await client.close()
    }
  })

  it('offers usage_report and set_tool_limit to hatch:admin tokens only', async () => {
    const refused = await post(served.url, TOOLS_CALL('usage_report'), {authorization: `Bearer ${tokens.ann}`})
    expect(refused.status).toBe(403)
    expect(refused.headers.get('www-authenticate')).toMatch(/scope="hatch:admin"/)
    expect((await post(served.url, TOOLS_CALL('set_tool_limit', {subject_type: 'default', tool: '*', period: 'daily', limit: 0}), {authorization: `Bearer ${tokens.bob}`})).status).toBe(403)

    const admin = await connect(served.url, tokens.admin!)
    try {
      const report = await admin.callTool({name: 'usage_report', arguments: {}})
      expect(report.isError).toBeFalsy()
      const users = new Set((report.structuredContent as {usage: Array<{user: string}>}).usage.map((u) => u.user))
      expect([...users].sort()).toEqual(['ann', 'bob', 'cat', 'root']) // root's own call is counted too
      const set = await admin.callTool({name: 'set_tool_limit', arguments: {subject_type: 'user', subject: 'ann', tool: 'list_hosts', period: 'monthly', limit: 0}})
      expect(set.isError).toBeFalsy()
      expect((await admin.callTool({name: 'set_tool_limit', arguments: {subject_type: 'user', subject: 'ann', tool: 'no_such_tool', period: 'daily', limit: 1}})).isError).toBe(true)
    } finally {
      await admin.close()
    }
    const blocked = await post(served.url, TOOLS_CALL('list_hosts'), {authorization: `Bearer ${tokens.ann}`})
    expect(blocked.json.result.content[0].text).toMatch(/^QUOTA_EXCEEDED: .*ann's monthly limit for list_hosts/)
  })

  it('admits exactly 10 of 64 callers racing through 4 server processes that share the store', async () => {
    const team = await Promise.all([1, 2, 3, 4].map(() => createPat(sandbox, 'team')))
    await cli('auth', 'limit', 'set', '--user', 'team', '--tool', 'list_hosts', '--daily', '10')
    const servers = await Promise.all([1, 2, 3, 4].map(() => serveHttp(sandbox)))
    try {
      expect(await race(servers, team.map((t) => t.token))).toEqual({admitted: 10, refused: 54, other: 0})
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
    const usage = await cli('auth', 'usage', '--user', 'team')
    expect(usage.usage).toContainEqual(expect.objectContaining({tool: 'list_hosts', period: 'daily', used: 10, limit: 10}))
    expect(usage.calls).toEqual([
      {user: 'team', tool: 'list_hosts', outcome: 'denied', calls: 54},
      {user: 'team', tool: 'list_hosts', outcome: 'ok', calls: 10},
    ])
  })

  it('prunes the usage log by age and keeps the current counts', async () => {
    const pruned = await cli('auth', 'usage', 'prune', '--older-than', '1d')
    expect(pruned).toMatchObject({rows: 0, counters: 0})
    const usage = await cli('auth', 'usage', '--user', 'team')
    expect(usage.usage.length).toBeGreaterThan(0)
    const bad = await runCli(['auth', 'usage', 'prune', '--older-than', 'soon'], {env: sandbox.env})
    expect(bad.code).toBe(2)
  })
})
