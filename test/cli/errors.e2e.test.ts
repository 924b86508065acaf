/**
 * oclif's own errors (unknown command, unknown or missing flag) through hatch's error family, did-you-mean for
 * commands, flags and hosts, and hints that name the command the user can run here. Runs the built CLI.
 */
import {spawnSync} from 'node:child_process'
import {mkdir, symlink, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {commandFirst} from '../../src/cli/argv.js'
import {useSandbox} from '../commands/mcp/backup/_helpers.js'
import {HATCH, RUN_JS, runCli, type CliResult, type Sandbox} from '../helpers/cli.js'

const hatch = (sb: Sandbox, args: string[], options: {env?: NodeJS.ProcessEnv; cwd?: string} = {}) => runCli(args, {env: {...sb.env, ...options.env}, cwd: options.cwd})

/** stdout is exactly one JSON document, an error with this code and exit code, and the process exited with it. */
function jsonError(r: CliResult, code: string, exitCode: number): {message: string; suggestions: string[]} {
  expect(r.code, r.stdout + r.stderr).toBe(exitCode)
  const doc = JSON.parse(r.stdout)
  expect(Object.keys(doc)).toEqual(['error'])
  expect(doc.error).toMatchObject({code, exitCode})
  return doc.error
}

async function cursorConfig(sb: Sandbox): Promise<void> {
  await mkdir(join(sb.home, '.cursor'), {recursive: true})
  await writeFile(join(sb.home, '.cursor', 'mcp.json'), '{"mcpServers": {}}\n')
}

describe.concurrent('oclif errors through hatch errors (built CLI)', {timeout: 60_000}, () => {
  useSandbox('hatch-errors-')
  it('a mistyped command: exit 2, "did you mean" with the id written with spaces, one JSON document under --json', async ({sb}) => {
    const [plain, json] = await Promise.all([hatch(sb, ['mcp', 'bakup', 'list']), hatch(sb, ['mcp', 'bakup', 'list', '--json'])])
    expect(plain.code).toBe(2)
    expect(plain.stdout).toBe('')
    expect(plain.stderr).toContain('Error: "mcp bakup list" is not a hatch command. Did you mean "mcp backup list"?')
    expect(plain.stderr).toContain('(UNKNOWN_COMMAND, exit 2)')
    const error = jsonError(json, 'UNKNOWN_COMMAND', 2)
    expect(error.message).toContain('Did you mean "mcp backup list"?')
    expect(error.suggestions[0]).toMatch(/ mcp backup list$/)
  })

  it('flags before the command: the id and the guess are the words, and a real command runs', async ({sb}) => {
    const [typo, plain, real] = await Promise.all([
      hatch(sb, ['--json', 'mcp', 'bakup', 'list']),
      hatch(sb, ['--json', 'mcp', 'bakup', 'list', '--host', 'cursor']),
      hatch(sb, ['--json', 'mcp', 'backup', 'list']),
    ])
    const error = jsonError(typo, 'UNKNOWN_COMMAND', 2)
    expect(error.message).toBe('"mcp bakup list" is not a hatch command. Did you mean "mcp backup list"?')
    expect(error.suggestions[0]).toBe(`${HATCH} mcp backup list`)
    expect(jsonError(plain, 'UNKNOWN_COMMAND', 2).message).toContain('Did you mean "mcp backup list"?')
    expect(real.code, real.stderr).toBe(0)
    expect(JSON.parse(real.stdout)).toEqual([])
    // Moved before a `--`, never into the arguments of the command guard runs; --version stays first, where oclif reads it.
    expect(commandFirst(['--json', '-x', 'mcp', 'guard', '--', 'npx', 'a'])).toEqual(['mcp', 'guard', '--json', '-x', '--', 'npx', 'a'])
    expect(commandFirst(['--version'])).toEqual(['--version'])
    expect(commandFirst(['--json'])).toEqual(['--json'])
    expect(commandFirst(['--', 'mcp'])).toEqual(['--', 'mcp'])
  })

  it('a word far from every command gets no guess, and a mistyped topic gets the topic', async ({sb}) => {
    const [far, topic] = await Promise.all([hatch(sb, ['frobnicate', '--json']), hatch(sb, ['mcp', 'bakup', '--json'])])
    expect(jsonError(far, 'UNKNOWN_COMMAND', 2).message).toBe('"frobnicate" is not a hatch command.')
    expect(jsonError(topic, 'UNKNOWN_COMMAND', 2).message).toContain('Did you mean "mcp backup"?')
  })

  it('a mistyped flag: exit 2, the flag it was meant to be, and the command line mended', async ({sb}) => {
    const [plain, json] = await Promise.all([
      hatch(sb, ['mcp', 'backup', 'create', '--hots', 'cursor']),
      hatch(sb, ['mcp', 'backup', 'restore', '--host', 'cursor', '--latst', '--json']),
    ])
    expect(plain.code).toBe(2)
    expect(plain.stderr).toContain('Unknown flag --hots for `')
    expect(plain.stderr).toContain('Did you mean --host?')
    expect(plain.stderr).toMatch(/Try this: .* mcp backup create --host cursor\n/)
    expect(plain.stderr).toContain('(INVALID_ARGUMENT, exit 2)')
    const error = jsonError(json, 'INVALID_ARGUMENT', 2)
    expect(error.message).toContain('Did you mean --latest?')
    expect(error.suggestions[0]).toMatch(/ mcp backup restore --host cursor --latest --json$/)
  })

  it('a mistyped host id: exit 2 (usage, not 3) and the id it was meant to be', async ({sb}) => {
    const [plain, json] = await Promise.all([
      hatch(sb, ['mcp', 'backup', 'create', '--host', 'claud-desktop']),
      hatch(sb, ['mcp', 'backup', 'list', '--host', 'claud-desktop', '--json']),
    ])
    expect(plain.code).toBe(2)
    expect(plain.stderr).toContain('Unknown host "claud-desktop". Did you mean claude-desktop?')
    const error = jsonError(json, 'UNKNOWN_HOST', 2)
    expect(error.suggestions[0]).toBe('--host claude-desktop')
  })

  it('a missing --host lists the hosts found on this machine, in a command that runs', async ({sb}) => {
    await cursorConfig(sb)
    const [json, plain] = await Promise.all([hatch(sb, ['mcp', 'backup', 'restore', '--latest', '--json']), hatch(sb, ['mcp', 'backup', 'create'])])
    const error = jsonError(json, 'INVALID_ARGUMENT', 2)
    expect(error.message).toBe('Missing required flag --host.')
    expect(error.suggestions[0]).toMatch(/^Hosts with a config file on this machine: cursor\. For example: `.* mcp backup restore --host cursor --latest --json`$/)
    expect(plain.code).toBe(2)
    expect(plain.stderr).toContain('Hosts with a config file on this machine: cursor.')
  })

  it('a missing --host on a machine with no host says so, and where to look', async ({sb}) => {
    const error = jsonError(await hatch(sb, ['mcp', 'backup', 'create', '--json']), 'INVALID_ARGUMENT', 2)
    expect(error.suggestions[0]).toContain('hatch found no MCP host config file on this machine')
  })

  it('a missing argument and a flag that needs another are usage errors with one JSON document', async ({sb}) => {
    const [arg, depends] = await Promise.all([hatch(sb, ['archive', 'list', '--json']), hatch(sb, ['mcp', 'backup', 'list', '--config', 'x.json', '--json'])])
    expect(jsonError(arg, 'INVALID_ARGUMENT', 2).message).toBe('Missing TARGET.')
    expect(jsonError(depends, 'INVALID_ARGUMENT', 2).message).toBe('All of the following must be provided when using --config: --host.')
  })

  // util-linux's script(1) gives the CLI a terminal, as a user at a shell has.
  const hasScript = spawnSync('script', ['--version']).status === 0
  it.skipIf(!hasScript)('in a terminal, a mistyped command asks "Did you mean …?" and runs it on yes; on no, runs nothing (exit 2)', async ({sb}) => {
    const inTerminal = (answer: string) =>
      spawnSync('script', ['-qec', `"${process.execPath}" "${RUN_JS}" mcp bakup list`, '/dev/null'], {env: sb.env, cwd: sb.home, input: answer, encoding: 'utf8', timeout: 30_000})
    const yes = inTerminal('y\n')
    expect(yes.status, yes.stdout).toBe(0)
    expect(yes.stdout).toContain('Did you mean')
    expect(yes.stdout).toContain('No backups yet.')
    const no = inTerminal('n\n')
    expect(no.status, no.stdout).toBe(2)
    expect(no.stdout).toContain('"mcp bakup list" is not a hatch command, so nothing was run.')
  })

  it('mcp serve reports a mistyped flag the same way, on stderr (its stdout is the protocol)', async ({sb}) => {
    const r = await hatch(sb, ['mcp', 'serve', '--allow-wrte'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('Unknown flag --allow-wrte for `')
    expect(r.stderr).toContain('Did you mean --allow-write?')
  })
})

describe.concurrent('hints name the command that runs here (built CLI)', {timeout: 60_000}, () => {
  useSandbox('hatch-hints-')
  it('not installed: the way it was run, relative to the current folder when inside it', async ({sb}) => {
    const repo = dirname(dirname(RUN_JS))
    const [outside, inside] = await Promise.all([hatch(sb, ['mcp', 'backup', 'list', '--json', '--host', 'x']), hatch(sb, ['mcp', 'backup', 'list', '--host', 'x'], {cwd: repo})])
    expect(jsonError(outside, 'UNKNOWN_HOST', 2).suggestions.at(-1)).toBe(`Run \`${HATCH} mcp hosts\` to see every host and where its config file is.`)
    expect(inside.stderr).toContain('Run `node bin/run.js mcp hosts` to see every host')
  })

  it('installed (the hatch on PATH is this one): hatch', async ({sb}) => {
    const bin = join(sb.root, 'bin')
    await mkdir(bin)
    await symlink(RUN_JS, join(bin, 'hatch'))
    const r = await hatch(sb, ['mcp', 'backup', 'list', '--host', 'x', '--json'], {env: {PATH: `${bin}:${process.env.PATH}`}})
    expect(jsonError(r, 'UNKNOWN_HOST', 2).suggestions.at(-1)).toBe('Run `hatch mcp hosts` to see every host and where its config file is.')
  })

  it('another program called hatch on PATH is not this one', async ({sb}) => {
    const bin = join(sb.root, 'bin')
    await mkdir(bin)
    await writeFile(join(bin, 'hatch'), '#!/bin/sh\necho not hatch\n', {mode: 0o755})
    const r = await hatch(sb, ['mcp', 'backup', 'list', '--host', 'x', '--json'], {env: {PATH: `${bin}:${process.env.PATH}`}})
    expect(jsonError(r, 'UNKNOWN_HOST', 2).suggestions.at(-1)).toContain(`${HATCH} mcp hosts`)
  })

  it('in command output too: the hints of auth token list/create and auth limit list', async ({sb}) => {
    const [tokens, limits] = await Promise.all([hatch(sb, ['auth', 'token', 'list']), hatch(sb, ['auth', 'limit', 'list'])])
    expect(tokens.stdout).toContain(`No tokens yet. Create one with \`${HATCH} auth token create --user NAME\`.`)
    expect(limits.stdout).toContain(`Set one with \`${HATCH} auth limit set\`.`)
    const created = await hatch(sb, ['auth', 'token', 'create', '--user', 'ann'])
    expect(created.stdout).toMatch(new RegExp(`Revoke it with \`${escape(HATCH)} auth token revoke tok_[0-9a-f]+\`\\.`))
  })

  it('the undo that server add, remove and sync print', async ({sb}) => {
    await cursorConfig(sb)
    const added = await hatch(sb, ['mcp', 'server', 'add', 'one', '--host', 'cursor', '--command', 'x'])
    expect(added.stdout).toMatch(new RegExp(`undo with:\n {2}${escape(HATCH)} mcp backup restore --host cursor --id \\d{8}_\\d{6}_\\d{6}\n`))
    const removed = await hatch(sb, ['mcp', 'server', 'remove', 'one', '--host', 'cursor'])
    expect(removed.stdout).toMatch(new RegExp(`undo with:\n {2}${escape(HATCH)} mcp backup restore --host cursor --id \\d{8}_\\d{6}_\\d{6}\n`))
    await mkdir(join(sb.home, '.gemini'), {recursive: true})
    await writeFile(join(sb.home, '.gemini', 'settings.json'), '{"mcpServers": {"two": {"command": "y"}}}\n')
    const synced = await hatch(sb, ['mcp', 'server', 'sync', '--from', 'gemini', '--to', 'cursor'])
    expect(synced.stdout).toMatch(new RegExp(`undo with: ${escape(HATCH)} mcp backup restore --host cursor --id \\d{8}_\\d{6}_\\d{6}\n`))
  })

  it('drift and guard name the host and each file for a host with several config files; the command runs as printed', async ({sb}) => {
    const files = [join(sb.home, '.lmstudio', 'mcp.json'), join(sb.home, '.cache', 'lm-studio', 'mcp.json')]
    for (const f of files) {
      await mkdir(dirname(f), {recursive: true})
      await writeFile(f, '{"mcpServers": {}}\n')
    }
    const [drift, guard] = await Promise.all([hatch(sb, ['mcp', 'drift']), hatch(sb, ['mcp', 'guard', '--', process.execPath, '-e', ''])])
    const commands = files.map((f) => `\`${HATCH} mcp hosts set-path lmstudio ${f}\``)
    expect(drift.stdout).toContain(`lmstudio  ambiguous\n  note: several config files exist; name the live one with ${commands.join(' or ')}`)
    expect(guard.stderr).toContain(`lmstudio: not guarded: several config files exist; name the live one with ${commands.join(' or ')}`)
    const printed = /`([^`]+)`/.exec(drift.stdout)![1]!
    expect(printed.startsWith(`${HATCH} `)).toBe(true)
    expect((await hatch(sb, printed.slice(HATCH.length + 1).split(' '))).code).toBe(0)
    expect((await hatch(sb, ['mcp', 'drift', '--host', 'lmstudio'])).stdout).toMatch(/^lmstudio {2}no-backup /)
  })

  it('a config that does not parse: the restore it suggests has --host and --latest, and runs as printed', async ({sb}) => {
    const config = join(sb.home, '.config', 'Claude', 'claude_desktop_config.json')
    await mkdir(dirname(config), {recursive: true})
    await writeFile(config, '{"mcpServers": {"good": {"command": "x"}}}\n')
    expect((await hatch(sb, ['mcp', 'backup', 'create', '--host', 'claude-desktop'])).code).toBe(0)
    await writeFile(config, '{"mcpServers": {\n')
    const r = await hatch(sb, ['mcp', 'install', '--host', 'claude-desktop', '--dry-run'])
    expect(r.code).toBe(7)
    const restore = `${HATCH} mcp backup restore --host claude-desktop --latest --dry-run`
    expect(r.stderr).toContain(`or restore a good copy: \`${restore}\` shows what the newest backup would put back`)
    const printed = /`([^`]+ --dry-run)`/.exec(r.stderr)![1]!
    expect(printed).toBe(restore)
    const dry = await hatch(sb, printed.slice(HATCH.length + 1).split(' '))
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('+{"mcpServers": {"good": {"command": "x"}}}')
  })
})

/** `text` as a regular expression that matches it literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
