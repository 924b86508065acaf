import {execFileSync} from 'node:child_process'
import {mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createArchive, type CreateStep} from '../../../src/core/archive/index.js'
import {keyPair, tempDir} from './helpers.js'

describe('createArchive', () => {
  let t: {dir: string; cleanup: () => void}
  let src: string
  const keys = keyPair()
  const base = () => ({recipients: [keys.recipient], encryption: {kind: 'x25519' as const, recipients: [keys.recipientText]}, hatchVersion: '0'})
  beforeEach(() => {
    t = tempDir()
    src = join(t.dir, 'src')
    mkdirSync(src)
    for (let i = 0; i < 5; i++) writeFileSync(join(src, `f${i}.txt`), `content ${i}\n`.repeat(1000))
  })
  afterEach(() => t.cleanup())

  for (const step of ['walked', 'written', 'synced', 'linked'] as CreateStep[]) {
    it(`an interruption after "${step}" leaves nothing that looks like a backup`, async () => {
      const out = join(t.dir, 'out')
      const attempt = createArchive({
        ...base(),
        source: src,
        outputDir: out,
        name: 'n',
        afterStep: (s) => {
          if (s === step) throw new Error(`injected failure after ${s}`)
        },
      })
      await expect(attempt).rejects.toThrow()
      expect(readdirSync(out)).toEqual([])
    })
  }

  it('a file that vanishes mid-run fails the create and leaves nothing', async () => {
    const out = join(t.dir, 'out')
    const attempt = createArchive({...base(), source: src, outputDir: out, name: 'n', afterStep: (s) => (s === 'walked' ? rmSync(join(src, 'f3.txt')) : undefined)})
    await expect(attempt).rejects.toMatchObject({code: 'CONFIG_NOT_FOUND'})
    expect(readdirSync(out)).toEqual([])
  })

  it('leaves out the output folder when it lies inside SOURCE', async () => {
    const r1 = await createArchive({...base(), source: src, outputDir: join(src, 'backups'), name: 'one'})
    const r2 = await createArchive({...base(), source: src, outputDir: join(src, 'backups'), name: 'two'})
    expect(r2.info.fileCount).toBe(r1.info.fileCount)
    expect(r2.warnings).toEqual(['Skipped backups: it is the folder the archive is being written to.'])
  })

  it('never replaces an existing archive', async () => {
    await createArchive({...base(), source: src, outputDir: t.dir, name: 'same'})
    await expect(createArchive({...base(), source: src, outputDir: t.dir, name: 'same'})).rejects.toMatchObject({code: 'CONFLICT'})
  })

  it('refuses a bad name and a SOURCE that is not a folder', async () => {
    await expect(createArchive({...base(), source: src, outputDir: t.dir, name: '../x'})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    await expect(createArchive({...base(), source: join(src, 'f1.txt'), outputDir: t.dir, name: 'x'})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    await expect(createArchive({...base(), source: join(t.dir, 'nope'), outputDir: t.dir, name: 'x'})).rejects.toMatchObject({code: 'CONFIG_NOT_FOUND'})
  })

  it('skips special files and links leaving SOURCE, with a warning each', async () => {
    execFileSync('mkfifo', [join(src, 'pipe')])
    symlinkSync('/etc/passwd', join(src, 'abs-link'))
    symlinkSync('../outside', join(src, 'rel-link'))
    mkdirSync(join(src, 'd'))
    symlinkSync('..', join(src, 'd', 'up'))
    symlinkSync('d/up/../..', join(src, 'chain'))
    const r = await createArchive({...base(), source: src, outputDir: join(t.dir, 'out'), name: 'w'})
    expect(r.warnings).toHaveLength(4)
    expect(r.warnings.join('\n')).toMatch(/chain -> d\/up\/\.\.\/\.\.: through other links/)
    expect(r.warnings.join('\n')).toMatch(/pipe: it is a special file/)
    expect(r.info.symlinkCount).toBe(1)
    expect(r.info.fileCount).toBe(5)
  })

  it('skips every link of a symlink loop alike, so none restores as a dangling link', async () => {
    symlinkSync('b', join(src, 'a'))
    symlinkSync('a', join(src, 'b'))
    symlinkSync('c2', join(src, 'c1'))
    symlinkSync('c3', join(src, 'c2'))
    symlinkSync('c1', join(src, 'c3'))
    symlinkSync('f0.txt', join(src, 'fine'))
    symlinkSync('a', join(src, 'into-loop'))
    const r = await createArchive({...base(), source: src, outputDir: join(t.dir, 'out'), name: 'loop'})
    const skipped = r.warnings.map((w) => /^Skipped the symlink (\S+) ->/.exec(w)?.[1]).sort()
    expect(skipped).toEqual(['a', 'b', 'c1', 'c2', 'c3', 'into-loop'])
    expect(r.info.symlinkCount).toBe(1)
  })

  it('the sidecar records what the issue asks for, and no file names', async () => {
    const r = await createArchive({...base(), source: src, outputDir: t.dir, name: 's', now: new Date('2025-01-02T03:04:05Z')})
    expect(r.info).toMatchObject({
      format: 'hatch-archive',
      formatVersion: 1,
      name: 's',
      file: 's.tar.gz.age',
      createdAt: '2025-01-02T03:04:05.000Z',
      fileCount: 5,
      originalSize: 5 * 10_000,
      encryption: {kind: 'x25519'},
    })
    expect(r.info.compressionRatio).toBeLessThan(0.1)
    expect(JSON.stringify(r.info)).not.toContain('f1.txt')
  })
})
