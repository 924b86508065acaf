import * as fs from 'node:fs'
import {dirname} from 'node:path'

import Database from 'better-sqlite3'

import {errnoCode, fsError, HatchError} from '../errors.js'
import {MIGRATIONS, SCHEMA_VERSION} from './migrations.js'
import {countersQuery, SQL, toCounter, toLimit, toToken, toRoles, toUsageTotal, usageTotalsQuery} from './sql.js'
import type {
  Admission,
  AdmissionResult,
  CounterRow,
  HatchStore,
  LimitRecord,
  NewLimit,
  NewToken,
  RevokeOutcome,
  TokenRecord,
  UsageFilter,
  UsageRow,
  UsageTotal,
} from './types.js'

/** `PRAGMA application_id` of a hatch store ("hatc"): tells hatch's database from any other SQLite file. */
export const APPLICATION_ID = 0x68617463
const FILE_MODE = 0o600
const DIR_MODE = 0o700

export interface SqliteStoreOptions {
  /** How long a write waits for another process's write to finish before failing (SQLite busy timeout). */
  busyTimeoutMs?: number
  /** Diagnostics (stderr); e.g. that the file's mode was tightened. */
  warn?: (message: string) => void
}

function invalid(path: string, why: string): HatchError {
  return new HatchError('STORE_INVALID', `${path} ${why}. hatch never replaces a store it cannot read.`, {
    suggestions: [
      `Move it aside (mv ${path} ${path}.broken) and start again: create the tokens anew with \`hatch auth token create\`.`,
      'Or point hatch at another store with --store PATH (or HATCH_STORE).',
    ],
  })
}

/** Maps SQLite's own error codes to hatch's: damage is STORE_INVALID, a lock held too long STORE_UNAVAILABLE. */
export function sqliteError(error: unknown, path: string): unknown {
  const code = (error as {code?: unknown})?.code
  if (code === 'SQLITE_NOTADB') return invalid(path, 'is not an SQLite database')
  if (code === 'SQLITE_CORRUPT') return invalid(path, 'is damaged (SQLite reports the database disk image is malformed)')
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new HatchError('STORE_UNAVAILABLE', `${path} stayed locked by another process for too long; nothing was changed.`, {
      cause: error,
      suggestions: ['Try again; if it keeps happening, check which hatch processes use this store.'],
    })
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) {
    return new HatchError('PERMISSION_DENIED', `${path} is read-only for this user; nothing was changed.`, {cause: error})
  }
  return error
}

/**
 * Creates the file mode 0600 in a 0700 folder, or checks the one that is there: a regular file (not a link, a FIFO
 * or a folder), owned by this user where the OS tells, its mode tightened to 0600 when it was looser.
 */
function prepareFile(path: string, warn?: (message: string) => void): void {
  const dir = dirname(path)
  try {
    const created = fs.mkdirSync(dir, {recursive: true, mode: DIR_MODE})
    if (created !== undefined) fs.chmodSync(dir, DIR_MODE)
  } catch (error) {
    throw fsError(error, 'create the folder of the store', dir)
  }
  let st: fs.Stats | undefined
  try {
    st = fs.lstatSync(path)
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw fsError(error, 'check the store', path)
  }
  if (st === undefined) {
    try {
      const fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, FILE_MODE)
      try {
        fs.fchmodSync(fd, FILE_MODE)
      } finally {
        fs.closeSync(fd)
      }
      return
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw fsError(error, 'create the store', path)
      st = fs.lstatSync(path) // another process created it first: check theirs like any existing file
    }
  }
  if (!st.isFile()) {
    const what = st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a folder' : 'not a regular file'
    throw new HatchError('INVALID_ARGUMENT', `The store ${path} is ${what}; hatch opens only a regular file there.`, {
      suggestions: ['Name the real file with --store PATH (or HATCH_STORE), or move this one aside.'],
    })
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new HatchError('PERMISSION_DENIED', `The store ${path} belongs to another user (uid ${st.uid}); hatch will not use it.`, {
      suggestions: ['Run hatch as the user who owns it, or name another store with --store PATH.'],
    })
  }
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    fs.chmodSync(path, FILE_MODE)
    warn?.(`${path} was readable by others (mode ${(st.mode & 0o777).toString(8)}); hatch set it to 600.`)
  }
}

