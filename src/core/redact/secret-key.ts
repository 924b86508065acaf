/**
 * Decides whether a key name (JSON/TOML key, env var name, HTTP header, CLI flag) looks like it holds a secret.
 *
 * The name is split into lower-case words (camelCase, snake_case, kebab-case, dots, spaces; digits dropped), and it is
 * secret when it *ends* with a secret term: `GITHUB_TOKEN`, `clientSecret`, `x-api-key`, `AWS_SECRET_ACCESS_KEY`.
 * Names that merely mention a term are not: `max_tokens`, `token_url`, `password_file`, `privateKeyPath`, `key`.
 */

/** Single words that end a secret key name. */
const SECRET_WORDS = new Set([
  'apikey',
  'authorization',
  'cookie',
  'credential',
  'credentials',
  'passphrase',
  'passphrases',
  'passwd',
  'password',
  'passwords',
  'privatekey',
  'secret',
  'secrets',
  'sessionid',
  'token',
])

/** Two-word endings: the first word followed by `key` (or `id` for sessions). */
const KEY_QUALIFIERS = new Set(['access', 'account', 'api', 'encryption', 'master', 'private', 'secret', 'signing'])

/** Splits a key name into lower-case words. */
export function keyWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => word !== '')
}

/** True when a key name looks like it names a secret (see the module doc for the rule). */
export function isSecretKey(name: string): boolean {
  if (name.length > 200) return false
  const words = keyWords(name)
  const last = words.at(-1)
  if (last === undefined) return false
  if (SECRET_WORDS.has(last)) return true
  const before = words.at(-2)
  if (before === undefined) return false
  if (last === 'key' && KEY_QUALIFIERS.has(before)) return true
  if (last === 'id' && before === 'session') return true
  // `DB_PASS`, `smtp_pass`: "pass" only counts after another word (a bare `pass` is usually a test result).
  return last === 'pass'
}

/** True when a command-line flag (`--api-key`, `--token`) takes a secret value. Single-dash flags never do. */
export function isSecretFlag(arg: string): boolean {
  return /^--[A-Za-z][\w-]*$/.test(arg) && isSecretKey(arg.slice(2))
}
