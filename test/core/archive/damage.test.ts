import {mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {scryptIdentity, scryptRecipient} from '../../../src/core/archive/age/index.js'
import {createArchive, restoreArchive, verifyArchive} from '../../../src/core/archive/index.js'
import {MANIFEST_ENTRY_NAME} from '../../../src/core/archive/manifest.js'
import {readSidecar, sidecarPathFor} from '../../../src/core/archive/sidecar.js'
import {craftArchive, keyPair, snapshot, tempDir} from './helpers.js'

describe('wrong keys and damaged archives leave DIR untouched', () => {
  let t: {dir: string; cleanup: () => void}
  const keys = keyPair()
  let archive: string
  let passArchive: string
  let to: string
  let before: ReturnType<typeof snapshot>

  beforeAll(async () => {
    t = tempDir()
    const src = join(t.dir, 'src')
    mkdirSync(join(src, 'sub'), {recursive: true})
    for (let i = 0; i < 20; i++) writeFileSync(join(src, 'sub', `f${i}.txt`), `file ${i}\n`.repeat(5000))
    archive = (await createArchive({source: src, outputDir: join(t.dir, 'out'), name: 'k', recipients: [keys.recipient], encryption: {kind: 'x25519', recipients: [keys.recipientText]}, hatchVersion: '0'})).archive
    passArchive = (
      await createArchive({source: src, outputDir: join(t.dir, 'out'), name: 'p', recipients: [scryptRecipient('right horse', {logN: 17})], encryption: {kind: 'passphrase', kdf: 'scrypt', logN: 17, r: 8, p: 1}, hatchVersion: '0'})
    ).archive
    to = join(t.dir, 'dest')
    mkdirSync(to)
    writeFileSync(join(to, 'existing.txt'), 'precious')
  })
  afterAll(() => t.cleanup())

  const expectUntouched = () => {
    expect(snapshot(to)).toEqual(before)
    expect(readdirSync(t.dir).filter((n) => n.includes('hatch-restore'))).toEqual([])
  }

  it('a wrong identity is WRONG_KEY (exit 10)', async () => {
    before = snapshot(to)
    await expect(restoreArchive({archive, to, identities: [keyPair().identity], overwrite: true})).rejects.toMatchObject({code: 'WRONG_KEY', exitCode: 10})
    expectUntouched()
  })

  it('a wrong passphrase is WRONG_KEY (exit 10)', async () => {
    before = snapshot(to)
    await expect(restoreArchive({archive: passArchive, to, identities: [scryptIdentity('wrong horse')], overwrite: true})).rejects.toMatchObject({code: 'WRONG_KEY', exitCode: 10})
    expectUntouched()
  })

  it('a flipped byte in the payload is CHECKSUM_MISMATCH, and verify (with or without a key) fails', async () => {
    const bad = join(t.dir, 'out', 'flipped.tar.gz.age')
    const bytes = readFileSync(archive)
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01
    writeFileSync(bad, bytes)
    writeFileSync(join(t.dir, 'out', 'flipped.json'), readFileSync(join(t.dir, 'out', 'k.json'), 'utf8').replaceAll('k.tar.gz.age', 'flipped.tar.gz.age').replace('"name": "k"', '"name": "flipped"'))
    before = snapshot(to)
    await expect(restoreArchive({archive: bad, to, identities: [keys.identity], overwrite: true})).rejects.toMatchObject({code: 'CHECKSUM_MISMATCH', exitCode: 4})
    expectUntouched()
    await expect(verifyArchive({archive: bad})).rejects.toMatchObject({code: 'CHECKSUM_MISMATCH'})
    await expect(verifyArchive({archive: bad, identities: [keys.identity]})).rejects.toMatchObject({code: 'CHECKSUM_MISMATCH'})
  })

  it('a truncated archive is CHECKSUM_MISMATCH', async () => {
    for (const cut of [0.5, 0.99]) {
      const bad = join(t.dir, `cut-${cut}.tar.gz.age`)
      writeFileSync(bad, readFileSync(archive))
      truncateSync(bad, Math.floor(statSync(bad).size * cut))
      before = snapshot(to)
      await expect(restoreArchive({archive: bad, to, identities: [keys.identity], overwrite: true})).rejects.toMatchObject({code: 'CHECKSUM_MISMATCH'})
      expectUntouched()
    }
  })

  it('a file that does not match the manifest is CHECKSUM_MISMATCH (nothing restored)', async () => {
    const bad = join(t.dir, 'lying.tar.gz.age')
    const manifest = {
      format: 'hatch-archive-manifest',
      version: 1,
      createdAt: new Date().toISOString(),
      root: {mode: 0o755, mtime: 0},
      entries: [{type: 'file', path: 'a.txt', size: 5, mode: 0o644, mtime: 0, sha256: '0'.repeat(64)}],
    }
    await craftArchive(bad, [{name: 'a.txt', content: 'hello'}, {name: MANIFEST_ENTRY_NAME, content: JSON.stringify(manifest)}], keys.recipient)
    const fresh = join(t.dir, 'fresh')
    await expect(restoreArchive({archive: bad, to: fresh, identities: [keys.identity]})).rejects.toMatchObject({code: 'CHECKSUM_MISMATCH'})
    expect(readdirSync(t.dir)).not.toContain('fresh')
  })

  it('a non-empty DIR without --overwrite is refused before decrypting', async () => {
    await expect(restoreArchive({archive, to, identities: [keys.identity]})).rejects.toMatchObject({code: 'CONFLICT'})
  })

  it('verify without a sidecar and without a key says so', async () => {
    const lone = join(t.dir, 'lone.tar.gz.age')
    writeFileSync(lone, readFileSync(archive))
    await expect(verifyArchive({archive: lone})).rejects.toMatchObject({code: 'BACKUP_NOT_FOUND'})
    await expect(verifyArchive({archive: lone, identities: [keys.identity]})).resolves.toMatchObject({sidecar: 'missing', contents: 'ok', files: 20})
  })

  it('never reads a sidecar through a symbolic link', () => {
    const sidecar = sidecarPathFor(archive)!
    expect(readSidecar(sidecar)).toMatchObject({name: 'k'})
    // A valid sidecar elsewhere, linked in under another archive's sidecar name.
    const elsewhere = join(t.dir, 'elsewhere.json')
    writeFileSync(elsewhere, readFileSync(sidecar))
    const linked = join(t.dir, 'out', 'linked.json')
    symlinkSync(elsewhere, linked)
    expect(() => readSidecar(linked)).toThrow(expect.objectContaining({code: 'INVALID_CONFIG', message: expect.stringContaining('symbolic link')}))
  })
})
