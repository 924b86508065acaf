import {isReferenceOnly} from './reference.js'
import {isSecretFlag, isSecretKey} from './secret-key.js'
import {isMasked, maskToken} from './token.js'

/**
 * Masks the value in `key=value`-style text when the key looks secret, keeping the key, the separator and the quotes
 * so a masked config line still reads as config:
 *
 *   "apiKey": "sk-…"            →  "apiKey": "[REDACTED:secret]"          (JSON, JSONC, escaped JSON in a log)
 *   api_key = 'abc'             →  api_key = '[REDACTED:secret]'          (TOML)
 *   export GITHUB_TOKEN=abc     →  export GITHUB_TOKEN=[REDACTED:secret]  (env, URL query)
 *   Authorization: Basic dXNl…  →  Authorization: Basic [REDACTED:secret] (HTTP header, YAML; the scheme is kept)
 *   --api-key abc               →  --api-key [REDACTED:secret]            (CLI flag)
 *   ["--api-key", "abc"]        →  ["--api-key", "[REDACTED:secret]"]     (a flag and its value in an args array)
 *
 * Variable references (`${API_KEY}`), empty values, `true`/`false`/`null` and already masked values are kept.
 */

const STOP = String.raw`\n,;&}\]"'`
const KEY_VALUE = new RegExp(
  String.raw`(?<![\w.])(?<kq>\\?"|')?` +
    // Only keys that mention a secret-ish term are candidates; isSecretKey makes the real decision.
    String.raw`(?=[\w.-]{0,200}?(?:pass|token|secret|key|authorization|credential|cookie|session))` +
    String.raw`(?<key>[A-Za-z_][\w.-]*)\k<kq>(?<sep>[ \t]*[:=][ \t]*)` +
    String.raw`(?<value>\\"(?:[^"\\\n]|\\[^"\n])*\\"|"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?|(?:\$?\{[^{}\n]*\}|[^${STOP}])+)`,
  'gi',
)

const FLAG_VALUE = /(?<![\w-])(?<flag>--[A-Za-z][\w-]*)(?<sep>[ \t]+)(?!-)(?<value>"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?|[^\s"']+)/g

// The flag and its value as two strings of a JSON or TOML array: "--api-key", "abc".
const FLAG_IN_ARRAY = /(?<![\w-])(?<flag>--[A-Za-z][\w-]*)(?<sep>(?<q>\\?["'])[ \t]*,[ \t]*\k<q>)(?!-)(?<value>(?:[^"'\\\n]|\\[^"'\n])*)(?=\k<q>)/g

const SCHEME = /^(?:Bearer|Basic|Token|Digest)[ \t]+/i
const LITERAL = /^(?:true|false|null|none|undefined)$/i

/** Masks one value as written (quoted or bare), or returns it unchanged when it is not a secret. */
function maskWritten(written: string, bareStopsAtSpace: boolean): string {
  const quote = /^(?:\\"|"|')/.exec(written)?.[0] ?? ''
  if (quote !== '') {
    const closed = written.length >= 2 * quote.length && written.endsWith(quote)
    const inner = written.slice(quote.length, closed ? -quote.length : undefined)
    if (inner === '' || isMasked(inner) || isReferenceOnly(inner)) return written
    const scheme = SCHEME.exec(inner)?.[0] ?? ''
    return `${quote}${scheme}${maskToken('secret')}${closed ? quote : ''}`
  }
  const trimmed = written.trimEnd()
  const trailing = written.slice(trimmed.length)
  const scheme = SCHEME.exec(trimmed)?.[0] ?? ''
  let secret = trimmed.slice(scheme.length)
  let rest = ''
  if (bareStopsAtSpace) {
    const space = secret.search(/\s/)
    if (space >= 0) {
      rest = secret.slice(space)
      secret = secret.slice(0, space)
    }
  }
  if (secret === '' || isMasked(secret) || isReferenceOnly(secret) || LITERAL.test(secret)) return written
  return `${scheme}${maskToken('secret')}${rest}${trailing}`
}

/** Masks the values of secret-looking keys and flags in free text (see the module doc). */
export function maskKeyValues(text: string): string {
  let out = text.replace(KEY_VALUE, (match, ...args) => {
    const groups = args.at(-1) as {kq?: string; key: string; sep: string; value: string}
    if (!isSecretKey(groups.key)) return match
    const head = match.slice(0, match.length - groups.value.length)
    return head + maskWritten(groups.value, groups.sep.includes('='))
  })
  if (out.includes('--')) {
    out = out.replace(FLAG_VALUE, (match, ...args) => {
      const groups = args.at(-1) as {flag: string; sep: string; value: string}
      if (!isSecretFlag(groups.flag)) return match
      return groups.flag + groups.sep + maskWritten(groups.value, true)
    })
    out = out.replace(FLAG_IN_ARRAY, (match, ...args) => {
      const groups = args.at(-1) as {flag: string; sep: string; value: string}
      const {value} = groups
      if (!isSecretFlag(groups.flag) || value === '' || isMasked(value) || isReferenceOnly(value)) return match
      return groups.flag + groups.sep + maskToken('secret')
    })
  }
  return out
}
