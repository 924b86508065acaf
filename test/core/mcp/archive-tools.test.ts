import {existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, copyFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {writeNewIdentity} from '../../../src/core/archive/index.js'
import {AuditLog} from '../../../src/core/audit/log.js'
import {openArchiveServices} from '../../../src/core/mcp/archive.js'
import {createConfirmationIssuer} from '../../../src/core/mcp/confirm-token.js'
import {invokeTool, type InvokeContext, type InvokeResult} from '../../../src/core/mcp/invoke.js'
import {ALL_TOOLS, toolsFor} from '../../../src/core/mcp/tools/index.js'
import type {ArchiveServices, Privilege, ToolServices} from '../../../src/core/mcp/types.js'

const PASSPHRASE = 'correct horse battery staple 7f3a'

let root: string
let allowed: string
let outside: string
let evil: string
let keyFile: string
let recipient: string
let keys: ArchiveServices
let archivePath: string

/** Every path under `dir`, for "nothing was written" checks. */
function tree(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, {recursive: true}) as string[]).sort() : []
}

function services(archive?: ArchiveServices): ToolServices {
  return {issuer: createConfirmationIssuer(), confirmTtlMs: 60_000, principal: 'os-user:test', now: () => new Date(), archive} as unknown as ToolServices
}

/** Runs a tool like the server does (schema first, then invokeTool); `archive` null: a server without --allow-dir. */
async function run(name: string, args: Record<string, unknown>, archive: ArchiveServices | null = keys, level: Privilege = 'destructive', audit?: AuditLog): Promise<InvokeResult> {
  const def = ALL_TOOLS.find((t) => t.name === name)!
  const parsed = def.input.safeParse(args)
  if (!parsed.success) throw new Error(`schema refused ${JSON.stringify(args)}: ${parsed.error.message}`)
  const ctx: InvokeContext = {services: services(archive ?? undefined), level, caller: {transport: 'stdio', user: 'me', uid: 1, client: null}, audit}
  return invokeTool(def, parsed.data as Record<string, unknown>, {elicitation: false}, ctx)
}

function code(result: InvokeResult): string | undefined {
  return result.kind === 'error' ? result.error.code : undefined
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hatch-mcp-archive-'))
  allowed = join(root, 'allowed')
  outside = join(root, 'outside')
  evil = join(root, 'allowed-evil')
  for (const d of [join(allowed, 'src', 'sub'), join(outside, 'src'), evil]) mkdirSync(d, {recursive: true})
  writeFileSync(join(allowed, 'src', 'a.txt'), 'alpha\n')
  writeFileSync(join(allowed, 'src', 'sub', 'b.txt'), 'beta\n')
  writeFileSync(join(outside, 'src', 'secret.txt'), 'outside\n')
  keyFile = join(root, 'keys', 'key.txt')
  recipient = writeNewIdentity(keyFile).recipient
  keys = await openArchiveServices({allowDirs: [allowed], recipients: [recipient], identityFiles: [keyFile], hatchVersion: 'test'})
  const made = await run('create_secure_backup', {source: 'src', outputDir: 'backups', name: 'first'})
  expect(made).toMatchObject({kind: 'result', structured: {name: 'first', fileCount: 2, encryption: {kind: 'x25519'}}})
  archivePath = join(allowed, 'backups', 'first.tar.gz.age')
  // Copies of the archive outside and in the sibling-prefix dir, so read escapes would find something real.
  for (const d of [outside, evil]) for (const f of ['first.tar.gz.age', 'first.json']) copyFileSync(join(allowed, 'backups', f), join(d, f))
  symlinkSync(outside, join(allowed, 'link-out'))
  symlinkSync(join(outside, 'nowhere'), join(allowed, 'dangling'))
})
afterAll(async () => {
  await rm(root, {recursive: true, force: true})
})

