/**
 * Shared helpers for the end-to-end tests of `hatch mcp backup …` (not a test file itself: vitest only picks up
 * *.test.ts). Every helper works inside a sandbox from test/helpers/cli.ts; nothing here touches the real home.
 */
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {chmod, lstat, mkdir, readdir, readFile, readlink, writeFile} from 'node:fs/promises'
import {dirname, join, relative, resolve} from 'node:path'
import {afterEach, beforeAll, beforeEach, expect} from 'vitest'

import {makeSandbox, runCli, type CliResult, type RunOptions, type Sandbox} from '../../../helpers/cli.js'

declare module 'vitest' {
  interface TestContext {
    /** This test's own sandbox HOME (see useSandbox). */
    sb: Sandbox
  }
}

export const BACKUP_ID = /^\d{8}_\d{6}_\d{6}$/

/** Fails early, with a clear message, when the CLI has not been built. */
export function assertBuilt(): void {
  const built = resolve(import.meta.dirname, '../../../../dist/commands/mcp/backup/create.js')
  if (!existsSync(built)) throw new Error('Build first: npm run build')
}

/**
 * Gives every test of the enclosing describe its own sandbox as `context.sb`, made in beforeEach and removed in
 * afterEach. Kept on the test context (not in a shared variable), so the tests can run concurrently.
 */
export function useSandbox(prefix: string): void {
  beforeAll(assertBuilt)
  beforeEach(async (context) => {
    context.sb = await makeSandbox(prefix)
  })
  afterEach(async (context) => {
    await context.sb?.cleanup()
  })
}

export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex')

/** `hatch mcp backup <args>` in the sandbox. */
export function backup(sb: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['mcp', 'backup', ...args], {env: {...sb.env, ...env}})
}

export type SpawnOptions = RunOptions

/** runCli with another user or umask (kept as a name the tests read well). */
export const spawnCli = runCli

/** Writes a file, creating its folders. */
export async function put(path: string, content: Buffer | string, mode?: number): Promise<void> {
  await mkdir(dirname(path), {recursive: true})
  await writeFile(path, content)
  if (mode !== undefined) await chmod(path, mode)
}

export const paths = {
  cursor: (home: string) => join(home, '.cursor', 'mcp.json'),
  vscode: (home: string) => join(home, '.config', 'Code', 'User', 'mcp.json'),
  codex: (home: string) => join(home, '.codex', 'config.toml'),
  kiro: (home: string) => join(home, '.kiro', 'settings', 'mcp.json'),
  lmstudio: (home: string) => [join(home, '.lmstudio', 'mcp.json'), join(home, '.cache', 'lm-studio', 'mcp.json')] as const,
  store: (home: string) => join(home, '.hatch', 'mcp_host_config_backups'),
}

/** Asserts the exit code, showing the output when it is wrong. */
export function expectExit(r: CliResult, code: number): void {
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(code)
}

/** Asserts stdout is exactly one JSON document (JSON.parse rejects two concatenated ones) and returns it. */
export function oneJson(r: CliResult): any {
  let parsed: unknown
  expect(() => (parsed = JSON.parse(r.stdout)), `stdout is not one JSON document:\n${r.stdout}`).not.toThrow()
  expect(typeof parsed).toBe('object')
  expect(parsed).not.toBeNull()
  return parsed
}

/** Asserts a --json error result: exit code, error code, and the exitCode field agreeing with the process. */
export function expectJsonError(r: CliResult, exit: number, code: string): any {
  expectExit(r, exit)
  const doc = oneJson(r)
  expect(doc.error, r.stdout).toBeDefined()
  expect(doc.error.code).toBe(code)
  expect(doc.error.exitCode).toBe(exit)
  return doc.error
}

/** `create --json`, asserted to succeed; returns the backup info. */
export async function create(sb: Sandbox, host: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<any> {
  const r = await backup(sb, ['create', '--host', host, ...extra, '--json'], env)
  expectExit(r, 0)
  return oneJson(r)
}

/** `list --json` (optionally for one host), asserted to succeed. */
export async function list(sb: Sandbox, host?: string, env: NodeJS.ProcessEnv = {}): Promise<any[]> {
  const r = await backup(sb, ['list', ...(host ? ['--host', host] : []), '--json'], env)
  expectExit(r, 0)
  const doc = oneJson(r)
  expect(Array.isArray(doc)).toBe(true)
  return doc
}

/**
 * Everything under `root`: each entry's type and permission bits, a file's SHA-256, a symlink's target.
 * Two equal snapshots mean nothing was created, deleted, changed or re-moded.
 */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  async function walk(dir: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const p = join(dir, name)
      const st = await lstat(p)
      const key = relative(root, p)
      const mode = (st.mode & 0o7777).toString(8)
      if (st.isSymbolicLink()) out[key] = `link -> ${await readlink(p)}`
      else if (st.isDirectory()) {
        out[key] = `dir ${mode}`
        await walk(p)
      } else out[key] = `file ${mode} ${sha256(await readFile(p))}`
    }
  }
  await walk(root)
  return out
}

/** Rewrites a host's index.jsonl, changing `createdAt` of the given ids (to make backups look old). */
export async function ageBackups(home: string, host: string, createdAtById: Record<string, string>): Promise<void> {
  const index = join(paths.store(home), host, 'index.jsonl')
  const lines = (await readFile(index, 'utf8')).split('\n').filter(Boolean)
  const rewritten = lines.map((line) => {
    const record = JSON.parse(line)
    if (record.id in createdAtById) record.createdAt = createdAtById[record.id]
    return JSON.stringify(record)
  })
  await writeFile(index, rewritten.map((l) => `${l}\n`).join(''))
}
