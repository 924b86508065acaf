import {cardPrefixLength} from './card.js'
import {maskKeyValues} from './key-value.js'
import {isReferenceOnly} from './reference.js'
import {isMasked, type MaskKind, maskToken} from './token.js'

/**
 * The masking table: one rule per kind of secret or personal data, applied in order (most specific first, so a JWT
 * in `token=…` is reported as a JWT). Each rule has a cheap `hint` test so a line that cannot match skips the regex.
 *
 * Boundaries (`(?<![\w…])`) stop every rule from matching inside a longer word, which is what keeps hatch's own
 * identifiers safe: backup ids (`20261121_165100_123456`), SHA-256 digests, UUIDs, paths and timestamps.
 */
export interface MaskRule {
  kind: MaskKind | 'key-value'
  hint: (text: string) => boolean
  apply: (text: string) => string
}

function regexRule(kind: MaskKind, hint: RegExp | string, pattern: RegExp, accept?: (match: string) => boolean): MaskRule {
  const token = maskToken(kind)
  return {
    kind,
    hint: typeof hint === 'string' ? (text) => text.includes(hint) : (text) => hint.test(text),
    apply: (text) => text.replace(pattern, (match) => (accept === undefined || accept(match) ? token : match)),
  }
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** YYMMDD sanity check for a resident registration number (no checksum: random digits since 2020-10). */
function plausibleRrn(match: string): boolean {
  const month = Number(match.slice(2, 4))
  const day = Number(match.slice(4, 6))
  return month >= 1 && month <= 12 && day >= 1 && day <= (DAYS_IN_MONTH[month - 1] ?? 0)
}

/** E.164 allows at most 15 digits; fewer than 8 is not a reachable number. */
function plausibleInternational(match: string): boolean {
  const digits = match.replace(/\D/g, '').length
  return digits >= 8 && digits <= 15 && !/[.-]{2}|\s{2}/.test(match)
}

const cardToken = maskToken('card')
const CARD_RUN = /(?<![\w.])(?<!\d[ -])\d(?:[ -]?\d){12,24}(?!\w)/g

const cardRule: MaskRule = {
  kind: 'card',
  hint: (text) => /\d{4}/.test(text),
  apply: (text) =>
    text.replace(CARD_RUN, (run) => {
      const length = cardPrefixLength(run)
      return length === 0 ? run : cardToken + run.slice(length)
    }),
}

const keyValueRule: MaskRule = {
  kind: 'key-value',
  hint: (text) => /pass|token|secret|key|authoriz|credential|cookie|session/i.test(text),
  apply: maskKeyValues,
}

export const RULES: readonly MaskRule[] = [
  regexRule(
    'private-key',
    'PRIVATE KEY-----',
    /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[^]*?(?:-----END \1PRIVATE KEY-----|$)/g,
  ),
  // Password in a URL's user info: postgres://user:secret@host → keep the user and host.
  {
    kind: 'secret',
    hint: (text) => text.includes('://'),
    apply: (text) =>
      text.replace(
        /(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@?#]*:)[^\s/@?#]+(?=@)/gi,
        (match) => (isMasked(match) || isReferenceOnly(match) ? match : maskToken('secret')),
      ),
  },
  regexRule('hatch-token', 'hatch_pat_', /\bhatch_pat_[0-9a-f]{64}\b/g),
  regexRule('age-key', 'AGE-SECRET-KEY-', /\bAGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}\b/g),
  regexRule('jwt', 'eyJ', /(?<![\w-])eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*(?![\w.-])/g),
  regexRule('github-token', /gh[pousr]_|github_pat_/, /\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_\w{22,255})\b/g),
  regexRule('aws-key-id', /A[KS]IA/, /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g),
  regexRule('api-key', 'sk-', /(?<![\w-])sk-(?=[\w-]*\d)[\w-]{20,}/g),
  {
    kind: 'bearer',
    hint: (text) => /bearer/i.test(text),
    apply: (text) =>
      text.replace(
        /\b(Bearer[ \t]+)(?:(?=[\w.~+/=-]*\d)[\w.~+/=-]{8,}|[\w.~+/=-]{16,})/gi,
        (_match, scheme: string) => scheme + maskToken('bearer'),
      ),
  },
  keyValueRule,
  regexRule(
    'email',
    '@',
    /(?<![\w.%+-])[\w.%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/g,
    (match) => !match.startsWith('git@'), // ssh remotes (git@github.com) are not personal addresses
  ),
  regexRule('rrn', '-', /(?<![\w-])\d{6}-[1-8]\d{6}(?![\w-])/g, plausibleRrn),
  regexRule(
    'phone',
    /\d{3}/,
    new RegExp(
      String.raw`(?<![\w.+-])(?:` +
        String.raw`01[016789][-. ]?\d{3,4}[-. ]?\d{4}` + // KR mobile: 010-1234-5678, 01012345678
        String.raw`|0(?:2|[3-6][1-5]|70)[-. ]\d{3,4}[-. ]\d{4}` + // KR landline: 02-123-4567, 031-123-4567
        String.raw`|\(?[2-9]\d{2}\)?[ -]?[2-9]\d{2}-\d{4}` + // North America: (415) 555-0100, 415-555-0100
        String.raw`)(?![\w-]|\.\d)` +
        String.raw`|(?<![\w+])\+[1-9][\d .()-]{6,20}\d(?![\w-]|\.\d)`, // international: +82 10-1234-5678
      'g',
    ),
    (match) => !match.startsWith('+') || plausibleInternational(match),
  ),
  cardRule,
]
