import {readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

/**
 * The Dockerfile and compose.yaml cannot be built here (no Docker engine), so this reads them and checks that they
 * agree with each other and with hatch itself: the variables the container is given are ones hatch reads, the port
 * it listens on is the one exposed, published and health-checked, and the store URL points at the database service
 * with its credentials.
 */
const ROOT = resolve(import.meta.dirname, '..')
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8')
const envFile = (f: string) => Object.fromEntries(read(f).split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))

/** Every environment variable hatch reads: the serve flags' `env` (from the built manifest) and the core's own. */
function variablesHatchReads(): Set<string> {
  const manifest = JSON.parse(read('oclif.manifest.json')) as {commands: Record<string, {flags: Record<string, {env?: string}>}>}
  const fromFlags = Object.values(manifest.commands['mcp:serve']!.flags).flatMap((f) => (f.env ? [f.env] : []))
  return new Set([...fromFlags, 'HATCH_STORE', 'HATCH_HOME', 'NODE_ENV'])
}

describe('deployment files (seed 001), checked without a Docker engine', () => {
  const dockerfile = read('Dockerfile')
  const compose = parse(read('compose.yaml')) as any
  const stages = dockerfile.split(/^FROM /m).slice(1)
  const final = stages.at(-1)!
  const port = Number(/^EXPOSE (\d+)$/m.exec(final)![1])

  it('builds in one stage and runs as a non-root user with production dependencies only in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    for (const s of stages) expect(s).toMatch(/^node:20[-\w.]*/)
    expect(stages[0]).toMatch(/npm ci .*&& npm prune --omit=dev/)
    expect(final).toMatch(/^USER (\w+)$/m)
    expect(/^USER (\w+)$/m.exec(final)![1]).not.toMatch(/^(root|0)$/)
    expect(final).toMatch(/COPY --from=build \/app\/node_modules/)
    expect(final).not.toMatch(/npm (ci|install)/)
    expect(final).toMatch(/ENTRYPOINT \["node", "bin\/run\.js"\]/)
    expect(final).toMatch(/CMD \["mcp", "serve", "--http", "--behind-tls-proxy"\]/)
  })

  it('listens, exposes, publishes and health-checks the same port, /healthz, published on loopback only', () => {
    expect(final).toMatch(new RegExp(`HATCH_LISTEN=0\\.0\\.0\\.0:${port}`))
    expect(final).toMatch(new RegExp(`HEALTHCHECK [^]*http://127\\.0\\.0\\.1:${port}/healthz`))
    const hatch = compose.services.hatch
    expect(hatch.environment.HATCH_LISTEN).toBe(`0.0.0.0:${port}`)
    expect(hatch.ports).toEqual([`127.0.0.1:${port}:${port}`])
  })

  it('gives the server only variables it reads, with secrets from env files that are never committed', () => {
    const reads = variablesHatchReads()
    const hatch = compose.services.hatch
    const given = [...Object.keys(hatch.environment), ...Object.keys(envFile('deploy/hatch.env.example')), ...read('deploy/hatch.env.example').split('\n').flatMap((l) => /^# (HATCH_[A-Z_]+)=/.exec(l)?.[1] ?? [])]
    for (const v of given) expect(reads, `${v} is not read by hatch`).toContain(v)
    expect(hatch.env_file).toEqual([{path: 'deploy/hatch.env', required: true}])
    expect(compose.services.postgres.env_file).toEqual([{path: 'deploy/postgres.env', required: true}])
    expect(read('.gitignore')).toMatch(/^deploy\/\*\.env$/m)
    expect(read('.dockerignore')).toMatch(/^deploy\/\*\.env$/m)
  })

  it('points the store at the database service with its user, password and database, and waits for it', () => {
    const pg = envFile('deploy/postgres.env.example')
    const store = new URL(envFile('deploy/hatch.env.example').HATCH_STORE!)
    expect(store.protocol).toBe('postgres:')
    expect(store.hostname).toBe('postgres')
    expect(Object.keys(compose.services)).toContain(store.hostname)
    expect(store.port).toBe('5432')
    expect(decodeURIComponent(store.username)).toBe(pg.POSTGRES_USER)
    expect(decodeURIComponent(store.password)).toBe(pg.POSTGRES_PASSWORD)
    expect(store.pathname).toBe(`/${pg.POSTGRES_DB}`)
    expect(compose.services.hatch.depends_on.postgres.condition).toBe('service_healthy')
    expect(compose.services.postgres.healthcheck.test.join(' ')).toMatch(/pg_isready/)
    expect(new URL(envFile('deploy/hatch.env.example').HATCH_PUBLIC_URL!).protocol).toBe('https:')
  })
})
