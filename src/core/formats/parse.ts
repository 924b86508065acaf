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

function invalid(label: string, format: ConfigFormat, detail: string): HatchError {
  return new HatchError('INVALID_CONFIG', `${label} is not valid ${format.toUpperCase()}: ${detail}.`, {
    suggestions: [
      'Fix the file by hand, or restore a good copy with `hatch mcp backup restore`.',
      'hatch never overwrites a file it cannot parse, except by an explicit restore.',
    ],
  })
}

/**
 * Parses host config content in the host's format and returns the top-level object.
 * JSONC accepts comments and trailing commas; JSON is strict. A leading BOM is accepted in every format.
 * A document whose top level is not an object/table is rejected: no host reads such a file.
 *
 * @param label how to name the content in an error, e.g. the file path.
 * @throws HatchError INVALID_CONFIG, with the line and column of the first problem.
 */
export function parseConfig(bytes: Uint8Array | string, format: ConfigFormat, label = 'The config'): Record<string, unknown> {
  const text = decodeConfig(bytes)
  let value: unknown
  switch (format) {
    case 'json': {
      if (text.trim() === '') throw invalid(label, format, 'the file is empty')
      try {
        value = JSON.parse(text)
      } catch (error) {
        throw invalid(label, format, (error as Error).message)
      }
      break
    }
    case 'jsonc': {
      if (text.trim() === '') throw invalid(label, format, 'the file is empty')
      const errors: ParseError[] = []
      value = parseJsonc(text, errors, {allowEmptyContent: false, allowTrailingComma: true, disallowComments: false})
      const first = errors[0]
      if (first) {
        const at = lineAndColumn(text, first.offset)
        throw invalid(label, format, `${printParseErrorCode(first.error)} at line ${at.line}, column ${at.column}`)
      }
      break
    }
    case 'toml': {
      try {
        value = parseToml(text)
      } catch (error) {
        const detail = error instanceof TomlError ? `${error.message.split('\n')[0]} at line ${error.line}, column ${error.column}` : String(error)
        throw invalid(label, format, detail)
      }
      break
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(label, format, 'the top level must be an object')
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
