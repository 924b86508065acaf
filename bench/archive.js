// `npm run bench -- archive`: hatch archive create/restore on a reproducible ~2,000-file / 300 MB tree (half
// log-like text, half random bytes), against the pipelines it replaces, in the same run:
//
//   tar czf - DIR | openssl enc -aes-256-cbc -pbkdf2 -iter 100000   (and openssl enc -d | tar xz)
//   tar cf - DIR | gzip -1 | age -r …                                 (and age -d | tar xz), when `age` exists
//
// Prints wall times, ratios, archive size vs `tar | gzip -6`, peak RSS of the hatch child processes, and the
// scrypt KDF time on its own line. Sizes: BENCH_MB (default 300), BENCH_FILES (default 2000). Temp data is removed.
import {spawnSync} from 'node:child_process'
import {createCipheriv} from 'node:crypto'
import {mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const dist = join(here, '..', 'dist', 'core', 'archive')
const MiB = 1024 * 1024

// ---------------------------------------------------------------------------------------------------------------
// Child mode: one hatch operation, timed inside the process, with its peak RSS.
if (process.argv[2] === '--child') {
  const [, , , op, a, b, key] = process.argv
  const archive = await import(join(dist, 'index.js'))
  const age = await import(join(dist, 'age', 'index.js'))
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const steps = {}
  if (op === 'create') {
    const r = age.parseRecipient(key)
    const afterStep = (step) => void (steps[step] = performance.now() - t0)
    await archive.createArchive({source: a, outputDir: b, name: 'bench', recipients: [r], encryption: {kind: 'x25519', recipients: [key]}, hatchVersion: 'bench', afterStep})
  } else {
    await archive.restoreArchive({archive: a, to: b, identities: [age.parseIdentity(key)]})
  }
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  // fsync of the finished archive (create): its wall time, mostly waiting for the disk, not CPU.
  const fsyncMs = steps.synced !== undefined && steps.written !== undefined ? steps.synced - steps.written : undefined
  process.stdout.write(JSON.stringify({ms, cpuS: (cpu.user + cpu.system) / 1e6, sysS: cpu.system / 1e6, fsyncMs, maxRssMiB: process.resourceUsage().maxRSS / 1024}))
  process.exit(0)
}

const TOTAL = Number(process.env.BENCH_MB ?? 300) * MiB
const FILES = Number(process.env.BENCH_FILES ?? 2000)

// ---------------------------------------------------------------------------------------------------------------
// The tree: deterministic (seeded PRNG for text, AES-CTR keystream for "random" bytes).
let seed = 0x9e3779b9
const rnd = () => {
  seed ^= seed << 13
  seed >>>= 0
  seed ^= seed >>> 17
  seed ^= seed << 5
  seed >>>= 0
  return seed / 4294967296
}
const pick = (list) => list[Math.floor(rnd() * list.length)]
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR']
const MSGS = ['request completed', 'cache miss for key', 'user logged in', 'connection reset by peer', 'retrying upstream call', 'GC pause', 'slow query detected', 'job finished', 'payload validated', 'token refreshed']
const PATHS = ['/api/v1/users', '/api/v1/orders', '/health', '/static/app.js', '/api/v2/search?q=term', '/login']
let clock = Date.UTC(2025, 0, 1)

function logText(size) {
  const lines = []
  let n = 0
  while (n < size) {
    clock += Math.floor(rnd() * 5000)
    const hex = () => Math.floor(rnd() * 0xffffffff).toString(16).padStart(8, '0')
    const line = `${new Date(clock).toISOString()} ${pick(LEVELS)} [worker-${Math.floor(rnd() * 16)}] ${pick(MSGS)} path=${pick(PATHS)} status=${pick([200, 200, 200, 201, 304, 404, 500])} dur_ms=${Math.floor(rnd() * 2000)} req=${hex()}${hex()} user=${Math.floor(rnd() * 50000)}\n`
    lines.push(line)
    n += line.length
  }
  return Buffer.from(lines.join('')).subarray(0, size)
}

const keystream = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0))
const randomBytes = (size) => keystream.update(Buffer.alloc(size))

function generate(root) {
  const sizes = []
  // Sizes vary (1 KiB .. ~4x average), scaled so the total is exact-ish.
  for (let i = 0; i < FILES; i++) sizes.push(0.05 + rnd() ** 2 * 3)
  const scale = TOTAL / sizes.reduce((a, b) => a + b, 0)
  let total = 0
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `dir-${String(i % 20).padStart(2, '0')}`, i % 3 === 0 ? 'nested' : '')
    mkdirSync(dir, {recursive: true})
    const size = Math.max(1024, Math.floor(sizes[i] * scale))
    const text = i % 2 === 0
    writeFileSync(join(dir, text ? `app-${i}.log` : `blob-${i}.bin`), text ? logText(size) : randomBytes(size))
    total += size
  }
  return total
}

// ---------------------------------------------------------------------------------------------------------------
function has(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
}

