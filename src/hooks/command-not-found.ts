import type {Hook} from '@oclif/core'

import {jsonRequested, spaced} from '../cli/errors.js'
import {HatchError} from '../core/errors.js'
import {closest} from '../core/text/closest.js'

/**
 * `hatch mcp bakup list`: words that name no command or topic. The error is hatch's (UNKNOWN_COMMAND, exit 2,
 * one JSON document under --json) and names the nearest command, written as it is typed (`mcp backup list`). In a
 * terminal, without --json, @oclif/plugin-not-found asks first "Did you mean mcp backup list?" and runs it on yes.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const visible = opts.config.commands.filter((c) => !c.hidden)
  const candidates = [...visible.flatMap((c) => [c.id, ...c.aliases]), ...opts.config.topics.filter((t) => !t.hidden).map((t) => t.name)]
  const near = closest(opts.id, candidates)
  const unknown = (message: string) =>
    new HatchError('UNKNOWN_COMMAND', message, {
      suggestions: [...(near ? [`hatch ${spaced(near)}`] : []), 'Run `hatch --help` to see every command.'],
    })
  const typed = spaced(opts.id)
  if (near !== undefined && process.stdin.isTTY && process.stderr.isTTY && !jsonRequested(process.argv.slice(2))) {
    const {default: ask} = await import('@oclif/plugin-not-found')
    try {
      return await ask.call(this, opts)
    } catch (error) {
      // Declined (or no answer within 10 s): the plugin gives up with exit 127. What ran on a yes reports its own.
      if ((error as {oclif?: {exit?: number}}).oclif?.exit !== 127) throw error
      throw unknown(`"${typed}" is not a hatch command, so nothing was run.`)
    }
  }
  throw unknown(`"${typed}" is not a hatch command.${near ? ` Did you mean "${spaced(near)}"?` : ''}`)
}

export default hook
