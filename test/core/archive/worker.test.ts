import {randomBytes} from 'node:crypto'
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {createArchive, restoreArchive} from '../../../src/core/archive/index.js'
import {walkSource} from '../../../src/core/archive/walk.js'
import {useWorkerScript, useWorkerStallTimeout, workerScript} from '../../../src/core/archive/worker/client.js'
import {WorkerStagedWriter} from '../../../src/core/archive/worker-staged-writer.js'
import {writeArchive} from '../../../src/core/archive/write-archive.js'
import {keyPair, makeTree, snapshot, tempDir} from './helpers.js'

// The worker thread runs compiled JavaScript: these tests use the build's copy (npm run build, which `npm test`
// runs first). Under vitest the archive code is TypeScript source with no worker script beside it, so every other
// test exercises the in-thread fallback; here the worker path is forced with useWorkerScript.
const dist = resolve(import.meta.dirname, '..', '..', '..', 'dist')
const builtWorker = join(dist, 'core', 'archive', 'worker', 'archive-worker.js')
const built = existsSync(builtWorker)
const MiB = 1024 * 1024

function textLines(n: number): Buffer {
  const lines: string[] = []
  let len = 0
  for (let i = 0; len < n; i++) {
    const line = `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}Z INFO req=${(i * 2654435761) >>> 0} path=/api/${i % 97} dur_ms=${i % 1000}\n`
    lines.push(line)
    len += line.length
  }
  return Buffer.from(lines.join('')).subarray(0, n)
}

/** A tree of several MiB (text and random), so the pipelines go through many blocks and wait on each other. */
function makeBigTree(root: string): void {
  makeTree(root)
  mkdirSync(join(root, 'big'), {recursive: true})
  for (let i = 0; i < 6; i++) writeFileSync(join(root, 'big', `log-${i}.txt`), textLines(1.5 * MiB + i * 1234))
  for (let i = 0; i < 4; i++) writeFileSync(join(root, 'big', `blob-${i}.bin`), randomBytes(2 * MiB + i * 777))
  for (let i = 0; i < 300; i++) writeFileSync(join(root, 'big', `small-${i}.txt`), `small file ${i}\n`.repeat(i % 50))
}

/** A worker script (plain ESM) in the temp folder. */
function script(dir: string, name: string, body: string): URL {
  const file = join(dir, name)
  writeFileSync(file, `import {parentPort, workerData} from 'node:worker_threads'\n${body}\n`)
  return pathToFileURL(file)
}

const noArchiveLeft = (out: string) => expect(readdirSync(out).filter((n) => n.includes('.tar.gz.age') || n.endsWith('.json') || n.includes('hatch-tmp'))).toEqual([])

