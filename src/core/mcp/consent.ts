import {HatchError, isHatchError} from '../errors.js'
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
  token: string | undefined
  /** One line for the elicitation form, e.g. "Restore backup X over Y?"; details are appended. */
  question: string
  /** The preview (masked diff, list of ids) shown in the elicitation message. */
  details: string
  preview: (token: string, expiresInSeconds: number) => {structured: O; summary: string}
  execute: () => Promise<{structured: O; summary: string}>
}

const MAX_MESSAGE = 6000

/** Redeems a token; a refusal also says that a preview goes stale when the file or the backups change. */
function redeem(services: ToolServices, token: string, tool: string, bound: unknown): void {
  try {
    services.issuer.redeem(token, tool, bound, services.principal)
  } catch (error) {
    if (!isHatchError(error)) throw error
    throw new HatchError(error.code, `${error.message} A token is bound to the arguments and to what its preview showed, so it is also refused once the config file or the backups have changed since.`, {
      suggestions: error.suggestions,
    })
  }
}

/**
 * The consent step every destructive tool goes through (docs/mcp.md "Confirmation"):
 * - the retry that carries an elicitation answer: the echoed state must be a valid, unused token for this exact
 *   tool, arguments and plan; then only an explicit accept with `confirm: true` proceeds;
 * - a call with a `confirmationToken`: the token is redeemed (single use, bound, unexpired), then it proceeds;
 * - a first call from a client that supports elicitation: the human is asked (nothing changes yet);
 * - a first call otherwise: a preview with a fresh token comes back and nothing changes.
 */
export async function withConsent<O>(request: ConsentRequest<O>, services: ToolServices, call: ToolCall): Promise<ToolOutcome<O>> {
  const {issuer, principal} = services
  const bound = {arguments: request.args, plan: request.plan}
  if (call.answer !== undefined) {
    if (call.requestState === undefined) {
      throw new HatchError('CONFIRMATION_REQUIRED', 'The confirmation came back without the state hatch sent with the question; nothing was changed.', {
        suggestions: [`Call ${request.tool} again to be asked afresh.`],
      })
    }
    redeem(services, call.requestState, request.tool, bound)
    if (call.answer.action !== 'accept' || call.answer.content?.confirm !== true) {
      throw new HatchError('CONFIRMATION_DECLINED', `The user did not confirm, so ${request.tool} changed nothing.`)
    }
    const done = await request.execute()
    return {kind: 'result', ...done}
  }
  if (request.token !== undefined) {
    redeem(services, request.token, request.tool, bound)
    const done = await request.execute()
    return {kind: 'result', ...done}
  }
  const token = issuer.issue(request.tool, bound, principal)
  if (call.elicitation) {
    const details = request.details.length > MAX_MESSAGE ? `${request.details.slice(0, MAX_MESSAGE)}\n… (preview truncated)` : request.details
    return {kind: 'confirm', message: `${request.question}\n\n${details}`, state: token}
  }
  const preview = request.preview(token, Math.floor(services.confirmTtlMs / 1000))
  return {kind: 'result', ...preview, outcome: 'preview'}
}