describe('archive tools: offering', () => {
  it('are offered only with --allow-dir, and create/restore only with a key for them', async () => {
    const names = (level: Privilege, archive?: ArchiveServices) => toolsFor(level, ALL_TOOLS, {archive}).map((t) => t.name)
    for (const level of ['read', 'write', 'destructive'] as const) expect(names(level).filter((n) => /backups?$|secure/.test(n) && !n.includes('host'))).toEqual([])
    expect(names('read', keys)).toEqual([...names('read'), 'list_backups', 'verify_secure_backup'])
    expect(names('write', keys)).toEqual([...names('write'), 'list_backups', 'verify_secure_backup', 'create_secure_backup'])
    expect(names('destructive', keys)).toEqual([...names('destructive'), 'list_backups', 'verify_secure_backup', 'create_secure_backup', 'restore_secure_backup'])
    const dirOnly = await openArchiveServices({allowDirs: [allowed], hatchVersion: 'test'})
    expect(names('destructive', dirOnly)).toEqual([...names('destructive'), 'list_backups', 'verify_secure_backup'])
    // The server re-checks: a call without the set-up is refused, whatever the tool list said.
    expect(code(await run('list_backups', {}, null))).toBe('PERMISSION_DENIED')
    expect(code(await run('create_secure_backup', {source: 'src', outputDir: 'x'}, dirOnly))).toBe('PERMISSION_DENIED')
    expect(code(await run('create_secure_backup', {source: 'src', outputDir: 'x'}, keys, 'read'))).toBe('PERMISSION_DENIED')
    expect(existsSync(join(allowed, 'x'))).toBe(false)
  })

  it('never take a passphrase or key as an argument (strict schemas)', () => {
    for (const name of ['list_backups', 'verify_secure_backup', 'create_secure_backup', 'restore_secure_backup']) {
      const def = ALL_TOOLS.find((t) => t.name === name)!
      const base = {archive: 'a.tar.gz.age', source: 's', outputDir: 'o', to: 't'}
      const valid = Object.fromEntries(Object.entries(base).filter(([k]) => k in (def.input as unknown as {shape: object}).shape))
      expect(def.input.safeParse(valid).success, name).toBe(true)
      for (const extra of [{passphrase: PASSPHRASE}, {identity: keyFile}, {recipient}]) expect(def.input.safeParse({...valid, ...extra}).success, name).toBe(false)
    }
  })
})

describe('archive tools: happy paths (in memory)', () => {
  it('lists, verifies (sidecar and full), and restores after confirmation', async () => {
    const listed = await run('list_backups', {dir: 'backups'})
    expect(listed).toMatchObject({kind: 'result', structured: {kind: 'archives', dir: join(allowed, 'backups'), orphans: [], allowedDirs: [allowed]}})
    expect(listed.kind === 'result' && (listed.structured.archives as Array<{name: string; path: string}>).map((a) => [a.name, a.path])).toEqual([['first', archivePath]])

    expect(await run('verify_secure_backup', {archive: 'backups/first.tar.gz.age', checkContents: false})).toMatchObject({kind: 'result', structured: {sidecar: 'ok', contents: 'not-checked'}})
    expect(await run('verify_secure_backup', {archive: archivePath})).toMatchObject({kind: 'result', structured: {sidecar: 'ok', contents: 'ok', files: 2, bytes: 11}})

    const preview = await run('restore_secure_backup', {archive: archivePath, to: 'restored'})
    expect(preview).toMatchObject({kind: 'result', structured: {status: 'preview', dryRun: true, target: 'missing', files: 2, bytes: 11, to: join(allowed, 'restored')}})
    expect(existsSync(join(allowed, 'restored'))).toBe(false)
  })

  it('reports a key that does not fit as WRONG_KEY', async () => {
    const otherKey = join(root, 'keys', 'other.txt')
    writeNewIdentity(otherKey)
    const other = await openArchiveServices({allowDirs: [allowed], identityFiles: [otherKey], hatchVersion: 'test'})
    expect(code(await run('verify_secure_backup', {archive: archivePath}, other))).toBe('WRONG_KEY')
  })
})

