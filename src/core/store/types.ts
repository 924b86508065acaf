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

  close(): Promise<void>
}
