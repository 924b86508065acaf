import {execFileSync} from 'node:child_process'
import {existsSync, lstatSync} from 'node:fs'
import {mkdir, readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {beforeEach, describe, expect, it} from 'vitest'

import {runCli, type Sandbox} from '../../helpers/cli.js'
import {sandboxPerTest} from '../../helpers/sandbox.js'

const {sandbox, put} = sandboxPerTest('hatch-server-')
let sb: Sandbox
beforeEach(() => {
  sb = sandbox()
})

const hatch = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) => runCli(['mcp', 'server', ...args], {env: {...sb.env, ...env}, cwd})

const SECRET = 'hunter2-sekrit-value'
const GH = 'ghp_0123456789abcdefghijABCDEFGHIJ012345'
const CURSOR = `{\n  "mcpServers": {\n    "gh": {"command": "npx", "args": ["-y", "gh-mcp", "--api-key", "${SECRET}"], "env": {"GITHUB_TOKEN": "${GH}", "PLAIN": "${SECRET}"}}\n  }\n}\n`
const CODEX = `model = "o3"\n\n[mcp_servers.remote]\nurl = "https://mcp.example.com/mcp?api_key=${SECRET}"\n\n[mcp_servers.remote.http_headers]\nX-Api-Key = "${SECRET}"\n`
const CLAUDE = '{\n  "numStartups": 3,\n  "mcpServers": {"user-one": {"command": "a"}},\n  "projects": {\n    "/srv/app": {"mcpServers": {"local-one": {"type": "http", "url": "https://l.example/mcp"}}}\n  }\n}\n'

describe('hatch mcp server list', () => {
  it('lists every detected host, Claude Code scopes included, with secrets masked and values of env and headers left out', async () => {
    await put('.cursor/mcp.json', CURSOR)
    await put('.codex/config.toml', CODEX)
    await put('.claude.json', CLAUDE)
    const project = join(sb.home, 'proj')
    await put('proj/.mcp.json', '{"mcpServers": {"proj-one": {"command": "p"}}}\n')
    await put('.config/Code/User/mcp.json', '{"servers": {')
    const r = await runCli(['mcp', 'server', 'list', '--json'], {env: sb.env, cwd: project})
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain(SECRET)
    expect(r.stdout).not.toContain(GH)
    const byName = Object.fromEntries(r.json.servers.map((s: {name: string}) => [s.name, s]))
    expect(byName.gh).toMatchObject({host: 'cursor', scope: 'user', transport: 'stdio', command: 'npx', args: ['-y', 'gh-mcp', '--api-key', '[REDACTED:secret]'], env: ['GITHUB_TOKEN', 'PLAIN'], enabled: true})
    expect(byName.remote).toMatchObject({host: 'codex', transport: 'http', headers: ['X-Api-Key']})
    expect(byName.remote.url).toContain('api_key=[REDACTED:secret]')
    expect(byName['user-one']).toMatchObject({host: 'claude-code', scope: 'user'})
    expect(byName['local-one']).toMatchObject({host: 'claude-code', scope: 'local', project: '/srv/app', transport: 'http'})
    expect(byName['proj-one']).toMatchObject({host: 'claude-code', scope: 'project', path: join(project, '.mcp.json')})
    expect(r.json.files).toContainEqual(expect.objectContaining({host: 'vscode', status: 'invalid'}))

    const human = await runCli(['mcp', 'server', 'list'], {env: sb.env, cwd: project})
    expect(human.stdout).toMatch(/claude-code\s+local:\/srv\/app\s+local-one\s+http\s+on\s+https:\/\/l\.example\/mcp/)
    expect(human.stdout).toContain('Not listed:')
    expect(human.stdout + human.stderr).not.toContain(SECRET)

    // A named host that does not parse is an error, not a note.
    expect((await hatch(['list', '--host', 'vscode', '--json'])).code).toBe(7)
  })
})

