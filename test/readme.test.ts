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

/** The commands of the first sh block under "## Quick start", comments dropped. */
function quickStart(): string[] {
  const section = README.slice(README.indexOf('## Quick start'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!
  return block.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean)
}

it('the quick start begins with hatch mcp hosts, and each of its hatch commands succeeds without Claude Desktop', async () => {
  const commands = quickStart().filter((c) => c.startsWith('hatch '))
  expect(commands[0]).toBe('hatch mcp hosts')
  const sb = await makeSandbox('hatch-readme-')
  try {
    await mkdir(join(sb.home, '.cursor'), {recursive: true})
    await writeFile(join(sb.home, '.cursor', 'mcp.json'), '{"mcpServers": {}}\n')
    for (const command of commands) {
      const r = await runCli(command.split(/\s+/).slice(1), {env: sb.env})
      expect(r.code, `${command}\n${r.stdout}${r.stderr}`).toBe(0)
    }
    const listed = await runCli(['mcp', 'backup', 'list', '--json'], {env: sb.env})
    expect(listed.json.map((b: {host: string}) => b.host)).toEqual(['cursor'])
  } finally {
    await sb.cleanup()
  }
})
