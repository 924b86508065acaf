import {maskText} from './mask.js'
import {isReferenceOnly} from './reference.js'
import {isMasked, maskToken} from './token.js'

/**
 * MCP server entries keep secrets in environment variables and headers whose names say nothing (`PLAIN`, `X-Id`),
 * which the text rules cannot know are secret. Given the parsed config(s) a diff is made from, these helpers mask
 * the value of every such name wherever a diff line sets it, on top of maskText: line by line, after diffing, so a
 * changed value still shows as a changed line (never as its value).
 */

/** Keys whose members are environment variables or headers, in every host's spelling. */
const SECRET_MAPS = new Set(['env', 'environment', 'headers', 'http_headers', 'envs'])

/** Names of the environment variables and headers set anywhere in the given config data. */
export function configSecretNames(...docs: unknown[]): Set<string> {
  const names = new Set<string>()
  const walk = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== 'object' || depth > 64) return
    if (Array.isArray(value)) return value.forEach((v) => walk(v, depth + 1))
    for (const [key, child] of Object.entries(value)) {
      if (SECRET_MAPS.has(key) && child !== null && typeof child === 'object' && !Array.isArray(child)) {
        for (const [name, v] of Object.entries(child)) if (typeof v === 'string') names.add(name)
      } else walk(child, depth + 1)
    }
  }
  for (const doc of docs) walk(doc, 0)
  return names
}

// `"NAME": "value"`, `NAME = "value"`, `"NAME" = 'value'` (JSON, JSONC, TOML), anywhere in a line.
const PAIR = /(?<kq>["']?)(?<key>[!#$%&*+.^_|~0-9A-Za-z-]+)\k<kq>(?<sep>[ \t]*[:=][ \t]*)(?<value>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')/g

/**
 * A masker for the lines of a unified diff of config files (each starting with its `+`, `-` or space mark):
 * maskText, then the values of `names` (references are kept).
 */
export function configLineMasker(names: ReadonlySet<string>): (line: string) => string {
  if (names.size === 0) return maskText
  return (line) => {
    const masked = maskText(line)
    const mark = /^[-+ ]/.test(masked) ? masked[0]! : ''
    return (
      mark +
      masked.slice(mark.length).replace(PAIR, (match, ...args) => {
        const {key, value} = args.at(-1) as {key: string; value: string}
        const inner = value.slice(1, -1)
        if (!names.has(key) || inner === '' || isMasked(inner) || isReferenceOnly(inner)) return match
        return match.slice(0, match.length - value.length) + value[0] + maskToken('secret') + value[0]
      })
    )
  }
}
