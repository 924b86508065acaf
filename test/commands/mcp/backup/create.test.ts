/**
 * `hatch mcp backup create`: no duplicate of an unchanged file (unless --force), and --all for every host found.
 */
import {chmod, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {backup, create, expectExit, expectJsonError, list, oneJson, paths, put, snapshot, spawnCli, useSandbox} from './_helpers.js'

describe.concurrent('hatch mcp backup create (built CLI)', {timeout: 90_000}, () => {
  useSandbox('hatch-backup-create-')

  it('a file unchanged since its newest backup: says so, makes no duplicate; --force makes one; a change makes one', async ({sb}) => {
    const config = paths.cursor(sb.home)
    await put(config, '{"mcpServers": {}}\n')
    const first = await create(sb, 'cursor')
    expect(first.created).toBe(true)

    const before = await snapshot(sb.root)
    const [again, plain] = [await create(sb, 'cursor'), await backup(sb, ['create', '--host', 'cursor'])]
    expect(again).toMatchObject({id: first.id, created: false, sha256: first.sha256})
    expectExit(plain, 0)
    expect(plain.stdout).toContain(`${config} is unchanged since its newest backup`)
    expect(plain.stdout).toContain('pass --force to make one anyway')
    expect(plain.stdout).toContain(`id      ${first.id}`)
    expect(await snapshot(sb.root)).toEqual(before)

    const forced = await create(sb, 'cursor', ['--force'])
    expect(forced).toMatchObject({created: true})
    expect(forced.id).not.toBe(first.id)
    await writeFile(config, '{"mcpServers": {"x": {"command": "x"}}}\n')
    expect((await create(sb, 'cursor')).created).toBe(true)
    expect(await list(sb, 'cursor')).toHaveLength(3)
  })

  it('a damaged newest backup is not taken for the file: a new one is made', async ({sb}) => {
    await put(paths.cursor(sb.home), '{"mcpServers": {}}\n')
    const first = await create(sb, 'cursor')
    await writeFile(first.path, '{"mcpServers": {"tampered": 1}}\n')
    const next = await create(sb, 'cursor')
    expect(next.created).toBe(true)
    expect(next.id).not.toBe(first.id)
  })

  it('unchanged means unchanged since the newest backup of that same file (--config)', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const other = join(sb.home, 'other', 'mcp.json')
    await put(config, '{"mcpServers": {}}\n')
    await put(other, '{"mcpServers": {}}\n')
    const mine = await create(sb, 'cursor')
    const theirs = await create(sb, 'cursor', ['--config', other])
    expect(theirs.created).toBe(true)
    expect((await create(sb, 'cursor')).id).toBe(mine.id)
    expect((await create(sb, 'cursor', ['--config', other])).id).toBe(theirs.id)
  })

  it('--all backs up every host found, skips an ambiguous one, reports one it cannot read, and exits with its code', async ({sb}) => {
    await put(paths.cursor(sb.home), '{"mcpServers": {}}\n')
    await put(paths.codex(sb.home), '[mcp_servers.x]\ncommand = "x"\n')
    for (const p of paths.lmstudio(sb.home)) await put(p, '{"mcpServers": {}}\n')
    await put(paths.kiro(sb.home), '{"mcpServers": {}}\n', 0o000)

    const r = await spawnCli(['mcp', 'backup', 'create', '--all', '--json'], {env: sb.env, withoutRootOverride: true})
    expectExit(r, 8)
    const report = oneJson(r)
    expect(report.backups.map((b: any) => [b.host, b.created])).toEqual([['cursor', true], ['codex', true]])
    expect(report.skipped).toEqual([{host: 'lmstudio', reason: expect.stringContaining('2 config files exist; hatch will not guess')}])
    expect(report.failed).toEqual([{host: 'kiro', error: expect.objectContaining({code: 'PERMISSION_DENIED', exitCode: 8})}])

    await chmod(paths.kiro(sb.home), 0o600)
    const plain = await backup(sb, ['create', '--all'])
    expectExit(plain, 0)
    expect(plain.stdout).toMatch(/^cursor\s+\d{8}_\d{6}_\d{6}\s+unchanged\s/m)
    expect(plain.stdout).toMatch(/^kiro\s+\d{8}_\d{6}_\d{6}\s+backed up\s/m)
    expect(plain.stdout).toContain('1 new backup; 2 hosts unchanged since the last backup.')
    expect(plain.stdout).toContain('Skipped lmstudio: 2 config files exist')
    expect((await readFile(paths.cursor(sb.home), 'utf8'))).toBe('{"mcpServers": {}}\n')
  })

  it('--all with no host found exits 3; --host with --all, and neither, exit 2', async ({sb}) => {
    const [none, both, neither] = await Promise.all([
      backup(sb, ['create', '--all', '--json']),
      backup(sb, ['create', '--all', '--host', 'cursor', '--json']),
      backup(sb, ['create', '--json']),
    ])
    expect(expectJsonError(none, 3, 'CONFIG_NOT_FOUND').message).toContain('found no MCP host config file on this machine')
    expect(expectJsonError(both, 2, 'INVALID_ARGUMENT').message).toBe('Give either --host HOST or --all, not both.')
    expect(expectJsonError(neither, 2, 'INVALID_ARGUMENT').message).toBe('Missing required flag --host (or --all, for every host found).')
  })
})
