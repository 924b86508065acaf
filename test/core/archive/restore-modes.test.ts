import {mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createArchive, restoreArchive} from '../../../src/core/archive/index.js'
import {keyPair, snapshot, tempDir} from './helpers.js'

describe('restore into existing folders, and --file', () => {
  let t: {dir: string; cleanup: () => void}
  let archive: string
  const keys = keyPair()
  beforeEach(async () => {
    t = tempDir()
    const src = join(t.dir, 'src')
    mkdirSync(join(src, 'notes'), {recursive: true})
    writeFileSync(join(src, 'notes', 'todo.txt'), 'new todo')
    writeFileSync(join(src, 'notes', 'done.txt'), 'new done')
    writeFileSync(join(src, 'top.txt'), 'top')
    archive = (await createArchive({source: src, outputDir: t.dir, name: 'a', recipients: [keys.recipient], encryption: {kind: 'x25519', recipients: []}, hatchVersion: '0'})).archive
  })
  afterEach(() => t.cleanup())

  it('restores into an existing empty folder', async () => {
    const to = join(t.dir, 'empty')
    mkdirSync(to)
    await restoreArchive({archive, to, identities: [keys.identity]})
    expect(readFileSync(join(to, 'top.txt'), 'utf8')).toBe('top')
  })

  it('restores through a DIR that is itself a symlink to an empty folder', async () => {
    const real = join(t.dir, 'real')
    mkdirSync(real)
    symlinkSync(real, join(t.dir, 'alias'))
    await restoreArchive({archive, to: join(t.dir, 'alias'), identities: [keys.identity]})
    expect(readFileSync(join(real, 'top.txt'), 'utf8')).toBe('top')
  })

  it('--overwrite replaces the archive\'s files and keeps the others', async () => {
    const to = join(t.dir, 'busy')
    mkdirSync(join(to, 'notes'), {recursive: true})
    writeFileSync(join(to, 'notes', 'todo.txt'), 'old todo')
    writeFileSync(join(to, 'mine.txt'), 'mine')
    await restoreArchive({archive, to, identities: [keys.identity], overwrite: true})
    expect(snapshot(to)).toMatchObject({'mine.txt': expect.any(String), 'notes/todo.txt': expect.stringContaining(Buffer.from('new todo').toString('base64'))})
  })

  it('--overwrite never writes through a symlinked folder in DIR', async () => {
    const to = join(t.dir, 'linked')
    const elsewhere = join(t.dir, 'elsewhere')
    mkdirSync(elsewhere)
    mkdirSync(to)
    symlinkSync(elsewhere, join(to, 'notes'))
    const before = snapshot(t.dir)
    await expect(restoreArchive({archive, to, identities: [keys.identity], overwrite: true})).rejects.toMatchObject({code: 'CONFLICT'})
    expect(snapshot(t.dir)).toEqual(before)
  })

  it('--file restores one file into a non-empty folder, and refuses to replace it without --overwrite', async () => {
    const to = join(t.dir, 'one')
    mkdirSync(to)
    writeFileSync(join(to, 'other.txt'), 'x')
    const r = await restoreArchive({archive, to, identities: [keys.identity], file: 'notes/todo.txt'})
    expect(r.files).toBe(1)
    expect(Object.keys(snapshot(to)).sort()).toEqual(['notes', 'notes/todo.txt', 'other.txt'])
    await expect(restoreArchive({archive, to, identities: [keys.identity], file: 'notes/todo.txt'})).rejects.toMatchObject({code: 'CONFLICT'})
    await expect(restoreArchive({archive, to, identities: [keys.identity], file: 'notes/todo.txt', overwrite: true})).resolves.toMatchObject({files: 1})
    await expect(restoreArchive({archive, to: join(t.dir, 'x'), identities: [keys.identity], file: 'nope.txt'})).rejects.toMatchObject({code: 'BACKUP_NOT_FOUND'})
    await expect(restoreArchive({archive, to: join(t.dir, 'x'), identities: [keys.identity], file: '../etc'})).rejects.toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^--file "..\/etc" contains ".."/)})
  })
})
