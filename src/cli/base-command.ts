import {Command} from '@oclif/core'

import {reportError} from './errors.js'
import {runnable} from './invocation.js'

/**
 * Base of every hatch command that returns a result. It adds `--json`, reports every error through hatch's one
 * error family (oclif's own parse errors included: src/cli/errors.ts), and keeps the documented exit code under
 * `--json` (plain oclif exits 1 there: oclif/core#1423). Commands return a typed result or throw a HatchError;
 * they never call `this.exit`.
 */
export abstract class HatchCommand<T> extends Command {
  static override enableJsonFlag = true

  abstract override run(): Promise<T>

  protected override async catch(err: Error): Promise<unknown> {
    await reportError(err, {json: this.jsonEnabled(), command: {id: this.id, flags: {json: {}, ...this.ctor.flags}, argv: this.argv}})
    return undefined
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

  /** A hint that names hatch commands (`hatch mcp …`), written the way the user can run them here. */
  protected hint(text: string): string {
    return runnable(text)
  }
}
