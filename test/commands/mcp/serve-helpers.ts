import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {Client} from '@modelcontextprotocol/client'
import {StdioClientTransport} from '@modelcontextprotocol/client/stdio'

import {RUN_JS, type Sandbox} from '../../helpers/cli.js'

export interface Served {
  client: Client
  stderr: () => string
  close(): Promise<void>
}

export interface ServeOptions {
  /** Declare form elicitation and answer every request with this. */
  elicit?: (message: string) => {action: 'accept' | 'decline' | 'cancel'; content?: Record<string, string | number | boolean | string[]>}
}

/** Spawns the built `bin/run.js mcp serve …` in the sandbox and connects the SDK's own Client over stdio. */
export async function serve(sandbox: Sandbox, args: string[] = [], options: ServeOptions = {}): Promise<Served> {
  const env = Object.fromEntries(Object.entries(sandbox.env).filter((e): e is [string, string] => e[1] !== undefined))
  const transport = new StdioClientTransport({command: process.execPath, args: [RUN_JS, 'mcp', 'serve', ...args], env, cwd: sandbox.home, stderr: 'pipe'})
  let stderr = ''
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const client = new Client({name: 'hatch-test', version: '1.0.0'}, {capabilities: options.elicit ? {elicitation: {form: {}}} : {}})
  if (options.elicit) {
    const answer = options.elicit
    client.setRequestHandler('elicitation/create', async (request) => answer(String((request.params as {message?: unknown}).message ?? '')))
  }
  await client.connect(transport)
  return {client, stderr: () => stderr, close: () => client.close()}
}

export const CURSOR_CONFIG = '{\n  "mcpServers": {\n    "files": {"command": "npx", "env": {"API_TOKEN": "sk-abcdefghijklmnopqrstuvwxyz0123456789"}}\n  }\n}\n'

/** Writes Cursor's config (~/.cursor/mcp.json) in the sandbox and returns its path. */
export async function writeCursorConfig(sandbox: Sandbox, text = CURSOR_CONFIG): Promise<string> {
  const dir = join(sandbox.home, '.cursor')
  await mkdir(dir, {recursive: true})
  const path = join(dir, 'mcp.json')
  await writeFile(path, text)
  return path
}

/** The audit log's folder in the sandbox ($HATCH_LOG_DIR, which makeSandbox sets). */
export function auditDir(sandbox: Sandbox): string {
  return sandbox.env.HATCH_LOG_DIR!
}

export interface ToolResultLike {
  isError?: boolean
  structuredContent?: Record<string, any>
  content: Array<{type: string; text?: string}>
}

export async function call(served: Served, name: string, args: Record<string, unknown> = {}): Promise<ToolResultLike> {
  return (await served.client.callTool({name, arguments: args})) as ToolResultLike
}

export function text(result: ToolResultLike): string {
  return result.content.map((c) => c.text ?? '').join('\n')
}
