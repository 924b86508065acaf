import {copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {writeNewIdentity} from '../../../src/core/archive/index.js'
import {AuditLog} from '../../../src/core/audit/log.js'
import {openArchiveServices} from '../../../src/core/mcp/archive.js'
import {createConfirmationIssuer} from '../../../src/core/mcp/confirm-token.js'
import {invokeTool, type InvokeContext, type InvokeResult} from '../../../src/core/mcp/invoke.js'
import {VerifyArchiveOutput} from '../../../src/core/mcp/tools/archive-verify.js'
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

/** One issuer for every call, as one server has: a preview's token is redeemed by a later call. */
const issuer = createConfirmationIssuer()

function services(archive?: ArchiveServices): ToolServices {
  return {issuer, confirmTtlMs: 60_000, principal: 'os-user:test', now: () => new Date(), archive} as unknown as ToolServices
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
  const made = await run('create_secure_backup', {source_directory: 'src', output_directory: 'backups', backup_name: 'first'})
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
    expect(code(await run('create_secure_backup', {source_directory: 'src', output_directory: 'x'}, dirOnly))).toBe('PERMISSION_DENIED')
    expect(code(await run('create_secure_backup', {source_directory: 'src', output_directory: 'x'}, keys, 'read'))).toBe('PERMISSION_DENIED')
    expect(existsSync(join(allowed, 'x'))).toBe(false)
  })

  it('never take a passphrase or key as an argument (strict schemas; password is refused at run time, below)', () => {
    for (const name of ['list_backups', 'verify_secure_backup', 'create_secure_backup', 'restore_secure_backup']) {
      const def = ALL_TOOLS.find((t) => t.name === name)!
      const base = {backup_file: 'a.tar.gz.age', source_directory: 's', output_directory: 'o'}
      const valid = Object.fromEntries(Object.entries(base).filter(([k]) => k in (def.input as unknown as {shape: object}).shape))
      expect(def.input.safeParse(valid).success, name).toBe(true)
      for (const extra of [{passphrase: PASSPHRASE}, {identity: keyFile}, {recipient}]) expect(def.input.safeParse({...valid, ...extra}).success, name).toBe(false)
    }
  })
})

