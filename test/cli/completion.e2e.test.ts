/** Shell completion (@oclif/plugin-autocomplete): the setup it prints, and bash completing hatch's commands and flags. */
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {useSandbox} from '../commands/mcp/backup/_helpers.js'
import {runCli} from '../helpers/cli.js'

const hasBash = spawnSync('bash', ['--version']).status === 0

describe.concurrent('hatch autocomplete (built CLI)', {timeout: 60_000}, () => {
  useSandbox('hatch-complete-')

  it.skipIf(!hasBash)('sets up bash completion that completes commands and flags', async ({sb}) => {
    const setup = await runCli(['autocomplete', 'bash'], {env: sb.env})
    expect(setup.code, setup.stderr).toBe(0)
    expect(setup.stdout).toContain('hatch autocomplete script bash')
    const script = await runCli(['autocomplete', 'script', 'bash'], {env: sb.env})
    expect(script.code).toBe(0)
    expect(script.stdout).toContain(join(sb.env.HATCH_CACHE_DIR!, 'autocomplete', 'bash_setup'))

    // What bash does on <TAB>: the completion function, given the words typed so far.
    const functions = join(sb.env.HATCH_CACHE_DIR!, 'autocomplete', 'functions', 'bash', 'hatch.bash')
    const complete = (...words: string[]) =>
      spawnSync('bash', ['-c', `source "${functions}"; COMP_WORDS=(${words.map((w) => `"${w}"`).join(' ')}); COMP_CWORD=${words.length - 1}; _hatch_autocomplete; echo "\${COMPREPLY[@]}"`], {encoding: 'utf8'}).stdout.trim()
    expect(complete('hatch', 'mcp', 'backup', '').split(' ')).toEqual(expect.arrayContaining(['clean', 'create', 'list', 'restore', 'show', 'verify']))
    expect(complete('hatch', 'mcp', 'backup', 'create', '--h')).toBe('--host')
    // (The same word may come back once per command under it; bash shows it once.)
    expect(new Set(complete('hatch', 'arch').split(' '))).toEqual(new Set(['archive']))
  })
})
