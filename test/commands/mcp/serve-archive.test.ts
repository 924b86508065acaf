import {existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {writeNewIdentity} from '../../../src/core/archive/index.js'
import {makeSandbox, runCli, type Sandbox} from '../../helpers/cli.js'
import {auditDir, call, serve, text, type Served} from './serve-helpers.js'

const READ_TOOLS = ['list_hosts', 'list_host_config_backups', 'verify_host_config_backups', 'diff_host_config_backup', 'list_servers']
const PASSPHRASE = 'tr0ub4dor&3-never-shown'

let sandbox: Sandbox
let allowed: string
let outside: string
let evil: string
let keyFile: string
let recipient: string

function tree(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, {recursive: true}) as string[]).sort() : []
}

beforeEach(async () => {
  sandbox = await makeSandbox('hatch-serve-archive-')
  allowed = join(sandbox.root, 'allowed')
  outside = join(sandbox.root, 'outside')
  evil = join(sandbox.root, 'allowed-evil')
  for (const d of [join(allowed, 'docs', 'sub'), join(outside, 'src'), evil]) mkdirSync(d, {recursive: true})
  writeFileSync(join(allowed, 'docs', 'notes.txt'), 'notes\n')
  writeFileSync(join(allowed, 'docs', 'sub', 'todo.txt'), 'todo\n')
  writeFileSync(join(outside, 'src', 'private.txt'), 'outside\n')
  symlinkSync(outside, join(allowed, 'link-out'))
  symlinkSync(join(outside, 'nowhere'), join(allowed, 'dangling'))
  keyFile = join(sandbox.home, '.config', 'hatch', 'archive-key.txt')
  recipient = writeNewIdentity(keyFile).recipient
})
afterEach(async () => {
  await sandbox.cleanup()
})

async function names(args: string[]): Promise<string[]> {
  const served = await serve(sandbox, args)
  try {
    return (await served.client.listTools()).tools.map((t) => t.name)
  } finally {
    await served.close()
  }
}

