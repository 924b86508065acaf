import http from 'node:http'
import {readFile} from 'node:fs/promises'

import type {Client} from '@modelcontextprotocol/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {readAuditLog} from '../../../src/core/audit/read.js'
import {createToken} from '../../../src/core/auth/tokens.js'
import {SqliteStore} from '../../../src/core/store/sqlite.js'
import {makeSandbox, runCli, type Sandbox} from '../../helpers/cli.js'
import {connect, createPat, type HttpServed, post, serveHttp, storePath, TOOLS_CALL} from './http-helpers.js'
import {auditDir, writeCursorConfig} from './serve-helpers.js'

const HOST_READ_TOOLS = ['list_hosts', 'list_host_config_backups', 'verify_host_config_backups', 'diff_host_config_backup', 'list_servers']
const DESTRUCTIVE_TOOLS = ['restore_host_config', 'clean_host_config_backups', 'add_server', 'remove_server']
/** What every authenticated caller can read: the host tools, and their own usage. */
const READ_TOOLS = [...HOST_READ_TOOLS, 'my_usage']

/** A raw request with headers fetch would not let us set (Host). */
function rawRequest(url: URL, options: {method?: string; headers?: Record<string, string>; body?: string}): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = http.request({host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method ?? 'POST', headers: options.headers}, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d))
      res.on('end', () => resolve({status: res.statusCode!, body}))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name)
}

