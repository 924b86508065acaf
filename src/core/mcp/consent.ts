import {realpathSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'

import {HatchError} from '../errors.js'
import {resolveWriteTarget} from '../fs/atomic-write.js'
import type {ToolCall, ToolOutcome, ToolServices} from './types.js'

export interface ConsentRequest<O> {
  tool: string
  /** The call's arguments without the token. */
  args: Record<string, unknown>
  /**
   * What exactly would be done, as computed now (e.g. the backup id and the target's SHA-256, or the ids to delete).
   * The token is bound to it as well as to the arguments, so a token from a preview is refused once the plan differs
   * (another backup became the newest, the file changed, the list to delete grew).
   */
  plan: unknown
  /**
   * Every file or folder the call would write or delete. The token is bound to where each really is (symlinks
   * resolved, as a write would follow them), so one swapped for a link to somewhere else after the preview (even to
   * a file with the same bytes) makes the token refused.
   */
  targets: readonly string[]
  token: string | undefined
  /** One line for the elicitation form, e.g. "Restore backup X over Y?"; details are appended. */
  question: string
  /** The preview (masked diff, list of ids) shown in the elicitation message. */
  details: string
  preview: (token: string, expiresInSeconds: number) => {structured: O; summary: string}
  execute: () => Promise<{structured: O; summary: string}>
}

const MAX_MESSAGE = 6000

/**
 * Where `path` really is now: the final target of its symlinks (resolveWriteTarget), or, when a folder on the way does
 * not exist yet, the real path of its deepest existing ancestor with the rest appended.
 */
function realLocation(path: string): string {
  try {
    return resolveWriteTarget(path)
  } catch {
    // A missing folder on the way (or a link loop): bind to what exists.
  }
  const rest: string[] = []
  for (let current = resolve(path); ; current = dirname(current)) {
    try {
      return join(realpathSync.native(current), ...rest)
    } catch {
      if (dirname(current) === current) return resolve(path)
      rest.unshift(basename(current))
    }
  }
}

/**
 * The consent step every destructive tool goes through (docs/mcp.md "Confirmation"):
 * - the retry that carries an elicitation answer: the echoed state must be a valid, unused token for this exact
 *   tool, arguments and plan; then only an explicit accept with `confirm: true` proceeds;
 * - a call with a `confirmation_token`: the token is redeemed (single use, bound, unexpired), then it proceeds;
 * - a first call from a client that supports elicitation: the human is asked (nothing changes yet);
 * - a first call otherwise: a preview with a fresh token comes back and nothing changes.
 */
export async function withConsent<O>(request: ConsentRequest<O>, services: ToolServices, call: ToolCall): Promise<ToolOutcome<O>> {
  const {issuer, principal} = services
  const state = {plan: request.plan, targets: request.targets.map(realLocation)}
  const redeem = (token: string): void => issuer.redeem(token, request.tool, request.args, principal, state)
  if (call.answer !== undefined) {
    if (call.requestState === undefined) {
      throw new HatchError('CONFIRMATION_REQUIRED', 'The confirmation came back without the state hatch sent with the question; nothing was changed.', {
        suggestions: [`Call ${request.tool} again to be asked afresh.`],
      })
    }
    redeem(call.requestState)
    if (call.answer.action !== 'accept' || call.answer.content?.confirm !== true) {
      throw new HatchError('CONFIRMATION_DECLINED', `The user did not confirm, so ${request.tool} changed nothing.`)
    }
    const done = await request.execute()
    return {kind: 'result', ...done}
  }
  if (request.token !== undefined) {
    redeem(request.token)
    const done = await request.execute()
    return {kind: 'result', ...done}
  }
  const token = issuer.issue(request.tool, request.args, principal, state)
  if (call.elicitation) {
    const details = request.details.length > MAX_MESSAGE ? `${request.details.slice(0, MAX_MESSAGE)}\n… (preview truncated)` : request.details
    return {kind: 'confirm', message: `${request.question}\n\n${details}`, state: token}
  }
  const preview = request.preview(token, Math.floor(services.confirmTtlMs / 1000))
  return {kind: 'result', ...preview, outcome: 'preview'}
}
