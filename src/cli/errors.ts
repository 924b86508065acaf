import {stripVTControlCharacters} from 'node:util'

import {EXIT, HatchError, isHatchError} from '../core/errors.js'
import {closest} from '../core/text/closest.js'
import {shellQuote} from '../core/text/shell-quote.js'
import {runnable} from './invocation.js'

/** What an error message needs to know about the command that was run. */
export interface CommandShape {
  id?: string
  flags?: Record<string, {char?: string; aliases?: string[]; required?: boolean; hidden?: boolean}>
  /** What followed the command's id on the command line. */
  argv?: readonly string[]
}

/** The fields oclif's own errors carry (CLIError and the parser's errors, whichever copy of oclif threw them). */
type OclifError = Error & {
  oclif?: {exit?: number}
  code?: string
  /** NonExistentFlagsError: the unknown flags as typed. */
  flags?: string[]
  /** RequiredArgsError (arg definitions) and UnexpectedArgsError (what was typed). */
  args?: Array<{name?: string} | string>
  /** The parser's input and what it made of it. */
  parse?: {output?: {flags?: Record<string, unknown>}}
}

/** `mcp:backup:create` as the user types it: `mcp backup create`. */
export const spaced = (id: string): string => id.replaceAll(':', ' ')

/** The host ids hatch finds a config file for here (for a missing --host). Imported lazily: it probes the disk. */
async function hostsHere(): Promise<string[]> {
  try {
    const {resolveHosts} = await import('../core/hosts/resolve.js')
    return (await resolveHosts()).filter((h) => h.status === 'present').map((h) => h.id)
  } catch {
    return []
  }
}

/** An argument as the user can paste it back. */
const quoteArg = (a: string): string => shellQuote(a, process.platform)

/** An argument with its flag's typo mended: `--hots=x` → `--host=x`. */
function mend(arg: string, fixes: ReadonlyMap<string, string>): string {
  const name = arg.split('=')[0]!
  const fix = fixes.get(name)
  return fix === undefined ? arg : fix + arg.slice(name.length)
}

/** The reasons in a parser message, without oclif's header, footer and colours. */
function reasons(message: string): string[] {
  return stripVTControlCharacters(message)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^The following errors? occurred:$/.test(l) && l !== 'See more help with --help')
}

/** Words for the flags of `command` a typo could have meant: `--host`, its aliases. */
function flagNames(command: CommandShape): string[] {
  return Object.entries(command.flags ?? {})
    .filter(([, f]) => !f.hidden)
    .flatMap(([name, f]) => [name, ...(f.aliases ?? [])])
    .map((n) => `--${n}`)
}

/** Next steps for a command run without --host: the hosts that have a config file here, in a command that runs. */
export async function missingHostSteps(command: CommandShape): Promise<string[]> {
  const here = await hostsHere()
  const id = command.id === undefined ? 'hatch …' : `hatch ${spaced(command.id)}`
  if (here.length === 0) {
    return ['hatch found no MCP host config file on this machine: `hatch mcp hosts` shows where it looked. Name a file with --host HOST --config PATH.']
  }
  const rest = (command.argv ?? []).map(quoteArg).join(' ')
  return [`Hosts with a config file on this machine: ${here.join(', ')}. For example: \`${id} --host ${here[0]}${rest && ` ${rest}`}\``, 'Run `hatch mcp hosts` to see every host and the file hatch found for it.']
}

/**
 * oclif's own errors (a missing, unknown or invalid flag or argument; a command that does not exist) as HatchErrors
 * (exit 2), with the next steps hatch's errors give: the nearest flag for a typo, the hosts found here for a missing
 * --host. Undefined for an error that is neither a HatchError nor one of these: a bug.
 */
