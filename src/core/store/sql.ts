import type {CounterRow, LimitRecord, TokenRecord, UsageFilter, UsageTotal} from './types.js'

/**
 * The SQL both dialects share (`?` placeholders; the PostgreSQL store numbers them). The counter upsert is the
 * check-and-count step: it increments and returns the new count, and the caller rolls the transaction back when a
 * limited counter went over its limit.
 */
export const SQL = {
  insertToken: 'INSERT INTO tokens (id, hash, user_name, role, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  tokenByHash: 'SELECT * FROM tokens WHERE hash = ?',
  listTokens: 'SELECT * FROM tokens ORDER BY created_at, id',
  revokeToken: 'UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  tokenExists: 'SELECT 1 AS found FROM tokens WHERE id = ?',
  touchToken: 'UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
  upsertCounter:
    'INSERT INTO quota_counters (user_name, tool, period, period_key, used) VALUES (?, ?, ?, ?, 1) ' +
    'ON CONFLICT (user_name, tool, period, period_key) DO UPDATE SET used = quota_counters.used + 1 RETURNING used',
  upsertCounterConflict: 'ON CONFLICT (user_name, tool, period, period_key) DO UPDATE SET used = quota_counters.used + 1',
  setLimit:
    'INSERT INTO limits (id, subject_type, subject, tool, period, max_calls, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
    'ON CONFLICT (subject_type, subject, tool, period) DO UPDATE SET max_calls = excluded.max_calls, updated_at = excluded.updated_at RETURNING *',
  listLimits: "SELECT * FROM limits ORDER BY CASE subject_type WHEN 'user' THEN 0 WHEN 'role' THEN 1 ELSE 2 END, subject, tool, period",
  removeLimit: 'DELETE FROM limits WHERE id = ?',
  limitsFor: "SELECT * FROM limits WHERE (subject_type = 'user' AND subject = ?) OR (subject_type = 'role' AND subject = ?) OR subject_type = 'default'",
  recordUsage: 'INSERT INTO usage_log (at, user_name, role, token_id, tool, outcome, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
  getSetting: 'SELECT value FROM settings WHERE key = ?',
  setSetting: 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  pruneUsage: 'DELETE FROM usage_log WHERE at < ?',
  // A user's role: the one their newest logged call carried; for a user with no call left in the log (after a prune),
  // the role of their newest token, so a pruned log never hides a role rule that still governs them.
  recentRoles:
    'SELECT user_name, role FROM usage_log WHERE id IN (SELECT max(id) FROM usage_log GROUP BY user_name) UNION ALL ' +
    'SELECT t.user_name, t.role FROM tokens t WHERE t.id = (SELECT u.id FROM tokens u WHERE u.user_name = t.user_name ORDER BY u.created_at DESC, u.id DESC LIMIT 1) ' +
    'AND NOT EXISTS (SELECT 1 FROM usage_log l WHERE l.user_name = t.user_name)',
  recentRole:
    'SELECT user_name, role FROM usage_log WHERE id = (SELECT max(id) FROM usage_log WHERE user_name = ?) UNION ALL ' +
    'SELECT t.user_name, t.role FROM tokens t WHERE t.id = (SELECT u.id FROM tokens u WHERE u.user_name = ? ORDER BY u.created_at DESC, u.id DESC LIMIT 1) ' +
    'AND NOT EXISTS (SELECT 1 FROM usage_log l WHERE l.user_name = t.user_name)',
  pruneCounters: "DELETE FROM quota_counters WHERE (period = 'daily' AND period_key < ?) OR (period = 'monthly' AND period_key < ?)",
} as const


/** A query with its parameters. */
export interface Query {
  sql: string
  params: unknown[]
}

export function countersQuery(filter: {user?: string; periodKeys: string[]}): Query {
  const params: unknown[] = [...filter.periodKeys]
  let sql = `SELECT * FROM quota_counters WHERE period_key IN (${filter.periodKeys.map(() => '?').join(', ') || "''"})`
  if (filter.user !== undefined) {
    sql += ' AND user_name = ?'
    params.push(filter.user)
  }
  return {sql: `${sql} ORDER BY user_name, tool, period`, params}
}

export function usageTotalsQuery(filter: UsageFilter): Query {
  const where: string[] = []
  const params: unknown[] = []
  if (filter.user !== undefined) (where.push('user_name = ?'), params.push(filter.user))
  if (filter.tool !== undefined) (where.push('tool = ?'), params.push(filter.tool))
  if (filter.since !== undefined) (where.push('at >= ?'), params.push(filter.since))
  const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`
  return {sql: `SELECT user_name, tool, outcome, count(*) AS calls FROM usage_log${clause} GROUP BY user_name, tool, outcome ORDER BY user_name, tool, outcome`, params}
}

type Row = Record<string, unknown>
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))

export function toToken(row: Row): TokenRecord {
  const scopes = String(row.scopes)
  return {
    id: String(row.id),
    user: String(row.user_name),
    role: String(row.role),
    scopes: scopes === '' ? [] : scopes.split(' '),
    createdAt: Number(row.created_at),
    lastUsedAt: num(row.last_used_at),
    expiresAt: num(row.expires_at),
    revokedAt: num(row.revoked_at),
  }
}

export function toLimit(row: Row): LimitRecord {
  return {
    id: String(row.id),
    subjectType: row.subject_type as LimitRecord['subjectType'],
    subject: String(row.subject),
    tool: String(row.tool),
    period: row.period as LimitRecord['period'],
    limit: Number(row.max_calls),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

export function toCounter(row: Row): CounterRow {
  return {user: String(row.user_name), tool: String(row.tool), period: row.period as CounterRow['period'], periodKey: String(row.period_key), used: Number(row.used)}
}

export function toUsageTotal(row: Row): UsageTotal {
  return {user: String(row.user_name), tool: String(row.tool), outcome: row.outcome as UsageTotal['outcome'], calls: Number(row.calls)}
}

export function toRoles(rows: Array<Record<string, unknown>>): Map<string, string | null> {
  return new Map(rows.map((r) => [String(r.user_name), r.role === null ? null : String(r.role)]))
}
