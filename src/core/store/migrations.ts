/**
 * The store's schema, as numbered migrations applied in order when a store opens (docs/http.md, "The store").
 * A migration is only ever added, never edited once released. Each has the same meaning in both dialects; times
 * are integer milliseconds since the epoch, scopes a space-separated string.
 */
export interface Migration {
  version: number
  description: string
  sqlite: string[]
  postgres: string[]
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'personal access tokens',
    sqlite: [
      `CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        user_name TEXT NOT NULL,
        role TEXT NOT NULL,
        scopes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        expires_at INTEGER,
        revoked_at INTEGER
      ) STRICT`,
    ],
    postgres: [
      `CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        user_name TEXT NOT NULL,
        role TEXT NOT NULL,
        scopes TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_used_at BIGINT,
        expires_at BIGINT,
        revoked_at BIGINT
      )`,
    ],
  },
  {
    version: 2,
    description: 'limits, quota counters, usage log, settings',
    sqlite: [
      `CREATE TABLE limits (
        id TEXT PRIMARY KEY,
        subject_type TEXT NOT NULL CHECK (subject_type IN ('user', 'role', 'default')),
        subject TEXT NOT NULL,
        tool TEXT NOT NULL,
        period TEXT NOT NULL CHECK (period IN ('daily', 'monthly')),
        max_calls INTEGER NOT NULL CHECK (max_calls >= 0),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (subject_type, subject, tool, period)
      ) STRICT`,
      `CREATE TABLE quota_counters (
        user_name TEXT NOT NULL,
        tool TEXT NOT NULL,
        period TEXT NOT NULL,
        period_key TEXT NOT NULL,
        used INTEGER NOT NULL,
        PRIMARY KEY (user_name, tool, period, period_key)
      ) STRICT`,
      `CREATE TABLE usage_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        user_name TEXT NOT NULL,
        role TEXT,
        token_id TEXT,
        tool TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'denied')),
        duration_ms REAL NOT NULL
      ) STRICT`,
      'CREATE INDEX usage_log_at ON usage_log (at)',
      'CREATE INDEX usage_log_user_at ON usage_log (user_name, at)',
      'CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT',
    ],
    postgres: [
      `CREATE TABLE limits (
        id TEXT PRIMARY KEY,
        subject_type TEXT NOT NULL CHECK (subject_type IN ('user', 'role', 'default')),
        subject TEXT NOT NULL,
        tool TEXT NOT NULL,
        period TEXT NOT NULL CHECK (period IN ('daily', 'monthly')),
        max_calls BIGINT NOT NULL CHECK (max_calls >= 0),
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        UNIQUE (subject_type, subject, tool, period)
      )`,
      `CREATE TABLE quota_counters (
        user_name TEXT NOT NULL,
        tool TEXT NOT NULL,
        period TEXT NOT NULL,
        period_key TEXT NOT NULL,
        used BIGINT NOT NULL,
        PRIMARY KEY (user_name, tool, period, period_key)
      )`,
      `CREATE TABLE usage_log (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        user_name TEXT NOT NULL,
        role TEXT,
        token_id TEXT,
        tool TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'denied')),
        duration_ms DOUBLE PRECISION NOT NULL
      )`,
      'CREATE INDEX usage_log_at ON usage_log (at)',
      'CREATE INDEX usage_log_user_at ON usage_log (user_name, at)',
      'CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
    ],
  },
]

/** The newest schema this hatch knows. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version
