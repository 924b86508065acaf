/**
 * Interoperability with the two other age implementations installed here:
 * - the stock `age` CLI (Go, /usr/bin/age): X25519 both ways at several sizes, identity files from age-keygen,
 *   multiple recipients; passphrase both ways by driving the CLI's TTY prompt through a pseudo-terminal (python3's
 *   pty module), skipped if python3 is missing.
 * - the `age-encryption` npm package (pure JS): X25519 and passphrase, both ways.
 */
import {execFile, execFileSync} from 'node:child_process'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {Decrypter, Encrypter} from 'age-encryption'
import {describe, expect, it} from 'vitest'

import {
  decrypt,
  encrypt,
  formatIdentityFile,
  generateIdentity,
  parseHeader,
  parseIdentityFile,
  scryptIdentity,
  scryptRecipient,
} from '../../../../src/core/archive/age/index.js'
import {KiB64, randomData, sha256, withTempDir} from './helpers.js'

const run = promisify(execFile)
const AGE = '/usr/bin/age'
const AGE_KEYGEN = '/usr/bin/age-keygen'

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

const haveAge = has(AGE, ['--version'])
const havePython = has('python3', ['-c', 'import pty'])
const SIZES = [0, 1, KiB64, KiB64 + 1, 4 * 1024 * 1024 + 3]

/** Runs a command on a pseudo-terminal and types `passphrase` at every passphrase prompt. */
const PTY_DRIVER = `
import os, pty, sys, select
passphrase = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
buf = b''
while True:
    try:
        r, _, _ = select.select([fd], [], [], 60)
        if not r: break
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data: break
    buf += data
    low = buf.lower()
    while b'passphrase' in low and b':' in low[low.index(b'passphrase'):]:
        buf = buf[low.index(b'passphrase') + 10:]
        low = buf.lower()
        os.write(fd, passphrase + b'\\n')
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
`

async function withPty(passphrase: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  await run('python3', ['-c', PTY_DRIVER, passphrase, ...args], {env, timeout: 60_000})
}

describe.skipIf(!haveAge)('stock age CLI', () => {
  for (const size of SIZES) {
    it(`hatch → age -d, ${size} bytes`, async () => {
      await withTempDir(async (dir) => {
        const {identity, recipient} = generateIdentity()
        await writeFile(join(dir, 'key.txt'), formatIdentityFile(identity), {mode: 0o600})
        const plain = randomData(size)
        await writeFile(join(dir, 'f.age'), await encrypt(plain, [recipient]))
        // To stdout: `age -o FILE` does not create FILE when the plaintext is empty.
        const {stdout} = await run(AGE, ['-d', '-i', join(dir, 'key.txt'), join(dir, 'f.age')], {
          env: {HOME: dir},
          encoding: 'buffer',
          maxBuffer: 64 << 20,
        })
        expect(sha256(stdout)).toBe(sha256(plain))
      })
    })

    it(`age -r → hatch, ${size} bytes (identity file from age-keygen)`, async () => {
      await withTempDir(async (dir) => {
        await run(AGE_KEYGEN, ['-o', join(dir, 'key.txt')], {env: {HOME: dir}})
        const keyFile = await readFile(join(dir, 'key.txt'), 'utf8')
        const {stdout: recipient} = await run(AGE_KEYGEN, ['-y', join(dir, 'key.txt')], {env: {HOME: dir}})
        const plain = randomData(size)
        await writeFile(join(dir, 'in'), plain)
        await run(AGE, ['-r', recipient.trim(), '-o', join(dir, 'f.age'), join(dir, 'in')], {env: {HOME: dir}})
        const identities = parseIdentityFile(keyFile)
        expect(identities[0]!.recipient.toString()).toBe(recipient.trim())
        const out = await decrypt(await readFile(join(dir, 'f.age')), identities)
        expect(sha256(out)).toBe(sha256(plain))
      })
    })
  }

  it('multiple recipients both ways; age-keygen -y agrees with our recipient derivation', async () => {
    await withTempDir(async (dir) => {
      const a = generateIdentity()
      const b = generateIdentity()
      await writeFile(join(dir, 'b.txt'), formatIdentityFile(b.identity), {mode: 0o600})
      const {stdout} = await run(AGE_KEYGEN, ['-y', join(dir, 'b.txt')])
      expect(stdout.trim()).toBe(b.recipient)
      const plain = randomData(100_000)
      await writeFile(join(dir, 'ours.age'), await encrypt(plain, [a.recipient, b.recipient]))
      await run(AGE, ['-d', '-i', join(dir, 'b.txt'), '-o', join(dir, 'out'), join(dir, 'ours.age')], {env: {HOME: dir}})
      expect((await readFile(join(dir, 'out'))).equals(plain)).toBe(true)
      await writeFile(join(dir, 'in'), plain)
      await run(AGE, ['-r', a.recipient, '-r', b.recipient, '-o', join(dir, 'theirs.age'), join(dir, 'in')], {env: {HOME: dir}})
      expect((await decrypt(await readFile(join(dir, 'theirs.age')), [b.identity])).equals(plain)).toBe(true)
    })
  })

  it('age rejects a hatch file with a flipped payload byte (and we do too)', async () => {
    await withTempDir(async (dir) => {
      const {identity, recipient} = generateIdentity()
      await writeFile(join(dir, 'key.txt'), formatIdentityFile(identity), {mode: 0o600})
      const file = await encrypt(randomData(1000), [recipient])
      file[file.length - 3]! ^= 1
      await writeFile(join(dir, 'bad.age'), file)
      await expect(run(AGE, ['-d', '-i', join(dir, 'key.txt'), '-o', join(dir, 'out'), join(dir, 'bad.age')])).rejects.toThrow()
      await expect(decrypt(file, [identity])).rejects.toMatchObject({kind: 'PAYLOAD_AUTH'})
    })
  })

  describe.skipIf(!havePython)('passphrase through a pty', () => {
    it('hatch (default logN 18) → age -d', async () => {
      await withTempDir(async (dir) => {
        const plain = randomData(KiB64 + 1)
        const file = await encrypt(plain, [scryptRecipient('correct horse battery')])
        expect(parseHeader(file, true)!.stanzas[0]).toMatchObject({type: 'scrypt', args: [expect.any(String), '18']})
        await writeFile(join(dir, 'f.age'), file)
        await withPty('correct horse battery', [AGE, '-d', '-o', join(dir, 'out'), join(dir, 'f.age')], {HOME: dir, PATH: process.env.PATH})
        expect((await readFile(join(dir, 'out'))).equals(plain)).toBe(true)
      })
    }, 60_000)

    it('age -p → hatch', async () => {
      await withTempDir(async (dir) => {
        const plain = randomData(3 * KiB64)
        await writeFile(join(dir, 'in'), plain)
        await withPty('tr0ub4dor & 3', [AGE, '-p', '-o', join(dir, 'f.age'), join(dir, 'in')], {HOME: dir, PATH: process.env.PATH})
        const file = await readFile(join(dir, 'f.age'))
        expect(parseHeader(file, true)!.stanzas[0]!.type).toBe('scrypt')
        expect((await decrypt(file, [scryptIdentity('tr0ub4dor & 3')])).equals(plain)).toBe(true)
        await expect(decrypt(file, [scryptIdentity('tr0ub4dor & 4')])).rejects.toMatchObject({kind: 'WRONG_PASSPHRASE'})
      })
    }, 60_000)
  })
})

