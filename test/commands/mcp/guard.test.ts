import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {beforeEach, describe, expect, it} from 'vitest'

import {HATCH, RUN_JS, runCli, startCli, type Sandbox} from '../../helpers/cli.js'
import {sandboxPerTest} from '../../helpers/sandbox.js'

const {sandbox, put} = sandboxPerTest('hatch-guard-')
let sb: Sandbox
beforeEach(() => {
  sb = sandbox()
})

const SECRET = 'guard-secret-9f8e7d'
const CURSOR = `{\n  "mcpServers": {\n    "a": {"command": "a", "env": {"PLAIN": "${SECRET}"}},\n    "b": {"command": "b"}\n  }\n}\n`
const CODEX = '# codex\nmodel = "o3"\n\n[mcp_servers.files]\ncommand = "npx"\nargs = ["-y", "fs"]\n'

/** `hatch mcp guard <flags> -- node -e <script>`: the script gets HOME, so it edits the sandbox's configs. */
const guard = (flags: string[], script: string, input?: string) => runCli(['mcp', 'guard', ...flags, '--', process.execPath, '-e', script], {env: sb.env, input})

const edit = (rel: string, js: string) => `const fs = require('fs'); const p = require('path').join(process.env.HOME, ${JSON.stringify(rel)}); let t = fs.readFileSync(p, 'utf8'); ${js}; fs.writeFileSync(p, t);`

