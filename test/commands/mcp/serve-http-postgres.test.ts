import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {makeSandbox, runCli, type Sandbox} from '../../helpers/cli.js'
import {freshDatabase, postgresUnavailable, startPostgres, type TestPostgres} from '../../helpers/postgres.js'
import {connect, type HttpServed, post, race, serveHttp, TOOLS_CALL} from './http-helpers.js'
import {writeCursorConfig} from './serve-helpers.js'

const skip = postgresUnavailable()

describe.skipIf(skip !== undefined)('hatch mcp serve --http on a shared PostgreSQL store (a real server started by the test)', () => {
  let pg: TestPostgres
  let sandbox: Sandbox
  let n = 0
  beforeAll(async () => {
    pg = await startPostgres()
    sandbox = await makeSandbox('hatch-pg-http-')
    await writeCursorConfig(sandbox)
  }, 90_000)
  afterAll(async () => {
    pg?.destroy()
    await sandbox?.cleanup()
  })

  async function storeEnv(): Promise<NodeJS.ProcessEnv> {
    return {...sandbox.env, HATCH_STORE: await freshDatabase(pg.url, `http_${++n}`)}
  }

  async function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
    const r = await runCli([...args, '--json'], {env})
    expect(r.code, r.stderr).toBe(0)
    return r.json
  }

  it('shares tokens, limits and counts: exactly 10 of 64 callers on 4 servers are admitted', async () => {
    const env = await storeEnv()
    const tokens = await Promise.all([1, 2, 3, 4].map(async () => (await cli(env, 'auth', 'token', 'create', '--user', 'team')).token as string))
    await cli(env, 'auth', 'limit', 'set', '--user', 'team', '--all', '--daily', '10')
    const servers: HttpServed[] = await Promise.all([1, 2, 3, 4].map(() => serveHttp({...sandbox, env})))
    try {
      expect(servers[0]!.stderr()).toMatch(/store postgres:\/\/hatch@127\.0\.0\.1:\d+\/http_\d+/)
      expect(await race(servers, tokens)).toEqual({admitted: 10, refused: 54, other: 0})
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
    const usage = await cli(env, 'auth', 'usage', '--user', 'team')
    expect(usage.usage).toContainEqual(expect.objectContaining({tool: '*', period: 'daily', used: 10, limit: 10}))
    expect(usage.calls.find((c: {outcome: string}) => c.outcome === 'denied').calls).toBe(54)
  })

  it('fails calls clearly while PostgreSQL is down, admits nothing uncounted, and recovers when it is back', async () => {
    const env = await storeEnv()
    const token = (await cli(env, 'auth', 'token', 'create', '--user', 'rob')).token as string
    await cli(env, 'auth', 'limit', 'set', '--user', 'rob', '--tool', 'list_hosts', '--daily', '100')
    const served = await serveHttp({...sandbox, env})
    const client = await connect(served.url, token)
    try {
      expect((await client.callTool({name: 'list_hosts', arguments: {host: 'cursor'}})).isError).toBeFalsy()
      pg.stop()
      const down = await post(served.url, TOOLS_CALL('list_hosts', {host: 'cursor'}), {authorization: `Bearer ${token}`})
      expect(down.status).toBe(503)
      expect(down.json.error_description).toMatch(/token store or the authorization server is out of reach/)
      pg.start()
      let back: Awaited<ReturnType<typeof post>> | undefined
      for (let i = 0; i < 20 && back?.status !== 200; i++) {
        back = await post(served.url, TOOLS_CALL('list_hosts', {host: 'cursor'}), {authorization: `Bearer ${token}`})
        if (back.status !== 200) await new Promise((r) => setTimeout(r, 250))
      }
      expect(back!.json.result.structuredContent.hosts[0].id).toBe('cursor')
      // The session opened before the outage still works, and every admitted call was counted.
      expect((await client.callTool({name: 'list_hosts', arguments: {host: 'cursor'}})).isError).toBeFalsy()
    } finally {
      await client.close().catch(() => {})
      expect(await served.stop()).toBe(0)
    }
    const usage = await cli(env, 'auth', 'usage', '--user', 'rob')
    const counted = usage.usage.find((u: {tool: string; period: string}) => u.tool === 'list_hosts' && u.period === 'daily').used
    const ok = usage.calls.find((c: {outcome: string}) => c.outcome === 'ok').calls
    expect(counted).toBe(ok)
    expect(served.stderr()).toMatch(/PostgreSQL|store/)
  })
})
