import {HatchError} from '../errors.js'
import type {ServerSpec} from './host-fields.js'

/** A server as a user (a flag set, a tool call) describes it, before it is checked. */
export interface ServerInput {
  command?: string
  args?: readonly string[]
  env?: Readonly<Record<string, string>>
  url?: string
  headers?: Readonly<Record<string, string>>
  /** For a url: streamable HTTP (default) or SSE. */
  transport?: 'http' | 'sse'
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function invalid(message: string, suggestion: string): HatchError {
  return new HatchError('INVALID_ARGUMENT', message, {suggestions: [suggestion]})
}

/**
 * Checks a server description and gives its neutral form: exactly one of a command and a url; an http(s) url;
 * environment and header names that are names. Values are kept exactly as given, `$VAR` references included.
 * @throws HatchError INVALID_ARGUMENT
 */
export function specFromInput(input: ServerInput): ServerSpec {
  const env = {...input.env}
  const headers = {...input.headers}
  if ((input.command === undefined) === (input.url === undefined)) {
    throw invalid('Give exactly one of a command (a stdio server) and a url (a remote server).', 'For example: --command npx --arg -y --arg @modelcontextprotocol/server-memory, or --url https://example.com/mcp')
  }
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) throw invalid(`"${name}" is not an environment variable name.`, 'Use letters, digits and _, not starting with a digit: --env API_URL=https://…')
  }
  for (const name of Object.keys(headers)) {
    if (!HEADER_NAME.test(name)) throw invalid(`"${name}" is not an HTTP header name.`, 'For example: --header Authorization=\'Bearer ${API_TOKEN}\'')
  }
  if (input.command !== undefined) {
    if (input.command.trim() === '') throw invalid('The command is empty.', 'Name the program the host should start, e.g. --command npx.')
    if (Object.keys(headers).length > 0 || input.transport !== undefined) throw invalid('Headers and a transport are for a remote server (--url), not a command.', 'Drop --header/--transport, or use --url.')
    return {transport: 'stdio', command: input.command, args: [...(input.args ?? [])], env, headers: {}, enabled: true}
  }
  if ((input.args?.length ?? 0) > 0 || Object.keys(env).length > 0) throw invalid('Arguments and environment variables are for a command, not a url.', 'Drop --arg/--env, or use --command.')
  const url = input.url!
  let scheme: string | undefined
  try {
    scheme = new URL(url).protocol
  } catch {
    scheme = undefined
  }
  if (scheme !== 'http:' && scheme !== 'https:') throw invalid(`"${url}" is not an http or https URL.`, 'For example: --url https://example.com/mcp')
  return {transport: input.transport ?? 'http', url, args: [], env: {}, headers, enabled: true}
}

/**
 * `K=V` pairs from repeated flags. A bare `K` for an environment variable takes its value from hatch's own
 * environment, so a secret need not be typed on the command line (where shells and process lists keep it).
 * @throws HatchError INVALID_ARGUMENT
 */
export function parsePairs(values: readonly string[] | undefined, flag: 'env' | 'header', environment: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const value of values ?? []) {
    const at = value.indexOf('=')
    if (at === -1 && flag === 'env') {
      const fromEnv = environment[value]
      if (fromEnv === undefined) throw invalid(`--env ${value} takes its value from the environment, but ${value} is not set.`, `Set it first, or give the value: --env ${value}=VALUE (or --env ${value}='\${${value}}' to write a reference).`)
      out[value] = fromEnv
      continue
    }
    if (at <= 0) throw invalid(`--${flag} ${value} is not NAME=VALUE.`, flag === 'env' ? 'For example: --env LOG_LEVEL=debug' : 'For example: --header X-Api-Version=2')
    out[value.slice(0, at)] = value.slice(at + 1)
  }
  return out
}
