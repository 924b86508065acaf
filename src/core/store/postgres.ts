import pg from 'pg'

import {HatchError} from '../errors.js'
import {MIGRATIONS, SCHEMA_VERSION} from './migrations.js'
import {countersQuery, type Query, SQL, toCounter, toLimit, toToken, toRoles, toUsageTotal, usageTotalsQuery} from './sql.js'
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

/** Lock key that serializes migrations of one database across processes starting at once ("hatc"). */
const MIGRATION_LOCK = 0x68617463

export interface PostgresStoreOptions {
  warn?: (message: string) => void
  /** Connections kept open at most. Default 10. */
  maxConnections?: number
}

/** `?` placeholders (the shared SQL) as PostgreSQL's `$1, $2, …`. */
function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.href
  } catch {
    return 'postgres://(unparseable URL)'
  }
}

/** SQLSTATE classes and Node errors that mean "the database cannot be reached right now". */
function isUnavailable(error: unknown): boolean {
  const code = String((error as {code?: unknown})?.code ?? '')
  const message = error instanceof Error ? error.message : ''
  return (
    /^(08|57P0|53|28)/.test(code) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)
  )
}

function storeError(error: unknown, location: string): unknown {
  if (error instanceof HatchError) return error
  if (isUnavailable(error)) {
    const code = String((error as {code?: unknown}).code ?? '')
    const why = code.startsWith('28') ? 'it refused the credentials' : code.startsWith('53') ? 'it is out of resources' : 'the connection failed or was lost'
    return new HatchError('STORE_UNAVAILABLE', `The PostgreSQL store ${location} cannot be used right now: ${why}. Nothing was changed.`, {
      cause: error,
      suggestions: ['Check that the database is running and reachable, then try again; a running server reconnects by itself.'],
    })
  }
  return error
}

/**
 * The shared store: the same schema and behaviour as the SQLite one, in PostgreSQL through `pg`, so several hatch
 * servers behind one load balancer share tokens, limits and counts exactly. Migrations run under an advisory lock.
 * A call's check and count is one transaction whose counter upserts lock their rows, so concurrent callers on any
 * number of servers are serialized per counter. Losing the connection fails the operation with STORE_UNAVAILABLE
 * (a transaction cut off is rolled back by the server, so nothing is counted that was not recorded); the pool
 * opens new connections once the database is back.
 */
export class PostgresStore implements HatchStore {
  readonly kind = 'postgres' as const