describe('hatch mcp server add / remove', () => {
  it('dry-run writes nothing; add backs up first and prints the id; remove gives back the original bytes', async () => {
    const path = await put('.cursor/mcp.json', CURSOR)
    const args = ['add', 'memory', '--host', 'cursor', '--command', 'npx', '--arg', '-y', '--arg', '@modelcontextprotocol/server-memory', '--arg', '--token', '--arg', SECRET, '--env', 'MEMORY_FILE=${HOME}/m.json', '--env', 'FROM_ENV']
    const dry = await hatch([...args, '--dry-run', '--json'], {FROM_ENV: SECRET})
    expect(dry.code).toBe(0)
    expect(dry.json).toMatchObject({dryRun: true, changed: true, action: 'add', backupId: null})
    expect(dry.json.diff).toContain('+    "memory": {')
    expect(dry.stdout).not.toContain(SECRET)
    expect(await readFile(path, 'utf8')).toBe(CURSOR)
    // Without --json: the diff, then a line saying it was only a preview.
    const dryHuman = await hatch([...args, '--dry-run'], {FROM_ENV: SECRET})
    expect(dryHuman.stdout).toContain('+    "memory": {')
    expect(dryHuman.stdout.trimEnd().split('\n').at(-1)).toBe('Dry run: nothing written.')
    expect(dryHuman.stdout + dryHuman.stderr).not.toContain(SECRET)
    expect(await readFile(path, 'utf8')).toBe(CURSOR)

    const added = await hatch(args, {FROM_ENV: SECRET})
    expect(added.code).toBe(0)
    expect(added.stdout).toMatch(/The previous content is backup \d{8}_\d{6}_\d{6}/)
    expect(added.stdout + added.stderr).not.toContain(SECRET)
    const written = JSON.parse(await readFile(path, 'utf8'))
    // $VAR references are written as given, never expanded; NAME alone took the value from hatch's environment.
    expect(written.mcpServers.memory.env).toEqual({MEMORY_FILE: '${HOME}/m.json', FROM_ENV: SECRET})
    expect(written.mcpServers.gh).toEqual(JSON.parse(CURSOR).mcpServers.gh)

    const again = await hatch(['add', 'memory', '--host', 'cursor', '--command', 'other', '--json'])
    expect(again.code).toBe(5)
    expect(again.json.error.code).toBe('SERVER_EXISTS')
    const replaced = await hatch(['add', 'memory', '--host', 'cursor', '--command', 'other', '--replace', '--json'])
    expect(replaced.json).toMatchObject({changed: true, replaced: true})

    const removed = await hatch(['remove', 'memory', '--host', 'cursor', '--json'])
    expect(removed.json).toMatchObject({changed: true, action: 'remove'})
    expect(await readFile(path, 'utf8')).toBe(CURSOR)
    const missing = await hatch(['remove', 'memory', '--host', 'cursor', '--json'])
    expect(missing.code).toBe(3)
    expect(missing.json.error).toMatchObject({code: 'SERVER_NOT_FOUND', suggestions: expect.arrayContaining(['Its servers: gh.'])})

    // The backup printed by the first add undoes it.
    const id = /backup (\d{8}_\d{6}_\d{6})/.exec(added.stdout)![1]!
    await runCli(['mcp', 'backup', 'restore', '--host', 'cursor', '--id', id, '--yes'], {env: sb.env})
    expect(await readFile(path, 'utf8')).toBe(CURSOR)
  })

  it('refuses a file that does not parse, bad input and what the host cannot hold; nothing is written', async () => {
    const broken = '{"mcpServers": {"a": {"command": "x"}\n'
    const path = await put('.cursor/mcp.json', broken)
    const r = await hatch(['add', 'b', '--host', 'cursor', '--command', 'x', '--json'])
    expect(r.code).toBe(7)
    expect(await readFile(path, 'utf8')).toBe(broken)
    await put('Library/x', '')
    await put('.config/Claude/claude_desktop_config.json', '{"mcpServers": {}}\n')
    const remote = await hatch(['add', 'r', '--host', 'claude-desktop', '--url', 'https://x.example/mcp', '--json'])
    expect(remote.code).toBe(2)
    expect(remote.json.error.message).toContain('Settings → Connectors')
    for (const bad of [['--command', 'x', '--url', 'https://x'], ['--url', 'ftp://x'], ['--command', 'x', '--env', 'A'], ['--command', 'x', '--header', 'A=b']]) {
      expect((await hatch(['add', 'n', '--host', 'cursor', ...bad, '--json'])).code, bad.join(' ')).toBe(2)
    }
    expect((await hatch(['add', '../x', '--host', 'cursor', '--command', 'x', '--json'])).code).toBe(2)
    expect((await hatch(['add', 'n', '--host', 'cursor', '--scope', 'local', '--command', 'x', '--json'])).code).toBe(2)
  })

  it("writes Claude Code's user, local and project scopes", async () => {
    const claude = await put('.claude.json', CLAUDE)
    const project = join(sb.home, 'proj')
    await mkdir(project)
    const local = await hatch(['add', 'lc', '--host', 'claude-code', '--project', project, '--url', 'https://lc.example/mcp', '--transport', 'sse', '--json'])
    expect(local.code).toBe(0)
    expect(local.json).toMatchObject({scope: 'local', project, path: claude})
    const doc = JSON.parse(await readFile(claude, 'utf8'))
    expect(doc.projects[project].mcpServers.lc).toEqual({type: 'sse', url: 'https://lc.example/mcp'})
    expect(doc.projects['/srv/app']).toEqual(JSON.parse(CLAUDE).projects['/srv/app'])
    expect(doc.numStartups).toBe(3)

    const shared = await hatch(['add', 'ps', '--host', 'claude-code', '--scope', 'project', '--command', 'npx'], {}, project)
    expect(shared.code).toBe(0)
    expect(JSON.parse(await readFile(join(project, '.mcp.json'), 'utf8'))).toEqual({mcpServers: {ps: {command: 'npx'}}})

    const user = await hatch(['add', 'us', '--host', 'claude-code', '--command', 'u', '--json'])
    expect(user.json).toMatchObject({scope: 'user'})
    expect(JSON.parse(await readFile(claude, 'utf8')).mcpServers).toEqual({'user-one': {command: 'a'}, us: {command: 'u'}})

    const gone = await hatch(['remove', 'lc', '--host', 'claude-code', '--scope', 'local', '--project', project, '--json'])
    expect(gone.json).toMatchObject({changed: true, scope: 'local'})
    // The project entry the add created goes with its last server; the other project's is kept.
    expect(JSON.parse(await readFile(claude, 'utf8')).projects).toEqual(JSON.parse(CLAUDE).projects)
  })
})

