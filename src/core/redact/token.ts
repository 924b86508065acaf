/**
 * The mask token hatch writes in place of a secret or a piece of personal data: `[REDACTED:<kind>]`.
 *
 * The token is stable (the same kind always gives the same text, so diffs of masked output stay quiet), says why
 * something was hidden, and contains nothing any masking rule matches, so masking masked text changes nothing.
 */

/** Why a value was masked. */
export type MaskKind =
  | 'api-key'
  | 'age-key'
  | 'aws-key-id'
  | 'bearer'
  | 'card'
  | 'email'
  | 'github-token'
  | 'hatch-token'
  | 'jwt'
  | 'phone'
  | 'private-key'
  | 'rrn'
  | 'secret'

/** What every mask token starts with. */
export const MASK_PREFIX = '[REDACTED:'

/** The mask token for a kind, e.g. `[REDACTED:email]`. */
export function maskToken(kind: MaskKind): string {
  return `${MASK_PREFIX}${kind}]`
}

/** True when the text is, or starts with, a mask token. */
export function isMasked(text: string): boolean {
  return text.startsWith(MASK_PREFIX)
}