  private constructor(
    readonly location: string,
    private readonly pool: pg.Pool,
  ) {}

  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const location = redactUrl(url)
    const pool = new pg.Pool({connectionString: url, max: options.maxConnections ?? 10, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000})
    // An idle connection that dies (database restarted) must not take the process with it.
    pool.on('error', (error) => options.warn?.(`lost a connection to the PostgreSQL store ${location} (${error.message}); it will reconnect`))
    const store = new PostgresStore(location, pool)
    try {
      await store.migrate()
    } catch (error) {
      await pool.end().catch(() => {})
      throw storeError(error, location)
    }
    return store
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)')
      const current = Number((await client.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0].v)
      if (current > SCHEMA_VERSION) {
        throw new HatchError('STORE_INVALID', `The PostgreSQL store ${this.location} has schema version ${current}, newer than this hatch knows (${SCHEMA_VERSION}); it was left as it is.`, {
          suggestions: ['Upgrade hatch to the version that wrote it (every server sharing a store must run the same or a newer hatch).'],
        })
      }
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue
        for (const sql of m.postgres) await client.query(sql)
        await client.query('INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)', [m.version, m.description, Date.now()])
      }
    })
  }

  private async query(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(numbered(sql), params)
    } catch (error) {
      throw storeError(error, this.location)
    }
  }

  private async rows(q: Query): Promise<Array<Record<string, unknown>>> {
    return (await this.query(q.sql, q.params)).rows
  }

  /** Runs `work` in a transaction on one connection; rolls back on any error, and drops a connection that broke. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      throw storeError(error, this.location)
    }
    let broken = false
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      broken = isUnavailable(error)
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true))
      throw storeError(error, this.location)
    } finally {
      client.release(broken)
    }
  }

  async insertToken(t: NewToken): Promise<void> {
    await this.query(SQL.insertToken, [t.id, t.hash, t.user, t.role, t.scopes.join(' '), t.createdAt, t.expiresAt])
  }

  async tokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return (await this.rows({sql: SQL.tokenByHash, params: [hash]})).map(toToken)[0]
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.rows({sql: SQL.listTokens, params: []})).map(toToken)
  }

  async revokeToken(id: string, at: number): Promise<RevokeOutcome> {
    if ((await this.query(SQL.revokeToken, [at, id])).rowCount === 1) return 'revoked'
    return (await this.rows({sql: SQL.tokenExists, params: [id]})).length === 0 ? 'not-found' : 'already-revoked'
  }

  async touchToken(id: string, at: number): Promise<void> {
    await this.query(SQL.touchToken, [at, id, at])
  }

  async setLimit(r: NewLimit, id: string, now: number): Promise<LimitRecord> {
    return toLimit((await this.rows({sql: SQL.setLimit, params: [id, r.subjectType, r.subject, r.tool, r.period, r.limit, now, now]}))[0]!)
  }

  async listLimits(): Promise<LimitRecord[]> {
    return (await this.rows({sql: SQL.listLimits, params: []})).map(toLimit)
  }

  async removeLimit(id: string): Promise<boolean> {
    return (await this.query(SQL.removeLimit, [id])).rowCount === 1
  }

  async limitsFor(user: string, role: string | null): Promise<LimitRecord[]> {
    return (await this.rows({sql: SQL.limitsFor, params: [user, role ?? '']})).map(toLimit)
  }

  async admit(a: Admission): Promise<AdmissionResult> {
    let refused: AdmissionResult | undefined
    try {
      return await this.transaction(async (client) => {
        // Every counter in one statement (one round trip). PostgreSQL takes the rows' locks in the order of VALUES,
        // the same for every call, so concurrent transactions never deadlock.
        const values = a.counters.map((_, i) => `($1, $${i * 3 + 2}, $${i * 3 + 3}, $${i * 3 + 4}, 1)`).join(', ')
        const params = [a.user, ...a.counters.flatMap((c) => [c.tool, c.period, c.periodKey])]
        const sql = `INSERT INTO quota_counters (user_name, tool, period, period_key, used) VALUES ${values} ${SQL.upsertCounterConflict} RETURNING tool, period, period_key, used`
        const rows = (await client.query(sql, params)).rows as Array<{tool: string; period: string; period_key: string; used: string}>
        const used = a.counters.map((c) => Number(rows.find((r) => r.tool === c.tool && r.period === c.period && r.period_key === c.periodKey)!.used))
        const over = a.limits.find((l) => used[l.counter]! > l.limit)
        if (over !== undefined) {
          refused = {admitted: false, used: used.map((u) => u - 1), over: over.counter}
          throw new Error('over the limit') // rolls the increments back
        }
        return {admitted: true, used} as const
      })
    } catch (error) {
      if (refused !== undefined) return refused
      throw error
    }
  }

  async counters(filter: {user?: string; periodKeys: string[]}): Promise<CounterRow[]> {
    return (await this.rows(countersQuery(filter))).map(toCounter)
  }

  async recordUsage(rows: readonly UsageRow[]): Promise<void> {
    if (rows.length === 0) return
    // One statement for the batch: one round trip, and atomic.
    const values = rows.map((_, i) => `(${Array.from({length: 7}, (_, j) => `$${i * 7 + j + 1}`).join(', ')})`).join(', ')
    const params = rows.flatMap((u) => [u.at, u.user, u.role, u.tokenId, u.tool, u.outcome, u.durationMs])
    try {
      await this.pool.query(`${SQL.recordUsage.slice(0, SQL.recordUsage.indexOf(' VALUES'))} VALUES ${values}`, params)
    } catch (error) {
      throw storeError(error, this.location)
    }
  }

  async usageTotals(filter: UsageFilter): Promise<UsageTotal[]> {
    return (await this.rows(usageTotalsQuery(filter))).map(toUsageTotal)
  }

  async recentRoles(user?: string): Promise<Map<string, string | null>> {
    return toRoles(await this.rows(user === undefined ? {sql: SQL.recentRoles, params: []} : {sql: SQL.recentRole, params: [user, user]}))
  }

  async pruneUsage(before: number, keep: {dayKey: string; monthKey: string}): Promise<{rows: number; counters: number}> {
    return this.transaction(async (client) => ({
      rows: (await client.query(numbered(SQL.pruneUsage), [before])).rowCount ?? 0,
      counters: (await client.query(numbered(SQL.pruneCounters), [keep.dayKey, keep.monthKey])).rowCount ?? 0,
    }))
  }

  async getSetting(key: string): Promise<string | undefined> {
    return (await this.rows({sql: SQL.getSetting, params: [key]}))[0]?.value as string | undefined
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.query(SQL.setSetting, [key, value])
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}