export async function asHatchError(error: unknown, command: CommandShape = {}): Promise<HatchError | undefined> {
  if (isHatchError(error)) return error
  if (!(error instanceof Error)) return undefined
  const err = error as OclifError
  const exit = err.oclif?.exit
  if (exit === undefined || err.code === 'EEXIT') return undefined
  const help = command.id === undefined ? 'Run `hatch --help` to see every command.' : `Run \`hatch ${spaced(command.id)} --help\` to see its flags and examples.`
  const cause = {cause: error}

  // The parser's errors are told apart by what they carry and say (class names do not survive bundling reliably).
  if (Array.isArray(err.flags) && err.message.startsWith('Nonexistent flag')) {
    const unknown = err.flags.map((f) => f.split('=')[0]!)
    const fixes = new Map(unknown.flatMap((f) => {
      const near = closest(f, flagNames(command))
      return near === undefined ? [] : [[f, near] as const]
    }))
    const where = command.id === undefined ? '' : ` for \`hatch ${spaced(command.id)}\``
    const guess = fixes.size > 0 ? ` Did you mean ${[...new Set(fixes.values())].join(' or ')}?` : ''
    // The command line again with every typo mended, when each one has a near flag.
    const mended =
      command.id !== undefined && command.argv !== undefined && fixes.size === unknown.length
        ? [`hatch ${spaced(command.id)} ${command.argv.map((a) => quoteArg(mend(a, fixes))).join(' ')}`]
        : []
    return new HatchError('INVALID_ARGUMENT', `Unknown flag${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}${where}.${guess}`, {
      ...cause,
      suggestions: [...mended, help],
    })
  }
  if (Array.isArray(err.args) && err.message.startsWith('Missing ')) {
    const names = err.args.map((a) => (typeof a === 'string' ? a : (a.name ?? '?')).toUpperCase())
    return new HatchError('INVALID_ARGUMENT', `Missing ${names.join(' and ')}.`, {...cause, suggestions: [help]})
  }
  if (Array.isArray(err.args) && err.message.startsWith('Unexpected argument')) {
    const extra = err.args.map(String)
    return new HatchError('INVALID_ARGUMENT', `Unexpected argument${extra.length === 1 ? '' : 's'}: ${extra.join(' ')}.`, {...cause, suggestions: [help]})
  }
  // Validation: required flags, exclusive and dependent flags. Which required flags are missing is known from the
  // command's definition and what was parsed; the other reasons are oclif's sentences.
  const given = err.parse?.output?.flags ?? {}
  const missing = Object.entries(command.flags ?? {})
    .filter(([name, f]) => f.required && given[name] === undefined)
    .map(([name]) => `--${name}`)
  const said = reasons(err.message).filter((r) => !/^Missing required flag /.test(r))
  const message = [...(missing.length > 0 ? [`Missing required flag${missing.length === 1 ? '' : 's'} ${missing.join(' and ')}.`] : []), ...said.map((r) => (/[.!?:]$/.test(r) ? r : `${r}.`))].join(' ')
  const needsHost = missing.includes('--host') || said.some((r) => /--host\b/.test(r) && /must be provided/.test(r))
  return new HatchError(exit === EXIT.USAGE ? 'INVALID_ARGUMENT' : 'INTERNAL', message || stripVTControlCharacters(err.message), {
    ...cause,
    suggestions: [...(needsHost ? await missingHostSteps(command) : []), help],
  })
}

/** A HatchError as printed without --json: message, each next step, code and exit. */
export function renderError(err: HatchError): string {
  const lines = [`Error: ${runnable(err.message)}`]
  for (const s of err.suggestions) lines.push(`  Try this: ${runnable(s)}`)
  lines.push(`  (${err.code}, exit ${err.exitCode})`)
  return lines.join('\n')
}

/** The one JSON document an error prints under --json, hints rewritten to what runs here. */
export function errorJson(err: HatchError): {error: ReturnType<HatchError['toJSON']>} {
  const json = err.toJSON()
  return {error: {...json, message: runnable(json.message), suggestions: json.suggestions.map((s) => runnable(s))}}
}

const BUG_STEP = 'This is a bug in hatch. Run again with DEBUG=* for the stack trace, and report it.'

/**
 * Reports an error the way every hatch command does and sets the exit code: one JSON document on stdout under
 * --json, else the message and next steps on stderr. An error that is not hatch's or oclif's is a bug (exit 1).
 */
export async function reportError(error: unknown, options: {json: boolean; command?: CommandShape}): Promise<void> {
  const known = await asHatchError(error, options.command)
  const err = known ?? new HatchError('INTERNAL', error instanceof Error ? error.message : String(error), {suggestions: [BUG_STEP]})
  process.exitCode = err.exitCode
  if (options.json) {
    process.stdout.write(`${JSON.stringify(errorJson(err), null, 2)}\n`)
    return
  }
  process.stderr.write(`${renderError(err)}\n`)
  if (known === undefined && process.env.DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
}

/** Whether the command line asks for JSON: `--json` before any `--`, or HATCH_CONTENT_TYPE=json (as oclif reads it). */
export function jsonRequested(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.HATCH_CONTENT_TYPE?.toLowerCase() === 'json') return true
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json')
}