describe('hatch mcp serve --http with personal access tokens (built CLI, SDK client over loopback)', () => {
  let sandbox: Sandbox
  let served: HttpServed
  let config: string
  const tokens: Record<string, {token: string; id: string}> = {}

  beforeAll(async () => {
    sandbox = await makeSandbox('hatch-http-')
    config = await writeCursorConfig(sandbox)
    tokens.reader = await createPat(sandbox, 'rita')
    tokens.writer = await createPat(sandbox, 'will', {scope: 'hatch:write'})
    tokens.alice = await createPat(sandbox, 'alice', {role: 'admins', scope: 'hatch:destructive'})
    tokens.bob = await createPat(sandbox, 'bob', {scope: 'hatch:destructive'})
    const backup = await runCli(['mcp', 'backup', 'create', '--host', 'cursor', '--json'], {env: sandbox.env})
    expect(backup.code).toBe(0)
    served = await serveHttp(sandbox, ['--allow-destructive'])
  })
  afterAll(async () => {
    await served?.stop()
    await sandbox?.cleanup()
  })

  it('refuses a missing, malformed, unknown or expired token with a challenge that says where to look', async () => {
    const none = await post(served.url, TOOLS_CALL('list_hosts'))
    expect(none.status).toBe(401)
    const challenge = none.headers.get('www-authenticate')!
    expect(challenge).toMatch(/^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/)
    expect(challenge).not.toContain('error=')

    const metadata = await (await fetch(/resource_metadata="([^"]+)"/.exec(challenge)![1]!)).json()
    expect(metadata).toEqual({
      resource: served.url.href,
      scopes_supported: ['hatch:read', 'hatch:write', 'hatch:destructive', 'hatch:admin'],
      bearer_methods_supported: ['header'],
      resource_name: 'hatch',
    })
    expect(await (await fetch(new URL('/.well-known/oauth-protected-resource', served.url))).json()).toEqual(metadata)

    const malformed = await post(served.url, TOOLS_CALL('list_hosts'), {authorization: `Basic ${Buffer.from('a:b').toString('base64')}`})
    expect(malformed.status).toBe(400)
    expect(malformed.json.error).toBe('invalid_request')

    const unknown = await post(served.url, TOOLS_CALL('list_hosts'), {authorization: `Bearer hatch_pat_${'0'.repeat(64)}`})
    expect(unknown.status).toBe(401)
    expect(unknown.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
    expect(unknown.headers.get('www-authenticate')).toContain('resource_metadata=')
    expect((await post(served.url, TOOLS_CALL('list_hosts'), {authorization: 'Bearer not-a-token'})).status).toBe(401)

    // An expired token: written straight into the store, as if created long ago.
    const store = SqliteStore.open(storePath(sandbox))
    const past = Date.now() - 10 * 86_400_000
    const expired = await createToken(store, {user: 'old', role: 'default', scopes: ['hatch:read'], expiresAt: past + 86_400_000, now: past})
    await store.close()
    const stale = await post(served.url, TOOLS_CALL('list_hosts'), {authorization: `Bearer ${expired.token}`})
    expect(stale.status).toBe(401)
    expect(stale.json.error_description).toMatch(/expired/)
  })

  it('refuses a token in the query string and says to use the Authorization header', async () => {
    for (const name of ['token', 'access_token']) {
      const url = new URL(served.url)
      url.searchParams.set(name, tokens.reader!.token)
      const r = await post(url, TOOLS_CALL('list_hosts'))
      expect(r.status).toBe(400)
      expect(r.json.error_description).toMatch(/Authorization header/)
      expect(r.text).not.toContain(tokens.reader!.token)
    }
  })

  it('shows each caller only the tools its scopes allow, and answers a call beyond them with 403 insufficient_scope', async () => {
    const reader = await connect(served.url, tokens.reader!.token)
    const writer = await connect(served.url, tokens.writer!.token)
    const alice = await connect(served.url, tokens.alice!.token)
    try {
      expect(await toolNames(reader)).toEqual(READ_TOOLS)
      expect(await toolNames(writer)).toEqual([...HOST_READ_TOOLS, 'backup_host_config', 'my_usage'])
      expect(await toolNames(alice)).toEqual([...HOST_READ_TOOLS, 'backup_host_config', ...DESTRUCTIVE_TOOLS, 'my_usage'])
      const hosts = await reader.callTool({name: 'list_hosts', arguments: {host: 'cursor'}})
      expect(hosts.isError).toBeFalsy()
    } finally {
      await Promise.all([reader.close(), writer.close(), alice.close()])
    }
    const denied = await post(served.url, TOOLS_CALL('backup_host_config', {host: 'cursor'}), {authorization: `Bearer ${tokens.reader!.token}`})
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/)
    expect(denied.headers.get('www-authenticate')).toMatch(/scope="hatch:write"/)
    const list = await runCli(['mcp', 'backup', 'list', '--host', 'cursor', '--json'], {env: sandbox.env})
    expect(list.json).toHaveLength(1) // the refused call made no backup
  })

  it('takes identity from the token only: an extra user argument is rejected, and the audit names the user and token id', async () => {
    const client = await connect(served.url, tokens.writer!.token)
    try {
      const smuggled = await client.callTool({name: 'list_hosts', arguments: {user_id: 'alice'}})
      expect(smuggled.isError).toBe(true)
      expect(JSON.stringify(smuggled.content)).toMatch(/Unrecognized key/)
      const made = await client.callTool({name: 'backup_host_config', arguments: {host: 'cursor'}})
      expect(made.isError).toBeFalsy()
    } finally {
      await client.close()
    }
    const {records} = readAuditLog(auditDir(sandbox))
    const mine = records.filter((r) => r.caller.transport === 'http' && r.caller.user === 'will')
    // The SDK refuses the smuggled argument before the tool runs: only the real call is in the log.
    expect(mine.map((r) => r.tool)).toEqual(['backup_host_config'])
    expect(mine[0]!.caller).toMatchObject({transport: 'http', user: 'will', role: 'default', auth: 'pat', tokenId: tokens.writer!.id, remote: '127.0.0.1'})
    const log = await readFile(`${auditDir(sandbox)}/mcp-audit.jsonl`, 'utf8')
    for (const t of Object.values(tokens)) expect(log).not.toContain(t.token)
    for (const t of Object.values(tokens)) expect(served.stderr()).not.toContain(t.token)
  })

  it('binds consent tokens to the caller: one minted for alice is refused for bob', async () => {
    await import('node:fs/promises').then((fs) => fs.writeFile(config, '{"mcpServers": {}}\n'))
    const alice = await connect(served.url, tokens.alice!.token)
    const bob = await connect(served.url, tokens.bob!.token)
    try {
      const preview = await alice.callTool({name: 'restore_host_config', arguments: {host: 'cursor'}})
      const token = (preview.structuredContent as {confirmation_token: string}).confirmation_token
      expect(token).toMatch(/^hatch-confirm-v2\./)
      const replayed = await bob.callTool({name: 'restore_host_config', arguments: {host: 'cursor', confirmation_token: token}})
      expect(replayed.isError).toBe(true)
      expect(JSON.stringify(replayed.content)).toMatch(/CONFIRMATION_REQUIRED/)
      expect(await readFile(config, 'utf8')).toBe('{"mcpServers": {}}\n')
      const done = await alice.callTool({name: 'restore_host_config', arguments: {host: 'cursor', confirmation_token: token}})
      expect(done.isError).toBeFalsy()
      expect(await readFile(config, 'utf8')).toContain('API_TOKEN')
    } finally {
      await Promise.all([alice.close(), bob.close()])
    }
  })

  it('asks an eliciting client for consent over its session, and restores only on accept', async () => {
    await import('node:fs/promises').then((fs) => fs.writeFile(config, '{"mcpServers": {"changed": {}}}\n'))
    const questions: string[] = []
    const decline = await connect(served.url, tokens.alice!.token, {elicit: (m) => (questions.push(m), {action: 'decline'})})
    const accept = await connect(served.url, tokens.alice!.token, {elicit: () => ({action: 'accept', content: {confirm: true}})})
    try {
      const no = await decline.callTool({name: 'restore_host_config', arguments: {host: 'cursor'}})
      expect(no.isError).toBe(true)
      expect(JSON.stringify(no.content)).toMatch(/CONFIRMATION_DECLINED/)
      expect(questions[0]).toMatch(/^Restore backup /)
      expect(await readFile(config, 'utf8')).toContain('"changed"')
      const yes = await accept.callTool({name: 'restore_host_config', arguments: {host: 'cursor'}})
      expect(yes.isError).toBeFalsy()
      expect(await readFile(config, 'utf8')).not.toContain('"changed"')
    } finally {
      await Promise.all([decline.close(), accept.close()])
    }
  })

  it('refuses a bad Host or Origin with 403 before anything runs', async () => {
    const before = readAuditLog(auditDir(sandbox)).records.length
    const body = JSON.stringify(TOOLS_CALL('list_hosts'))
    const headers = {'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${tokens.reader!.token}`}
    expect((await rawRequest(served.url, {headers: {...headers, host: `evil.example:${served.url.port}`}, body})).status).toBe(403)
    expect((await rawRequest(served.url, {headers: {...headers, origin: 'http://evil.example'}, body})).status).toBe(403)
    expect((await rawRequest(served.url, {headers: {...headers, origin: 'null'}, body})).status).toBe(403)
    expect((await rawRequest(served.url, {headers: {...headers, origin: `http://localhost:${served.url.port}`}, body})).status).toBe(200)
    expect(readAuditLog(auditDir(sandbox)).records.length).toBe(before + 1)
  })

  it('answers an oversized body with 413, malformed JSON with -32700 and a non-JSON-RPC body with a JSON-RPC error, and keeps serving', async () => {
    const auth = {authorization: `Bearer ${tokens.reader!.token}`}
    const big = await post(served.url, JSON.stringify({...TOOLS_CALL('list_hosts'), pad: 'x'.repeat(2 * 1024 * 1024)}), auth)
    expect(big.status).toBe(413)
    expect(big.json.error.code).toBe(-32600)
    const garbage = await post(served.url, '{"jsonrpc": "2.0", "id": 1, "method": ', auth)
    expect(garbage.status).toBe(400)
    expect(garbage.json.error.code).toBe(-32700)
    const notRpc = await post(served.url, {hello: 'world'}, auth)
    expect(notRpc.status).toBeGreaterThanOrEqual(400)
    expect(notRpc.json.error.code).toBeLessThan(0)
    const ok = await post(served.url, TOOLS_CALL('list_hosts', {host: 'cursor'}), auth)
    expect(ok.status).toBe(200)
    expect(ok.json.result.structuredContent.hosts[0].id).toBe('cursor')
    expect((await fetch(new URL('/healthz', served.url))).status).toBe(200)
  })

  it('stops a revoked token at once, also on a session that is already open', async () => {
    const victim = await createPat(sandbox, 'mallory')
    const client = await connect(served.url, victim.token)
    try {
      expect((await client.callTool({name: 'list_hosts', arguments: {host: 'cursor'}})).isError).toBeFalsy()
      const revoke = await runCli(['auth', 'token', 'revoke', victim.id, '--json'], {env: sandbox.env})
      expect(revoke.json).toEqual({id: victim.id, revoked: true, alreadyRevoked: false})
      await expect(client.callTool({name: 'list_hosts', arguments: {host: 'cursor'}})).rejects.toThrow(/401|revoked|nauthorized/i)
    } finally {
      await client.close().catch(() => {})
    }
    const listed = await runCli(['auth', 'token', 'list', '--json'], {env: sandbox.env})
    const row = listed.json.tokens.find((t: {id: string}) => t.id === victim.id)
    expect(row).toMatchObject({user: 'mallory', state: 'revoked'})
    expect(row.lastUsedAt).not.toBeNull()
    expect(JSON.stringify(listed.json)).not.toContain('hatch_pat_')
  })

  it('binds a session to the identity that opened it, and caps the sessions one caller holds', async () => {
    const INIT = {jsonrpc: '2.0', id: 1, method: 'initialize', params: {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'raw', version: '1'}}}
    const open = async (token: string): Promise<string> => {
      const r = await post(served.url, INIT, {authorization: `Bearer ${token}`})
      expect(r.status).toBe(200)
      return r.headers.get('mcp-session-id')!
    }
    const list = (token: string, session: string) =>
      post(served.url, {jsonrpc: '2.0', id: 2, method: 'tools/list'}, {authorization: `Bearer ${token}`, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18'})
    const hers = await open(tokens.alice!.token)
    expect((await list(tokens.alice!.token, hers)).status).toBe(200)
    // Bob holds a valid token, but not the session Alice opened.
    const stolen = await list(tokens.bob!.token, hers)
    expect(stolen.status).toBe(404)
    expect(stolen.json.error.message).toMatch(/Session not found/)
    // One caller opening session after session only ever closes their own oldest: 32 stay open.
    const bobs: string[] = []
    for (let i = 0; i < 33; i++) bobs.push(await open(tokens.bob!.token))
    expect((await list(tokens.bob!.token, bobs[0]!)).status).toBe(404)
    expect((await list(tokens.bob!.token, bobs[1]!)).status).toBe(200)
    expect((await list(tokens.bob!.token, bobs[32]!)).status).toBe(200)
    expect((await list(tokens.alice!.token, hers)).status).toBe(200)
  })

  it('never echoes a token given to revoke in place of its id', async () => {
    const r = await runCli(['auth', 'token', 'revoke', tokens.reader!.token], {env: sandbox.env})
    expect(r.code).toBe(2)
    expect(r.stdout + r.stderr).toMatch(/That is a token, not its id/)
    expect(r.stdout + r.stderr).not.toContain(tokens.reader!.token.slice(10, 30))
    const listed = await runCli(['auth', 'token', 'list', '--json'], {env: sandbox.env})
    expect(listed.json.tokens.find((t: {id: string}) => t.id === tokens.reader!.id).state).toBe('active')
  })

  it('serves 32 concurrent clients, each with its own token, each seeing only its own scope\'s tools', async () => {
    const scopes = ['hatch:read', 'hatch:write', 'hatch:destructive', 'hatch:admin']
    const store = SqliteStore.open(storePath(sandbox))
    const made = await Promise.all(
      Array.from({length: 32}, (_, i) => createToken(store, {user: `user${i}`, role: 'default', scopes: [scopes[i % 4]!], expiresAt: null, now: Date.now()})),
    )
    await store.close()
    const expected: Record<string, string[]> = {
      'hatch:read': READ_TOOLS,
      'hatch:write': [...HOST_READ_TOOLS, 'backup_host_config', 'my_usage'],
      'hatch:destructive': [...HOST_READ_TOOLS, 'backup_host_config', ...DESTRUCTIVE_TOOLS, 'my_usage'],
      'hatch:admin': [...READ_TOOLS, 'usage_report', 'set_tool_limit'],
    }
    const seen = await Promise.all(
      made.map(async ({token}, i) => {
        const client = await connect(served.url, token)
        try {
          const names = await toolNames(client)
          const call = await client.callTool({name: 'list_hosts', arguments: {host: 'cursor'}})
          return {names, ok: !call.isError, scope: scopes[i % 4]!}
        } finally {
          await client.close()
        }
      }),
    )
    for (const s of seen) {
      expect(s.names).toEqual(expected[s.scope])
      expect(s.ok).toBe(true)
    }
  })
})
