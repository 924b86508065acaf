// Throughput of hatch's age layer (node:crypto) against the pure-JS `age-encryption` package.
//
//   npm run build && node bench/age.js [MiB]      (default 256 MiB)
//
// Our side runs through the Transform streams, fed 64 KiB buffers as fs.createReadStream would deliver them;
// age-encryption runs through its whole-buffer API (its fastest path). Also times scrypt at the default work factor.
import {randomBytes} from 'node:crypto'
import {Readable, Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {Decrypter, Encrypter} from 'age-encryption'

import {
  createDecryptStream,
  createEncryptStream,
  decrypt,
  DEFAULT_SCRYPT_LOG_N,
  encrypt,
  generateIdentity,
  scryptIdentity,
  scryptRecipient,
} from '../dist/core/archive/age/index.js'

const MiB = 1024 * 1024
const size = Number(process.argv[2] ?? 256) * MiB
const READ_CHUNK = 64 * 1024
const RUNS = Number(process.env.RUNS ?? 2)

function source(buf) {
  return Readable.from(
    (function* () {
      for (let i = 0; i < buf.length; i += READ_CHUNK) yield buf.subarray(i, i + READ_CHUNK)
    })(),
    {objectMode: false, highWaterMark: 4 * READ_CHUNK},
  )
}

function sink(keep) {
  const parts = []
  let bytes = 0
  const w = new Writable({
    highWaterMark: 4 * READ_CHUNK,
    writev(chunks, cb) {
      for (const {chunk} of chunks) {
        bytes += chunk.length
        if (keep) parts.push(chunk)
      }
      cb()
    },
  })
  return {w, result: () => ({bytes, data: keep ? Buffer.concat(parts) : undefined})}
}

/** Wall time and CPU time (this process, all threads) of fn; best of `runs` by wall time. */
async function time(fn, runs = RUNS) {
  let best
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    const out = await fn()
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9
    const c = process.cpuUsage(c0)
    const cpu = (c.user + c.system) / 1e6
    if (best === undefined || seconds < best.seconds) best = {seconds, cpu, out}
  }
  return best
}

const rate = (bytes, s) => bytes / MiB / s
const fmt = (x) => x.toFixed(1).padStart(8)

const plain = randomBytes(size)
const {identity, recipient} = generateIdentity()
console.log(`age benchmark: ${size / MiB} MiB of random data, node ${process.version}, chunks of ${READ_CHUNK / 1024} KiB in`)

// warm-up (JIT, allocator), not measured
{
  const small = plain.subarray(0, 16 * MiB)
  await pipeline(source(small), createEncryptStream([recipient]), sink(false).w)
  await pipeline(source(await encrypt(small, [recipient])), createDecryptStream([identity]), sink(false).w)
}

// hatch, buffer helpers (whole input in memory, whole output returned)
const encBuf = await time(() => encrypt(plain, [recipient]))
const ciphertext = encBuf.out
const decBuf = await time(() => decrypt(ciphertext, [identity]))
if (!decBuf.out.equals(plain)) throw new Error('hatch buffer round trip failed')

// hatch, streams: 64 KiB buffers in, output counted and dropped (as when piping to a file)
const enc = await time(() => pipeline(source(plain), createEncryptStream([recipient]), sink(false).w))
const dec = await time(async () => {
  const out = sink(false)
  await pipeline(source(ciphertext), createDecryptStream([identity]), out.w)
  if (out.result().bytes !== size) throw new Error('hatch stream round trip lost data')
})

// age-encryption, buffers
const theirs = await time(async () => {
  const e = new Encrypter()
  e.addRecipient(recipient)
  return e.encrypt(plain)
})
const theirsDec = await time(async () => {
  const d = new Decrypter()
  d.addIdentity(identity)
  return d.decrypt(theirs.out)
})
if (!Buffer.from(theirsDec.out).equals(plain)) throw new Error('age-encryption round trip failed')

const rows = [
  ['hatch streams', enc, dec],
  ['hatch buffers', encBuf, decBuf],
  ['age-encryption', theirs, theirsDec],
]
console.log(`\nMiB/s, best of ${RUNS}; "per CPU-s" divides by the process's CPU time instead (less sensitive to a busy machine)`)
console.log('                   encrypt  per CPU-s    decrypt  per CPU-s')
for (const [name, e, d] of rows) {
  console.log(`${name.padEnd(18)}${fmt(rate(size, e.seconds))} ${fmt(rate(size, e.cpu))}   ${fmt(rate(size, d.seconds))} ${fmt(rate(size, d.cpu))}`)
}
const ratio = (a, b) => (b.seconds / a.seconds).toFixed(1)
console.log(`ratio hatch streams / age-encryption: encrypt ${ratio(enc, theirs)}x, decrypt ${ratio(dec, theirsDec)}x (wall time)`)
console.log(`load average while running: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`)

// scrypt at the default work factor
const pass = 'benchmark passphrase'
const sEnc = await time(() => encrypt('x', [scryptRecipient(pass)]), 1)
const sDec = await time(() => decrypt(sEnc.out, [scryptIdentity(pass)]), 1)
const theirScrypt = await time(async () => {
  const d = new Decrypter()
  d.addPassphrase(pass)
  return d.decrypt(sEnc.out)
}, 1)
console.log(
  `\nscrypt logN=${DEFAULT_SCRYPT_LOG_N} (N=2^${DEFAULT_SCRYPT_LOG_N}, r=8, p=1): hatch wrap ${sEnc.seconds.toFixed(2)} s, unwrap ${sDec.seconds.toFixed(2)} s; age-encryption unwrap ${theirScrypt.seconds.toFixed(2)} s`,
)