/**
 * The embedded store: one SQLite file in WAL mode (readers never wait for the writer) with a busy timeout, so that
 * several hatch processes on one machine can share it. Opening applies any missing migrations in one
 * `BEGIN IMMEDIATE` transaction; a file that is damaged, is not hatch's, or was migrated by a newer hatch is refused
 * with STORE_INVALID and left exactly as it is. Writes that must be atomic (a call's check and count) run in
 * `BEGIN IMMEDIATE` transactions, which SQLite serializes across processes.
 */
export class SqliteStore implements HatchStore {
  readonly kind = 'sqlite' as const
  private readonly statements = new Map<string, Database.Statement>()
  private readonly admitTx: (a: Admission) => AdmissionResult

  private constructor(
    readonly location: string,
    readonly db: Database.Database,
  ) {
    const admit = db.transaction((a: Admission): AdmissionResult => {
      const upsert = this.stmt(SQL.upsertCounter)
      const used = a.counters.map((c) => (upsert.get(a.user, c.tool, c.period, c.periodKey) as {used: number}).used)
      const over = a.limits.find((l) => used[l.counter]! > l.limit)
      // Throwing rolls the transaction back: a refused call leaves every counter as it was.
      if (over !== undefined) throw new Refused({admitted: false, used: used.map((u) => u - 1), over: over.counter})
      return {admitted: true, used}
    })
    this.admitTx = (a) => admit.immediate(a)
  }

