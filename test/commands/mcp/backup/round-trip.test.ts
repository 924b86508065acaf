/**
 * `hatch mcp backup create` + `restore`, end to end through the built CLI: byte-exact round trips, file modes,
 * symlinks, unparseable configs, unusual path names, TOML.
 */
import {existsSync} from 'node:fs'
import {chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, unlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {HATCH} from '../../../helpers/cli.js'
import {BACKUP_ID, backup, create, expectExit, expectJsonError, list, oneJson, paths, put, sha256, snapshot, spawnCli, useSandbox} from './_helpers.js'

const BOM = Buffer.from([0xef, 0xbb, 0xbf])
/** JSONC as VS Code users write it: a BOM, CRLF line endings, comments, trailing commas, no final newline. */
const VSCODE_JSONC = Buffer.concat([
  BOM,
  Buffer.from(
    [
      '// MCP servers for VS Code',
      '{',
      '  /* block comment */',
      '  "servers": {',
      '    "files": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],}, // trailing',
      '    "näme": {"type": "http", "url": "https://example.com/mcp"},',
      '  },',
      '}',
    ].join('\r\n'),
    'utf8',
  ),
])

describe.concurrent('hatch mcp backup create/restore round trips (built CLI)', {timeout: 90_000}, () => {
  useSandbox('hatch-backup-rt-')

  it('restores a JSONC file with BOM, CRLF, comments and no final newline byte for byte', async ({sb}) => {
    const config = paths.vscode(sb.home)
    await put(config, VSCODE_JSONC, 0o640)
    expect(VSCODE_JSONC.at(-1)).toBe('}'.charCodeAt(0))

    const info = await create(sb, 'vscode')
    expect(info.id).toMatch(BACKUP_ID)
    expect(info.host).toBe('vscode')
    expect(info.sha256).toBe(sha256(VSCODE_JSONC))
    expect(info.size).toBe(VSCODE_JSONC.byteLength)
    expect(info.sourcePath).toBe(config)
    expect(info.path.startsWith(join(paths.store(sb.home), 'vscode') + '/')).toBe(true)
    expect((await readFile(info.path)).equals(VSCODE_JSONC)).toBe(true)

    const overwritten = Buffer.from('{"servers": {}}\n')
    await writeFile(config, overwritten)

    const r = await backup(sb, ['restore', '--host', 'vscode', '--latest', '--yes', '--json'])
    expectExit(r, 0)
    const result = oneJson(r)
    expect(result).toMatchObject({host: 'vscode', id: info.id, restoredPath: config, changed: true, dryRun: false, sha256: sha256(VSCODE_JSONC)})
    expect(result.preRestoreBackupId).toMatch(BACKUP_ID)
    expect(result.preRestoreBackupId).not.toBe(info.id)

    const restored = await readFile(config)
    expect(restored.equals(VSCODE_JSONC)).toBe(true)
    expect((await stat(config)).mode & 0o777).toBe(0o640)

    // The content that was replaced is itself a backup, byte for byte.
    const preFile = join(paths.store(sb.home), 'vscode', `mcp.json.vscode.${result.preRestoreBackupId}`)
    expect((await readFile(preFile)).equals(overwritten)).toBe(true)
  })

  it('stores backups 0600 in 0700 folders, even under umask 000', async ({sb}) => {
    await put(paths.cursor(sb.home), '{"mcpServers": {}}\n', 0o644)
    const r = await spawnCli(['mcp', 'backup', 'create', '--host', 'cursor', '--json'], {env: sb.env, umask: 0})
    expectExit(r, 0)
    const info = oneJson(r)
    const hatchHome = join(sb.home, '.hatch')
    const root = paths.store(sb.home)
    const hostDir = join(root, 'cursor')
    expect(info.path).toBe(join(hostDir, `mcp.json.cursor.${info.id}`))
    const mode = async (p: string) => (await stat(p)).mode & 0o777
    expect(await mode(info.path)).toBe(0o600)
    expect(await mode(join(hostDir, 'index.jsonl'))).toBe(0o600)
    expect(await mode(hostDir)).toBe(0o700)
    expect(await mode(root)).toBe(0o700)
    expect(await mode(hatchHome)).toBe(0o700) // hatch made it, so hatch tightened it
    // Nothing else is left in the host folder (no temp file, no lock).
    expect((await readdir(hostDir)).sort()).toEqual(['index.jsonl', info.fileName].sort())
  })

  it('HATCH_HOME moves the store (and a HATCH_HOME the user already had keeps its mode)', async ({sb}) => {
    await put(paths.cursor(sb.home), '{"mcpServers": {}}\n')
    const hatchHome = join(sb.root, 'elsewhere', 'hatch home')
    await mkdir(hatchHome, {recursive: true})
    await chmod(hatchHome, 0o755)
    const env = {HATCH_HOME: hatchHome}

    const info = await create(sb, 'cursor', [], env)
    const hostDir = join(hatchHome, 'mcp_host_config_backups', 'cursor')
    expect(info.path).toBe(join(hostDir, info.fileName))
    expect(existsSync(join(sb.home, '.hatch'))).toBe(false)
    expect((await stat(info.path)).mode & 0o777).toBe(0o600)
    expect((await stat(hostDir)).mode & 0o777).toBe(0o700)
    expect((await stat(join(hatchHome, 'mcp_host_config_backups'))).mode & 0o777).toBe(0o700)
    expect((await stat(hatchHome)).mode & 0o777).toBe(0o755)

    expect((await list(sb, 'cursor', env)).map((b) => b.id)).toEqual([info.id])
  })

  it('a symlinked config stays a symlink; the link target gets the content and keeps its mode', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const target = join(sb.root, 'dotfiles', 'cursor-mcp.json')
    const original = Buffer.from('{"mcpServers": {"a": {"command": "a"}}}\n')
    await put(target, original, 0o640)
    await mkdir(join(sb.home, '.cursor'), {recursive: true})
    await symlink(target, config)

    const info = await create(sb, 'cursor')
    expect(info.sourcePath).toBe(config)
    expect(info.sourceRealPath).toBe(target)

    await writeFile(target, '{"mcpServers": {}}\n')
    const r = await backup(sb, ['restore', '--host', 'cursor', '--latest', '--yes', '--json'])
    expectExit(r, 0)
    expect(oneJson(r)).toMatchObject({restoredPath: config, realPath: target, changed: true})

    const st = await lstat(config)
    expect(st.isSymbolicLink()).toBe(true)
    expect(await readlink(config)).toBe(target)
    expect((await readFile(target)).equals(original)).toBe(true)
    expect((await stat(target)).mode & 0o777).toBe(0o640)
    // No temp file was left beside the target.
    expect(await readdir(join(sb.root, 'dotfiles'))).toEqual(['cursor-mcp.json'])
  })

  it('a relative symlink is written through too', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const original = Buffer.from('{"mcpServers": {"rel": {"command": "r"}}}\n')
    await put(join(sb.home, '.cursor', 'real', 'mcp.json'), original, 0o600)
    await symlink('real/mcp.json', config)
    await create(sb, 'cursor')
    await writeFile(join(sb.home, '.cursor', 'real', 'mcp.json'), '{}')
    expectExit(await backup(sb, ['restore', '--host', 'cursor', '--latest', '--yes']), 0)
    expect(await readlink(config)).toBe('real/mcp.json')
    expect((await readFile(config)).equals(original)).toBe(true)
    expect((await stat(config)).mode & 0o777).toBe(0o600)
  })

  it('restoring over a deleted config recreates it with the mode it had', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const original = Buffer.from('{"mcpServers": {}}')
    await put(config, original, 0o640)
    const info = await create(sb, 'cursor')
    await unlink(config)
    const r = await backup(sb, ['restore', '--host', 'cursor', '--id', info.id, '--yes', '--json'])
    expectExit(r, 0)
    expect(oneJson(r)).toMatchObject({changed: true, preRestoreBackupId: null})
    expect((await readFile(config)).equals(original)).toBe(true)
    expect((await stat(config)).mode & 0o777).toBe(0o640)
  })

  it('--servers-only puts back the servers of ~/.claude.json and keeps the rest of it', async ({sb}) => {
    const claude = join(sb.home, '.claude.json')
    await put(claude, '{\n  "numStartups": 1,\n  "mcpServers": {"fs": {"command": "npx"}}\n}\n')
    const info = await create(sb, 'claude-code')
    const now = '{\n  "numStartups": 50,\n  "mcpServers": {},\n  "oauthAccount": {"id": 7}\n}\n'
    await writeFile(claude, now)
    const plain = await backup(sb, ['restore', '--host', 'claude-code', '--id', info.id, '--servers-only', '--yes'])
    expectExit(plain, 0)
    expect(plain.stdout).toContain('everything else in it was kept')
    expect(await readFile(claude, 'utf8')).toBe('{\n  "numStartups": 50,\n  "mcpServers": {"fs": {"command": "npx"}},\n  "oauthAccount": {"id": 7}\n}\n')
    // Without the flag, a whole-file restore of a shared file says what else it resets.
    const whole = await backup(sb, ['restore', '--host', 'claude-code', '--id', info.id, '--dry-run'])
    expect(whole.stderr).toContain('--servers-only')
  })

  it("--servers-only puts back Claude Code's local-scope servers of each project too", async ({sb}) => {
    const claude = join(sb.home, '.claude.json')
    await put(claude, '{\n  "mcpServers": {},\n  "projects": {"/app": {"history": [], "mcpServers": {"db": {"command": "pg"}}}}\n}\n')
    const info = await create(sb, 'claude-code')
    await writeFile(claude, '{\n  "mcpServers": {},\n  "projects": {"/app": {"history": ["ran"], "mcpServers": {}}},\n  "numStartups": 9\n}\n')
    expectExit(await backup(sb, ['restore', '--host', 'claude-code', '--id', info.id, '--servers-only', '--yes']), 0)
    expect(JSON.parse(await readFile(claude, 'utf8'))).toEqual({mcpServers: {}, projects: {'/app': {history: ['ran'], mcpServers: {db: {command: 'pg'}}}}, numStartups: 9})
  })

  it('--servers-only puts back the [mcp_servers.*] tables of Codex and keeps its other settings', async ({sb}) => {
    const config = paths.codex(sb.home)
    await put(config, 'model = "gpt-4.1"\n\n[mcp_servers.fs]\ncommand = "npx"\n')
    const info = await create(sb, 'codex')
    const now = 'model = "o4-mini"\n\n[profiles.fast]\nmodel = "o4-mini"\n'
    await writeFile(config, now)
    const r = await backup(sb, ['restore', '--host', 'codex', '--id', info.id, '--servers-only', '--yes', '--json'])
    expectExit(r, 0)
    expect(oneJson(r)).toMatchObject({changed: true})
    expect(await readFile(config, 'utf8')).toBe(`${now}\n[mcp_servers.fs]\ncommand = "npx"\n`)
  })

  it('--to restores into another file and leaves the original config alone', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const original = Buffer.from('{"mcpServers": {"a": {"command": "a"}}}')
    await put(config, original, 0o640)
    const info = await create(sb, 'cursor')
    const changed = Buffer.from('{"mcpServers": {}}\n')
    await writeFile(config, changed)
    const copy = join(sb.home, 'copy of mcp.json')
    const r = await backup(sb, ['restore', '--host', 'cursor', '--id', info.id, '--to', '~/copy of mcp.json', '--yes', '--json'])
    expectExit(r, 0)
    expect(oneJson(r)).toMatchObject({restoredPath: copy, changed: true, preRestoreBackupId: null})
    expect((await readFile(copy)).equals(original)).toBe(true)
    expect((await stat(copy)).mode & 0o777).toBe(0o640) // a new file gets the mode the source had
    expect((await readFile(config)).equals(changed)).toBe(true)
  })

  it('restores over an unparseable config with --yes, and the pre-restore backup holds the broken bytes', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const good = Buffer.from('{"mcpServers": {"ok": {"command": "ok"}}}\n')
    await put(config, good)
    const info = await create(sb, 'cursor')
    const broken = Buffer.from('{"mcpServers": {')
    await writeFile(config, broken)

    const r = await backup(sb, ['restore', '--host', 'cursor', '--latest', '--yes', '--json'])
    expectExit(r, 0)
    const result = oneJson(r)
    expect(result.id).toBe(info.id)
    expect(result.preRestoreBackupId).toMatch(BACKUP_ID)
    expect((await readFile(config)).equals(good)).toBe(true)

    const pre = (await list(sb, 'cursor')).find((b) => b.id === result.preRestoreBackupId)
    expect(pre).toMatchObject({reason: 'pre-restore', sourcePath: config})
    expect((await readFile(pre.path)).equals(broken)).toBe(true)
    expect(pre.sha256).toBe(sha256(broken))
  })

  it('the undo it prints after restoring over a broken config says in advance it needs --force, and works as printed', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const good = Buffer.from('{"mcpServers": {"ok": {"command": "ok"}}}\n')
    await put(config, good)
    await create(sb, 'cursor')
    const broken = Buffer.from('{"mcpServers": {\n  "half": ')
    await writeFile(config, broken)

    const r = await backup(sb, ['restore', '--host', 'cursor', '--latest', '--yes'])
    expectExit(r, 0)
    expect(r.stdout).toMatch(/The previous content is backup \d{8}_\d{6}_\d{6}; it did not parse, so undoing needs --force:\n {2}\S.*\n$/)
    const printed = r.stdout.trimEnd().split('\n').at(-1)!.trim()
    expect(printed).toMatch(new RegExp(`^${HATCH} mcp backup restore --host cursor --id \\d{8}_\\d{6}_\\d{6} --force$`))

    // Run it as printed (plus --yes: there is no terminal here to confirm on). It puts the broken bytes back.
    const undo = await spawnCli([...printed.slice(HATCH.length + 1).split(' '), '--yes', '--json'], {env: sb.env})
    expectExit(undo, 0)
    expect((await readFile(config)).equals(broken)).toBe(true)
    // ...and its own undo (back to the good file) needs no --force.
    expect(oneJson(undo).undo).toMatch(/ mcp backup restore --host cursor --id \d{8}_\d{6}_\d{6}$/)
  })

  it('a restore that would change nothing says so, and asks nothing (no terminal, no --yes: still exit 0)', async ({sb}) => {
    const config = paths.cursor(sb.home)
    await put(config, '{"mcpServers": {}}\n')
    const info = await create(sb, 'cursor')
    const before = await snapshot(sb.root)
    const [plain, json] = await Promise.all([
      backup(sb, ['restore', '--host', 'cursor', '--id', info.id]),
      backup(sb, ['restore', '--host', 'cursor', '--id', info.id, '--json']),
    ])
    expectExit(plain, 0)
    expect(plain.stdout).toContain(`already holds the content of backup ${info.id}; nothing to restore, nothing changed.`)
    expect(plain.stderr).toBe('')
    expect(oneJson(json)).toMatchObject({changed: false, preRestoreBackupId: null, undo: null})
    expect(await snapshot(sb.root)).toEqual(before)
  })

  it('refuses to restore a backup that does not parse (exit 7) unless --force', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const broken = Buffer.from('{"mcpServers": {')
    await put(config, broken)
    const bad = await create(sb, 'cursor')
    const good = Buffer.from('{"mcpServers": {}}\n')
    await writeFile(config, good)

    const before = await snapshot(sb.root)
    const [plain, json] = await Promise.all([
      backup(sb, ['restore', '--host', 'cursor', '--id', bad.id, '--yes']),
      backup(sb, ['restore', '--host', 'cursor', '--id', bad.id, '--yes', '--json']),
    ])
    expectExit(plain, 7)
    expect(plain.stderr).toContain('INVALID_CONFIG')
    // Where it breaks, as a line and a column; and the way to restore it anyway, not a pointer back at restore.
    const error = expectJsonError(json, 7, 'INVALID_CONFIG')
    expect(error.message).toBe(`Backup ${bad.id} is not valid JSON: CloseBraceExpected at line 1, column 17.`)
    expect(error.suggestions[0]).toContain(`mcp backup restore --host cursor --id ${bad.id} --force`)
    expect(await snapshot(sb.root)).toEqual(before)

    const forced = await backup(sb, ['restore', '--host', 'cursor', '--id', bad.id, '--yes', '--force', '--json'])
    expectExit(forced, 0)
    expect((await readFile(config)).equals(broken)).toBe(true)
  })

  it('round-trips a --config path with spaces and non-ASCII characters', async ({sb}) => {
    const given = '~/My Configs/설정 ü.json'
    const config = join(sb.home, 'My Configs', '설정 ü.json')
    const original = Buffer.from('{"mcpServers": {"ü": {"command": "설정"}}}\n')
    await put(config, original)

    const info = await create(sb, 'cursor', ['--config', given])
    expect(info.sourcePath).toBe(config)
    expect(info.fileName).toBe(`설정 ü.json.cursor.${info.id}`)
    expect((await readFile(info.path)).equals(original)).toBe(true)

    await writeFile(config, '{"mcpServers": {}}')
    const [listed, restored] = await Promise.all([
      backup(sb, ['list', '--host', 'cursor', '--config', given, '--json']),
      backup(sb, ['restore', '--host', 'cursor', '--id', info.id, '--yes', '--json']),
    ])
    expectExit(listed, 0)
    expect(oneJson(listed).map((b: any) => b.id)).toContain(info.id)
    expectExit(restored, 0)
    expect(oneJson(restored).restoredPath).toBe(config)
    expect((await readFile(config)).equals(original)).toBe(true)
  })

  it('round-trips a Codex TOML config', async ({sb}) => {
    const config = paths.codex(sb.home)
    const toml = Buffer.from(
      '# Codex settings\nmodel = "o3"\n\n[mcp_servers.docs]\ncommand = "npx"\nargs = ["-y", "docs-mcp"]\n\n[mcp_servers.docs.env]\nTOKEN = "${DOCS_TOKEN}"  # kept as written\n',
    )
    await put(config, toml)
    const info = await create(sb, 'codex')
    expect(info.sha256).toBe(sha256(toml))
    await writeFile(config, 'model = "o4"\n')

    const r = await backup(sb, ['restore', '--host', 'codex', '--latest', '--yes'])
    expectExit(r, 0)
    // Codex keeps other settings in the same file; hatch says so (on stderr, never under --json).
    expect(r.stderr).toContain('other settings')
    expect((await readFile(config)).equals(toml)).toBe(true)
  })
})
