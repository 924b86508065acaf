import {appendFile, mkdir, mkdtemp, readdir, rm, stat, symlink} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {AuditLog} from '../../../src/core/audit/log.js'
import {parseSince, readAuditLog} from '../../../src/core/audit/read.js'

const caller = {transport: 'stdio' as const, user: 'me', uid: 1000, client: 'test 1'}
let dir: string
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'hatch-audit-')), 'logs')
})
afterEach(async () => {
  await rm(join(dir, '..'), {recursive: true, force: true})
})

describe('audit log', () => {
  it('writes one masked JSON line per call, in a 0700 folder and a 0600 file', async () => {
    const log = AuditLog.open(dir)
    const args = {
      email: 'kim@example.com',
      phone: '010-1234-5678',
      rrn: '900101-1234567',
      card: '4111 1111 1111 1111',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl',
      apiKey: 'not-a-pattern-but-a-secret-name',
      id: '20261121_165100_123456',
    }
    log.append({tool: 'list_hosts', caller, arguments: args, outcome: 'ok', durationMs: 1.23, time: new Date('2026-11-21T10:00:00Z')})
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    expect((await stat(log.file)).mode & 0o777).toBe(0o600)
    const {records} = readAuditLog(dir)
    expect(records).toHaveLength(1)
    const masked = records[0]!.arguments as Record<string, string>
    for (const key of ['email', 'phone', 'rrn', 'card', 'jwt', 'apiKey']) expect(masked[key], key).toMatch(/\[REDACTED:/)
    expect(masked.id).toBe(args.id) // a backup id is not a card number
    expect(records[0]).toMatchObject({tool: 'list_hosts', outcome: 'ok', errorCode: null, durationMs: 1.2, caller})
  })

  it('reads since a time, skipping torn lines', async () => {
    const log = AuditLog.open(dir)
    log.append({tool: 'a', caller, arguments: {}, outcome: 'ok', durationMs: 1, time: new Date('2026-11-01T00:00:00Z')})
    await appendFile(log.file, '{"time": "2026-11-\n')
    log.append({tool: 'b', caller, arguments: {}, outcome: 'error', errorCode: 'LOCKED', durationMs: 1, time: new Date('2026-11-20T00:00:00Z')})
    expect(readAuditLog(dir)).toMatchObject({skipped: 1, records: [{tool: 'a'}, {tool: 'b'}]})
    expect(readAuditLog(dir, {since: new Date('2026-11-10T00:00:00Z')}).records.map((r) => r.tool)).toEqual(['b'])
    expect(readAuditLog(join(dir, 'none'))).toEqual({records: [], skipped: 0})
  })

  it('parses --since as a duration or a date, and refuses anything else', () => {
    const now = new Date('2026-11-21T12:00:00Z')
    expect(parseSince('12h', now).toISOString()).toBe('2026-11-21T00:00:00.000Z')
    expect(parseSince('7d', now).toISOString()).toBe('2026-11-14T12:00:00.000Z')
    expect(parseSince('2026-11-01', now).toISOString()).toBe('2026-11-01T00:00:00.000Z')
    expect(() => parseSince('yesterday', now)).toThrow(/--since/)
    expect(() => parseSince('-5d', now)).toThrow(/--since/)
  })
})

describe('audit log folder: symbolic links (as the backup store refuses them)', () => {
  /** `<tmp>/home/.hatch` as a link to `<tmp>/elsewhere`; the log folder would be `.hatch/logs`. */
  async function linkedHome(): Promise<{home: string; logs: string; elsewhere: string}> {
    const base = join(dir, '..')
    const elsewhere = join(base, 'elsewhere')
    await mkdir(elsewhere)
    await mkdir(join(base, 'home'))
    const home = join(base, 'home', '.hatch')
    await symlink(elsewhere, home)
    return {home, logs: join(home, 'logs'), elsewhere}
  }

  it('refuses hatch\'s home as a link when HATCH_HOME did not name it, writing nothing through it', async () => {
    const {home, logs, elsewhere} = await linkedHome()
    let error: unknown
    try {
      AuditLog.open(logs, {hatchFolder: {home}})
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({code: 'PERMISSION_DENIED', message: `${home} is a symbolic link; hatch keeps its audit log only in real folders, so it does not follow it (nor change its target's permissions).`})
    expect((error as {suggestions: string[]}).suggestions[0]).toBe(`To keep hatch's files where the link points, name that folder explicitly: HATCH_HOME=${home}`)
    expect(await readdir(elsewhere)).toEqual([])
  })

  it('follows it when HATCH_HOME named it, or the folder is not hatch\'s own (HATCH_LOG_DIR)', async () => {
    const {logs, elsewhere} = await linkedHome()
    AuditLog.open(logs, {hatchFolder: {}})
    AuditLog.open(logs)
    expect(await readdir(join(elsewhere, 'logs'))).toEqual(['mcp-audit.jsonl'])
  })

  it('refuses a logs folder that is a link, even under a named home', async () => {
    const base = join(dir, '..')
    await mkdir(join(base, 'target'))
    await symlink(join(base, 'target'), dir)
    expect(() => AuditLog.open(dir, {hatchFolder: {}})).toThrow(expect.objectContaining({code: 'PERMISSION_DENIED', message: expect.stringContaining(`${dir} is a symbolic link`)}))
    expect(await readdir(join(base, 'target'))).toEqual([])
  })
})
