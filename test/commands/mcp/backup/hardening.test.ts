/**
 * What trying to break hatch found (issue 13): a FIFO where a config should be, temp files left by `kill -9`, a
 * SIGTERM while a restore waits for a config's lock, a symlinked backup folder, and clean numbers past 2^53. Each
 * through the built CLI, in a sandbox HOME.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {configLockPath, withLock} from '../../../../src/core/fs/lock.js'
import {runCli, startCli, type CliResult} from '../../../helpers/cli.js'
import {backup, create, expectExit, expectJsonError, paths, put, snapshot, useSandbox} from './_helpers.js'

/** A process id that no process has any more (a child that has already exited). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'})
  return Number(child.stdout)
}

const CONFIG = '{"mcpServers": {"a": {"command": "a"}}}\n'

describe.concurrent('non-regular files are refused at once (built CLI)', {timeout: 60_000}, () => {
  useSandbox('hatch-fifo-')

  it('a FIFO as the config: create exits 2 at once, saying what it is', async ({sb}) => {
    const fifo = paths.cursor(sb.home)
    mkdirSync(join(sb.home, '.cursor'), {recursive: true})
    execFileSync('mkfifo', [fifo])
    const [byHost, byConfig] = await Promise.all([
      runCli(['mcp', 'backup', 'create', '--host', 'cursor', '--json'], {env: sb.env, timeoutMs: 15_000}),
      runCli(['mcp', 'backup', 'create', '--host', 'vscode', '--config', fifo, '--json'], {env: sb.env, timeoutMs: 15_000}),
    ])
    for (const r of [byHost, byConfig]) {
      expect(r.timedOut, 'hatch blocked opening the FIFO').toBe(false)
      const error = expectJsonError(r, 2, 'INVALID_ARGUMENT')
      expect(error.message).toContain(fifo)
      expect(error.message).toMatch(/FIFO.*not a regular file/)
    }
    expect(existsSync(paths.store(sb.home)) && readdirSync(join(paths.store(sb.home), 'cursor')).length > 0).toBe(false)
  })

  it('a FIFO in place of the file a restore would replace, or of hosts.json: refused, left as it is', async ({sb}) => {
    const config = paths.cursor(sb.home)
    await put(config, CONFIG)
    const made = await create(sb, 'cursor')
    const fifo = join(sb.root, 'fifo.json')
    execFileSync('mkfifo', [fifo])
    const restore = await runCli(['mcp', 'backup', 'restore', '--host', 'cursor', '--id', made.id, '--to', fifo, '--yes', '--json'], {env: sb.env, timeoutMs: 15_000})
    expect(restore.timedOut).toBe(false)
    expect(expectJsonError(restore, 2, 'INVALID_ARGUMENT').message).toMatch(/FIFO/)
    expect(lstatSync(fifo).isFIFO()).toBe(true)

    execFileSync('mkfifo', [join(sb.home, '.hatch', 'hosts.json')])
    const hosts = await runCli(['mcp', 'hosts', '--json'], {env: sb.env, timeoutMs: 15_000})
    expect(hosts.timedOut).toBe(false)
    expect(expectJsonError(hosts, 2, 'INVALID_ARGUMENT').message).toMatch(/hosts\.json.*FIFO/)
  })
})

describe.concurrent('stale temp files of a config (built CLI)', {timeout: 60_000}, () => {
  useSandbox('hatch-stale-tmp-')

  it('the next locked write removes those of dead hatch processes, and nothing else', async ({sb}) => {
    const config = paths.cursor(sb.home)
    await put(config, CONFIG)
    const made = await create(sb, 'cursor')
    await put(config, '{"mcpServers": {}}\n')
    const dir = join(sb.home, '.cursor')
    // What `kill -9` during a restore leaves: a full copy of the config under hatch's temp name.
    const stale = `.mcp.json.${deadPid()}.0123456789ab.1.hatch-tmp`
    const kept = [
      `.mcp.json.${process.pid}.0123456789ab.1.hatch-tmp`, // its owner (this test runner) is alive
      `.other.json.${deadPid()}.0123456789ab.1.hatch-tmp`, // another file's
      `.mcp.json.${deadPid()}.backup.1.hatch-tmp`, // not hatch's name pattern
      `mcp.json.${deadPid()}.0123456789ab.1.hatch-tmp`, // not hidden: not hatch's either
    ]
    for (const name of [stale, ...kept]) writeFileSync(join(dir, name), CONFIG)

    const r = await backup(sb, ['restore', '--host', 'cursor', '--id', made.id, '--yes', '--json'])
    expectExit(r, 0)
    expect(readdirSync(dir).sort()).toEqual(['mcp.json', ...kept].sort())
  })
})

describe.concurrent('a signal while a restore waits for the config lock (built CLI)', {timeout: 60_000}, () => {
  useSandbox('hatch-lock-signal-')

  it('SIGTERM ends it promptly, by the signal: no temp file, no lock, no new backup, the config unchanged', async ({sb}) => {
    // Codex's file holds its other settings too, so restore says so on stderr just before it takes the lock.
    const config = paths.codex(sb.home)
    await put(config, '[mcp_servers.a]\ncommand = "a"\n')
    const made = await create(sb, 'codex')
    await put(config, 'model = "o3"\n')
    const before = await snapshot(sb.root)
    const real = realpathSync(config)
    const lock = configLockPath(real)

    // This test holds the lock, as another hatch process writing the file would.
    const ended = await withLock(real, async () => {
      const run = startCli(['mcp', 'backup', 'restore', '--host', 'codex', '--id', made.id, '--yes'], {env: sb.env, timeoutMs: 30_000})
      run.child.stdin.end()
      for (let i = 0; i < 500 && !run.stderr().includes('Note:'); i++) await new Promise((r) => setTimeout(r, 20))
      expect(run.stderr(), 'restore never reached its write').toContain('Note:')
      // Waiting on the lock now (it would give up with LOCKED after 10 s).
      await new Promise((r) => setTimeout(r, 500))
      expect(run.child.exitCode, run.stderr()).toBeNull()
      const sent = Date.now()
      run.child.kill('SIGTERM')
      const result = await Promise.race([run.result, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))])
      if (result === undefined) run.child.kill('SIGKILL')
      expect(result, 'hatch kept running after SIGTERM').toBeDefined()
      expect(Date.now() - sent).toBeLessThan(5000)
      return result as CliResult
    }, {lockfilePath: lock})

    // Ended by the signal itself, as without a handler (a shell shows 143), not by giving up on the lock.
    expect([ended.signal, ended.code], ended.stderr).toEqual(['SIGTERM', null])
    expect(ended.stderr).not.toContain('LOCKED')
    expect(existsSync(lock)).toBe(false)
    expect(readdirSync(join(sb.home, '.codex'))).toEqual(['config.toml'])
    // Nothing else anywhere in the sandbox: the config's bytes, the backups and their index are as they were.
    expect(await snapshot(sb.root)).toEqual(before)
  })
})

describe.concurrent('a symlinked backup folder (built CLI)', {timeout: 60_000}, () => {
  useSandbox('hatch-linked-home-')

  it('~/.hatch as a symlink is refused, and says how to use it; HATCH_HOME naming it is the user\'s choice', async ({sb}) => {
    await put(paths.cursor(sb.home), CONFIG)
    const elsewhere = join(sb.root, 'elsewhere')
    mkdirSync(elsewhere, {mode: 0o755})
    symlinkSync(elsewhere, join(sb.home, '.hatch'))
    const before = await snapshot(sb.root)

    const refused = await backup(sb, ['create', '--host', 'cursor', '--json'])
    const error = expectJsonError(refused, 8, 'PERMISSION_DENIED')
    expect(error.message).toMatch(/\.hatch is a symbolic link/)
    expect(error.suggestions.join(' ')).toContain('HATCH_HOME')
    expect(await snapshot(sb.root)).toEqual(before)
    expect(statSync(elsewhere).mode & 0o777).toBe(0o755)

    const chosen = await create(sb, 'cursor', [], {HATCH_HOME: join(sb.home, '.hatch')})
    expect(chosen.path.startsWith(join(sb.home, '.hatch', 'mcp_host_config_backups', 'cursor'))).toBe(true)
    expect(existsSync(join(elsewhere, 'mcp_host_config_backups', 'cursor', chosen.fileName))).toBe(true)
  })

  it('a per-host backup folder that is a symlink is refused even under HATCH_HOME', async ({sb}) => {
    await put(paths.cursor(sb.home), CONFIG)
    const elsewhere = join(sb.root, 'elsewhere')
    mkdirSync(elsewhere, {mode: 0o755})
    mkdirSync(paths.store(sb.home), {recursive: true})
    symlinkSync(elsewhere, join(paths.store(sb.home), 'cursor'))
    const before = await snapshot(sb.root)
    for (const env of [{}, {HATCH_HOME: join(sb.home, '.hatch')}]) {
      const refused = await backup(sb, ['create', '--host', 'cursor', '--json'], env)
      expect(expectJsonError(refused, 8, 'PERMISSION_DENIED').message).toMatch(/cursor is a symbolic link/)
      expectJsonError(await backup(sb, ['list', '--host', 'cursor', '--json'], env), 8, 'PERMISSION_DENIED')
    }
    expect(await snapshot(sb.root)).toEqual(before)
  })
})

describe.concurrent('clean numbers past 2^53 (built CLI)', {timeout: 60_000}, () => {
  useSandbox('hatch-clean-limit-')

  it('a whole number too large to count exactly is refused with the real limit', async ({sb}) => {
    await put(paths.cursor(sb.home), CONFIG)
    await create(sb, 'cursor')
    for (const flag of ['--keep-count', '--older-than-days']) {
      const r = await backup(sb, ['clean', '--host', 'cursor', flag, '9007199254740993', '--dry-run', '--json'])
      const error = expectJsonError(r, 2, 'INVALID_ARGUMENT')
      expect(error.message).toBe(`${flag} must be a whole number from 1 to 9007199254740991; "9007199254740993" is too large.`)
    }
    expectExit(await backup(sb, ['clean', '--host', 'cursor', '--keep-count', '9007199254740991', '--dry-run', '--json']), 0)
  })
})
