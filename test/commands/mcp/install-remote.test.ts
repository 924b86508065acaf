import {readFile} from 'node:fs/promises'

import {parse} from 'jsonc-parser'
import {parse as parseToml} from 'smol-toml'
import {describe, expect, it} from 'vitest'

import {runCli} from '../../helpers/cli.js'
import {sandboxPerTest} from '../../helpers/sandbox.js'
import {connect, createPat, serveHttp} from './http-helpers.js'

const box = sandboxPerTest('hatch-install-remote-')

const put = box.put

describe('hatch mcp install --url URL --token-env VAR', () => {
  it('writes a remote entry that names the variable in the host\'s own syntax, and a client using it reaches the server', async () => {
    const {token} = await createPat(box.sandbox(), 'ivy')
    const served = await serveHttp(box.sandbox())
    try {
      const cursor = await put('.cursor/mcp.json', '{\n  "mcpServers": {}\n}\n')
      const r = await runCli(['mcp', 'install', '--host', 'cursor', '--url', served.url.href, '--token-env', 'HATCH_TOKEN', '--json'], {env: {...box.sandbox().env, HATCH_TOKEN: token}})
      expect(r.code).toBe(0)
      const text = await readFile(cursor, 'utf8')
      expect(text).not.toContain(token)
      const entry = parse(text).mcpServers.hatch
      expect(entry).toEqual({url: served.url.href, headers: {Authorization: 'Bearer ${env:HATCH_TOKEN}'}})
      // What Cursor does with it: expand ${env:HATCH_TOKEN} from its environment and send the header.
      const header = entry.headers.Authorization.replace('${env:HATCH_TOKEN}', token)
      const client = await connect(new URL(entry.url), header.replace(/^Bearer /, ''))
      try {
        expect((await client.listTools()).tools.length).toBeGreaterThan(0)
      } finally {
        await client.close()
      }
    } finally {
      await served.stop()
    }
  })

  it.each([
    ['vscode', '.config/Code/User/mcp.json', (t: string) => parse(t).servers.hatch, {type: 'http', url: 'https://hatch.example.com/mcp', headers: {Authorization: 'Bearer ${env:T}'}}],
    ['claude-code', '.claude.json', (t: string) => parse(t).mcpServers.hatch, {type: 'http', url: 'https://hatch.example.com/mcp', headers: {Authorization: 'Bearer ${T}'}}],
    ['windsurf', '.codeium/windsurf/mcp_config.json', (t: string) => parse(t).mcpServers.hatch, {serverUrl: 'https://hatch.example.com/mcp', headers: {Authorization: 'Bearer ${env:T}'}}],
    ['gemini', '.gemini/settings.json', (t: string) => parse(t).mcpServers.hatch, {httpUrl: 'https://hatch.example.com/mcp', headers: {Authorization: 'Bearer $T'}}],
    ['opencode', '.config/opencode/opencode.json', (t: string) => parse(t).mcp.hatch, {type: 'remote', url: 'https://hatch.example.com/mcp', enabled: true, headers: {Authorization: 'Bearer {env:T}'}}],
    ['codex', '.codex/config.toml', (t: string) => (parseToml(t) as any).mcp_servers.hatch, {url: 'https://hatch.example.com/mcp', bearer_token_env_var: 'T'}],
  ])('%s: the entry in its own shape', async (host, rel, read, expected) => {
    const path = await put(rel, rel.endsWith('.toml') ? '# codex\nmodel = "o3"\n' : '{}\n')
    const r = await runCli(['mcp', 'install', '--host', host, '--url', 'https://hatch.example.com/mcp', '--token-env', 'T', '--json'], {env: box.sandbox().env})
    expect(r.code).toBe(0)
    expect(read(await readFile(path, 'utf8'))).toEqual(expected)
  })

  it('refuses a host whose remote syntax is unknown, a URL carrying a credential, and a bad variable name, writing nothing', async () => {
    const desktop = await put('.config/Claude/claude_desktop_config.json', '{"mcpServers": {}}\n')
    const cursor = await put('.cursor/mcp.json', '{"mcpServers": {}}\n')
    for (const [args, why] of [
      [['--host', 'claude-desktop', '--url', 'https://h.example/mcp', '--token-env', 'T'], /will not guess/],
      [['--host', 'cursor', '--url', 'https://h.example/mcp?token=abc'], /credential/],
      [['--host', 'cursor', '--url', 'https://me:pw@h.example/mcp'], /credential/],
      [['--host', 'cursor', '--url', 'https://h.example/mcp', '--token-env', 'BAD-NAME'], /not an environment variable name/],
      [['--host', 'cursor', '--url', 'https://h.example/mcp', '--allow-write'], /cannot also be provided|--allow-write/],
    ] as const) {
      const r = await runCli(['mcp', 'install', ...args], {env: box.sandbox().env})
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(why)
    }
    expect(await readFile(desktop, 'utf8')).toBe('{"mcpServers": {}}\n')
    expect(await readFile(cursor, 'utf8')).toBe('{"mcpServers": {}}\n')
  })
})
