import {createInterface} from 'node:readline/promises'

import {HatchError} from '../core/errors.js'

export interface ConfirmOptions {
  /** --yes was given. */
  yes: boolean
  /** What would happen, in words that fit "Refusing to …", e.g. "restore over /path". */
  action: string
  input?: NodeJS.ReadableStream & {isTTY?: boolean}
  output?: NodeJS.WritableStream
}

/**
 * Asks before a destructive step. `--yes` confirms; in a terminal the user is asked (only "y" or "yes"
 * confirm); without a terminal hatch refuses — silence is never consent.
 * @throws HatchError CONFIRMATION_REQUIRED (no terminal, no --yes) or CONFIRMATION_DECLINED.
 */
export async function confirmOrRefuse(question: string, options: ConfirmOptions): Promise<void> {
  if (options.yes) return
  const input = options.input ?? process.stdin
  const output = options.output ?? process.stderr
  if (!input.isTTY) {
    throw new HatchError('CONFIRMATION_REQUIRED', `Refusing to ${options.action} without confirmation: there is no terminal to ask on. Nothing was changed.`, {
      suggestions: ['Pass --yes to confirm, or --dry-run to see what would change.'],
    })
  }
  const rl = createInterface({input, output, terminal: false})
  let answer: string
  try {
    // End of input (Ctrl-D) at the prompt closes the interface without an answer: that is a no.
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')))
    answer = await Promise.race([rl.question(`${question} [y/N] `), closed])
  } finally {
    rl.close()
  }
  if (!/^\s*y(es)?\s*$/i.test(answer)) {
    throw new HatchError('CONFIRMATION_DECLINED', `You declined, so hatch did not ${options.action}. Nothing was changed.`)
  }
}
