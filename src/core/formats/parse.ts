import {parse as parseJsonc, printParseErrorCode, type ParseError} from 'jsonc-parser'
import {parse as parseToml, TomlError} from 'smol-toml'
import {HatchError} from '../errors.js'

/** The file formats MCP hosts keep their configuration in. */
export const CONFIG_FORMATS = ['json', 'jsonc', 'toml'] as const
export type ConfigFormat = (typeof CONFIG_FORMATS)[number]

const BOM = '\uFEFF'

/** Decodes config bytes as UTF-8, dropping a leading byte-order mark (the bytes on disk are never changed). */
export function decodeConfig(bytes: Uint8Array | string): string {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  return text.startsWith(BOM) ? text.slice(BOM.length) : text
}

function lineAndColumn(text: string, offset: number): {line: number; column: number} {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return {line, column: offset - lineStart + 1}
}

/**
 * What to do about a config file that does not parse: fix it by hand, or put a backup back, with a command that runs
 * as printed when the host is known (a restore needs --host and a backup).
 */
export function fixTheFile(host?: string): string[] {
  const restore =
    host === undefined
      ? 'or restore a good copy (`hatch mcp backup list` shows the backups, each with its host and id).'
      : `or restore a good copy: \`hatch mcp backup restore --host ${host} --latest --dry-run\` shows what the newest backup would put back (run it without --dry-run to restore it; \`hatch mcp backup list --host ${host}\` shows the others).`
  return [`Fix the file by hand (the line and column above are where the problem starts), ${restore}`, 'hatch never overwrites a file it cannot parse, except by an explicit restore.']
}

const FIX_THE_FILE = fixTheFile()

/** Where JSON text stops being JSON: jsonc-parser in strict mode gives the offset that V8's message leaves out. */
function strictJsonError(text: string): string | undefined {
  const errors: ParseError[] = []
  parseJsonc(text, errors, {allowEmptyContent: false, allowTrailingComma: false, disallowComments: true})
  const first = errors[0]
  if (!first) return undefined
  const at = lineAndColumn(text, first.offset)
  return `${printParseErrorCode(first.error)} at line ${at.line}, column ${at.column}`
}

/**
 * Parses host config content in the host's format and returns the top-level object.
 * JSONC accepts comments and trailing commas; JSON is strict. A leading BOM is accepted in every format.
 * A document whose top level is not an object/table is rejected: no host reads such a file.
 *
 * @param label how to name the content in an error, e.g. the file path.
 * @param suggestions the next steps the error gives (default: fix the file by hand, or restore a good copy).
 * @throws HatchError INVALID_CONFIG, with the line and column of the first problem.
 */
export function parseConfig(bytes: Uint8Array | string, format: ConfigFormat, label = 'The config', suggestions: string[] = FIX_THE_FILE): Record<string, unknown> {
  const invalid = (detail: string) => new HatchError('INVALID_CONFIG', `${label} is not valid ${format.toUpperCase()}: ${detail}.`, {suggestions})
  const text = decodeConfig(bytes)
  let value: unknown
  switch (format) {
    case 'json': {
      try {
        value = JSON.parse(text)
      } catch (error) {
        // Only a failed parse pays for these (trim copies the whole text).
        if (text.trim() === '') throw invalid('the file is empty')
        // V8's message gives no position on Node 20 ("Unexpected token '}', … is not valid JSON").
        throw invalid(strictJsonError(text) ?? (error as Error).message)
      }
      break
    }
    case 'jsonc': {
      if (text.trim() === '') throw invalid('the file is empty')
      const errors: ParseError[] = []
      value = parseJsonc(text, errors, {allowEmptyContent: false, allowTrailingComma: true, disallowComments: false})
      const first = errors[0]
      if (first) {
        const at = lineAndColumn(text, first.offset)
        throw invalid(`${printParseErrorCode(first.error)} at line ${at.line}, column ${at.column}`)
      }
      break
    }
    case 'toml': {
      try {
        value = parseToml(text)
      } catch (error) {
        const detail = error instanceof TomlError ? `${error.message.split('\n')[0]} at line ${error.line}, column ${error.column}` : String(error)
        throw invalid(detail)
      }
      break
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('the top level must be an object')
  }
  return value as Record<string, unknown>
}

/** True when the content parses in the format; never throws. */
export function isParseable(bytes: Uint8Array | string, format: ConfigFormat): boolean {
  try {
    parseConfig(bytes, format)
    return true
  } catch {
    return false
  }
}