describe('archive worker thread', () => {
  let t: {dir: string; cleanup: () => void}
  let src: string
  const keys = keyPair()
  const base = () => ({recipients: [keys.recipient], encryption: {kind: 'x25519' as const, recipients: [keys.recipientText]}, hatchVersion: '0'})

  beforeAll(() => {
    t = tempDir()
    src = join(t.dir, 'src')
    mkdirSync(src)
    makeBigTree(src)
  })
  afterAll(() => t.cleanup())
  afterEach(() => {
    useWorkerScript(undefined)
    useWorkerStallTimeout(undefined)
  })

  it('is found beside the compiled module (tsc output), and not beside the TypeScript source', async () => {
    expect(workerScript()).toBeUndefined()
    if (!built) return
    const compiled = (await import(pathToFileURL(join(dist, 'core', 'archive', 'worker', 'client.js')).href)) as typeof import('../../../src/core/archive/worker/client.js')
    expect(compiled.workerScript()?.href).toBe(pathToFileURL(builtWorker).href)
    expect(existsSync(join(dist, 'workers', 'archive-worker.js'))).toBe(true)
  })

  it.runIf(built)('create and restore through the worker give the same tree, and the same archive contents as in-thread', async () => {
    useWorkerScript(pathToFileURL(builtWorker))
    const out = join(t.dir, 'out-worker')
    const now = new Date('2025-06-01T12:00:00Z')
    const made = await createArchive({...base(), source: src, outputDir: out, name: 'w', now})
    const to = join(t.dir, 'restored-worker')
    const r = await restoreArchive({archive: made.archive, to, identities: [keys.identity]})
    expect(r.verified).toBe(true)
    expect(snapshot(to)).toEqual(snapshot(src))

    // The in-thread fallback reads the worker's archive, and the worker path reads the fallback's.
    useWorkerScript(null)
    const inThread = await createArchive({...base(), source: src, outputDir: join(t.dir, 'out-thread'), name: 't', now})
    expect(inThread.info.archiveSize).toBe(made.info.archiveSize) // same gzip members; age adds a fixed overhead
    const to2 = join(t.dir, 'restored-thread')
    await restoreArchive({archive: made.archive, to: to2, identities: [keys.identity]})
    expect(snapshot(to2)).toEqual(snapshot(src))
    useWorkerScript(pathToFileURL(builtWorker))
    const to3 = join(t.dir, 'restored-cross')
    await restoreArchive({archive: inThread.archive, to: to3, identities: [keys.identity]})
    expect(snapshot(to3)).toEqual(snapshot(src))
  })

  it.runIf(built)('create: a slow compressor holds at most the pool of blocks, and writes in flight stay bounded', async () => {
    // The real compression, 20 ms late per block: reading must wait for blocks to come back.
    useWorkerScript(
      script(
        t.dir,
        'slow-deflate.mjs',
        `const {deflateBlock} = await import(${JSON.stringify(pathToFileURL(join(dist, 'core', 'archive', 'gzip', 'blocks.js')).href)})
const {RangeHasher} = await import(${JSON.stringify(pathToFileURL(join(dist, 'core', 'archive', 'worker', 'range-hasher.js')).href)})
const hasher = new RangeHasher()
parentPort.on('message', (m) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
  const digests = hasher.run(m.block, m.hash)
  const parts = deflateBlock(m.block, workerData.level)
  parentPort.postMessage({block: m.block, parts, digests}, [m.block.buffer, ...parts.filter((p) => p instanceof Uint8Array).map((p) => p.buffer)])
})`,
      ),
    )
    const tree = walkSource(src)
    const file = join(t.dir, 'direct.tar.gz.age')
    const fd = openSync(file, 'wx', 0o600)
    const stats: {blocks?: number; maxAtCompressor?: number; maxWriting?: number} = {}
    try {
      const w = await writeArchive({tree, createdAt: new Date().toISOString(), fd, recipients: [keys.recipient], level: 3, stats})
      expect(w.size).toBeGreaterThan(8 * MiB) // more blocks than the pool holds
    } finally {
      closeSync(fd)
    }
    expect(stats.blocks).toBe(8)
    expect(stats.maxAtCompressor).toBeLessThanOrEqual(8)
    expect(stats.maxAtCompressor).toBeGreaterThanOrEqual(2)
    expect(stats.maxWriting).toBeLessThanOrEqual(16 * MiB + 9 * MiB)
    useWorkerScript(pathToFileURL(builtWorker))
    const to = join(t.dir, 'restored-direct')
    await restoreArchive({archive: file, to, identities: [keys.identity]})
    expect(snapshot(to)).toEqual(snapshot(src))
  })

  it.runIf(built)('restore: a slow writer holds at most the pool of blocks; writes wait for a free block', async () => {
    useWorkerScript(
      script(
        t.dir,
        'slow-write.mjs',
        `const {FileWriter} = await import(${JSON.stringify(pathToFileURL(join(dist, 'core', 'archive', 'worker', 'file-writer.js')).href)})
const writer = new FileWriter()
parentPort.on('message', (m) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
  parentPort.postMessage({block: m.block, hashes: writer.handle(m)}, m.block === undefined ? [] : [m.block.buffer])
})`,
      ),
    )
    const writer = new WorkerStagedWriter(workerScript()!)
    const dir = join(t.dir, 'slow-stage')
    const done: string[] = []
    const sink = writer.file(join(dir, 'big.bin'), (f) => done.push(f.path))
    const piece = randomBytes(256 * 1024)
    let waited = 0
    for (let i = 0; i < 64; i++) {
      const p = sink.write(piece)
      if (p instanceof Promise) {
        const t0 = performance.now()
        await p
        if (performance.now() - t0 > 5) waited++
      }
    }
    sink.end({type: 'file', path: 'big.bin', size: 64 * piece.length, mode: 0o640, mtime: 1_700_000_000, sha256: ''})
    const sha = await sink.sha256!()
    await writer.finish()
    await writer.settle()
    expect(waited).toBeGreaterThan(0)
    expect(writer.maxAtWorker).toBeLessThanOrEqual(writer.blocks)
    const {createHash} = await import('node:crypto')
    const h = createHash('sha256')
    for (let i = 0; i < 64; i++) h.update(piece)
    expect(sha).toBe(h.digest('hex'))
    expect(done).toEqual(['big.bin'])
  })

  for (const [what, body] of [
    ['throws', "parentPort.on('message', () => { throw new Error('boom') })"],
    ['exits', "parentPort.on('message', () => process.exit(3))"],
    ['reports a failure', "parentPort.on('message', () => parentPort.postMessage({failure: {name: 'Error', message: 'it broke'}}))"],
  ] as const) {
    it(`create: a compression worker that ${what} is a clean INTERNAL error, and no archive is left`, async () => {
      useWorkerScript(script(t.dir, `bad-${what.replace(/ /g, '-')}.mjs`, body))
      const out = join(t.dir, `out-bad-${what.replace(/ /g, '-')}`)
      await expect(createArchive({...base(), source: src, outputDir: out, name: 'x'})).rejects.toMatchObject({code: 'INTERNAL', exitCode: 1})
      noArchiveLeft(out)
    })
  }

  it('create: a compression worker that stops answering is given up on, and no archive is left', async () => {
    useWorkerStallTimeout(300)
    useWorkerScript(script(t.dir, 'silent.mjs', "parentPort.on('message', () => {})"))
    const out = join(t.dir, 'out-silent')
    await expect(createArchive({...base(), source: src, outputDir: out, name: 's'})).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('has not answered for 0.3 s'),
    })
    noArchiveLeft(out)
  })

  it.runIf(built)('create: a compression worker that fails midway (after some blocks) leaves no archive', async () => {
    const url = (p: string) => JSON.stringify(pathToFileURL(join(dist, 'core', 'archive', p)).href)
    useWorkerScript(
      script(
        t.dir,
        'midway-deflate.mjs',
        `const {deflateBlock} = await import(${url('gzip/blocks.js')})
const {RangeHasher} = await import(${url('worker/range-hasher.js')})
const hasher = new RangeHasher()
let n = 0
parentPort.on('message', (m) => {
  if (++n > 3) throw new Error('midway')
  const digests = hasher.run(m.block, m.hash)
  const parts = deflateBlock(m.block, workerData.level)
  parentPort.postMessage({block: m.block, parts, digests}, [m.block.buffer, ...parts.filter((p) => p instanceof Uint8Array).map((p) => p.buffer)])
})`,
      ),
    )
    const out = join(t.dir, 'out-midway')
    await expect(createArchive({...base(), source: src, outputDir: out, name: 'm'})).rejects.toMatchObject({code: 'INTERNAL'})
    noArchiveLeft(out)
  })

  it.runIf(built)('restore: a write worker that fails leaves DIR untouched and no staging folder', async () => {
    useWorkerScript(null)
    useWorkerStallTimeout(300)
    const made = await createArchive({...base(), source: src, outputDir: join(t.dir, 'out-for-restore'), name: 'r'})
    for (const [what, body, code] of [
      ['throws', "parentPort.on('message', () => { throw new Error('boom') })", 'INTERNAL'],
      ['exits', "parentPort.on('message', () => process.exit(3))", 'INTERNAL'],
      [
        'fails midway',
        `const {FileWriter} = await import(${JSON.stringify(pathToFileURL(join(dist, 'core', 'archive', 'worker', 'file-writer.js')).href)})
const writer = new FileWriter()
let n = 0
parentPort.on('message', (m) => {
  if (++n > 2) throw new Error('midway')
  parentPort.postMessage({block: m.block, hashes: writer.handle(m)}, m.block === undefined ? [] : [m.block.buffer])
})`,
        'INTERNAL',
      ],
      ['stops answering', "parentPort.on('message', () => {})", 'INTERNAL'],
      ['runs out of space', "parentPort.on('message', () => parentPort.postMessage({failure: {name: 'Error', message: 'ENOSPC: no space left on device, write', code: 'ENOSPC', path: '/stage/x'}}))", 'IO_ERROR'],
    ] as const) {
      useWorkerScript(script(t.dir, `bad-write-${what.replace(/ /g, '-')}.mjs`, body))
      const parent = join(t.dir, `restore-bad-${what.replace(/ /g, '-')}`)
      mkdirSync(parent)
      const to = join(parent, 'dest')
      mkdirSync(to)
      writeFileSync(join(to, 'keep.txt'), 'precious')
      const before = snapshot(to)
      const attempt = restoreArchive({archive: made.archive, to, identities: [keys.identity], overwrite: true})
      await expect(attempt, what).rejects.toMatchObject({code})
      expect(snapshot(to)).toEqual(before)
      expect(readdirSync(parent)).toEqual(['dest'])
    }
  })
})
