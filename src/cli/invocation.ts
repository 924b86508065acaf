import {existsSync, realpathSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, delimiter, isAbsolute, join, relative, sep} from 'node:path'

import {shellQuote} from '../core/text/shell-quote.js'

export interface InvocationContext {
  /** The script node runs: process.argv[1] (bin/run.js, or the `hatch` link that npm put on PATH). */
  script: string | undefined
  env: Record<string, string | undefined>
  cwd: string
  platform: NodeJS.Platform
}

const current = (): InvocationContext => ({script: process.argv[1], env: process.env, cwd: process.cwd(), platform: process.platform})

/** The file behind a path, or undefined when there is none. */
function real(path: string): string | undefined {
  try {
    return realpathSync.native(path)
  } catch {
    return undefined
  }
}

/**
 * The `hatch` on PATH, when it is this very hatch (npm i -g and npm link put a link to bin/run.js there), else
 * undefined: another program may be called hatch too (Python's project manager is).
 */
export function hatchOnPath(context: InvocationContext = current()): string | undefined {
  const self = context.script === undefined ? undefined : real(context.script)
  if (self === undefined) return undefined
  const names = context.platform === 'win32' ? ['hatch.cmd', 'hatch.ps1', 'hatch'] : ['hatch']
  for (const dir of (context.env.PATH ?? context.env.Path ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue
    for (const name of names) {
      const candidate = join(dir, name)
      if (!statSync(candidate, {throwIfNoEntry: false})?.isFile()) continue
      // The first one found is what the shell runs: it is this hatch or it is not.
      return real(candidate) === self ? candidate : undefined
    }
  }
  return undefined
}

/**
 * How the user can run this hatch again, for the commands hatch prints in hints: `hatch` when the `hatch` on PATH is
 * this one; otherwise the way it was started, `node bin/run.js` (relative to the current folder when it is inside
 * it, else absolute). Works as printed, pasted into the same shell.
 */
export function hatchCommand(context: InvocationContext = current()): string {
  if (context.script === undefined || hatchOnPath(context) !== undefined) return 'hatch'
  const script = context.script
  const rel = relative(context.cwd, script)
  const inCwd = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
  // A script named hatch (a link npm made in a folder that is not on PATH) runs by itself, given as a path.
  if (basename(script) === 'hatch') return shellQuote(inCwd ? `.${sep}${rel}` : script, context.platform)
  return `node ${shellQuote(inCwd ? rel : script, context.platform)}`
}

let cached: string | undefined

/** hatchCommand() for this process, worked out once. */
export function thisHatch(): string {
  cached ??= hatchCommand()
  return cached
}

// `hatch` followed by one of its topics or commands: the start of a command line in a hint.
const COMMAND = /(?<![\w/.-])hatch(?= (?:mcp|archive|help|autocomplete|auth)\b| --(?:help|version)\b)/g

/**
 * Rewrites the commands in a hint (written `hatch mcp …`, as the core writes them) to what runs here (see
 * hatchCommand): `node bin/run.js mcp …` when hatch is not installed.
 */
export function runnable(text: string, command: string = thisHatch()): string {
  return command === 'hatch' ? text : text.replace(COMMAND, command)
}

/** What a host's config should run to start `hatch mcp serve`, and why it might not keep working. */
export interface ServeLaunch {
  command: string
  /** Before `mcp serve` and its flags. */
  args: string[]
  warning?: string
}

/**
 * The command `hatch mcp install` writes: `hatch` when this is a global install (the hatch on PATH is this one, and
 * it lives in a node_modules folder), which survives upgrades and moves; otherwise this node and this bin/run.js by
 * full path, with a warning when that path is in a temporary folder (npx's cache, /tmp) or a working checkout,
 * which the host stops finding once it goes or moves.
 */
export function serveLaunch(root: string, context: InvocationContext = current()): ServeLaunch {
  const realRoot = real(root) ?? root
  const inNodeModules = realRoot.split(/[\\/]/).includes('node_modules')
  if (inNodeModules && hatchOnPath(context) !== undefined) return {command: 'hatch', args: []}
  const launch = {command: process.execPath, args: [join(root, 'bin', 'run.js')]}
  const temp = real(tmpdir()) ?? tmpdir()
  const where = realRoot.includes(`${sep}_npx${sep}`) || !relative(temp, realRoot).startsWith('..')
    ? 'a temporary folder'
    : !inNodeModules || existsSync(join(realRoot, '.git'))
      ? 'a working checkout'
      : undefined
  if (where === undefined) return launch
  return {
    ...launch,
    warning: `The entry starts hatch from ${realRoot}, ${where}: once that folder is moved or deleted, the host can no longer start hatch. Install hatch with npm i -g (a package, not a folder: a folder installs as a link to it) and run this again to write \`hatch\`, or pass --command.`,
  }
}
