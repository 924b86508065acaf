import {spawnSync} from 'node:child_process'
import {cp, mkdir, readFile, symlink, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {Client} from '@modelcontextprotocol/client'
import {StdioClientTransport} from '@modelcontextprotocol/client/stdio'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {makeSandbox, RUN_JS, runCli, type Sandbox} from '../../helpers/cli.js'

let sandbox: Sandbox
beforeEach(async () => {
  sandbox = await makeSandbox('hatch-install-')
})
afterEach(async () => {
  await sandbox.cleanup()
})

async function put(rel: string, text: string): Promise<string> {
  const path = join(sandbox.home, rel)
  await mkdir(join(path, '..'), {recursive: true})
  await writeFile(path, text)
  return path
}

const VSCODE = '{\n  // servers I use\n  "servers": {\n    "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}, // remote\n  },\n  "inputs": [],\n}\n'
const CODEX = '# my codex\nmodel = "o3"\n\n[mcp_servers.files]\ncommand = "npx"\nargs = ["-y", "fs"]\n'

describe('hatch mcp install / uninstall', () => {
  it('round-trips a JSONC file byte for byte, through a backed-up write, and the entry starts a working server', async () => {
    const path = await put('.config/Code/User/mcp.json', VSCODE)
    const dry = await runCli(['mcp', 'install', '--host', 'vscode', '--dry-run', '--json'], {env: sandbox.env})
    expect(dry.code).toBe(0)
    expect(dry.json).toMatchObject({dryRun: true, changed: true, action: 'install', backupId: null})
    expect(dry.json.diff).toContain('+    "hatch": {')
    expect(await readFile(path, 'utf8')).toBe(VSCODE)

    const done = await runCli(['mcp', 'install', '--host', 'vscode', '--json'], {env: sandbox.env})
    expect(done.code).toBe(0)
    expect(done.json).toMatchObject({changed: true, dryRun: false, path})
    expect(done.json.backupId).toMatch(/^\d{8}_\d{6}_\d{6}$/)
    const installed = await readFile(path, 'utf8')
    expect(installed).toContain('// servers I use')
    expect(installed).toContain('"github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}, // remote')

    const again = await runCli(['mcp', 'install', '--host', 'vscode', '--json'], {env: sandbox.env})
    expect(again.json).toMatchObject({changed: false})

    // The entry as written starts hatch's server.
    const {parse} = await import('jsonc-parser')
    const entry = parse(installed).servers.hatch as {type: string; command: string; args: string[]}
    expect(entry.type).toBe('stdio')
    const env = Object.fromEntries(Object.entries(sandbox.env).filter((e): e is [string, string] => e[1] !== undefined))
    const client = new Client({name: 'install-test', version: '1'})
    await client.connect(new StdioClientTransport({command: entry.command, args: entry.args, env, stderr: 'pipe'}))
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('list_hosts')
    await client.close()

    const removed = await runCli(['mcp', 'uninstall', '--host', 'vscode', '--json'], {env: sandbox.env})
    expect(removed.code).toBe(0)
    expect(removed.json).toMatchObject({changed: true, action: 'uninstall'})
    expect(Buffer.compare(await readFile(path), Buffer.from(VSCODE))).toBe(0)
    const none = await runCli(['mcp', 'uninstall', '--host', 'vscode', '--json'], {env: sandbox.env})
    expect(none.json).toMatchObject({changed: false})
  })

  it('from a working checkout: writes node and the full path, and warns that it stops working once the folder moves', async () => {
    await put('.cursor/mcp.json', '{"mcpServers": {}}\n')
    const r = await runCli(['mcp', 'install', '--host', 'cursor', '--dry-run', '--json'], {env: sandbox.env})
    expect(r.code).toBe(0)
    expect(r.json.entry).toMatchObject({command: process.execPath, args: [RUN_JS, 'mcp', 'serve']})
    // A checkout cloned under the temp folder (as CI may do) is reported as a temporary folder: the same warning.
    expect(r.json.warnings).toEqual([expect.stringMatching(/, (a working checkout|a temporary folder): once that folder is moved or deleted/)])
    const plain = await runCli(['mcp', 'install', '--host', 'cursor', '--dry-run'], {env: sandbox.env})
    expect(plain.stderr).toContain('Warning: The entry starts hatch from')
  })

  it('from a global install (the hatch on PATH, in node_modules): writes hatch, which survives upgrades', async () => {
    // A copy of the package where npm i -g puts one, with the hatch link on PATH.
    const repo = dirname(dirname(RUN_JS))
    const pkg = join(sandbox.root, 'prefix', 'lib', 'node_modules', 'hatch-mcp')
    for (const part of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) await cp(join(repo, part), join(pkg, part), {recursive: true})
    await symlink(join(repo, 'node_modules'), join(pkg, 'node_modules'))
    const bin = join(sandbox.root, 'prefix', 'bin')
    await mkdir(bin, {recursive: true})
    await symlink(join(pkg, 'bin', 'run.js'), join(bin, 'hatch'))
    await put('.cursor/mcp.json', '{"mcpServers": {}}\n')
    const out = spawnSync(process.execPath, [join(bin, 'hatch'), 'mcp', 'install', '--host', 'cursor', '--allow-write', '--dry-run', '--json'], {
      env: {...sandbox.env, PATH: `${bin}:${process.env.PATH}`},
      cwd: sandbox.home,
      encoding: 'utf8',
    })
    expect(out.status, out.stderr).toBe(0)
    const json = JSON.parse(out.stdout)
    expect(json.entry).toMatchObject({command: 'hatch', args: ['mcp', 'serve', '--allow-write']})
    expect(json.warnings).toEqual([])
  })

  it('round-trips Codex TOML byte for byte with [mcp_servers.hatch]', async () => {
    const path = await put('.codex/config.toml', CODEX)
    const done = await runCli(['mcp', 'install', '--host', 'codex', '--command', 'hatch', '--allow-write', '--json'], {env: sandbox.env})
    expect(done.code).toBe(0)
    expect(await readFile(path, 'utf8')).toBe(`${CODEX}\n[mcp_servers.hatch]\ncommand = "hatch"\nargs = ["mcp", "serve", "--allow-write"]\n`)
    const removed = await runCli(['mcp', 'uninstall', '--host', 'codex'], {env: sandbox.env})
    expect(removed.code).toBe(0)
    expect(Buffer.compare(await readFile(path), Buffer.from(CODEX))).toBe(0)
  })

  it('refuses a file that does not parse, and writes nothing', async () => {
    const broken = '{"mcpServers": {"a": {"command": "x"}\n'
    const path = await put('.cursor/mcp.json', broken)
    const r = await runCli(['mcp', 'install', '--host', 'cursor', '--json'], {env: sandbox.env})
    expect(r.code).toBe(7)
    expect(r.json.error.code).toBe('INVALID_CONFIG')
    expect(await readFile(path, 'utf8')).toBe(broken)
  })
})
