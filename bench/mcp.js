// MCP server benchmark: cold start of `hatch mcp serve` as a client sees it (spawn + initialize + tools/list + first
// tools/call) and a warm list_host_config_backups over 100 backups, each beside a floor measured in the same run.
// Run with `npm run bench` (which builds first) or `npm run bench -- mcp`. Prints figures; asserts nothing.
import {spawnSync} from 'node:child_process'
import * as fs from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {Client} from '@modelcontextprotocol/client'
import {StdioClientTransport} from '@modelcontextprotocol/client/stdio'

import {BackupStore} from '../dist/core/backup/store.js'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const RUN_JS = join(ROOT, 'bin', 'run.js')
const work = fs.mkdtempSync(join(tmpdir(), 'hatch-bench-mcp-'))
const home = join(work, 'home')
const env = {PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.local', 'state')}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)]
const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`)
const now = () => Number(process.hrtime.bigint()) / 1e6

async function connect() {
  const client = new Client({name: 'bench', version: '1'})
  await client.connect(new StdioClientTransport({command: process.execPath, args: [RUN_JS, 'mcp', 'serve'], env, stderr: 'ignore'}))
  return client
}

try {
  fs.mkdirSync(join(home, '.cursor'), {recursive: true})
  const cfg = join(home, '.cursor', 'mcp.json')
  fs.writeFileSync(cfg, JSON.stringify({mcpServers: {files: {command: 'npx', args: ['-y', 'fs']}}}, null, 2))
  const store = new BackupStore({root: join(home, '.hatch', 'mcp_host_config_backups'), hatchVersion: 'bench'})
  for (let i = 0; i < 100; i++) await store.create('cursor', cfg)

  const RUNS = 7
  const floorSpawn = []
  for (let i = 0; i <= RUNS; i++) {
    const t = now()
    spawnSync(process.execPath, ['-e', '0'])
    if (i > 0) floorSpawn.push(now() - t)
  }
  const cliSpawn = []
  for (let i = 0; i <= RUNS; i++) {
    const t = now()
    spawnSync(process.execPath, [RUN_JS, '--version'], {env})
    if (i > 0) cliSpawn.push(now() - t)
  }
  const cold = []
  const parts = {connect: [], list: [], call: []}
  for (let i = 0; i <= RUNS; i++) {
    const t0 = now()
    const client = await connect()
    const t1 = now()
    await client.listTools()
    const t2 = now()
    await client.callTool({name: 'list_host_config_backups', arguments: {host: 'cursor'}})
    const t3 = now()
    await client.close()
    if (i === 0) continue // warm-up: file-system caches
    cold.push(t3 - t0)
    parts.connect.push(t1 - t0)
    parts.list.push(t2 - t1)
    parts.call.push(t3 - t2)
  }

  const client = await connect()
  const warm = []
  for (let i = 0; i < 220; i++) {
    const t = now()
    const r = await client.callTool({name: 'list_host_config_backups', arguments: {host: 'cursor'}})
    if (i >= 20) warm.push(now() - t)
    if (r.structuredContent.total !== 100) throw new Error('expected 100 backups')
  }
  await client.close()
  const direct = []
  for (let i = 0; i < 220; i++) {
    const t = now()
    store.list('cursor')
    if (i >= 20) direct.push(now() - t)
  }

  const rows = [
    ['floor: spawn `node -e 0`', fmt(median(floorSpawn)), '', ''],
    ['floor: spawn `hatch --version`', fmt(median(cliSpawn)), '', ''],
    [`serve: spawn+initialize+list+first call (median of ${RUNS})`, fmt(median(cold)), `connect ${fmt(median(parts.connect))}, list ${fmt(median(parts.list))}, call ${fmt(median(parts.call))}`, '<= 400 ms'],
    ['floor: store.list over 100 backups, in process', fmt(median(direct)), `p90 ${fmt(pct(direct, 0.9))}`, ''],
    ['warm list_host_config_backups over 100 backups (stdio)', fmt(median(warm)), `p90 ${fmt(pct(warm, 0.9))}`, 'p50 <= 5 ms'],
  ]
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)))
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd())
} finally {
  fs.rmSync(work, {recursive: true, force: true})
}
