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
]

/** The newest schema this hatch knows. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version
