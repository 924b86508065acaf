import {homedir} from 'node:os'

import {type ErrorCode, isHatchError} from '../errors.js'
import {maskText} from '../redact/mask.js'

export interface ToolError {
  code: ErrorCode
  message: string
  suggestions: string[]
}

function tidy(text: string): string {
  const home = homedir()
  const masked = maskText(text)
  return home.length > 1 ? masked.split(home).join('~') : masked
}

/**
 * Turns anything a tool threw into what the client may see: a HatchError keeps its stable code, its message and its
 * suggestions, with secrets masked and the home folder shortened to `~`; anything else (a bug) becomes INTERNAL with
 * a fixed message — no stack, no internal detail. (The SDK would otherwise pass a thrown message through verbatim.)
 */
export function toToolError(error: unknown): ToolError {
  if (isHatchError(error)) {
    return {code: error.code, message: tidy(error.message), suggestions: error.suggestions.map(tidy)}
  }
  return {
    code: 'INTERNAL',
    message: 'hatch hit an unexpected error and did not finish this call.',
    suggestions: ['Run `hatch mcp serve` with DEBUG=hatch set to see the details on its stderr, and report it.'],
  }
}

/** The text of an error result: code first, so clients and models can branch on it. */
export function toolErrorText(error: ToolError): string {
  return [`${error.code}: ${error.message}`, ...error.suggestions.map((s) => `Try this: ${s}`)].join('\n')
}
