import {parseTOML} from 'toml-eslint-parser'

/**
 * Surgical edits of a TOML document: add, replace or remove the one `[<root>.<name>]` table (with any
 * `[<root>.<name>.*]` sub-tables right after it), touching no other byte. A new table is appended at the end,
 * after one blank line; removing it takes that blank line away again, so install + uninstall gives back the
 * original bytes. The text must already have parsed.
 */

interface Region {
  start: number
  end: number
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n'
}

/** A key as TOML writes it: bare when it can be, else a quoted basic string. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key)
}

/**
 * `[root.name]` with its scalar and array values as `key = value` lines, then each object value (Codex `env`,
 * `http_headers`) as a `[root.name.key]` sub-table right after it.
 */
export function tomlTable(root: string, name: string, value: Record<string, unknown>, eol: string): string {
  const header = `${tomlKey(root)}.${tomlKey(name)}`
  const lines = [`[${header}]`]
  const tables: string[] = []
  for (const [key, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      tables.push(`[${header}.${tomlKey(key)}]`, ...Object.entries(v).map(([k, x]) => `${tomlKey(k)} = ${tomlValue(x)}`))
    } else lines.push(`${tomlKey(key)} = ${tomlValue(v)}`)
  }
  return [...lines, ...tables].join(eol) + eol
}

function tomlValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v) // a JSON string is a valid TOML basic string
  if (typeof v === 'boolean' || typeof v === 'number') return String(v)
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`
  throw new TypeError('only strings, numbers, booleans, arrays of them and tables of them are written to TOML')
}

function isPrefix(prefix: readonly unknown[], key: readonly unknown[]): boolean {
  return prefix.length <= key.length && prefix.every((p, i) => key[i] === p)
}

/** Where `[root.name]` and its sub-tables are; undefined when there is no such table. */
export function findTableRegion(text: string, root: string, name: string): Region | undefined {
  const ast = parseTOML(text)
  const body = ast.body[0]?.body ?? []
  let region: Region | undefined
  for (const node of body) {
    if (node.type !== 'TOMLTable') continue
    const mine = node.kind === 'standard' && isPrefix([root, name], node.resolvedKey)
    if (mine && region === undefined) region = {start: node.range[0], end: node.range[1]}
    else if (mine && region !== undefined) region.end = node.range[1]
    else if (region !== undefined) break
  }
  if (region === undefined) return undefined
  const nl = text.indexOf('\n', region.end)
  return {start: region.start, end: nl === -1 ? text.length : nl + 1}
}

/** Adds `[root.name]`, or replaces the existing table (and its sub-tables) in place. */
export function setTable(text: string, root: string, name: string, value: Record<string, unknown>): string {
  const eol = eolOf(text)
  const block = tomlTable(root, name, value, eol)
  const existing = findTableRegion(text, root, name)
  if (existing) return text.slice(0, existing.start) + block + text.slice(existing.end)
  if (text.trim() === '') return text + block
  // A file without a final newline gets none after the new table either, so removing it restores the file exactly.
  return text.endsWith('\n') ? text + eol + block : text + eol + eol + block.slice(0, -eol.length)
}

/** Removes `[root.name]` and its sub-tables, and the one blank line before them; unchanged when absent. */
export function removeTable(text: string, root: string, name: string): string {
  const region = findTableRegion(text, root, name)
  if (!region) return text
  let start = region.start
  const before = text.slice(0, start)
  const blank = /(\r?\n)[ \t]*\r?\n$/.exec(before)
  const unterminated = region.end === text.length && !text.endsWith('\n')
  if (blank) start -= unterminated ? blank[0].length : blank[0].length - blank[1]!.length
  return text.slice(0, start) + text.slice(region.end)
}
