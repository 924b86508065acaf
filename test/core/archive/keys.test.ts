import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {decryptionKeys, encryptionKeys, parseWorkFactor} from '../../../src/core/archive/index.js'
import {keyPair, tempDir} from './helpers.js'

describe('key options', () => {
  let t: {dir: string; cleanup: () => void}
  beforeEach(() => {
    t = tempDir()
  })
  afterEach(() => t.cleanup())

  it('reads the first line of a private passphrase file', async () => {
    const f = join(t.dir, 'pw')
    writeFileSync(f, 'the passphrase\r\nsecond line\n', {mode: 0o600})
    const r = await encryptionKeys({passphraseFile: f, logN: 17})
    expect(r.encryption).toEqual({kind: 'passphrase', kdf: 'scrypt', logN: 17, r: 8, p: 1})
  })

  it('takes a work factor from 17 to 22 for passphrases only', async () => {
    expect(parseWorkFactor(undefined)).toBeUndefined()
    expect(parseWorkFactor('17')).toBe(17)
    expect(parseWorkFactor(' 22 ')).toBe(22)
    for (const bad of ['16', '23', '18.5', '-18', 'abc', '']) {
      expect(() => parseWorkFactor(bad), bad).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT', message: expect.stringContaining('from 17 to 22')}))
    }
    await expect(encryptionKeys({passphraseEnv: 'A', env: {A: 'x'}, logN: 20})).resolves.toMatchObject({encryption: {kind: 'passphrase', logN: 20}})
    await expect(encryptionKeys({recipients: [keyPair().recipientText], logN: 18})).rejects.toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringMatching(/applies to passphrases/)})
  })

  it('refuses a passphrase file others can read, warns for group-readable, never shows the content', async () => {
    const f = join(t.dir, 'pw')
    writeFileSync(f, 'topsecret\n', {mode: 0o644})
    const err = await encryptionKeys({passphraseFile: f}).catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'PERMISSION_DENIED'})
    expect(String((err as Error).message)).not.toContain('topsecret')
    writeFileSync(join(t.dir, 'g'), 'x\n', {mode: 0o640})
    const warnings: string[] = []
    await decryptionKeys({passphraseFile: join(t.dir, 'g'), warn: (m) => warnings.push(m)})
    expect(warnings[0]).toMatch(/readable by its group/)
  })

  it('needs a set environment variable, one key option, and a terminal to prompt', async () => {
    await expect(encryptionKeys({passphraseEnv: 'HATCH_TEST_UNSET_VAR', env: {}})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    await expect(encryptionKeys({passphraseEnv: 'A', recipients: ['age1x'], env: {A: 'x'}})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    await expect(decryptionKeys({})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    await expect(encryptionKeys({recipients: ['age1notakey']})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })

  it('asks twice when creating, and refuses a mismatch', async () => {
    const answers = ['one', 'two']
    await expect(encryptionKeys({prompt: async () => answers.shift()!})).rejects.toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringMatching(/differ/)})
    const same = ['same', 'same']
    await expect(encryptionKeys({prompt: async () => same.shift()!, logN: 17})).resolves.toMatchObject({encryption: {kind: 'passphrase'}})
  })
})
