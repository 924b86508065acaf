/**
 * The README's quick start stays true: its hatch commands, run in order as a new user runs them (hatch being
 * `node bin/run.js` here, as the README allows), all succeed on a machine with one MCP host and no Claude Desktop.
 */
import {readFileSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {expect, it} from 'vitest'

import {makeSandbox, runCli} from './helpers/cli.js'

const README = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8')

/**
 * The hatch commands of the quick start, in order: those after `&&` in its first sh block, then every line of the
 * second ("Then back up …"), comments dropped, as argument lists for bin/run.js.
 */
function quickStart(): string[][] {
  const section = README.slice(README.indexOf('## Quick start'), README.indexOf('## What it does'))
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean))
  expect(blocks).toHaveLength(2)
  expect(blocks[0]).toHaveLength(2) // two commands: install and run, then the tests
  expect(blocks[0]![1]).toBe('npm test')
  const commands = [...blocks[0]![0]!.split('&&').map((c) => c.trim()).filter((c) => c !== 'npm ci'), ...blocks[1]!]
  return commands.map((c) => {
    expect(c).toMatch(/^node bin\/run\.js /)
    return c.split(/\s+/).slice(2)
  })
}

it('the quick start installs and runs hatch mcp hosts, then backs up, and each of its hatch commands succeeds without Claude Desktop', async () => {
  const commands = quickStart()
  expect(commands[0]).toEqual(['mcp', 'hosts'])
  const sb = await makeSandbox('hatch-readme-')
  try {
    await mkdir(join(sb.home, '.cursor'), {recursive: true})
    await writeFile(join(sb.home, '.cursor', 'mcp.json'), '{"mcpServers": {}}\n')
    for (const command of commands) {
      const r = await runCli(command, {env: sb.env})
      expect(r.code, `${command.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0)
    }
    const listed = await runCli(['mcp', 'backup', 'list', '--json'], {env: sb.env})
    expect(listed.json.map((b: {host: string}) => b.host)).toEqual(['cursor'])
  } finally {
    await sb.cleanup()
  }
})
