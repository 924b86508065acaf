import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/**
 * A real PostgreSQL server for tests, started by the test itself: `initdb` and `pg_ctl` from Debian's `postgresql`
 * package (`/usr/lib/postgresql/<version>/bin`, not on PATH), in a temp dir, on a free loopback port, with trust
 * authentication for one test user. `.ci/run` installs the package and sets HATCH_REQUIRE_POSTGRES=1, so in CI a
 * missing server fails the suite instead of skipping it.
 */
export interface TestPostgres {
  url: string
  port: number
  stop(): void
  start(): void
  /** Stops it and removes its files. */
  destroy(): void
}

export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin')
}

/** Why the PostgreSQL suites cannot run here, or undefined when they can. In CI this throws instead. */
export function postgresUnavailable(): string | undefined {
  const reason = postgresBinDir() === undefined ? "PostgreSQL's initdb/pg_ctl are not installed (Debian package postgresql)" : undefined
  if (reason !== undefined && process.env.HATCH_REQUIRE_POSTGRES === '1') throw new Error(`HATCH_REQUIRE_POSTGRES=1 but ${reason}`)
  if (reason !== undefined) process.stderr.write(`Skipping the PostgreSQL tests: ${reason}.\n`)
  return reason
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir()
  if (bin === undefined) throw new Error('PostgreSQL is not installed')
  const dir = mkdtempSync(join(tmpdir(), 'hatch-pg-'))
  const data = join(dir, 'data')
  // initdb refuses to run as root: run the server as the postgres user then, in a folder it owns.
  const asRoot = process.getuid?.() === 0
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args]
    // stdio ignored: pg_ctl's server inherits pipes otherwise, and a synchronous spawn would wait for it forever.
    const r = spawnSync(file, argv, {stdio: 'ignore', timeout: 60_000})
    if (r.status !== 0) {
      const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').slice(-2000) : ''
      throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${log}`)
    }
  }
  if (asRoot) {
    const {uid, gid} = userIds('postgres')
    chownSync(dir, uid, gid)
  }
  chmodSync(dir, 0o700)
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'hatch', '--no-sync', '-E', 'UTF8'])
  const port = await freePort()
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`
  const start = () => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '60', 'start'])
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
  start()
  return {
    url: `postgres://hatch@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy() {
      try {
        stop()
      } catch {
        // already stopped
      }
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

function userIds(name: string): {uid: number; gid: number} {
  const out = execFileSync('id', [name]).toString()
  return {uid: Number(/uid=(\d+)/.exec(out)![1]), gid: Number(/gid=(\d+)/.exec(out)![1])}
}

/** Creates a fresh database on the server and returns its URL. */
export async function freshDatabase(pgUrl: string, name: string): Promise<string> {
  const {default: pg} = await import('pg')
  const client = new pg.Client({connectionString: pgUrl})
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  return pgUrl.replace(/\/[^/]*$/, `/${name}`)
}
