// HTTP server benchmark: `list_hosts` calls/s and p50/p99 latency from 16 concurrent keep-alive clients (each with
// its own MCP session), against `hatch mcp serve --http` with --no-auth (the baseline), with personal access tokens
// (every call authenticated, counted and logged in the SQLite store), with limits to check as well, and with limits
// on a PostgreSQL store (a server started here, when Debian's postgresql is installed), measured alternately in one
// run. A JSON-RPC ping through the same server (no tool, no auth) shows the floor that the HTTP server and the SDK's
// transport set for any call. Run with `npm run bench` or `npm run bench -- http`.
// The load comes from a separate process (raw keep-alive HTTP, not the SDK client, whose own cost would swamp a
// 2-core machine). Prints figures; asserts nothing.
import {spawn} from 'node:child_process'
import * as fs from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const RUN_JS = join(ROOT, 'bin', 'run.js')
const CLIENTS = 16
const SECONDS = Number(process.env.HATCH_BENCH_SECONDS ?? 4)

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]

/** The load generator: CLIENTS sessions, each calling list_hosts back to back for `seconds`. */
async function load(url, token, seconds, ping) {
  const agent = new http.Agent({keepAlive: true, maxSockets: CLIENTS})
  const headers = {'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token ? {authorization: `Bearer ${token}`} : {})}
  const post = (body, extra = {}) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, {method: 'POST', agent, headers: {...headers, ...extra}}, (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (d) => (text += d))
        res.on('end', () => resolve({status: res.statusCode, session: res.headers['mcp-session-id'], text}))
      })
      req.on('error', reject)
      req.end(JSON.stringify(body))
    })
  const sessions = []
  for (let i = 0; i < CLIENTS; i++) {
    const init = await post({jsonrpc: '2.0', id: 0, method: 'initialize', params: {protocolVersion: '2025-11-25', capabilities: {}, clientInfo: {name: 'bench', version: '1'}}})
    if (init.status !== 200 || !init.session) throw new Error(`initialize failed: ${init.status} ${init.text.slice(0, 200)}`)
    await post({jsonrpc: '2.0', method: 'notifications/initialized'}, {'mcp-session-id': init.session, 'mcp-protocol-version': '2025-11-25'})
    sessions.push(init.session)
  }
  const call = ping ? {jsonrpc: '2.0', id: 1, method: 'ping'} : {jsonrpc: '2.0', id: 1, method: 'tools/call', params: {name: process.env.HATCH_BENCH_TOOL ?? 'list_hosts', arguments: {}}}
  const latencies = []
  let errors = 0
  const end = performance.now() + seconds * 1000
  await Promise.all(
    sessions.map(async (session) => {
      const extra = {'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25'}
      while (performance.now() < end) {
        const t = performance.now()
        const r = await post(call, extra)
        if (r.status !== 200 || !r.text.includes(ping ? '"result"' : 'structuredContent')) errors++
        latencies.push(performance.now() - t)
      }
    }),
  )
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return {calls: latencies.length, perSecond: latencies.length / seconds, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), errors}
}

if (process.argv[2] === 'load') {
  // The token comes through the environment, never the command line, where `ps` would show it.
  const [, , , url, seconds, what] = process.argv
  process.stdout.write(JSON.stringify(await load(url, process.env.HATCH_BENCH_TOKEN || undefined, Number(seconds), what === 'ping')))
  process.exit(0)
}

function runLoad(url, token, seconds, ping = false) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'load', url, String(seconds), ping ? 'ping' : 'call'], {
      env: {...process.env, HATCH_BENCH_TOKEN: token ?? ''},
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))))
  })
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // clock ticks; USER_HZ is 100 on Linux
  } catch {
    return undefined
  }
}

function serve(env, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_JS, 'mcp', 'serve', '--http', '--listen', '127.0.0.1:0', ...args], {env, stdio: ['ignore', 'ignore', 'pipe']})
    let err = ''
    child.stderr.on('data', (d) => {
      err += d
      const m = /serving MCP at (\S+?);/.exec(err)
      if (m) resolve({url: m[1], pid: child.pid, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM')))})
    })
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)))
  })
}

function cli(env, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_JS, ...args, '--json'], {env, stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`hatch ${args.join(' ')} failed`))))
  })
}

/** A PostgreSQL server from the test helper (TypeScript, loaded through tsx), or undefined when none is installed. */
async function postgres() {
  const {register} = await import('tsx/esm/api')
  register()
  const helper = await import('../test/helpers/postgres.ts')
  return helper.postgresBinDir() === undefined ? undefined : helper.startPostgres()
}

