import {readdir, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {beforeEach, describe, expect, it} from 'vitest'

import {runCli, type Sandbox} from '../../helpers/cli.js'
import {sandboxPerTest} from '../../helpers/sandbox.js'

const {sandbox, put} = sandboxPerTest('hatch-diff-')
let sb: Sandbox
beforeEach(() => {
  sb = sandbox()
})

const run = (args: string[]) => runCli(['mcp', ...args], {env: sb.env})
const backupOf = async (host: string): Promise<string> => (await run(['backup', 'create', '--host', host, '--json'])).json.id

const OLD_SECRET = 'old-value-1234'
const NEW_SECRET = 'new-value-5678'
const BEFORE = `{\n  "mcpServers": {\n    "keep": {"command": "k", "env": {"PLAIN": "${OLD_SECRET}"}},\n    "drop": {"command": "d"}\n  }\n}\n`
const AFTER = `{\n  "mcpServers": {\n    "keep": {"command": "k", "env": {"PLAIN": "${NEW_SECRET}"}},\n    "fresh": {"url": "https://f.example/mcp"}\n  }\n}\n`

describe('hatch mcp backup diff', () => {
  it('lists servers added, removed and changed (names and keys only), then the masked diff', async () => {
    const path = await put('.cursor/mcp.json', BEFORE)
    const id = await backupOf('cursor')
    await writeFile(path, AFTER)
    const r = await run(['backup', 'diff', '--host', 'cursor', '--json'])
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({
      host: 'cursor',
      from: {id, path},
      to: {id: null, path, exists: true},
      changed: true,
      servers: {added: ['fresh'], removed: ['drop'], changed: [{name: 'keep', fields: ['env.PLAIN']}]},
      problems: [],
    })
    expect(r.json.diff).toContain('+    "fresh": {"url": "https://f.example/mcp"}')
    for (const out of [r.stdout, (await run(['backup', 'diff', '--host', 'cursor'])).stdout]) {
      expect(out).not.toContain(OLD_SECRET)
      expect(out).not.toContain(NEW_SECRET)
    }
    const human = await run(['backup', 'diff', '--host', 'cursor'])
    expect(human.stdout).toContain('  + fresh\n  - drop\n  ~ keep: env.PLAIN')
  })

  it('compares two backups with --to, and a file that is gone or does not parse', async () => {
    const path = await put('.cursor/mcp.json', BEFORE)
    const first = await backupOf('cursor')
    await writeFile(path, AFTER)
    const second = await backupOf('cursor')
    const between = await run(['backup', 'diff', '--host', 'cursor', '--id', first, '--to', second, '--json'])
    expect(between.json).toMatchObject({from: {id: first}, to: {id: second}, servers: {added: ['fresh'], removed: ['drop']}})
    const same = await run(['backup', 'diff', '--host', 'cursor', '--json'])
    expect(same.json).toMatchObject({from: {id: second}, changed: false, diff: ''})

    await writeFile(path, '{"mcpServers": {')
    const broken = await run(['backup', 'diff', '--host', 'cursor', '--json'])
    expect(broken.code).toBe(0)
    expect(broken.json).toMatchObject({changed: true, servers: null, problems: [expect.stringContaining('not valid JSON')]})
    await rm(path)
    const gone = await run(['backup', 'diff', '--host', 'cursor', '--json'])
    expect(gone.json).toMatchObject({to: {exists: false}, servers: {removed: ['keep', 'fresh']}})
  })

  it('refuses a damaged backup, an unknown id and a path as id', async () => {
    await put('.cursor/mcp.json', BEFORE)
    const id = await backupOf('cursor')
    expect((await run(['backup', 'diff', '--host', 'cursor', '--id', '20200101_000000_000000', '--json'])).code).toBe(3)
    expect((await run(['backup', 'diff', '--host', 'cursor', '--id', '../x', '--json'])).code).toBe(2)
    const dir = join(sb.home, '.hatch', 'mcp_host_config_backups', 'cursor')
    const file = (await readdir(dir)).find((n) => n.endsWith(id))!
    await writeFile(join(dir, file), '{"mcpServers": {}}')
    const damaged = await run(['backup', 'diff', '--host', 'cursor', '--json'])
    expect(damaged.code).toBe(4)
    expect(damaged.json.error.code).toBe('CHECKSUM_MISMATCH')
  })
})

describe('hatch mcp drift', () => {
  it("says for each host what changed since its newest backup", async () => {
    const cursor = await put('.cursor/mcp.json', BEFORE)
    await backupOf('cursor')
    await writeFile(cursor, AFTER)
    await put('.codex/config.toml', '[mcp_servers.a]\ncommand = "a"\n')
    await backupOf('codex')
    await put('.config/Code/User/mcp.json', '{"servers": {}}')
    const desktop = await put('.config/Claude/claude_desktop_config.json', '{"mcpServers": {"x": {"command": "x"}}}')
    await backupOf('claude-desktop')
    await rm(desktop)

    const r = await run(['drift', '--json'])
    expect(r.code).toBe(0)
    const by = Object.fromEntries(r.json.hosts.map((h: {host: string}) => [h.host, h]))
    expect(Object.keys(by).sort()).toEqual(['claude-desktop', 'codex', 'cursor', 'vscode'])
    expect(by.cursor).toMatchObject({status: 'changed', servers: {added: ['fresh'], removed: ['drop'], changed: [{name: 'keep', fields: ['env.PLAIN']}]}})
    expect(by.codex).toMatchObject({status: 'unchanged', changed: false})
    expect(by.vscode).toMatchObject({status: 'no-backup', backup: null})
    expect(by['claude-desktop']).toMatchObject({status: 'missing', servers: {removed: ['x']}})
    expect(r.stdout).not.toContain(NEW_SECRET)

    const one = await run(['drift', '--host', 'cursor', '--diff'])
    expect(one.stdout).toMatch(/^cursor {2}changed since backup \d{8}_\d{6}_\d{6}/)
    expect(one.stdout).toContain('+    "fresh"')
    expect(one.stdout).not.toContain(NEW_SECRET)
    expect(one.stdout).not.toContain('codex')
  })
})
