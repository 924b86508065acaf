import {spawn} from 'node:child_process'
import {readFile, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {makeSandbox, RUN_JS, type Sandbox} from '../../helpers/cli.js'
import {auditDir, call, serve, text, writeCursorConfig} from './serve-helpers.js'

const READ_TOOLS = ['list_hosts', 'list_host_config_backups', 'verify_host_config_backups', 'diff_host_config_backup', 'list_servers']

let sandbox: Sandbox
beforeEach(async () => {
  sandbox = await makeSandbox('hatch-serve-')
})
afterEach(async () => {
  await sandbox.cleanup()
})

describe('hatch mcp serve (read-only by default)', () => {
  it('offers only read-only tools, honestly annotated, and each works', async () => {
    const config = await writeCursorConfig(sandbox)
    const served = await serve(sandbox)
    try {
      const {tools} = await served.client.listTools()
      expect(tools.map((t) => t.name)).toEqual(READ_TOOLS)
      for (const t of tools) {
        expect(t.annotations).toMatchObject({readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false})
        expect(t.inputSchema.additionalProperties).toBe(false)
        expect(t.outputSchema?.type).toBe('object')
      }

      const hosts = await call(served, 'list_hosts', {host: 'cursor'})
      expect(hosts.isError).toBeFalsy()
      expect(hosts.structuredContent!.hosts[0]).toMatchObject({id: 'cursor', status: 'present', path: config})

      // Refusal of write tools: not offered, and a call is rejected by the server.
      await expect(call(served, 'backup_host_config', {host: 'cursor'})).rejects.toThrow(/not found/)
      expect(await readFile(config, 'utf8')).toContain('files')

      // Strict schemas: identity cannot be smuggled in as an argument.
      const smuggled = await call(served, 'list_hosts', {user: 'admin'})
      expect(smuggled.isError).toBe(true)
      expect(text(smuggled)).toMatch(/Unrecognized key/)
      const badHost = await call(served, 'list_host_config_backups', {host: '../etc'})
      expect(badHost.isError).toBe(true)

      const empty = await call(served, 'list_host_config_backups')
      expect(empty.structuredContent).toEqual({backups: [], total: 0})
      const missing = await call(served, 'diff_host_config_backup', {host: 'cursor'})
      expect(missing.isError).toBe(true)
      expect(text(missing)).toMatch(/^BACKUP_NOT_FOUND: /)
      expect(text(missing)).not.toMatch(/\n\s+at /) // no stack
    } finally {
      await served.close()
    }
  })

  it('lists, verifies and diffs backups with secrets masked, and audits every call (0600)', async () => {
    const config = await writeCursorConfig(sandbox)
    const writer = await serve(sandbox, ['--allow-write'])
    try {
      expect((await writer.client.listTools()).tools.map((t) => t.name)).toEqual([...READ_TOOLS, 'backup_host_config'])
      const made = await call(writer, 'backup_host_config', {host: 'cursor'})
      expect(made.isError).toBeFalsy()
      expect(made.structuredContent).toMatchObject({host: 'cursor', sourcePath: config, indexed: true})
      const tools = await writer.client.listTools()
      expect(tools.tools.find((t) => t.name === 'backup_host_config')!.annotations).toMatchObject({readOnlyHint: false, destructiveHint: false, openWorldHint: false})
      await writeFile(config, '{"mcpServers": {}}\n')

      const listed = await call(writer, 'list_host_config_backups', {host: 'cursor'})
      expect(listed.structuredContent!.total).toBe(1)
      expect(listed.structuredContent!.backups[0].id).toBe(made.structuredContent!.id)

      const verified = await call(writer, 'verify_host_config_backups', {host: 'cursor', id: made.structuredContent!.id})
      expect(verified.structuredContent).toMatchObject({ok: true, checked: 1, damaged: 0})

      const diff = await call(writer, 'diff_host_config_backup', {host: 'cursor'})
      expect(diff.structuredContent).toMatchObject({host: 'cursor', changed: true, targetPath: config})
      expect(diff.structuredContent!.diff).toContain('+    "files"')
      expect(diff.structuredContent!.diff).not.toContain('sk-abcdef')
      expect(text(diff)).not.toContain('sk-abcdef')
    } finally {
      await writer.close()
    }

    const dir = auditDir(sandbox)
    const file = join(dir, 'mcp-audit.jsonl')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((l) => l.tool)).toEqual(['backup_host_config', 'list_host_config_backups', 'verify_host_config_backups', 'diff_host_config_backup'])
    for (const l of lines) {
      expect(l).toMatchObject({caller: {transport: 'stdio', client: 'hatch-test 1.0.0'}, outcome: 'ok', errorCode: null})
      expect(typeof l.caller.user).toBe('string')
      expect(l.durationMs).toBeGreaterThanOrEqual(0)
    }
  })

  it('writes nothing but protocol to stdout, and exits when stdin closes', async () => {
    const child = spawn(process.execPath, [RUN_JS, 'mcp', 'serve'], {env: sandbox.env, cwd: sandbox.home, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    const send = (m: object) => child.stdin.write(`${JSON.stringify({jsonrpc: '2.0', ...m})}\n`)
    send({id: 1, method: 'initialize', params: {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'raw', version: '0'}}})
    send({method: 'notifications/initialized'})
    send({id: 2, method: 'tools/list'})
    send({id: 3, method: 'tools/call', params: {name: 'list_hosts', arguments: {}}})
    // Wait for the last answer before closing stdin (requests in flight at EOF are dropped by design).
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (stdout.includes('"id":3')) {
          clearInterval(timer)
          resolve()
        }
      }, 20)
    })
    child.stdin.end()
    expect(await exited).toBe(0)
    const lines = stdout.split('\n').filter((l) => l !== '')
    expect(lines.length).toBe(3)
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({jsonrpc: '2.0'})
  })
})
