import {type ChildProcess, spawn} from 'node:child_process'
import {join} from 'node:path'

import {Client} from '@modelcontextprotocol/client'
import {StreamableHTTPClientTransport} from '@modelcontextprotocol/client'

import {RUN_JS, runCli, type Sandbox} from '../../helpers/cli.js'

export interface HttpServed {
  url: URL
  process: ChildProcess
  stderr: () => string
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Starts the built `bin/run.js mcp serve --http --listen 127.0.0.1:0 …` in the sandbox (its store in the sandbox's
 * hatch home) and resolves once it says where it listens.
 */
export async function serveHttp(sandbox: Sandbox, args: string[] = []): Promise<HttpServed> {
  const child = spawn(process.execPath, [RUN_JS, 'mcp', 'serve', '--http', '--listen', '127.0.0.1:0', ...args], {
    env: sandbox.env,
    cwd: sandbox.home,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<URL>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString()
      const m = /serving MCP at (\S+)/.exec(stderr)
      if (m) resolve(new URL(m[1]!.replace(/[;,]$/, '')))
    })
    void exited.then((code) => reject(new Error(`hatch mcp serve --http exited (${code}) before listening:\n${stderr}`)))
  })
  return {
    url,
    process: child,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/** Creates a personal access token with the CLI, as an administrator would, and returns it with its id. */
export async function createPat(sandbox: Sandbox, user: string, options: {role?: string; scope?: string; expires?: string} = {}): Promise<{token: string; id: string}> {
  const args = ['auth', 'token', 'create', '--user', user, '--json']
  if (options.role) args.push('--role', options.role)
  if (options.scope) args.push('--scope', options.scope)
  if (options.expires) args.push('--expires', options.expires)
  const r = await runCli(args, {env: sandbox.env})
  if (r.code !== 0) throw new Error(`token create failed: ${r.stderr}`)
  return {token: r.json.token, id: r.json.id}
}

/** The SDK's own client over Streamable HTTP, sending `Authorization: Bearer <token>` on every request. */
export async function connect(url: URL, token: string | undefined, options: {elicit?: (message: string) => {action: 'accept' | 'decline' | 'cancel'; content?: Record<string, boolean>}} = {}): Promise<Client> {
  const headers: Record<string, string> = token === undefined ? {} : {authorization: `Bearer ${token}`}
  const transport = new StreamableHTTPClientTransport(url, {requestInit: {headers}})
  const client = new Client({name: 'hatch-http-test', version: '1.0.0'}, {capabilities: options.elicit ? {elicitation: {form: {}}} : {}})
  if (options.elicit) {
    const answer = options.elicit
    client.setRequestHandler('elicitation/create', async (request) => answer(String((request.params as {message?: unknown}).message ?? '')))
  }
  await client.connect(transport)
  return client
}

/** A raw POST to the MCP endpoint, for what the SDK client would never send. */
export async function post(url: URL | string, body: string | object, headers: Record<string, string> = {}): Promise<{status: number; headers: Headers; text: string; json: any}> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers},
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  let json: any
  try {
    json = JSON.parse(text.startsWith('event:') ? text.split('\ndata: ')[1]!.split('\n')[0]! : text)
  } catch {
    json = undefined
  }
  return {status: response.status, headers: response.headers, text, json}
}

export const TOOLS_CALL = (name: string, args: Record<string, unknown> = {}) => ({jsonrpc: '2.0', id: 1, method: 'tools/call', params: {name, arguments: args}})

export function storePath(sandbox: Sandbox): string {
  return join(sandbox.env.HATCH_HOME ?? join(sandbox.home, '.hatch'), 'hatch.db')
}

/** 64 callers of one user, spread over the servers, race for the last units of a limit; returns the answers. */
export async function race(servers: HttpServed[], tokens: string[], callers = 64): Promise<{admitted: number; refused: number; other: number}> {
  const answers = await Promise.all(
    Array.from({length: callers}, (_, i) => post(servers[i % servers.length]!.url, TOOLS_CALL('list_hosts', {host: 'cursor'}), {authorization: `Bearer ${tokens[i % tokens.length]}`})),
  )
  const isRefused = (a: (typeof answers)[number]) => a.status === 200 && a.json?.result?.isError === true && /^QUOTA_EXCEEDED:/.test(a.json.result.content[0].text)
  const isAdmitted = (a: (typeof answers)[number]) => a.status === 200 && a.json?.result?.structuredContent !== undefined
  return {admitted: answers.filter(isAdmitted).length, refused: answers.filter(isRefused).length, other: answers.filter((a) => !isAdmitted(a) && !isRefused(a)).length}
}