describe('archive tools: path escapes (mcp.md §5), each refused with nothing written', () => {
  it('refuses reads outside: sibling prefix, symlink out, "..", absolute, NUL', async () => {
    const cases = [
      evil, // allowed-evil is not inside allowed
      'link-out', // symlink inside root → outside
      '../outside',
      join(allowed, 'src', '..', '..', 'outside'),
      outside,
    ]
    for (const dir of cases) expect([dir, code(await run('list_backups', {dir}))]).toEqual([dir, 'PERMISSION_DENIED'])
    for (const archive of [join(evil, 'first.tar.gz.age'), 'link-out/first.tar.gz.age', '../outside/first.tar.gz.age', join(outside, 'first.tar.gz.age')]) {
      expect([archive, code(await run('verify_secure_backup', {archive}))]).toEqual([archive, 'PERMISSION_DENIED'])
      expect([archive, code(await run('restore_secure_backup', {archive, to: 'r1'}))]).toEqual([archive, 'PERMISSION_DENIED'])
    }
    for (const source of [join(evil), 'link-out/src', '../outside/src', join(outside, 'src')]) {
      expect([source, code(await run('create_secure_backup', {source, outputDir: 'out1'}))]).toEqual([source, 'PERMISSION_DENIED'])
    }
    expect(code(await run('list_backups', {dir: 'src\0/../../outside'}))).toBe('INVALID_ARGUMENT')
    expect(code(await run('verify_secure_backup', {archive: 'backups/first\0.tar.gz.age'}))).toBe('INVALID_ARGUMENT')
    // Encoded variants are not decoded: they name a (missing) entry inside the allowed dir.
    for (const dir of ['..%2foutside', '%2e%2e/outside', '..\\outside']) expect(code(await run('list_backups', {dir}))).toBe('CONFIG_NOT_FOUND')
    expect(existsSync(join(allowed, 'r1')) || existsSync(join(allowed, 'out1'))).toBe(false)
  })

  it('refuses writes outside: sibling prefix, symlink out, dangling symlink, "..", absolute, NUL, the root itself', async () => {
    const before = {outside: tree(outside), evil: tree(evil), root: tree(root)}
    const targets = [join(evil, 'x'), 'link-out/x', 'link-out', 'dangling', 'dangling/x', '../outside/x', 'src/../../outside/x', join(outside, 'x'), '/tmp/hatch-escape-x']
    for (const t of targets) {
      expect([t, code(await run('create_secure_backup', {source: 'src', outputDir: t, name: 'escape'}))]).toEqual([t, 'PERMISSION_DENIED'])
      expect([t, code(await run('restore_secure_backup', {archive: archivePath, to: t}))]).toEqual([t, 'PERMISSION_DENIED'])
    }
    expect(code(await run('create_secure_backup', {source: 'src', outputDir: 'out\0/../../outside'}))).toBe('INVALID_ARGUMENT')
    expect(code(await run('restore_secure_backup', {archive: archivePath, to: 'r\0x'}))).toBe('INVALID_ARGUMENT')
    expect(code(await run('restore_secure_backup', {archive: archivePath, to: allowed}))).toBe('PERMISSION_DENIED')
    expect(code(await run('restore_secure_backup', {archive: archivePath, to: '.'}))).toBe('PERMISSION_DENIED')
    expect({outside: tree(outside), evil: tree(evil), root: tree(root)}).toEqual(before)
    expect(existsSync(join(outside, 'nowhere'))).toBe(false)
    expect(existsSync('/tmp/hatch-escape-x')).toBe(false)
  })

  it('works through an allowed dir that is itself a symlink (canonical form)', async () => {
    const linkRoot = join(root, 'allowed-link')
    symlinkSync(allowed, linkRoot)
    const viaLink = await openArchiveServices({allowDirs: [linkRoot], hatchVersion: 'test'})
    expect(await run('list_backups', {dir: join(linkRoot, 'backups')}, viaLink)).toMatchObject({kind: 'result', structured: {dir: join(allowed, 'backups')}})
    expect(code(await run('list_backups', {dir: join(linkRoot, 'link-out')}, viaLink))).toBe('PERMISSION_DENIED')
  })
})

describe('archive secrets', () => {
  it('reads the passphrase once, server-side, and it never shows in results, errors or the audit log', async () => {
    const file = join(root, 'keys', 'pass.txt')
    writeFileSync(file, `${PASSPHRASE}\nsecond line ignored\n`, {mode: 0o600})
    const pass = await openArchiveServices({allowDirs: [allowed], passphraseFile: file, hatchVersion: 'test'})
    expect(pass.encryption?.encryption).toMatchObject({kind: 'passphrase', kdf: 'scrypt'})
    expect(pass.identities).toHaveLength(1)
    writeFileSync(file, 'changed after start\n') // read once: the server keeps what it read
    expect(JSON.stringify(pass)).not.toContain(PASSPHRASE)

    const audit = AuditLog.open(join(root, 'logs'))
    const results = [
      await run('list_backups', {}, pass, 'read', audit),
      await run('verify_secure_backup', {archive: archivePath}, pass, 'read', audit), // X25519 archive, scrypt key
      await run('verify_secure_backup', {archive: join(outside, 'first.tar.gz.age')}, pass, 'read', audit),
    ]
    expect(results.map(code)).toEqual([undefined, 'WRONG_KEY', 'PERMISSION_DENIED'])
    for (const r of results) expect(JSON.stringify(r)).not.toContain(PASSPHRASE)
    expect(readFileSync(audit.file, 'utf8')).not.toContain(PASSPHRASE)
    expect(readFileSync(audit.file, 'utf8').trim().split('\n')).toHaveLength(3)
  })

  it('refuses unsafe or conflicting key set-ups without echoing the secret', async () => {
    const loose = join(root, 'keys', 'loose.txt')
    writeFileSync(loose, `${PASSPHRASE}\n`, {mode: 0o644})
    const refusals = [
      () => openArchiveServices({allowDirs: [allowed], passphraseFile: loose, hatchVersion: 't'}),
      () => openArchiveServices({allowDirs: [allowed], passphraseEnv: 'HATCH_TEST_UNSET_VAR', env: {}, hatchVersion: 't'}),
      () => openArchiveServices({allowDirs: [allowed], passphraseEnv: 'P', recipients: [recipient], env: {P: PASSPHRASE}, hatchVersion: 't'}),
      () => openArchiveServices({allowDirs: [join(root, 'missing')], hatchVersion: 't'}),
    ]
    for (const p of refusals) {
      const error = await p().then(() => undefined, (e: unknown) => e as {code: string; message: string})
      expect(error?.code).toMatch(/PERMISSION_DENIED|INVALID_ARGUMENT/)
      expect(error?.message).not.toContain(PASSPHRASE)
    }
    const env = await openArchiveServices({allowDirs: [allowed], passphraseEnv: 'P', env: {P: PASSPHRASE}, hatchVersion: 't'})
    expect(env.encryption?.encryption.kind).toBe('passphrase')
  })
})
