/**
 * Variable references are not secrets: `$VAR`, `${VAR}`, `${env:VAR}` / `${input:id}` (VS Code), `{env:VAR}` and
 * `{file:path}` (OpenCode), `%VAR%` (Windows). hatch never expands them and never masks them, so a masked config
 * still shows where a secret comes from (pitfalls.md §3).
 */

const REFERENCE = String.raw`(?:\$[A-Za-z_][A-Za-z0-9_]*|\$\{[^{}$\s]+\}|\{(?:env|file):[^{}\s]+\}|%[A-Za-z_][A-Za-z0-9_]*%)`

/**
 * A value made only of references, joined by punctuation, optionally after an auth scheme:
 * `${TOKEN}`, `Bearer ${TOKEN}`, `${USER}:${PASS}`.
 */
const REFERENCE_ONLY = new RegExp(
  String.raw`^\s*(?:(?:Bearer|Basic|Token)\s+)?(?=[^]*?${REFERENCE})(?:${REFERENCE}|[\s:@/._-])+$`,
)

/** True when the value holds only variable references (and so may be shown as is). */
export function isReferenceOnly(value: string): boolean {
  return value.length <= 500 && REFERENCE_ONLY.test(value)
}
