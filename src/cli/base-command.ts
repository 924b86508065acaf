import {Command, type Interfaces} from '@oclif/core'

import {EXIT, HatchError, isHatchError} from '../core/errors.js'

type OclifError = Error & {exitCode?: number; oclif?: {exit?: number}; code?: string; suggestions?: string[]}

/**
 * Base of every hatch command that returns a result. It adds `--json`, renders HatchErrors the same way in
 * every command, and keeps the documented exit code under `--json` (plain oclif exits 1 there: oclif/core#1423).
 * Commands return a typed result or throw a HatchError; they never call `this.exit`.
 */
export abstract class HatchCommand<T> extends Command {
  static override enableJsonFlag = true

  abstract override run(): Promise<T>

  protected override async catch(err: OclifError): Promise<unknown> {
    const exit = isHatchError(err) ? err.exitCode : (err.oclif?.exit ?? err.exitCode ?? EXIT.INTERNAL)
    process.exitCode ??= exit
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(err))
      return undefined
    }
    if (isHatchError(err)) {
      this.logToStderr(renderError(err))
      return undefined
    }
    if (err.oclif?.exit === undefined) {
      // Not ours and not oclif's own usage error: a bug. Say so plainly; a stack only with DEBUG set.
      this.logToStderr(`Error: ${err.message}\nThis is a bug in hatch. Run again with DEBUG=* for the stack trace, and report it.`)
      if (process.env.DEBUG) this.logToStderr(err.stack ?? '')
      return undefined
    }
    return super.catch(err as Interfaces.CommandError)
  }

  protected override toErrorJson(err: OclifError): unknown {
    if (isHatchError(err)) return {error: err.toJSON()}
    const exitCode = err.oclif?.exit ?? err.exitCode ?? EXIT.INTERNAL
    const code = exitCode === EXIT.USAGE ? 'INVALID_ARGUMENT' : 'INTERNAL'
    return {error: {code, exitCode, message: err.message, suggestions: err.suggestions ?? []}}
  }

  /**
   * Prints the one JSON document of --json. Into a pipe or a file it is plain JSON.stringify: oclif's colouring
   * tokenises the whole text with regular expressions, which cost 200 ms for 10,000 backups, for colours a script
   * never sees. In a terminal it keeps oclif's colours.
   */
  protected override logJson(json: unknown): void {
    if (process.stdout.isTTY) super.logJson(json)
    else process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  /** Writes human output; suppressed under --json (where the returned result is printed instead). */
  protected out(text: string): void {
    if (!this.jsonEnabled()) this.log(text)
  }
}

export function renderError(err: HatchError): string {
  const lines = [`Error: ${err.message}`]
  for (const s of err.suggestions) lines.push(`  Try this: ${s}`)
  lines.push(`  (${err.code}, exit ${err.exitCode})`)
  return lines.join('\n')
}