function timeShell(script) {
  const t0 = performance.now()
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', script], {stdio: ['ignore', 'ignore', 'inherit']})
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${script}`)
  return performance.now() - t0
}

function hatch(op, a, b, key) {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', op, a, b, key], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']})
  if (r.status !== 0) throw new Error(`hatch ${op} failed`)
  return {...JSON.parse(r.stdout), wallMs: performance.now() - t0}
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`
const mb = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`

if (process.env.BENCH_GENERATE_ONLY) {
  // For profiling: just write the tree to that folder.
  console.log(`${generate(process.env.BENCH_GENERATE_ONLY)} bytes`)
  process.exit(0)
}

const work = mkdtempSync(join(tmpdir(), 'hatch-bench-archive-'))
try {
  const src = join(work, 'tree')
  let t0 = performance.now()
  const total = generate(src)
  console.log(`tree: ${FILES} files, ${mb(total)} (half log text, half random) in ${s(performance.now() - t0)}`)
  const q = (p) => `'${p}'`
  const pw = join(work, 'pw')
  writeFileSync(pw, 'correct horse battery staple\n', {mode: 0o600})

  const age = await import(join(dist, 'age', 'index.js'))
  const {identity, recipient} = age.generateIdentity()
  const keyFile = join(work, 'key.txt')
  writeFileSync(keyFile, age.formatIdentityFile(identity), {mode: 0o600})

  // Warm the page cache once, so every contender reads from memory.
  timeShell(`tar cf - -C ${q(work)} tree > /dev/null`)

  const gz6 = join(work, 'ref.tar.gz')
  timeShell(`tar cf - -C ${q(work)} tree | gzip -6 > ${q(gz6)}`)
  const gz6Size = statSync(gz6).size
  rmSync(gz6)

  const osslOut = join(work, 'ossl.tar.gz.enc')
  const osslCreate = timeShell(`tar czf - -C ${q(work)} tree | openssl enc -aes-256-cbc -pbkdf2 -iter 100000 -pass file:${q(pw)} > ${q(osslOut)}`)
  const osslDest = join(work, 'ossl-restore')
  mkdirSync(osslDest)
  const osslRestore = timeShell(`openssl enc -d -aes-256-cbc -pbkdf2 -iter 100000 -pass file:${q(pw)} < ${q(osslOut)} | tar xzf - -C ${q(osslDest)}`)
  rmSync(osslOut)
  rmSync(osslDest, {recursive: true})

  let ageCreate, ageRestore
  if (has('age')) {
    const ageOut = join(work, 'stock.tar.gz.age')
    ageCreate = timeShell(`tar cf - -C ${q(work)} tree | gzip -1 | age -r ${recipient} > ${q(ageOut)}`)
    const ageDest = join(work, 'age-restore')
    mkdirSync(ageDest)
    ageRestore = timeShell(`age -d -i ${q(keyFile)} < ${q(ageOut)} | tar xzf - -C ${q(ageDest)}`)
    rmSync(ageOut)
    rmSync(ageDest, {recursive: true})
  }

  const out = join(work, 'out')
  const created = hatch('create', src, out, recipient)
  const archiveFile = join(out, 'bench.tar.gz.age')
  const archiveSize = statSync(archiveFile).size
  const dest = join(work, 'restored')
  const restored = hatch('restore', archiveFile, dest, identity)
  const restoredFiles = readdirSync(dest, {recursive: true}).length

  // The KDF on its own line: wrapping a file key with scrypt at hatch's default work factor.
  t0 = performance.now()
  await age.scryptRecipient('correct horse battery staple').wrapFileKey(Buffer.alloc(16))
  const kdfMs = performance.now() - t0

  console.log('')
  console.log(`openssl  create  ${s(osslCreate)}   (tar czf | openssl enc -aes-256-cbc -pbkdf2 -iter 100000)`)
  console.log(`openssl  restore ${s(osslRestore)}   (openssl enc -d | tar xz)`)
  if (ageCreate !== undefined) {
    console.log(`age      create  ${s(ageCreate)}   (tar cf | gzip -1 | age -r)`)
    console.log(`age      restore ${s(ageRestore)}   (age -d | tar xz)`)
  }
  console.log(`hatch    create  ${s(created.ms)}   (wall incl. node start ${s(created.wallMs)}, X25519, ${created.cpuS.toFixed(2)} CPU-s on all threads (${created.sysS.toFixed(2)} in the kernel), of the wall ${s(created.fsyncMs)} in fsync, peak RSS ${created.maxRssMiB.toFixed(0)} MiB)`)
  console.log(`hatch    restore ${s(restored.ms)}   (wall incl. node start ${s(restored.wallMs)}, ${restoredFiles} entries, ${restored.cpuS.toFixed(2)} CPU-s on all threads (${restored.sysS.toFixed(2)} in the kernel), peak RSS ${restored.maxRssMiB.toFixed(0)} MiB)`)
  console.log(`scrypt KDF (logN ${age.DEFAULT_SCRYPT_LOG_N}, r=8, p=1): ${s(kdfMs)} per passphrase archive, on top of the above`)
  console.log('')
  console.log(`create:  hatch is ${(osslCreate / created.ms).toFixed(2)}x the openssl pipeline (target >= 4x)` + (ageCreate ? `, ${(ageCreate / created.ms).toFixed(2)}x tar|gzip -1|age` : ''))
  console.log(`restore: hatch is ${(osslRestore / restored.ms).toFixed(2)}x the openssl pipeline (target >= 1x, aim 1.5x)` + (ageRestore ? `, ${(ageRestore / restored.ms).toFixed(2)}x age -d|tar xz` : ''))
  console.log(`size:    archive ${mb(archiveSize)} vs tar|gzip -6 ${mb(gz6Size)} = ${(archiveSize / gz6Size).toFixed(3)}x (target <= 1.1x)`)
  console.log(`memory:  peak RSS create ${created.maxRssMiB.toFixed(0)} MiB, restore ${restored.maxRssMiB.toFixed(0)} MiB (target <= 300 MiB)`)
} finally {
  rmSync(work, {recursive: true, force: true})
}