describe('archive tools: happy paths (in memory)', () => {
  it('lists, verifies (sidecar and full), and restores after confirmation', async () => {
    const listed = await run('list_backups', {backup_directory: 'backups'})
    expect(listed).toMatchObject({kind: 'result', structured: {kind: 'archives', dir: join(allowed, 'backups'), orphans: [], allowedDirs: [allowed]}})
    expect(listed.kind === 'result' && (listed.structured.archives as Array<{name: string; path: string}>).map((a) => [a.name, a.path])).toEqual([['first', archivePath]])

    expect(await run('verify_secure_backup', {backup_file: 'backups/first.tar.gz.age', check_contents: false})).toMatchObject({
      kind: 'result',
      structured: {sidecar: 'ok', contents: 'not-checked', valid: true, message: 'Backup integrity verified: SHA-256 and size match its sidecar (contents not decrypted).'},
    })
    const full = await run('verify_secure_backup', {backup_file: archivePath})
    expect(full).toMatchObject({
      kind: 'result',
      structured: {sidecar: 'ok', contents: 'ok', files: 2, bytes: 11, valid: true, message: 'Backup integrity verified: decrypted, and every file matches its recorded SHA-256.'},
    })
    // Every field of the result is declared in the tool's output schema, seed 000's included.
    expect(VerifyArchiveOutput.strict().safeParse((full as {structured: unknown}).structured).success).toBe(true)

    const preview = await run('restore_secure_backup', {backup_file: archivePath, output_directory: 'restored'})
    expect(preview).toMatchObject({kind: 'result', structured: {status: 'preview', dryRun: true, target: 'missing', files: 2, bytes: 11, to: join(allowed, 'restored')}})
    expect(existsSync(join(allowed, 'restored'))).toBe(false)
  })

  it('reports a key that does not fit as WRONG_KEY', async () => {
    const otherKey = join(root, 'keys', 'other.txt')
    writeNewIdentity(otherKey)
    const other = await openArchiveServices({allowDirs: [allowed], identityFiles: [otherKey], hatchVersion: 'test'})
    expect(code(await run('verify_secure_backup', {backup_file: archivePath}, other))).toBe('WRONG_KEY')
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
    for (const dir of cases) expect([dir, code(await run('list_backups', {backup_directory: dir}))]).toEqual([dir, 'PERMISSION_DENIED'])
    for (const archive of [join(evil, 'first.tar.gz.age'), 'link-out/first.tar.gz.age', '../outside/first.tar.gz.age', join(outside, 'first.tar.gz.age')]) {
      expect([archive, code(await run('verify_secure_backup', {backup_file: archive}))]).toEqual([archive, 'PERMISSION_DENIED'])
      expect([archive, code(await run('restore_secure_backup', {backup_file: archive, output_directory: 'r1'}))]).toEqual([archive, 'PERMISSION_DENIED'])
    }
    for (const source of [join(evil), 'link-out/src', '../outside/src', join(outside, 'src')]) {
      expect([source, code(await run('create_secure_backup', {source_directory: source, output_directory: 'out1'}))]).toEqual([source, 'PERMISSION_DENIED'])
    }
    expect(code(await run('list_backups', {backup_directory: 'src\0/../../outside'}))).toBe('INVALID_ARGUMENT')
    expect(code(await run('verify_secure_backup', {backup_file: 'backups/first\0.tar.gz.age'}))).toBe('INVALID_ARGUMENT')
    // Encoded variants are not decoded: they name a (missing) entry inside the allowed dir.
    for (const dir of ['..%2foutside', '%2e%2e/outside', '..\\outside']) expect(code(await run('list_backups', {backup_directory: dir}))).toBe('CONFIG_NOT_FOUND')
    expect(existsSync(join(allowed, 'r1')) || existsSync(join(allowed, 'out1'))).toBe(false)
  })

  it('refuses writes outside: sibling prefix, symlink out, dangling symlink, "..", absolute, NUL, the root itself', async () => {
    const before = {outside: tree(outside), evil: tree(evil), root: tree(root)}
    const targets = [join(evil, 'x'), 'link-out/x', 'link-out', 'dangling', 'dangling/x', '../outside/x', 'src/../../outside/x', join(outside, 'x'), '/tmp/hatch-escape-x']
    for (const t of targets) {
      expect([t, code(await run('create_secure_backup', {source_directory: 'src', output_directory: t, backup_name: 'escape'}))]).toEqual([t, 'PERMISSION_DENIED'])
      expect([t, code(await run('restore_secure_backup', {backup_file: archivePath, output_directory: t}))]).toEqual([t, 'PERMISSION_DENIED'])
    }
    expect(code(await run('create_secure_backup', {source_directory: 'src', output_directory: 'out\0/../../outside'}))).toBe('INVALID_ARGUMENT')
    expect(code(await run('restore_secure_backup', {backup_file: archivePath, output_directory: 'r\0x'}))).toBe('INVALID_ARGUMENT')
    expect(code(await run('restore_secure_backup', {backup_file: archivePath, output_directory: allowed}))).toBe('PERMISSION_DENIED')
    expect(code(await run('restore_secure_backup', {backup_file: archivePath, output_directory: '.'}))).toBe('PERMISSION_DENIED')
    expect({outside: tree(outside), evil: tree(evil), root: tree(root)}).toEqual(before)
    expect(existsSync(join(outside, 'nowhere'))).toBe(false)
    expect(existsSync('/tmp/hatch-escape-x')).toBe(false)
  })

  it('works through an allowed dir that is itself a symlink (canonical form)', async () => {
    const linkRoot = join(root, 'allowed-link')
    symlinkSync(allowed, linkRoot)
    const viaLink = await openArchiveServices({allowDirs: [linkRoot], hatchVersion: 'test'})
    expect(await run('list_backups', {backup_directory: join(linkRoot, 'backups')}, viaLink)).toMatchObject({kind: 'result', structured: {dir: join(allowed, 'backups')}})
    expect(code(await run('list_backups', {backup_directory: join(linkRoot, 'link-out')}, viaLink))).toBe('PERMISSION_DENIED')
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
      await run('verify_secure_backup', {backup_file: archivePath}, pass, 'read', audit), // X25519 archive, scrypt key
      await run('verify_secure_backup', {backup_file: join(outside, 'first.tar.gz.age')}, pass, 'read', audit),
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

describe('seed 000 contract: argument names and result fields', () => {
  const def = (name: string) => ALL_TOOLS.find((t) => t.name === name)!

  it('take seed 000\'s argument names, and refuse the old camelCase ones', () => {
    const accepted: Array<[string, Record<string, unknown>]> = [
      ['create_secure_backup', {source_directory: 's', output_directory: 'o', backup_name: 'n'}],
      ['restore_secure_backup', {backup_file: 'a.tar.gz.age', output_directory: 'o', overwrite: true, confirmation_token: 't'}],
      ['verify_secure_backup', {backup_file: 'a.tar.gz.age', metadata_file: 'a.json', check_contents: false}],
      ['list_backups', {backup_directory: 'b'}],
    ]
    for (const [name, args] of accepted) expect(def(name).input.safeParse(args).success, name).toBe(true)
    const refused: Array<[string, Record<string, unknown>]> = [
      ['create_secure_backup', {source: 's', outputDir: 'o'}],
      ['create_secure_backup', {source_directory: 's', output_directory: 'o', name: 'n'}],
      ['restore_secure_backup', {archive: 'a.tar.gz.age', to: 'o'}],
      ['restore_secure_backup', {backup_file: 'a.tar.gz.age', output_directory: 'o', confirmationToken: 't'}],
      ['verify_secure_backup', {backup_file: 'a.tar.gz.age', checkContents: false}],
      ['list_backups', {dir: 'b'}],
    ]
    for (const [name, args] of refused) expect(def(name).input.safeParse(args).success, JSON.stringify([name, args])).toBe(false)
  })

  it('create and verify return seed 000\'s fields beside hatch\'s', async () => {
    const made = await run('create_secure_backup', {source_directory: 'src', output_directory: 'seed', backup_name: 'seeded'})
    expect(made.kind).toBe('result')
    const s = (made as {structured: Record<string, any>}).structured
    expect(s).toMatchObject({
      backup_file: join(allowed, 'seed', 'seeded.tar.gz.age'),
      metadata_file: join(allowed, 'seed', 'seeded.json'),
      original_size: 11,
      compressed_size: s.archiveSize,
      file_count: 2,
      created_at: s.createdAt,
      archive: join(allowed, 'seed', 'seeded.tar.gz.age'),
      fileCount: 2,
    })
    // Percent saved, as seed 000 computes it: an 11-byte tree grows when archived, so it is negative here.
    expect(s.compression_ratio).toBe(Math.round((1 - s.archiveSize / 11) * 1000) / 10)

    const verified = await run('verify_secure_backup', {backup_file: 'seed/seeded.tar.gz.age'})
    expect(verified).toMatchObject({
      kind: 'result',
      structured: {contents: 'ok', backup_file: s.backup_file, metadata_file: s.metadata_file, file_count: 2, original_size: 11, compressed_size: s.archiveSize, created_at: s.createdAt},
    })
  })

  it('verify checks against metadata_file when given, inside the allowed directories only', async () => {
    await run('create_secure_backup', {source_directory: 'src', output_directory: 'meta', backup_name: 'm'})
    mkdirSync(join(allowed, 'meta-elsewhere'), {recursive: true})
    copyFileSync(join(allowed, 'meta', 'm.json'), join(allowed, 'meta-elsewhere', 'm-metadata.json'))
    copyFileSync(join(allowed, 'meta', 'm.json'), join(outside, 'm-metadata.json'))
    const given = await run('verify_secure_backup', {backup_file: 'meta/m.tar.gz.age', metadata_file: 'meta-elsewhere/m-metadata.json', check_contents: false})
    expect(given).toMatchObject({kind: 'result', structured: {sidecar: 'ok', metadata_file: join(allowed, 'meta-elsewhere', 'm-metadata.json')}})
    // Another archive's sidecar does not vouch for this one.
    expect(code(await run('verify_secure_backup', {backup_file: archivePath, metadata_file: 'meta-elsewhere/m-metadata.json', check_contents: false}))).toBe('CHECKSUM_MISMATCH')
    expect(code(await run('verify_secure_backup', {backup_file: 'meta/m.tar.gz.age', metadata_file: join(outside, 'm-metadata.json')}))).toBe('PERMISSION_DENIED')
    expect(code(await run('verify_secure_backup', {backup_file: 'meta/m.tar.gz.age', metadata_file: 'meta-elsewhere/none.json'}))).toBe('CONFIG_NOT_FOUND')
  })

  it('list_backups returns backups: [{name, created_at, size, compression_ratio, backup_file}], newest first', async () => {
    for (const name of ['older', 'newer']) {
      await run('create_secure_backup', {source_directory: 'src', output_directory: 'listing', backup_name: name})
      await new Promise((r) => setTimeout(r, 5))
    }
    const listed = await run('list_backups', {backup_directory: 'listing'})
    expect(listed.kind).toBe('result')
    const s = (listed as {structured: Record<string, any>}).structured
    expect(s.backup_directory).toBe(join(allowed, 'listing'))
    expect(s.backup_count).toBe(2)
    expect(s.backups.map((b: {name: string}) => b.name)).toEqual(['newer', 'older'])
    const [first] = s.archives
    expect(s.backups[0]).toEqual({name: 'newer', created_at: first.createdAt, size: first.archiveSize, compression_ratio: Math.round((1 - first.archiveSize / first.originalSize) * 1000) / 10, backup_file: first.path})
  })
})

describe('seed 000\'s password argument', () => {
  const SECRET = 'pa55-in-a-chat-transcript-3141'

  it('is refused by default, saying why and what to do instead; nothing is done and the value shows nowhere', async () => {
    const audit = AuditLog.open(join(root, 'logs-password-refused'))
    const calls: Array<[string, Record<string, unknown>]> = [
      ['create_secure_backup', {source_directory: 'src', output_directory: 'pw-refused', password: SECRET}],
      ['verify_secure_backup', {backup_file: archivePath, password: SECRET}],
      ['restore_secure_backup', {backup_file: archivePath, output_directory: 'pw-restored', password: SECRET}],
    ]
    for (const [name, args] of calls) {
      const result = await run(name, args, keys, 'destructive', audit)
      expect(code(result), name).toBe('PERMISSION_DENIED')
      const text = result.kind === 'error' ? result.content.join('\n') : ''
      expect(text).toMatch(/transcript/)
      expect(text).toMatch(/--passphrase-file/)
      expect(text).toMatch(/--allow-password-argument/)
      // The advice as the client gets it, after masking: whole, not cut at "password:" into a masked secret.
      expect(result.kind === 'error' && result.error.suggestions[0]).toBe('Call the tool again and leave password out; the server uses its own key.')
      expect(text).toContain('\nTry this: Call the tool again and leave password out; the server uses its own key.\n')
      expect(text).not.toContain('[REDACTED')
      expect(JSON.stringify(result)).not.toContain(SECRET)
    }
    expect(existsSync(join(allowed, 'pw-refused')) || existsSync(join(allowed, 'pw-restored'))).toBe(false)
    const log = readFileSync(audit.file, 'utf8')
    expect(log).not.toContain(SECRET)
    expect(log.trim().split('\n').map((l) => JSON.parse(l).arguments.password)).toEqual(['[REDACTED:secret]', '[REDACTED:secret]', '[REDACTED:secret]'])
  })

  it('with --allow-password-argument: a passphrase archive (age, scrypt) made, verified and restored with it', async () => {
    const allowing = await openArchiveServices({allowDirs: [allowed], passwordArgument: true, hatchVersion: 'test'})
    // No server key: create and restore are offered all the same, since a call may bring its password.
    expect(toolsFor('destructive', ALL_TOOLS, {archive: allowing}).map((t) => t.name)).toEqual(expect.arrayContaining(['create_secure_backup', 'restore_secure_backup']))
    const audit = AuditLog.open(join(root, 'logs-password'))
    const made = await run('create_secure_backup', {source_directory: 'src', output_directory: 'pw', backup_name: 'pw', password: SECRET}, allowing, 'destructive', audit)
    expect(made).toMatchObject({kind: 'result', structured: {encryption: {kind: 'passphrase', kdf: 'scrypt'}, file_count: 2}})
    const archive = join(allowed, 'pw', 'pw.tar.gz.age')
    expect(await run('verify_secure_backup', {backup_file: archive, password: SECRET}, allowing, 'read', audit)).toMatchObject({kind: 'result', structured: {contents: 'ok', files: 2}})
    expect(code(await run('verify_secure_backup', {backup_file: archive, password: 'not it'}, allowing, 'read', audit))).toBe('WRONG_KEY')
    // Without a password and without a server key: the sidecar check only; a restore says what is missing.
    expect(await run('verify_secure_backup', {backup_file: archive}, allowing, 'read', audit)).toMatchObject({kind: 'result', structured: {contents: 'not-checked'}})
    const keyless = await run('restore_secure_backup', {backup_file: archive, output_directory: 'pw-out'}, allowing, 'destructive', audit)
    expect(code(keyless)).toBe('INVALID_ARGUMENT')
    expect(keyless.kind === 'error' && keyless.error.suggestions.at(-1)).toBe('Or give the call a password argument; this server accepts one.')

    const preview = await run('restore_secure_backup', {backup_file: archive, output_directory: 'pw-out', password: SECRET}, allowing, 'destructive', audit)
    expect(preview).toMatchObject({kind: 'result', structured: {status: 'preview', backup_file: archive, restored_to: join(allowed, 'pw-out')}})
    const token = (preview as unknown as {structured: {confirmation_token: string}}).structured.confirmation_token
    // The token does not carry the password (not even a digest of it): the state is bound, not the key.
    const done = await run('restore_secure_backup', {backup_file: archive, output_directory: 'pw-out', password: SECRET, confirmation_token: token}, allowing, 'destructive', audit)
    expect(done).toMatchObject({kind: 'result', structured: {status: 'restored', files: 2, file_count: 2, verified: true}})
    expect(readFileSync(join(allowed, 'pw-out', 'a.txt'), 'utf8')).toBe('alpha\n')

    const log = readFileSync(audit.file, 'utf8')
    expect(log).not.toContain(SECRET)
    for (const line of log.trim().split('\n').map((l) => JSON.parse(l))) {
      if ('password' in line.arguments) expect(line.arguments.password).toBe('[REDACTED:secret]')
    }
    expect(JSON.stringify([made, preview, done])).not.toContain(SECRET)
  })
})