describe('secrets in --dry-run and sync output', () => {
  const BEARER = 'Bearer sk-live-0123456789abcdefABCDEF'
  const WITH_SECRETS = `{\n  "mcpServers": {\n    "gh": {"command": "npx", "args": ["-y", "gh-mcp"], "env": {"GITHUB_TOKEN": "${GH}"}},\n    "remote": {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "${BEARER}"}}\n  }\n}\n`
  const leaks = (r: {stdout: string; stderr: string}) => [GH, BEARER, BEARER.slice('Bearer '.length)].filter((s) => (r.stdout + r.stderr).includes(s))
  const backups = (host: string) => existsSync(join(sb.home, '.hatch', 'mcp_host_config_backups', host))

  it('remove --dry-run shows the masked diff of an env var and a header, says nothing was written, and writes nothing', async () => {
    const path = await put('.cursor/mcp.json', WITH_SECRETS)
    for (const name of ['gh', 'remote']) {
      const human = await hatch(['remove', name, '--host', 'cursor', '--dry-run'])
      expect(human.code, human.stderr).toBe(0)
      expect(human.stdout).toContain(`-    "${name}": {`)
      expect(human.stdout.trimEnd().split('\n').at(-1)).toBe('Dry run: nothing written.')
      expect(leaks(human), name).toEqual([])
      const json = await hatch(['remove', name, '--host', 'cursor', '--dry-run', '--json'])
      expect(json.json).toMatchObject({action: 'remove', changed: true, dryRun: true, backupId: null})
      expect(leaks(json), name).toEqual([])
    }
    expect(await readFile(path, 'utf8')).toBe(WITH_SECRETS)
    expect(backups('cursor')).toBe(false)
  })

  it('sync --dry-run shows masked diffs and writes nothing; a real sync prints no secret either', async () => {
    await put('.cursor/mcp.json', WITH_SECRETS)
    const codex = await put('.codex/config.toml', 'model = "o3"\n')
    const vscode = await put('.config/Code/User/mcp.json', '{\n  "servers": {}\n}\n')
    const sync = ['sync', '--from', 'cursor', '--to', 'codex', '--to', 'vscode']
    const human = await hatch([...sync, '--dry-run'])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toContain('would write')
    expect(human.stdout).toContain('+[mcp_servers.gh.env]')
    expect(human.stdout).toContain('"Authorization"')
    expect(leaks(human)).toEqual([])
    const json = await hatch([...sync, '--dry-run', '--json'])
    expect(json.json.targets.map((t: {changed: boolean; backupId: null}) => [t.changed, t.backupId])).toEqual([[true, null], [true, null]])
    expect(leaks(json)).toEqual([])
    expect(await readFile(codex, 'utf8')).toBe('model = "o3"\n')
    expect(await readFile(vscode, 'utf8')).toBe('{\n  "servers": {}\n}\n')
    expect([backups('codex'), backups('vscode')]).toEqual([false, false])

    const done = await hatch(['sync', '--from', 'cursor', '--to', 'codex'])
    expect(done.code, done.stderr).toBe(0)
    expect(done.stdout).toContain('wrote')
    expect(leaks(done)).toEqual([])
    const doneJson = await hatch(['sync', '--from', 'cursor', '--to', 'vscode', '--json'])
    expect(doneJson.code, doneJson.stderr).toBe(0)
    expect(doneJson.json.targets[0]).toMatchObject({changed: true, copied: ['gh', 'remote'], backupId: expect.stringMatching(/^\d{8}_\d{6}_\d{6}$/)})
    expect(leaks(doneJson)).toEqual([])
    // The secrets did reach the targets: only the output leaves them out.
    expect(await readFile(codex, 'utf8')).toContain(GH)
    expect(await readFile(vscode, 'utf8')).toContain(BEARER)
  })
})

