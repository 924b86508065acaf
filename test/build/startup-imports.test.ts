import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'
import {describe, expect, it} from 'vitest'

// Written by scripts/bundle.js (npm run build): for each bundled entry, the source files it loads when it starts,
// i.e. its own file and what that imports statically. What an entry imports with `await import(…)` is not in it.
const meta = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../dist/bundle-meta.json'), 'utf8')) as {
  startup: Record<string, {output: string; inputs: string[]}>
}
const commands = Object.entries(meta.startup).filter(([entry]) => entry.startsWith('src/commands/'))

/** The npm packages an entry loads at start-up. */
function packagesAtStartup(inputs: string[]): string[] {
  const names = inputs.flatMap((i) => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)
    return m ? [m[1]!] : []
  })
  return [...new Set(names)].sort()
}

// SDKs and drivers that cost every command tens of milliseconds (or a native module) when loaded at the top of a
// module: commands import them inside run(), where only the command that needs them pays (stack.md §3.7, §6).
const HEAVY = [/^@modelcontextprotocol\//, /^jose$/, /^better-sqlite3$/, /^pg$/, /^pg-/, /^@aws-sdk\//]

describe('what each command loads when it starts (dist/bundle-meta.json)', () => {
  it('covers every command', () => {
    expect(commands.length).toBeGreaterThanOrEqual(18)
  })

  it.each(commands)('%s imports no heavy SDK at the top of a module', (_entry, {inputs}) => {
    expect(packagesAtStartup(inputs).filter((p) => HEAVY.some((h) => h.test(p)))).toEqual([])
  })

  // These are what scripts run most; their start-up is measured in bench/backup.js. zod alone costs ~15 ms to load.
  const common = /^src\/commands\/mcp\/(backup\/(create|list|show|verify|restore|clean)|hosts)/
  it.each(commands.filter(([entry]) => common.test(entry)))('%s starts without zod', (_entry, {inputs}) => {
    expect(packagesAtStartup(inputs)).not.toContain('zod')
  })
})