describe('hatch mcp serve: archive tools', () => {
  it('are offered only with --allow-dir, per privilege level and key', async () => {
    expect(await names(['--allow-destructive'])).not.toContain('list_backups')
    expect(await names(['--allow-dir', allowed])).toEqual([...READ_TOOLS, 'list_backups', 'verify_secure_backup'])
    const served = await serve(sandbox, ['--allow-destructive', '--allow-dir', allowed, '--recipient', recipient, '--identity', keyFile])
    try {
      const {tools} = await served.client.listTools()
      const hints = Object.fromEntries(tools.map((t) => [t.name, t.annotations]))
      expect(tools.map((t) => t.name).slice(-4)).toEqual(['list_backups', 'verify_secure_backup', 'create_secure_backup', 'restore_secure_backup'])
      expect(hints.list_backups).toMatchObject({readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false})
      expect(hints.verify_secure_backup).toMatchObject({readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false})
      expect(hints.create_secure_backup).toMatchObject({readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false})
      expect(hints.restore_secure_backup).toMatchObject({readOnlyHint: false, destructiveHint: true, openWorldHint: false})
      for (const t of tools) expect(t.inputSchema.additionalProperties, t.name).toBe(false)
    } finally {
      await served.close()
    }
    // Key flags without --allow-dir are a mistake, said at start (exit 2), not silently ignored.
    const refused = await runCli(['mcp', 'serve', '--recipient', recipient], {env: sandbox.env})
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/--allow-dir/)
  })

  it('creates, lists, verifies and restores (preview, token, reuse refused) inside the allowed dir only', async () => {
    const served = await serve(sandbox, ['--allow-destructive', '--allow-dir', allowed, '--recipient', recipient, '--identity', keyFile])
    let archive: string
    try {
      const made = await call(served, 'create_secure_backup', {source_directory: 'docs', output_directory: 'backups', backup_name: 'docs-1'})
      expect(made.isError, text(made)).toBeFalsy()
      archive = made.structuredContent!.archive
      expect(made.structuredContent).toMatchObject({name: 'docs-1', fileCount: 2, archive: join(allowed, 'backups', 'docs-1.tar.gz.age'), encryption: {kind: 'x25519', recipients: [recipient]}})

      const listed = await call(served, 'list_backups', {backup_directory: 'backups'})
      expect(listed.structuredContent).toMatchObject({kind: 'archives', allowedDirs: [allowed], archives: [{name: 'docs-1', path: archive}]})
      const verified = await call(served, 'verify_secure_backup', {backup_file: archive})
      expect(verified.structuredContent).toMatchObject({sidecar: 'ok', contents: 'ok', files: 2})

      const to = join(allowed, 'restored')
      const preview = await call(served, 'restore_secure_backup', {backup_file: archive, output_directory: 'restored'})
      expect(preview.structuredContent).toMatchObject({status: 'preview', dryRun: true, to, target: 'missing', files: 2, bytes: 11})
      expect(existsSync(to)).toBe(false)
      const token = preview.structuredContent!.confirmation_token as string
      const altered = await call(served, 'restore_secure_backup', {backup_file: archive, output_directory: 'restored', overwrite: true, confirmation_token: token})
      expect(text(altered)).toMatch(/^CONFIRMATION_REQUIRED: .*different arguments/)
      const done = await call(served, 'restore_secure_backup', {backup_file: archive, output_directory: 'restored', confirmation_token: token})
      expect(done.structuredContent).toMatchObject({status: 'restored', dryRun: false, to, files: 2, verified: true})
      expect(readFileSync(join(to, 'sub', 'todo.txt'), 'utf8')).toBe('todo\n')
      const reused = await call(served, 'restore_secure_backup', {backup_file: archive, output_directory: 'restored', confirmation_token: token})
      expect(reused.isError).toBe(true)
      expect(text(reused)).toMatch(/^CONFLICT: .*not empty|CONFIRMATION_REQUIRED/)
      // Empty the target again, so only single use can refuse the token now.
      await import('node:fs/promises').then((fs) => fs.rm(to, {recursive: true}))
      const reusedAgain = await call(served, 'restore_secure_backup', {backup_file: archive, output_directory: 'restored', confirmation_token: token})
      expect(text(reusedAgain)).toMatch(/already been used/)
      expect(existsSync(to)).toBe(false)

      // A passphrase (or any key) is never an argument: the schema refuses it.
      const smuggled = await call(served, 'create_secure_backup', {source_directory: 'docs', output_directory: 'backups', passphrase: PASSPHRASE})
      expect(smuggled.isError).toBe(true)
      expect(text(smuggled)).toMatch(/Unrecognized key/)

      // Every escape of mcp.md §5, through the real server: each refused, nothing written outside.
      const before = {outside: tree(outside), evil: tree(evil), root: readdirSync(sandbox.root).sort()}
      const reads: Array<[string, Record<string, unknown>]> = [
        ['list_backups', {backup_directory: evil}],
        ['list_backups', {backup_directory: 'link-out'}],
        ['list_backups', {backup_directory: '../outside'}],
        ['list_backups', {backup_directory: outside}],
        ['verify_secure_backup', {backup_file: `${evil}/x.tar.gz.age`}],
        ['create_secure_backup', {source_directory: 'link-out/src', output_directory: 'backups'}],
        ['create_secure_backup', {source_directory: 'docs/../../outside/src', output_directory: 'backups'}],
      ]
      const writes: Array<[string, Record<string, unknown>]> = [
        ['create_secure_backup', {source_directory: 'docs', output_directory: join(evil, 'b')}],
        ['create_secure_backup', {source_directory: 'docs', output_directory: 'link-out/b'}],
        ['create_secure_backup', {source_directory: 'docs', output_directory: 'dangling'}],
        ['create_secure_backup', {source_directory: 'docs', output_directory: '../outside/b'}],
        ['create_secure_backup', {source_directory: 'docs', output_directory: outside}],
        ['restore_secure_backup', {backup_file: archive, output_directory: join(evil, 'r')}],
        ['restore_secure_backup', {backup_file: archive, output_directory: 'link-out/r'}],
        ['restore_secure_backup', {backup_file: archive, output_directory: 'dangling'}],
        ['restore_secure_backup', {backup_file: archive, output_directory: 'sub/../../outside/r'}],
        ['restore_secure_backup', {backup_file: archive, output_directory: join(outside, 'r')}],
        ['restore_secure_backup', {backup_file: archive, output_directory: allowed}],
      ]
      for (const [tool, args] of [...reads, ...writes]) {
        const r = await call(served, tool, args)
        expect([tool, args, r.isError, text(r).split(':')[0]]).toEqual([tool, args, true, 'PERMISSION_DENIED'])
        // The message names only the path given, never where a link leads.
        if (!JSON.stringify(args).includes(outside)) expect(text(r)).not.toContain(outside)
      }
      for (const [tool, args] of [
        ['list_backups', {backup_directory: 'backups\0/../../outside'}],
        ['restore_secure_backup', {backup_file: archive, output_directory: 'r\0'}],
      ] as const) {
        expect(text(await call(served, tool, args))).toMatch(/^INVALID_ARGUMENT: .*NUL/)
      }
      expect(text(await call(served, 'list_backups', {backup_directory: '..%2Foutside'}))).toMatch(/^CONFIG_NOT_FOUND: /) // not decoded
      expect({outside: tree(outside), evil: tree(evil), root: readdirSync(sandbox.root).sort()}).toEqual(before)
      expect(existsSync(join(outside, 'nowhere'))).toBe(false)
    } finally {
      await served.close()
    }
    const lines = readFileSync(join(auditDir(sandbox), 'mcp-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(lines.filter((l) => l.tool === 'restore_secure_backup').slice(0, 4).map((l) => l.outcome)).toEqual(['preview', 'error', 'ok', 'error'])
  })

  it('takes the passphrase from a file at start: never in results, errors, stderr or the audit log', async () => {
    const passFile = join(sandbox.home, 'pass.txt')
    writeFileSync(passFile, `${PASSPHRASE}\n`, {mode: 0o600})
    // An archive made for a key, to exercise a decryption failure with the passphrase.
    const keyed = await serve(sandbox, ['--allow-write', '--allow-dir', allowed, '--recipient', recipient])
    const archive = (await call(keyed, 'create_secure_backup', {source_directory: 'docs', output_directory: 'backups', backup_name: 'k'})).structuredContent!.archive as string
    await keyed.close()

    let served: Served | undefined
    const seen: string[] = []
    try {
      served = await serve(sandbox, ['--allow-write', '--allow-dir', allowed, '--passphrase-file', passFile])
      const names = (await served.client.listTools()).tools.map((t) => t.name)
      expect(names).toEqual(expect.arrayContaining(['list_backups', 'verify_secure_backup', 'create_secure_backup']))
      const results = [
        await call(served, 'list_backups', {backup_directory: 'backups'}),
        await call(served, 'verify_secure_backup', {backup_file: archive}),
        await call(served, 'verify_secure_backup', {backup_file: archive, check_contents: false}),
        await call(served, 'create_secure_backup', {source_directory: 'docs', output_directory: 'backups', passphrase: PASSPHRASE}),
      ]
      expect(results.map((r) => (r.isError ? text(r).split(':')[0] : 'ok'))).toEqual(['ok', 'WRONG_KEY', 'ok', 'Input validation error'])
      seen.push(...results.map((r) => JSON.stringify(r)), served.stderr())
    } finally {
      await served?.close()
    }
    for (const s of seen) expect(s).not.toContain(PASSPHRASE)
    const audit = readFileSync(join(auditDir(sandbox), 'mcp-audit.jsonl'), 'utf8')
    expect(audit).toContain('verify_secure_backup')
    expect(audit).not.toContain(PASSPHRASE)

    // A passphrase file others can read is refused at start, without echoing it.
    writeFileSync(join(sandbox.home, 'loose.txt'), `${PASSPHRASE}\n`, {mode: 0o644})
    const loose = await runCli(['mcp', 'serve', '--allow-dir', allowed, '--passphrase-file', join(sandbox.home, 'loose.txt')], {env: sandbox.env})
    expect(loose.code).not.toBe(0)
    expect(loose.stderr).toMatch(/other users/)
    expect(loose.stderr + loose.stdout).not.toContain(PASSPHRASE)
  })

  it('refuses the password argument by default; --allow-password-argument takes it, masked and never echoed', async () => {
    const SECRET = 'typed-into-the-chat-2718'
    const strict = await serve(sandbox, ['--allow-write', '--allow-dir', allowed, '--recipient', recipient])
    let refusedText: string
    try {
      const refused = await call(strict, 'create_secure_backup', {source_directory: 'docs', output_directory: 'backups', password: SECRET})
      expect(refused.isError).toBe(true)
      refusedText = text(refused)
      expect(refusedText).toMatch(/^PERMISSION_DENIED: .*transcript/)
      expect(refusedText).toMatch(/--allow-password-argument/)
      expect(existsSync(join(allowed, 'backups'))).toBe(false)
    } finally {
      await strict.close()
    }

    const served = await serve(sandbox, ['--allow-write', '--allow-dir', allowed, '--allow-password-argument'])
    const seen: string[] = [refusedText]
    try {
      expect((await served.client.listTools()).tools.map((t) => t.name)).toContain('create_secure_backup')
      const made = await call(served, 'create_secure_backup', {source_directory: 'docs', output_directory: 'backups', backup_name: 'pw', password: SECRET})
      expect(made.isError, text(made)).toBeFalsy()
      expect(made.structuredContent).toMatchObject({encryption: {kind: 'passphrase', kdf: 'scrypt'}, backup_file: join(allowed, 'backups', 'pw.tar.gz.age'), file_count: 2})
      const verified = await call(served, 'verify_secure_backup', {backup_file: 'backups/pw.tar.gz.age', password: SECRET})
      expect(verified.structuredContent).toMatchObject({contents: 'ok', files: 2})
      const listed = await call(served, 'list_backups', {backup_directory: 'backups'})
      expect(listed.structuredContent!.backups).toEqual([expect.objectContaining({name: 'pw', backup_file: join(allowed, 'backups', 'pw.tar.gz.age')})])
      seen.push(...[made, verified, listed].map((r) => JSON.stringify(r)), served.stderr())
    } finally {
      await served.close()
    }
    for (const s of seen) expect(s).not.toContain(SECRET)
    const audit = readFileSync(join(auditDir(sandbox), 'mcp-audit.jsonl'), 'utf8')
    expect(audit).not.toContain(SECRET)
    expect(audit.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => 'password' in l.arguments).map((l) => l.arguments.password)).toEqual(Array(3).fill('[REDACTED:secret]'))

    // The flag is for the archive tools: without --allow-dir it is a mistake, said at start.
    const alone = await runCli(['mcp', 'serve', '--allow-password-argument'], {env: sandbox.env})
    expect(alone.code).toBe(2)
    expect(alone.stderr).toMatch(/--allow-password-argument is for the archive tools/)
  })
})