describe('hatch mcp server sync', () => {
  it('copies servers across formats, skips what a target cannot express with the reason, and backs up each target', async () => {
    await put('.gemini/settings.json', '// settings\n{"mcpServers": {"loc": {"command": "npx", "args": ["a"], "cwd": "/w"}, "rem": {"url": "https://r.example/sse"}}}\n')
    const codex = await put('.codex/config.toml', '# keep me\nmodel = "o3"\n')
    await mkdir(join(sb.home, '.config/Claude'), {recursive: true})
    const dry = await hatch(['sync', '--from', 'gemini', '--to', 'codex', '--to', 'claude-desktop', '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    const [toCodex, toDesktop] = dry.json.targets
    expect(toCodex).toMatchObject({host: 'codex', copied: ['loc'], untranslated: [{name: 'loc', fields: ['cwd']}], skipped: [{name: 'rem', reason: expect.stringContaining('streamable HTTP only')}], backupId: null})
    expect(toDesktop).toMatchObject({host: 'claude-desktop', copied: ['loc'], skipped: [{name: 'rem', reason: expect.stringContaining('Connectors')}]})
    expect(await readFile(codex, 'utf8')).toBe('# keep me\nmodel = "o3"\n')

    const done = await hatch(['sync', '--from', 'gemini', '--to', 'codex', '--to', 'claude-desktop', '--json'])
    expect(done.code).toBe(0)
    expect(await readFile(codex, 'utf8')).toBe('# keep me\nmodel = "o3"\n\n[mcp_servers.loc]\ncommand = "npx"\nargs = ["a"]\n')
    expect(done.json.targets[0].backupId).toMatch(/^\d{8}_\d{6}_\d{6}$/)
    expect(done.json.targets[1].backupId).toBeNull() // the Claude Desktop file was new
    const human = await hatch(['sync', '--from', 'gemini', '--to', 'codex'])
    expect(human.stdout).toContain('= loc (already there)')
    expect(human.stdout).toContain('skipped rem:')
  })
})

describe('a FIFO where a host config should be', () => {
  it('server list/add, drift, backup diff and guard refuse it at once (exit 2) and leave it as it is', async () => {
    const config = await put('.cursor/mcp.json', CURSOR)
    expect((await runCli(['mcp', 'backup', 'create', '--host', 'cursor', '--json'], {env: sb.env})).code).toBe(0)
    await rm(config)
    execFileSync('mkfifo', [config])
    const ran = join(sb.root, 'guarded-command-ran')
    const opts = {env: sb.env, timeoutMs: 15_000}
    const [list, add, diff, guard, drift, listAll] = await Promise.all([
      runCli(['mcp', 'server', 'list', '--host', 'cursor', '--json'], opts),
      runCli(['mcp', 'server', 'add', 'x', '--host', 'cursor', '--command', 'x', '--json'], opts),
      runCli(['mcp', 'backup', 'diff', '--host', 'cursor', '--json'], opts),
      runCli(['mcp', 'guard', '--host', 'cursor', '--json', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(ran)}, '')`], opts),
      runCli(['mcp', 'drift', '--host', 'cursor', '--json'], opts),
      runCli(['mcp', 'server', 'list', '--json'], opts),
    ])
    for (const r of [list, add, diff, guard, drift, listAll]) expect(r.timedOut, `blocked on the FIFO: ${r.stderr}`).toBe(false)
    for (const r of [list, add, diff, guard]) {
      expect(r.code, r.stdout).toBe(2)
      expect(r.json.error).toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringMatching(/mcp\.json is a FIFO .*not a regular file/)})
    }
    // guard backs up before it runs anything: the command never ran unprotected.
    expect(existsSync(ran)).toBe(false)
    expect(drift.json.hosts).toMatchObject([{host: 'cursor', status: 'unreadable', problems: [expect.stringContaining('FIFO')]}])
    expect(listAll.code).toBe(0)
    expect(listAll.json.servers).toEqual([])
    expect(lstatSync(config).isFIFO()).toBe(true)
  })
})
