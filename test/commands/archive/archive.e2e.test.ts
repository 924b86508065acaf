import {mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {makeSandbox, runCli, type Sandbox} from '../../helpers/cli.js'

// End to end through the built CLI (bin/run.js → dist/), in a sandbox HOME.
describe('hatch archive (built CLI)', () => {
  let sb: Sandbox
  let src: string
  let out: string
  let keyFile: string
  let recipient: string
  let archive: string

  beforeAll(async () => {
    sb = await makeSandbox()
    src = join(sb.root, 'src')
    mkdirSync(join(src, 'sub'), {recursive: true})
    writeFileSync(join(src, 'a.txt'), 'alpha\n')
    writeFileSync(join(src, 'sub', 'b.txt'), 'beta\n')
    out = join(sb.root, 'out')
    keyFile = join(sb.root, 'key.txt')
  })
  afterAll(() => sb.cleanup())

  it('keygen writes a 0600 identity and prints its recipient; it never overwrites', async () => {
    const r = await runCli(['archive', 'keygen', '--output', keyFile, '--json'], {env: sb.env})
    expect(r.code).toBe(0)
    recipient = r.json.recipient
    expect(recipient).toMatch(/^age1[0-9a-z]+$/)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(readFileSync(keyFile, 'utf8')).toContain('AGE-SECRET-KEY-1')
    const again = await runCli(['archive', 'keygen', '--output', keyFile, '--json'], {env: sb.env})
    expect(again.code).toBe(5)
  })

  it('key show prints the public key of an identity file, never the secret; a file others can read is refused', async () => {
    const [json, plain] = await Promise.all([
      runCli(['archive', 'key', 'show', keyFile, '--json'], {env: sb.env}),
      runCli(['archive', 'key', 'show', keyFile], {env: sb.env}),
    ])
    expect(json.code).toBe(0)
    expect(json.json).toEqual({path: keyFile, recipients: [recipient]})
    expect(plain.stdout).toBe(`${recipient}\n`)
    expect(json.stdout + plain.stdout + plain.stderr).not.toContain('AGE-SECRET-KEY')
    const open = join(sb.root, 'open-key.txt')
    writeFileSync(open, readFileSync(keyFile), {mode: 0o644})
    const refused = await runCli(['archive', 'key', 'show', open, '--json'], {env: sb.env})
    expect(refused.code).toBe(8)
    expect(refused.json.error.code).toBe('PERMISSION_DENIED')
    const notKey = join(sb.root, 'not-key.txt')
    writeFileSync(notKey, 'hello\n', {mode: 0o600})
    const bad = await runCli(['archive', 'key', 'show', notKey, '--json'], {env: sb.env})
    expect(bad.code).toBe(2)
    expect(bad.stdout).not.toContain('hello')
  })

  it('create → list → verify → restore with a public key', async () => {
    const c = await runCli(['archive', 'create', src, '--output', out, '--name', 'one', '--recipient', recipient, '--json'], {env: sb.env})
    expect(c.code).toBe(0)
    expect(c.json).toMatchObject({name: 'one', fileCount: 2, encryption: {kind: 'x25519', recipients: [recipient]}})
    archive = c.json.archive
    const l = await runCli(['archive', 'list', out, '--json'], {env: sb.env})
    expect(l.json.archives.map((a: {name: string}) => a.name)).toEqual(['one'])
    const v = await runCli(['archive', 'verify', archive, '--identity', keyFile, '--json'], {env: sb.env})
    expect(v.json).toMatchObject({sidecar: 'ok', contents: 'ok', files: 2})
    // Naming the archive lists its files; --files, once needed for that, still works.
    const [files, withFlag, plainFiles] = await Promise.all([
      runCli(['archive', 'list', archive, '--identity', keyFile, '--json'], {env: sb.env}),
      runCli(['archive', 'list', archive, '--files', '--identity', keyFile, '--json'], {env: sb.env}),
      runCli(['archive', 'list', archive, '--identity', keyFile], {env: sb.env}),
    ])
    expect(files.code, files.stdout + files.stderr).toBe(0)
    expect(files.json.entries.map((e: {path: string}) => e.path)).toEqual(['a.txt', 'sub', 'sub/b.txt'])
    expect(withFlag.json.entries).toEqual(files.json.entries)
    expect(plainFiles.stdout).toMatch(/^file +\d{4} +6 B +a\.txt$/m)
    const to = join(sb.root, 'back')
    const [r, plain] = [
      await runCli(['archive', 'restore', archive, '--to', to, '--identity', keyFile, '--json'], {env: sb.env}),
      await runCli(['archive', 'restore', archive, '--to', join(sb.root, 'back-plain'), '--identity', keyFile], {env: sb.env}),
    ]
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({files: 2, verified: true})
    // Counted in words that fit the number: 2 files, 1 folder, 0 symlinks.
    expect(plain.stdout).toMatch(/^Restored 2 files \(11 B\), 1 folder and 0 symlinks into /)
    expect(readFileSync(join(to, 'sub', 'b.txt'), 'utf8')).toBe('beta\n')
    // A second restore into the now non-empty folder needs --overwrite
    const again = await runCli(['archive', 'restore', archive, '--to', to, '--identity', keyFile, '--json'], {env: sb.env})
    expect(again.code).toBe(5)
  })

  it('a passphrase from the environment; a wrong one is exit 10 and never echoed', async () => {
    const env = {...sb.env, HATCH_TEST_PASS: 'right horse battery', HATCH_WRONG: 'wrong horse battery'}
    const c = await runCli(['archive', 'create', src, '--output', out, '--name', 'pass', '--passphrase-env', 'HATCH_TEST_PASS', '--json'], {env})
    expect(c.code).toBe(0)
    expect(c.json.encryption).toMatchObject({kind: 'passphrase', kdf: 'scrypt', r: 8, p: 1})
    expect(c.json.encryption.logN).toBeGreaterThanOrEqual(17)
    const to = join(sb.root, 'never')
    const r = await runCli(['archive', 'restore', c.json.archive, '--to', to, '--passphrase-env', 'HATCH_WRONG', '--json'], {env})
    expect(r.code).toBe(10)
    expect(r.json.error.code).toBe('WRONG_KEY')
    expect(r.stdout + r.stderr).not.toContain('wrong horse')
    expect(() => statSync(to)).toThrow()
  })

  it('--work-factor sets the scrypt cost of a passphrase, and a bad one is exit 2', async () => {
    const env = {...sb.env, HATCH_TEST_PASS: 'right horse battery'}
    // Its own folder: the prune test counts the archives in `out`.
    const wfOut = join(sb.root, 'out-work-factor')
    const c = await runCli(['archive', 'create', src, '--output', wfOut, '--name', 'wf', '--passphrase-env', 'HATCH_TEST_PASS', '--work-factor', '17', '--json'], {env})
    expect(c.code).toBe(0)
    expect(c.json.encryption).toMatchObject({kind: 'passphrase', logN: 17})
    const to = join(sb.root, 'wf-restored')
    const r = await runCli(['archive', 'restore', c.json.archive, '--to', to, '--passphrase-env', 'HATCH_TEST_PASS', '--json'], {env})
    expect(r.code).toBe(0)
    const bad = await runCli(['archive', 'create', src, '--output', wfOut, '--name', 'wf2', '--passphrase-env', 'HATCH_TEST_PASS', '--work-factor', '12', '--json'], {env})
    expect(bad.code).toBe(2)
    expect(bad.json.error.message).toContain('from 17 to 22')
  })

  it('without a key and without a terminal, create refuses (exit 2)', async () => {
    const r = await runCli(['archive', 'create', src, '--output', out, '--json'], {env: sb.env})
    expect(r.code).toBe(2)
    expect(r.json.error.message).toMatch(/no terminal/)
  })

  it('verify catches a damaged archive (exit 4)', async () => {
    const bad = join(out, 'bad.tar.gz.age')
    const bytes = readFileSync(archive)
    bytes[bytes.length - 20]! ^= 0xff
    writeFileSync(bad, bytes)
    writeFileSync(join(out, 'bad.json'), readFileSync(join(out, 'one.json'), 'utf8').replace('"one.tar.gz.age"', '"bad.tar.gz.age"').replace('"name": "one"', '"name": "bad"'))
    const r = await runCli(['archive', 'verify', bad, '--json'], {env: sb.env})
    expect(r.code).toBe(4)
    const k = await runCli(['archive', 'verify', bad, '--identity', keyFile, '--json'], {env: sb.env})
    expect(k.code).toBe(4)
  })

  it('prune: dry run, refusal without a terminal, then --yes', async () => {
    const dry = await runCli(['archive', 'prune', out, '--keep', '1', '--dry-run', '--json'], {env: sb.env})
    expect(dry.code).toBe(0)
    expect(dry.json.deleted).toHaveLength(2)
    // --keep-count, as backup clean first called it, is the same flag.
    const dryCount = await runCli(['archive', 'prune', out, '--keep-count', '1', '--dry-run'], {env: sb.env})
    expect(dryCount.stdout).toMatch(/^Would delete 2 of 3 archives in /)
    const refused = await runCli(['archive', 'prune', out, '--keep', '1', '--json'], {env: sb.env})
    expect(refused.code).toBe(6)
    const zero = await runCli(['archive', 'prune', out, '--keep', '0', '--json'], {env: sb.env})
    expect(zero.code).toBe(2)
    const done = await runCli(['archive', 'prune', out, '--keep', '1', '--yes', '--json'], {env: sb.env})
    expect(done.json.deleted).toEqual(dry.json.deleted)
    const l = await runCli(['archive', 'list', out, '--json'], {env: sb.env})
    expect(l.json.archives).toHaveLength(1)
  })
})
