/**
 * The store behind `hatch mcp serve --http`: personal access tokens now, per-user quotas and the usage log next.
 * One interface, two implementations: an embedded SQLite file (the default, `$HATCH_HOME/hatch.db`) and a shared
 * PostgreSQL database for several servers behind one load balancer. Every method is async so that both can satisfy
 * it; times are milliseconds since the epoch (UTC) in both.
 */

/** A personal access token as the store keeps it: never the token itself, only its SHA-256. */
export interface TokenRecord {
  /** Public id, `tok_` + 16 hex digits: shown in lists and written to the audit log in place of the token. */
  id: string
  user: string
  role: string
  /** Granted scopes, e.g. `["hatch:read"]`. */
  scopes: string[]
  createdAt: number
  lastUsedAt: number | null
  /** Null: never expires. */
  expiresAt: number | null
  revokedAt: number | null
}

export interface NewToken extends Omit<TokenRecord, 'lastUsedAt' | 'revokedAt'> {
  /** Hex SHA-256 of the token text. */
  hash: string
}

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-found'

export type Period = 'daily' | 'monthly'
export type SubjectType = 'user' | 'role' | 'default'

/** A limit rule: how often a subject may call a tool (or all tools, `*`) per calendar day or month. */
export interface LimitRecord {
  /** `lim_` + 12 hex digits. */
  id: string
  subjectType: SubjectType
  /** The user or role; '' for the default. */
  subject: string
  /** A tool name, or `*` for all tools together. */
  tool: string
  period: Period
  /** Calls allowed per period; 0 blocks the tool. */
  limit: number
  createdAt: number
  updatedAt: number
}

export type NewLimit = Pick<LimitRecord, 'subjectType' | 'subject' | 'tool' | 'period' | 'limit'>

/** One counter a call is checked against: the calls of `user` to `tool` (or `*`) in one period. */
export interface CounterKey {
  tool: string
  period: Period
  /** The period's start in the quota time zone: `2026-12-04` for a day, `2026-12` for a month. */
  periodKey: string
}

export interface Admission {
  user: string
  /** Every counter the call increments (the tool's and `*`, for both periods), in this order. */
  counters: CounterKey[]
  /** Which of them have a limit now, and what it is. */
  limits: Array<{counter: number; limit: number}>
}

/** Admitted: every counter was incremented. Refused: nothing was, and `over` names the counter that was full. */
export type AdmissionResult = {admitted: true; used: number[]} | {admitted: false; used: number[]; over: number}

export type UsageOutcome = 'ok' | 'error' | 'denied'

/** One row of the usage log: never arguments, never tokens. */
export interface UsageRow {
  at: number
  user: string
  role: string | null
  tokenId: string | null
  tool: string
  outcome: UsageOutcome
  durationMs: number
}

export interface CounterRow extends CounterKey {
  user: string
  used: number
}

export interface UsageFilter {
  user?: string
  tool?: string
  /** Only rows at or after this time (ms). */
  since?: number
}

export interface UsageTotal {
  user: string
  tool: string
  outcome: UsageOutcome
  calls: number
}

export interface HatchStore {
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres'
  /** Where it lives, for messages: a file path, or a PostgreSQL URL without its password. */
  readonly location: string

  insertToken(token: NewToken): Promise<void>
  /** The token whose SHA-256 is `hash`, whatever its state (the caller decides what expired and revoked mean). */
  tokenByHash(hash: string): Promise<TokenRecord | undefined>
  listTokens(): Promise<TokenRecord[]>
  revokeToken(id: string, at: number): Promise<RevokeOutcome>
  /** Records that the token was used at `at` (callers throttle this; it is not needed for correctness). */
  touchToken(id: string, at: number): Promise<void>

  /** Creates the rule, or changes the limit of the rule with the same subject, tool and period (keeping its id). */
  setLimit(rule: NewLimit, id: string, now: number): Promise<LimitRecord>
  listLimits(): Promise<LimitRecord[]>
  removeLimit(id: string): Promise<boolean>
  /** The rules that can apply to this user: theirs, their role's, and the default ones. */
  limitsFor(user: string, role: string | null): Promise<LimitRecord[]>

  /**
   * Checks and counts one call in one atomic step: every counter is incremented, and if any limited counter would
   * then exceed its limit, nothing is (the transaction is rolled back). Exact under any number of concurrent
   * callers and processes sharing the store.
   */
  admit(admission: Admission): Promise<AdmissionResult>
  /** The current counts of a user (or everyone) for these period keys. */
  counters(filter: {user?: string; periodKeys: string[]}): Promise<CounterRow[]>
  /** Appends rows to the usage log, all or none. */
  recordUsage(rows: readonly UsageRow[]): Promise<void>
  usageTotals(filter: UsageFilter): Promise<UsageTotal[]>
  /** Each user's role as their newest logged call carried it, else as their newest token has it (one user, or everyone). */
  recentRoles(user?: string): Promise<Map<string, string | null>>
  /** Deletes usage rows before `before` and counters of periods that ended before it; returns how many rows went. */
  pruneUsage(before: number, keep: {dayKey: string; monthKey: string}): Promise<{rows: number; counters: number}>

  getSetting(key: string): Promise<string | undefined>
  setSetting(key: string, value: string): Promise<void>

  close(): Promise<void>
}