  /** Opens (creating when needed) the store at `path`. @throws HatchError STORE_INVALID, STORE_UNAVAILABLE, I/O errors */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    prepareFile(path, options.warn)
    let db: Database.Database | undefined
    try {
      db = new Database(path, {fileMustExist: true, timeout: options.busyTimeoutMs ?? 5000})
      // Read-only checks first: nothing, not even the journal mode, is changed in a file that is not hatch's.
      const fresh = checkIdentity(db, path)
      db.pragma('journal_mode = WAL')
      // NORMAL in WAL mode: a commit survives the process crashing; only a power cut can lose the newest commits.
      db.pragma('synchronous = NORMAL')
      db.pragma('foreign_keys = ON')
      migrate(db, path, fresh)
      return new SqliteStore(path, db)
    } catch (error) {
      db?.close()
      throw sqliteError(error, path)
    }
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql)
    if (statement === undefined) this.statements.set(sql, (statement = this.db.prepare(sql)))
    return statement
  }

  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn())
    } catch (error) {
      return Promise.reject(sqliteError(error, this.location))
    }
  }

  private all(sql: string, ...params: unknown[]): Array<Record<string, unknown>> {
    return this.stmt(sql).all(...params) as Array<Record<string, unknown>>
  }

  insertToken(t: NewToken): Promise<void> {
    return this.run(() => {
      this.stmt(SQL.insertToken).run(t.id, t.hash, t.user, t.role, t.scopes.join(' '), t.createdAt, t.expiresAt)
    })
  }

  tokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.run(() => this.all(SQL.tokenByHash, hash).map(toToken)[0])
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.run(() => this.all(SQL.listTokens).map(toToken))
  }

  revokeToken(id: string, at: number): Promise<RevokeOutcome> {
    return this.run(() => {
      if (this.stmt(SQL.revokeToken).run(at, id).changes === 1) return 'revoked'
      return this.all(SQL.tokenExists, id).length === 0 ? 'not-found' : 'already-revoked'
    })
  }

  touchToken(id: string, at: number): Promise<void> {
    return this.run(() => {
      this.stmt(SQL.touchToken).run(at, id, at)
    })
  }

  setLimit(r: NewLimit, id: string, now: number): Promise<LimitRecord> {
    return this.run(() => toLimit(this.all(SQL.setLimit, id, r.subjectType, r.subject, r.tool, r.period, r.limit, now, now)[0]!))
  }

  listLimits(): Promise<LimitRecord[]> {
    return this.run(() => this.all(SQL.listLimits).map(toLimit))
  }

  removeLimit(id: string): Promise<boolean> {
    return this.run(() => this.stmt(SQL.removeLimit).run(id).changes === 1)
  }

  limitsFor(user: string, role: string | null): Promise<LimitRecord[]> {
    return this.run(() => this.all(SQL.limitsFor, user, role ?? '').map(toLimit))
  }

  admit(admission: Admission): Promise<AdmissionResult> {
    try {
      return Promise.resolve(this.admitTx(admission))
    } catch (error) {
      if (error instanceof Refused) return Promise.resolve(error.result)
      return Promise.reject(sqliteError(error, this.location))
    }
  }

  counters(filter: {user?: string; periodKeys: string[]}): Promise<CounterRow[]> {
    const q = countersQuery(filter)
    return this.run(() => this.all(q.sql, ...q.params).map(toCounter))
  }

  recordUsage(rows: readonly UsageRow[]): Promise<void> {
    return this.run(() =>
      this.db.transaction(() => {
        const insert = this.stmt(SQL.recordUsage)
        for (const u of rows) insert.run(u.at, u.user, u.role, u.tokenId, u.tool, u.outcome, u.durationMs)
      })(),
    )
  }

  usageTotals(filter: UsageFilter): Promise<UsageTotal[]> {
    const q = usageTotalsQuery(filter)
    return this.run(() => this.all(q.sql, ...q.params).map(toUsageTotal))
  }

  recentRoles(user?: string): Promise<Map<string, string | null>> {
    return this.run(() => toRoles(user === undefined ? this.all(SQL.recentRoles) : this.all(SQL.recentRole, user, user)))
  }

  pruneUsage(before: number, keep: {dayKey: string; monthKey: string}): Promise<{rows: number; counters: number}> {
    return this.run(() =>
      this.db.transaction(() => ({
        rows: this.stmt(SQL.pruneUsage).run(before).changes,
        counters: this.stmt(SQL.pruneCounters).run(keep.dayKey, keep.monthKey).changes,
      }))(),
    )
  }

  getSetting(key: string): Promise<string | undefined> {
    return this.run(() => this.all(SQL.getSetting, key)[0]?.value as string | undefined)
  }

  setSetting(key: string, value: string): Promise<void> {
    return this.run(() => {
      this.stmt(SQL.setSetting).run(key, value)
    })
  }

  close(): Promise<void> {
    return this.run(() => {
      if (this.db.open) this.db.close()
    })
  }
}

/** Carries a refusal out of a transaction (which rolls it back) to admit(). */
class Refused extends Error {
  constructor(readonly result: AdmissionResult) {
    super('refused')
  }
}

/** True for an empty database (hatch's to set up); throws for one that belongs to another program. */
function checkIdentity(db: Database.Database, path: string): boolean {
  const appId = db.pragma('application_id', {simple: true}) as number
  if (appId === APPLICATION_ID) return false
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as {n: number}).n
  if (appId !== 0 || tables > 0) throw invalid(path, 'is an SQLite database of another program, not a hatch store')
  return true
}

function migrate(db: Database.Database, path: string, fresh: boolean): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT')
    const current = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as {v: number | null}).v ?? 0
    if (current > SCHEMA_VERSION) {
      throw new HatchError('STORE_INVALID', `${path} has schema version ${current}, newer than this hatch knows (${SCHEMA_VERSION}); it was left as it is.`, {
        suggestions: ['Upgrade hatch to the version that wrote it, or point this one at another store with --store PATH.'],
      })
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)')
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue
      for (const sql of m.sqlite) db.exec(sql)
      record.run(m.version, m.description, Date.now())
    }
    if (fresh) db.pragma(`application_id = ${APPLICATION_ID}`)
  }).immediate()
}
