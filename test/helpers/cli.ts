import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

export const RUN_JS = resolve(import.meta.dirname, '../../bin/run.js')
/** How hatch's hints name hatch when it runs as runCli runs it: not installed, from outside the repository. */
export const HATCH = `node ${RUN_JS}`

export interface CliResult {
  code: number | null
  /** The signal that ended the process, if one did (e.g. SIGKILL after `timeoutMs`). */
  signal: NodeJS.Signals | null
  /** True when the process was killed because it outlived `timeoutMs`. */
  timedOut: boolean
  stdout: string
  stderr: string
  /** stdout parsed as JSON (only when the command was run with --json). */
  json: any
}

/**
 * A sandbox for end-to-end tests: a temp dir that stands in for HOME (and every XDG/AppData variable), so a
 * test can never read or write the real user's files. Call `cleanup` in afterEach.
 */
export interface Sandbox {
  root: string
  home: string
  env: NodeJS.ProcessEnv
  cleanup(): Promise<void>
}

export async function makeSandbox(prefix = 'hatch-test-'): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), prefix))
  const home = join(root, 'home')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    HATCH_CONFIG_DIR: join(home, '.config', 'hatch'),
    HATCH_DATA_DIR: join(home, '.local', 'share', 'hatch'),
    HATCH_CACHE_DIR: join(home, '.cache', 'hatch'),
    HATCH_LOG_DIR: join(home, '.local', 'state', 'hatch'),
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
  }
  const {mkdir} = await import('node:fs/promises')
  await mkdir(home, {recursive: true})
  return {root, home, env, cleanup: () => rm(root, {recursive: true, force: true})}
}

export interface RunOptions {
  env: NodeJS.ProcessEnv
  cwd?: string
  input?: string
  /**
   * When running as root, drop root's power to read and write past file permissions (CAP_DAC_OVERRIDE and
   * CAP_DAC_READ_SEARCH, through util-linux's setpriv), so a mode-0000 file is really unreadable. Unlike switching
   * to another user, the CLI stays reachable wherever the repository is checked out.
   */
  withoutRootOverride?: boolean
  /** Run under this umask (through /bin/sh), e.g. 0 to check that modes do not depend on the caller's umask. */
  umask?: number
  /** Kill the process (SIGKILL) if it is still running after this long; the result then says `timedOut`. */
  timeoutMs?: number
}

export interface StartedCli {
  child: ChildProcessWithoutNullStreams
  /** Everything the process wrote to stderr so far. */
  stderr(): string
  result: Promise<CliResult>
}

/** Runs the built CLI (`bin/run.js`) as a user would, with no terminal on stdin. */
export function runCli(args: string[], options: RunOptions): Promise<CliResult> {
  const started = startCli(args, options)
  started.child.stdin.end(options.input ?? '')
  return started.result
}

/** Starts the built CLI and hands back the running process (to signal it, or to write to its stdin). */
export function startCli(args: string[], options: RunOptions): StartedCli {
  let child!: ChildProcessWithoutNullStreams
  let stderr = ''
  const result = new Promise<CliResult>((resolvePromise, reject) => {
    let [cmd, argv]: [string, string[]] =
      options.umask === undefined
        ? [process.execPath, [RUN_JS, ...args]]
        : ['/bin/sh', ['-c', `umask ${options.umask.toString(8).padStart(3, '0')} && exec "$@"`, 'sh', process.execPath, RUN_JS, ...args]]
    if (options.withoutRootOverride && process.getuid?.() === 0) [cmd, argv] = ['setpriv', ['--bounding-set', '-dac_override,-dac_read_search', cmd, ...argv]]
    child = spawn(cmd, argv, {
      cwd: options.cwd ?? options.env.HOME,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let timedOut = false
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            child.kill('SIGKILL')
          }, options.timeoutMs)
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer)
      let json: unknown
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout)
        } catch {
          json = undefined
        }
      }
      resolvePromise({code, signal, timedOut, stdout, stderr, json})
    })
  })
  return {child, stderr: () => stderr, result}
}
