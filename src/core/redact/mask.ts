import {isReferenceOnly} from './reference.js'
import {RULES} from './rules.js'
import {isSecretFlag, isSecretKey} from './secret-key.js'
import {isMasked, maskToken} from './token.js'

export {MASK_PREFIX, isMasked, maskToken, type MaskKind} from './token.js'
export {isSecretKey} from './secret-key.js'

/**
 * Masks secrets and personal data anywhere in free text (log lines, diffs, error messages) and returns the masked
 * text. Each hit becomes a mask token `[REDACTED:<kind>]`; for `key=value` / `"key": "value"` / header lines with a
 * secret-looking key only the value is replaced, so the line still reads as config. Variable references such as
 * `${API_KEY}` are kept. Masking is idempotent: masking masked text changes nothing.
 *
 * Kinds: email, phone (incl. Korean formats), rrn (Korean resident registration number), card (IIN + Luhn), jwt,
 * github-token, aws-key-id, api-key (`sk-…`), bearer, age-key, private-key (PEM), secret (by key name, URL password).
 */
export function maskText(text: string): string {
  let out = text
  for (const rule of RULES) {
    if (rule.hint(out)) out = rule.apply(out)
  }
  return out
}

/** Masks a value held under a secret-looking key: every leaf except variable references, null and booleans. */
function maskSecretValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') {
    return value === '' || isMasked(value) || isReferenceOnly(value) ? value : maskToken('secret')
  }
  if (typeof value === 'number' || typeof value === 'bigint') return maskToken('secret')
  if (typeof value !== 'object' || value === null) return value
  return mapContainer(value, seen, (child) => maskSecretValue(child, seen))
}

/** Copies an array or plain object, mapping each element through `child` (object keys get `key` too). */
function mapContainer(
  value: object,
  seen: WeakSet<object>,
  child: (value: unknown, key: string | undefined, previous: unknown) => unknown,
): unknown {
  if (seen.has(value)) return '[Circular]'
  seen.add(value)
  try {
    if (Array.isArray(value)) {
      return value.map((item, i) => child(item, undefined, i > 0 ? value[i - 1] : undefined))
    }
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = child(item, key, undefined)
    return out
  } finally {
    seen.delete(value)
  }
}

function maskAny(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return maskText(value)
  if (typeof value !== 'object' || value === null) return value
  if (value instanceof Date) return value.toISOString()
  return mapContainer(value, seen, (item, key, previous) => {
    if (key !== undefined && isSecretKey(key)) return maskSecretValue(item, seen)
    // ["--api-key", "abc"]: the argument after a secret flag is the secret.
    if (typeof previous === 'string' && isSecretFlag(previous)) return maskSecretValue(item, seen)
    return maskAny(item, seen)
  })
}

/**
 * Returns a masked deep copy of JSON-like data (parsed config, a `--json` result, an MCP tool result); the input is
 * never changed. Under a secret-looking key name (`password`, `GITHUB_TOKEN`, `Authorization`, `clientSecret`, …)
 * every string and number is replaced by `[REDACTED:secret]`, whole, also inside nested objects and arrays; the
 * argument after a secret flag in an array (`["--api-key", "abc"]`) is treated the same way. Every other string goes
 * through {@link maskText}. Variable references (`$VAR`, `${VAR}`, `Bearer ${TOKEN}`, `{env:VAR}`) are kept as
 * written, and so are null, booleans and empty strings. Dates become ISO strings; a cycle becomes `'[Circular]'`.
 */
export function maskValue(value: unknown): unknown {
  return maskAny(value, new WeakSet())
}
