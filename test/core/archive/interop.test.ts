import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {formatIdentityFile} from '../../../src/core/archive/age/index.js'
import {createArchive, restoreArchive} from '../../../src/core/archive/index.js'
import {MANIFEST_ENTRY_NAME} from '../../../src/core/archive/manifest.js'
import {keyPair, makeTree, snapshot, tempDir} from './helpers.js'

const hasAge = spawnSync('age', ['--version']).status === 0

describe.skipIf(!hasAge)('interop with the stock age and tar tools', () => {
  let t: {dir: string; cleanup: () => void}
  beforeEach(() => {
    t = tempDir()
  })
  afterEach(() => t.cleanup())

  it('`age -d -i key | tar xz` recovers the tree hatch archived (pax names, symlinks, modes)', async () => {
    const src = join(t.dir, 'src')
    mkdirSync(src)
    makeTree(src)
    const keys = keyPair()
    const keyFile = join(t.dir, 'key.txt')
    writeFileSync(keyFile, formatIdentityFile(keys.identityText), {mode: 0o600})
    const {archive} = await createArchive({source: src, outputDir: t.dir, name: 'x', recipients: [keys.recipient], encryption: {kind: 'x25519', recipients: []}, hatchVersion: '0'})
    const out = join(t.dir, 'out')
    mkdirSync(out)
    execFileSync('bash', ['-o', 'pipefail', '-c', `age -d -i '${keyFile}' '${archive}' | tar xzf - -C '${out}'`])
    const got = snapshot(out)
    expect(got[MANIFEST_ENTRY_NAME]).toMatch(/^file 600 /)
    delete got[MANIFEST_ENTRY_NAME]
    expect(got).toEqual(snapshot(src))
    // The concatenated gzip members are one valid gzip stream for gzip itself too.
    execFileSync('bash', ['-o', 'pipefail', '-c', `age -d -i '${keyFile}' '${archive}' | gzip -t`])
  })

  it('restores a tar.gz that stock tar and age made (no manifest: a warning, still every safety rule)', async () => {
    const src = join(t.dir, 'src')
    mkdirSync(join(src, 'd'), {recursive: true})
    writeFileSync(join(src, 'd', 'f.txt'), 'from stock tools\n')
    const keys = keyPair()
    const archive = join(t.dir, 'stock.tar.gz.age')
    execFileSync('bash', ['-o', 'pipefail', '-c', `tar czf - -C '${src}' . | age -r ${keys.recipientText} > '${archive}'`])
    const r = await restoreArchive({archive, to: join(t.dir, 'back'), identities: [keys.identity]})
    expect(r).toMatchObject({files: 1, verified: false})
    expect(snapshot(join(t.dir, 'back'))).toEqual(snapshot(src))
  })
})
