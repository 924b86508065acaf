import {existsSync, statSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {z} from 'zod'

import {hostIds} from '../../../src/core/hosts/registry.js'
import {ResolvedHost} from '../../../src/core/hosts/schemas.js'
import {HATCH, makeSandbox, runCli, type Sandbox} from '../../helpers/cli.js'

const Result = z.strictObject({hosts: z.array(ResolvedHost)})

async function touch(file: string, content = '{}\n'): Promise<void> {
  await mkdir(join(file, '..'), {recursive: true})
  await writeFile(file, content)
}

describe('hatch mcp hosts (built CLI)', () => {
  let sb: Sandbox

  beforeAll(() => {
    const built = resolve(import.meta.dirname, '../../../dist/commands/mcp/hosts.js')
    if (!existsSync(built)) throw new Error('Build first: npm run build')
  })
  beforeEach(async () => {
    sb = await makeSandbox()
  })
  afterEach(async () => {
    await sb.cleanup()
  })

  it('--json lists every host, all absent in an empty home, every path inside the sandbox', async () => {
    const r = await runCli(['mcp', 'hosts', '--json'], {env: sb.env})
    expect(r.code).toBe(0)
    const {hosts} = Result.parse(r.json)
    expect(hosts.map((h) => h.id)).toEqual(hostIds())
    for (const h of hosts) {
      expect(h.status).toBe('absent')
      expect(h.warnings).toEqual([])
      for (const c of h.candidates) expect(c.path.startsWith(sb.home + '/'), c.path).toBe(true)
    }
    expect(hosts.find((h) => h.id === 'zed')!.path).toBe(join(sb.home, '.config', 'zed', 'settings.json'))
  })

  it('--config shows the host with that one file, present or absent, and needs --host', async () => {
    const mine = join(sb.home, 'My Configs', 'cursor ü.json')
    await touch(mine)
    const r = await runCli(['mcp', 'hosts', '--host', 'cursor', '--config', mine, '--json'], {env: sb.env})
    expect(r.code).toBe(0)
    expect(Result.parse(r.json).hosts).toEqual([
      expect.objectContaining({id: 'cursor', status: 'present', path: mine, candidates: [{path: mine, exists: true}]}),
    ])
    const missing = await runCli(['mcp', 'hosts', '--host', 'cursor', '--config', join(sb.home, 'nope.json'), '--json'], {env: sb.env})
    expect(Result.parse(missing.json).hosts[0]).toMatchObject({status: 'absent', path: join(sb.home, 'nope.json')})
    expect((await runCli(['mcp', 'hosts', '--config', mine], {env: sb.env})).code).toBe(2)
  })

  it('reports both LM Studio files as ambiguous, and a present and an app-only host', async () => {
    await touch(join(sb.home, '.lmstudio', 'mcp.json'))
    await touch(join(sb.home, '.cache', 'lm-studio', 'mcp.json'))
    await touch(join(sb.home, '.cursor', 'mcp.json'))
    await mkdir(join(sb.home, '.gemini'))
    const r = await runCli(['mcp', 'hosts', '--json'], {env: sb.env})
    expect(r.code).toBe(0)
    const byId = new Map(Result.parse(r.json).hosts.map((h) => [h.id, h]))
    expect(byId.get('lmstudio')).toMatchObject({
      status: 'ambiguous',
      path: null,
      candidates: [
        {path: join(sb.home, '.lmstudio', 'mcp.json'), exists: true},
        {path: join(sb.home, '.cache', 'lm-studio', 'mcp.json'), exists: true},
      ],
    })
    expect(byId.get('cursor')).toMatchObject({status: 'present', path: join(sb.home, '.cursor', 'mcp.json')})
    expect(byId.get('gemini')).toMatchObject({status: 'app-only', path: join(sb.home, '.gemini', 'settings.json')})
  })

  it('set-path settles an ambiguous host for every command until unset-path', async () => {
    const chosen = join(sb.home, '.lmstudio', 'mcp.json')
    await touch(chosen, '{"mcpServers": {"chosen": {}}}\n')
    await touch(join(sb.home, '.cache', 'lm-studio', 'mcp.json'))
    const before = await runCli(['mcp', 'backup', 'create', '--host', 'lmstudio', '--json'], {env: sb.env})
    expect(before.code).toBe(9)
    expect(before.json.error.suggestions).toContain(`${HATCH} mcp hosts set-path lmstudio ${chosen}   (saves the choice for every command)`)

    const set = await runCli(['mcp', 'hosts', 'set-path', 'lmstudio', '~/.lmstudio/mcp.json', '--json'], {env: sb.env})
    expect(set.code).toBe(0)
    expect(set.json).toEqual({host: 'lmstudio', path: chosen, exists: true, changed: true})
    const file = join(sb.home, '.hatch', 'hosts.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({version: 1, paths: {lmstudio: chosen}})

    const made = await runCli(['mcp', 'backup', 'create', '--host', 'lmstudio', '--json'], {env: sb.env})
    expect(made.code).toBe(0)
    expect(made.json.sourcePath).toBe(chosen)
    const listed = Result.parse((await runCli(['mcp', 'hosts', '--host', 'lmstudio', '--json'], {env: sb.env})).json).hosts[0]
    expect(listed).toMatchObject({status: 'present', path: chosen, saved: true})
    const human = await runCli(['mcp', 'hosts'], {env: sb.env})
    expect(human.stdout).toContain(`Saved paths (${HATCH} mcp hosts set-path): lmstudio`)

    const unset = await runCli(['mcp', 'hosts', 'unset-path', 'lmstudio', '--json'], {env: sb.env})
    expect(unset.json).toEqual({host: 'lmstudio', changed: true})
    expect((await runCli(['mcp', 'backup', 'create', '--host', 'lmstudio', '--json'], {env: sb.env})).code).toBe(9)
    expect((await runCli(['mcp', 'hosts', 'set-path', 'nope', 'x', '--json'], {env: sb.env})).code).toBe(2)
    expect((await runCli(['mcp', 'hosts', 'set-path', 'lmstudio', '~/.lmstudio', '--json'], {env: sb.env})).code).toBe(2)
  })

  it('--host narrows the list and honours CODEX_HOME and CLAUDE_CONFIG_DIR', async () => {
    const codexHome = join(sb.root, 'codex home')
    await touch(join(codexHome, 'config.toml'), '[mcp_servers]\n')
    const env = {...sb.env, CODEX_HOME: codexHome, CLAUDE_CONFIG_DIR: join(sb.root, 'claude')}
    const codex = await runCli(['mcp', 'hosts', '--host', 'codex', '--json'], {env})
    expect(codex.code).toBe(0)
    expect(Result.parse(codex.json).hosts).toEqual([
      expect.objectContaining({id: 'codex', format: 'toml', serversKey: 'mcp_servers', sharedState: true, status: 'present', path: join(codexHome, 'config.toml')}),
    ])
    const claude = await runCli(['mcp', 'hosts', '--host=claude-code', '--json'], {env})
    expect(Result.parse(claude.json).hosts[0]!.path).toBe(join(sb.root, 'claude', '.claude.json'))
  })

  it('prints an aligned table, the ambiguous candidates and warnings for humans', async () => {
    await touch(join(sb.home, '.lmstudio', 'mcp.json'))
    await touch(join(sb.home, '.cache', 'lm-studio', 'mcp.json'))
    const r = await runCli(['mcp', 'hosts'], {env: {...sb.env, XDG_CONFIG_HOME: 'relative/cfg'}})
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^HOST +FORMAT +STATUS +PATH$/)
    const pathColumn = lines[0]!.indexOf('PATH')
    expect(lines.find((l) => l.startsWith('cursor'))!.indexOf('~/.cursor/mcp.json')).toBe(pathColumn)
    expect(r.stdout).toMatch(/^lmstudio +json +ambiguous /m)
    expect(r.stdout).toContain(`  ${join(sb.home, '.lmstudio', 'mcp.json')}\n  ${join(sb.home, '.cache', 'lm-studio', 'mcp.json')}`)
    expect(r.stdout).toMatch(/Warnings:\n {2}claude-desktop: XDG_CONFIG_HOME is "relative\/cfg", which is not an absolute path/)
  })

  it('an unknown --host exits 2 with a UNKNOWN_HOST JSON error', async () => {
    const r = await runCli(['mcp', 'hosts', '--host', 'nope', '--json'], {env: sb.env})
    expect(r.code).toBe(2)
    expect(r.json).toEqual({error: {code: 'UNKNOWN_HOST', exitCode: 2, message: expect.stringContaining('Valid hosts: claude-desktop'), suggestions: expect.any(Array)}})
    for (const id of hostIds()) expect(r.json.error.message).toContain(id)
  })

  it('an unknown --host without --json exits 2 with the error on stderr', async () => {
    const r = await runCli(['mcp', 'hosts', '--host', 'nope'], {env: sb.env})
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('Unknown host "nope"')
  })
})