const work = fs.mkdtempSync(join(tmpdir(), 'hatch-bench-http-'))
let pg
const home = join(work, 'home')
const env = {PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.local', 'state'), HATCH_HOME: join(home, '.hatch')}
try {
  fs.mkdirSync(join(home, '.cursor'), {recursive: true})
  fs.writeFileSync(join(home, '.cursor', 'mcp.json'), JSON.stringify({mcpServers: {files: {command: 'npx', args: ['-y', 'fs']}}}, null, 2))
  const limits = ['--default --all --daily 1000000000', '--role default --tool list_hosts --daily 1000000000', '--user bench --all --monthly 1000000000']
  const pat = await cli(env, ['auth', 'token', 'create', '--user', 'bench'])
  const limitedEnv = {...env, HATCH_STORE: join(home, 'limited.db')}
  const limited = await cli(limitedEnv, ['auth', 'token', 'create', '--user', 'bench'])
  for (const l of limits) await cli(limitedEnv, ['auth', 'limit', 'set', ...l.split(' ')])
  const variants = [
    {name: 'no auth (--no-auth)', env, args: ['--no-auth'], token: undefined},
    // Not a tool call: a JSON-RPC ping through the same server and SDK transport, the floor any call stands on.
    {name: 'ping, no tool (--no-auth)', env, args: ['--no-auth'], token: undefined, ping: true},
    {name: 'PAT, SQLite', env, args: [], token: pat.token},
    {name: 'PAT + limits, SQLite', env: limitedEnv, args: [], token: limited.token},
  ]
  pg = await postgres().catch((error) => console.log(`(no PostgreSQL figure: ${error.message})`))
  if (pg === undefined) console.log('(no PostgreSQL figure: initdb/pg_ctl are not installed)')
  else {
    const pgEnv = {...env, HATCH_STORE: pg.url}
    const pgToken = await cli(pgEnv, ['auth', 'token', 'create', '--user', 'bench'])
    for (const l of limits) await cli(pgEnv, ['auth', 'limit', 'set', ...l.split(' ')])
    variants.push({name: 'PAT + limits, PostgreSQL', env: pgEnv, args: [], token: pgToken.token})
  }
  const results = new Map(variants.map((v) => [v.name, []]))
  for (let round = 0; round < 2; round++) {
    for (const v of variants) {
      const server = await serve(v.env, v.args)
      await runLoad(server.url, v.token, 1, v.ping) // warm-up: JIT, file-system caches
      const cpu0 = cpuMs(server.pid)
      const r = await runLoad(server.url, v.token, SECONDS, v.ping)
      const cpu1 = cpuMs(server.pid)
      // The server's own CPU time per call: unlike calls/s, it hardly moves when other work shares the machine.
      r.cpuPerCall = cpu0 === undefined || cpu1 === undefined ? undefined : ((cpu1 - cpu0) * 1000) / r.calls
      results.get(v.name).push(r)
      await server.stop()
    }
  }
  const best = (name) => results.get(name).reduce((a, b) => (b.perSecond > a.perSecond ? b : a))
  const leastCpu = (name) => Math.min(...results.get(name).map((r) => r.cpuPerCall ?? Number.NaN))
  const base = best(variants[0].name)
  const baseCpu = leastCpu(variants[0].name)
  console.log(`list_hosts over HTTP, ${CLIENTS} concurrent keep-alive clients, best of 2 rounds of ${SECONDS} s (load from a second process):`)
  for (const v of variants) {
    const r = best(v.name)
    const ratio = base.perSecond / r.perSecond
    console.log(
      `  ${v.name.padEnd(26)} ${r.perSecond.toFixed(0).padStart(6)} calls/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms` +
        `${v === variants[0] ? '   (baseline)' : `   cost ${ratio.toFixed(2)}× the baseline`}${r.errors > 0 ? `   ${r.errors} ERRORS` : ''}`,
    )
  }
  console.log('server CPU time per call (user + system; steady when the machine is shared), least of 2 rounds:')
  for (const v of variants) {
    const cpu = leastCpu(v.name)
    if (Number.isNaN(cpu)) continue
    console.log(`  ${v.name.padEnd(26)} ${cpu.toFixed(0).padStart(6)} µs/call   = ${(1e6 / cpu).toFixed(0)} calls/s per core${v === variants[0] ? '   (baseline)' : `   ${(cpu / baseCpu).toFixed(2)}× the baseline`}`)
  }
  console.log('  targets: ≥ 2,000 authenticated (and quota-checked, SQLite) calls/s; auth and quota checking ≤ 1.3× the unauthenticated baseline')
} finally {
  pg?.destroy()
  fs.rmSync(work, {recursive: true, force: true})
}
