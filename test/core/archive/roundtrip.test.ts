import {existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createArchive, restoreArchive, verifyArchive, listArchiveFiles} from '../../../src/core/archive/index.js'
import {keyPair, makeTree, snapshot, tempDir} from './helpers.js'

describe('archive round trip', () => {
  let t: {dir: string; cleanup: () => void}
  beforeEach(() => {
    t = tempDir()
  })
  afterEach(() => t.cleanup())

  it('restores the exact tree: empty dirs and files, symlinks, non-ASCII and long names, modes', async () => {
    // Given a tree with every awkward case
    const src = join(t.dir, 'src')
    mkdirSync(src)
    makeTree(src)
    const keys = keyPair()
    // When it is archived and restored
    const created = await createArchive({
      source: src,
      outputDir: join(t.dir, 'out'),
      name: 'test',
      recipients: [keys.recipient],
      encryption: {kind: 'x25519', recipients: [keys.recipientText]},
      hatchVersion: '0.0.0',
    })
    expect(created.info.fileCount).toBe(7)
    expect(created.info.symlinkCount).toBe(3)
    expect(readdirSync(join(t.dir, 'out')).sort()).toEqual(['test.json', 'test.tar.gz.age'])
    expect(statSync(created.archive).mode & 0o777).toBe(0o600)
    const restored = await restoreArchive({archive: created.archive, to: join(t.dir, 'back'), identities: [keys.identity]})
    // Then the restored tree is identical and every file was checked
    expect(restored.verified).toBe(true)
    expect(snapshot(join(t.dir, 'back'))).toEqual(snapshot(src))
    expect(readdirSync(t.dir).sort()).toEqual(['back', 'out', 'src'])
  })

  it('verifies with and without a key, and lists files from the encrypted manifest', async () => {
    const src = join(t.dir, 'src')
    mkdirSync(src)
    writeFileSync(join(src, 'a.txt'), 'a')
    const keys = keyPair()
    const created = await createArchive({source: src, outputDir: t.dir, name: 'x', recipients: [keys.recipient], encryption: {kind: 'x25519', recipients: [keys.recipientText]}, hatchVersion: '0'})
    expect((await verifyArchive({archive: created.archive})).contents).toBe('not-checked')
    const full = await verifyArchive({archive: created.archive, identities: [keys.identity]})
    expect(full).toMatchObject({sidecar: 'ok', contents: 'ok', files: 1, bytes: 1})
    const files = await listArchiveFiles(created.archive, [keys.identity])
    expect(files.entries).toEqual([expect.objectContaining({path: 'a.txt', type: 'file', size: 1})])
    // The sidecar holds no file names
    expect(readFileSync(created.sidecar, 'utf8')).not.toContain('a.txt')
  })

  it('archives an empty folder', async () => {
    const src = join(t.dir, 'src')
    mkdirSync(src)
    const keys = keyPair()
    const created = await createArchive({source: src, outputDir: t.dir, name: 'e', recipients: [keys.recipient], encryption: {kind: 'x25519', recipients: []}, hatchVersion: '0'})
    const r = await restoreArchive({archive: created.archive, to: join(t.dir, 'back'), identities: [keys.identity]})
    expect(r.files).toBe(0)
    expect(existsSync(join(t.dir, 'back'))).toBe(true)
    expect(readdirSync(join(t.dir, 'back'))).toEqual([])
  })
})