describe('age-encryption (npm, pure JS)', () => {
  for (const size of [0, 1, KiB64, KiB64 + 1, 2 * 1024 * 1024 + 9]) {
    it(`X25519 both ways, ${size} bytes`, async () => {
      const plain = randomData(size)
      const {identity, recipient} = generateIdentity()
      const d = new Decrypter()
      d.addIdentity(identity)
      expect(sha256(await d.decrypt(await encrypt(plain, [recipient])))).toBe(sha256(plain))

      const e = new Encrypter()
      e.addRecipient(recipient)
      expect(sha256(await decrypt(await e.encrypt(plain), [identity]))).toBe(sha256(plain))
    })
  }

  it('their generated keys work with us and ours with them', async () => {
    const {generateIdentity: theirGenerate, identityToRecipient: theirToRecipient} = await import('age-encryption')
    const theirId = await theirGenerate()
    const theirRecipient = await theirToRecipient(theirId)
    const file = await encrypt('hello', [theirRecipient])
    expect((await decrypt(file, [theirId])).toString()).toBe('hello')
    const ours = generateIdentity()
    expect(await theirToRecipient(ours.identity)).toBe(ours.recipient)
  })

  it('passphrase: hatch (logN 17) → age-encryption', async () => {
    const plain = randomData(KiB64 + 1)
    const file = await encrypt(plain, [scryptRecipient('swordfish', {logN: 17})])
    const d = new Decrypter()
    d.addPassphrase('swordfish')
    expect(Buffer.from(await d.decrypt(file)).equals(plain)).toBe(true)
  }, 60_000)

  it('passphrase: age-encryption (logN 15 and default) → hatch', async () => {
    const plain = randomData(1000)
    for (const logN of [15, undefined]) {
      const e = new Encrypter()
      e.setPassphrase('swordfish')
      if (logN !== undefined) e.setScryptWorkFactor(logN)
      const file = await e.encrypt(plain)
      expect((await decrypt(file, [scryptIdentity('swordfish')])).equals(plain)).toBe(true)
    }
  }, 60_000)
})