describe('hatch mcp guard', () => {
  it('restores a file the command corrupted, exits 11, and keeps what the command left as a backup', async () => {
    const cursor = await put('.cursor/mcp.json', CURSOR)
    await put('.codex/config.toml', CODEX)
    const r = await guard(['--json'], edit('.cursor/mcp.json', 't = t.slice(0, 20)'))
    expect(r.code).toBe(11)
    expect(await readFile(cursor, 'utf8')).toBe(CURSOR)
    const file = r.json.files.find((f: {host: string}) => f.host === 'cursor')
    expect(file).toMatchObject({status: 'restored', restored: 'whole-file', damage: [expect.stringContaining('no longer parses')]})
    expect(r.json).toMatchObject({ok: false, damaged: true, exitCode: 0, status: 0})
    expect(r.json.files.find((f: {host: string}) => f.host === 'codex')).toMatchObject({status: 'unchanged'})
    const left = await runCli(['mcp', 'backup', 'list', '--host', 'cursor', '--json'], {env: sb.env})
    expect(left.json.map((b: {reason: string}) => b.reason).sort()).toEqual(['guard', 'pre-restore'])
    expect(r.stdout + r.stderr).not.toContain(SECRET)
  })

  it('puts back a server the command deleted (exit 11), unless --allow-removal', async () => {
    const codex = await put('.codex/config.toml', CODEX)
    const drop = edit('.codex/config.toml', "t = t.replace(/\\[mcp_servers\\.files\\][^]*$/, '')")
    const r = await guard(['--host', 'codex', '--json'], drop)
    expect(r.code).toBe(11)
    expect(r.json.files[0]).toMatchObject({status: 'restored', restored: 'whole-file', damage: ['servers removed: files'], servers: {removed: ['files']}})
    expect(await readFile(codex, 'utf8')).toBe(CODEX)

    const allowed = await guard(['--host', 'codex', '--allow-removal'], drop)
    expect(allowed.code).toBe(0)
    expect(await readFile(codex, 'utf8')).toBe('# codex\nmodel = "o3"\n\n')
    expect(allowed.stderr).toContain('codex')
    expect(allowed.stderr).toContain('- files')
  })

  it('keeps the exit code of a failed command and rolls back what it changed', async () => {
    const cursor = await put('.cursor/mcp.json', CURSOR)
    const r = await guard(['--host', 'cursor', '--json'], `${edit('.cursor/mcp.json', 't = t.replace(\'"b": {"command": "b"}\', \'"b": {"command": "b2"}\')')} process.exit(1)`)
    expect(r.code).toBe(1)
    expect(r.json.files[0]).toMatchObject({status: 'restored', damage: [], servers: {changed: [{name: 'b', fields: ['command']}]}})
    expect(await readFile(cursor, 'utf8')).toBe(CURSOR)

    // Said plainly: the changes undone may not all be the command's, and what hatch replaced is kept.
    const human = await guard(['--host', 'cursor'], `${edit('.cursor/mcp.json', 't = t.replace(\'"b": {"command": "b"}\', \'"b": {"command": "b3"}\')')} process.exit(1)`)
    expect(human.code).toBe(1)
    const id = /kept as backup (\d{8}_\d{6}_\d{6})/.exec(human.stderr)?.[1]
    expect(human.stderr).toMatch(/cursor .*mcp\.json: changed while the command ran \(by it or another program\); restored, because the command failed\n/)
    expect(human.stderr).toContain(`undoing every change made while it ran (by it or another program). The content it replaced is kept as backup ${id}: ${HATCH} mcp backup restore --host cursor --id ${id}`)
    expect(human.stderr).not.toContain('what the command left')
    expect(await readFile(cursor, 'utf8')).toBe(CURSOR)

    const untouched = await guard(['--host', 'cursor'], 'process.exit(3)')
    expect(untouched.code).toBe(3)
    expect(untouched.stderr).toContain('No config file changed.')
  })

  it('keeps a correct edit and reports it (exit 0)', async () => {
    const cursor = await put('.cursor/mcp.json', CURSOR)
    const r = await guard(['--host', 'cursor'], edit('.cursor/mcp.json', 't = t.replace(\'"b": {"command": "b"}\', \'"b": {"command": "b"},\\n    "c": {"command": "c"}\')'))
    expect(r.code).toBe(0)
    expect(await readFile(cursor, 'utf8')).toContain('"c": {"command": "c"}')
    expect(r.stderr).toMatch(/cursor .*mcp\.json: changed while the command ran \(by it or another program\); kept\n {4}\+ c/)
    expect(r.stderr).not.toContain(SECRET)
  })

  it('passes stdin and stdout through; with --json the command\'s stdout goes to stderr and stdout is one JSON document', async () => {
    await put('.cursor/mcp.json', CURSOR)
    const echo = "process.stdin.on('data', (d) => process.stdout.write('got ' + d))"
    const plain = await guard(['--host', 'cursor'], echo, 'hello')
    expect(plain.stdout).toBe('got hello')
    const json = await guard(['--host', 'cursor', '--json'], echo, 'hello')
    expect(JSON.parse(json.stdout)).toMatchObject({ok: true, command: [process.execPath, '-e', echo]})
    expect(json.stderr).toContain('got hello')
    // Arguments reach the command exactly, repeats and hatch's own flag names included.
    const argv = await runCli(['mcp', 'guard', '--host', 'cursor', '--', 'sh', '-c', 'printf "%s|" "$@"', 'x', 'a', 'a', '--help', '--json'], {env: sb.env})
    expect(argv.stdout).toBe('a|a|--help|--json|')
  })

  it('masks secrets in the command it reports, and refuses a missing command', async () => {
    await put('.cursor/mcp.json', CURSOR)
    const r = await runCli(['mcp', 'guard', '--host', 'cursor', '--json', '--', process.execPath, '-e', '0', '--', '--api-key', SECRET], {env: sb.env})
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain(SECRET)
    expect((await runCli(['mcp', 'guard', '--json'], {env: sb.env})).json.error.code).toBe('INVALID_ARGUMENT')
    const missing = await runCli(['mcp', 'guard', '--host', 'cursor', '--json', '--', 'no-such-program-hatch'], {env: sb.env})
    expect(missing.code).toBe(127)
  })

  it('keeps a change another process made while the command ran, and says so when it has to undo one', async () => {
    const cursor = await put('.cursor/mcp.json', CURSOR)
    const claude = await put('.claude.json', '{\n  "numStartups": 1,\n  "mcpServers": {"u": {"command": "u"}}\n}\n')
    const go = join(sb.root, 'go')
    // The command waits until the test (another process) has edited the configs, then fails.
    const wait = `const fs = require('fs'); const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(go)})) { clearInterval(t); process.exit(Number(process.argv[1] ?? 0)) } }, 20)`
    const started = runCli(['mcp', 'guard', '--host', 'cursor', '--host', 'claude-code', '--json', '--', process.execPath, '-e', wait, '1'], {env: sb.env})
    // Give guard time to make its backups, then edit as another program would: Claude Code rewrites its state, and
    // something adds a server to Cursor's file.
    for (let i = 0; i < 200 && !(await backupsMade()); i++) await new Promise((r) => setTimeout(r, 25))
    await writeFile(claude, '{\n  "numStartups": 2,\n  "mcpServers": {"u": {"command": "u"}}\n}\n')
    const theirs = CURSOR.replace('"b": {"command": "b"}', '"b": {"command": "b"},\n    "theirs": {"command": "t"}')
    await writeFile(cursor, theirs)
    await writeFile(go, '')
    const r = await started
    expect(r.code).toBe(1)
    const by = Object.fromEntries(r.json.files.map((f: {host: string}) => [f.host, f]))
    // The command failed, so its "changes" are undone — but the server-only state Claude Code wrote stays, and the
    // other program's edit of Cursor's file is kept as a backup the report names.
    expect(by['claude-code']).toMatchObject({status: 'changed', note: expect.stringContaining('outside its servers')})
    expect(JSON.parse(await readFile(claude, 'utf8')).numStartups).toBe(2)
    // The report does not pass the other program's edit off as the command's.
    expect(by.cursor).toMatchObject({status: 'restored', servers: {added: ['theirs']}, note: expect.stringContaining('while it ran (by it or another program)')})
    expect(by.cursor.note).toContain(`kept as backup ${by.cursor.replacedBackupId}`)
    expect(await readFile(cursor, 'utf8')).toBe(CURSOR)
    const kept = await runCli(['mcp', 'backup', 'diff', '--host', 'cursor', '--id', by.cursor.replacedBackupId, '--json'], {env: sb.env})
    expect(kept.json.servers.removed).toEqual(['theirs'])
  })

  it('passes SIGTERM on to the command, exits 128+15, and rolls back what it had changed', async () => {
    const cursor = await put('.cursor/mcp.json', CURSOR)
    const script = `${edit('.cursor/mcp.json', 't = t.replace(\'"a"\', \'"z"\')')} console.log('edited'); process.on('SIGTERM', () => process.exit(143)); setInterval(() => {}, 1000)`
    const child = spawn(process.execPath, [RUN_JS, 'mcp', 'guard', '--host', 'cursor', '--', process.execPath, '-e', script], {env: sb.env, stdio: ['ignore', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    await new Promise<void>((resolve) => child.stdout.on('data', (d) => String(d).includes('edited') && resolve()))
    child.kill('SIGTERM')
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(143)
    expect(await readFile(cursor, 'utf8')).toBe(CURSOR)
    expect(stderr).toContain('restored')
  })

  it("passes on every signal, not only the first: hatch's own handling stays out of the way until guard has reported", async () => {
    const cursor = await put('.cursor/mcp.json', CURSOR)
    // The command shrugs off the first SIGTERM and the first SIGINT, and ends on the second SIGTERM.
    const script = `${edit('.cursor/mcp.json', 't = t.slice(0, 20)')} let n = 0; process.on('SIGINT', () => console.log('int')); process.on('SIGTERM', () => { if (++n === 2) process.exit(7); console.log('term') }); console.log('edited'); setInterval(() => {}, 1000)`
    const started = startCli(['mcp', 'guard', '--host', 'cursor', '--json', '--', process.execPath, '-e', script], {env: sb.env, timeoutMs: 20_000})
    started.child.stdin.end()
    const said = (text: string) => waitFor(() => started.stderr().includes(text))
    await said('edited')
    started.child.kill('SIGTERM')
    await said('term')
    started.child.kill('SIGINT')
    await said('int')
    started.child.kill('SIGTERM')
    const r = await started.result
    expect([r.code, r.signal, r.timedOut]).toEqual([7, null, false])
    expect(r.json).toMatchObject({exitCode: 7, files: [{status: 'restored', damage: [expect.stringContaining('no longer parses')]}]})
    expect(await readFile(cursor, 'utf8')).toBe(CURSOR)
  })
})

async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25))
  if (!ok()) throw new Error('timed out waiting')
}

async function backupsMade(): Promise<boolean> {
  const dir = join(sb.home, '.hatch', 'mcp_host_config_backups')
  return existsSync(join(dir, 'cursor', 'index.jsonl')) && existsSync(join(dir, 'claude-code', 'index.jsonl'))
}
