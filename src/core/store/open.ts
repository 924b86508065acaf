import {join, resolve} from 'node:path'

import {HatchError} from '../errors.js'
import {hatchHome} from '../paths/hatch-home.js'
import type {HatchStore} from './types.js'

/** The embedded store's default file: `$HATCH_HOME/hatch.db` (`~/.hatch/hatch.db`), beside the backups. */
export function defaultStorePath(env: Record<string, string | undefined> = process.env): string {
  return join(hatchHome(env), 'hatch.db')
}

export interface OpenStoreOptions {
  /** `--store`: a file path for SQLite or a `postgres://` URL; default `$HATCH_STORE`, then the default file. */
  spec?: string
  env?: Record<string, string | undefined>
  cwd?: string
  warn?: (message: string) => void
}

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(spec)
}

/**
 * Opens the store named by `--store`, `$HATCH_STORE` or the default file. The database drivers are imported here,
 * on first use, so commands that never touch the store do not load them.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<HatchStore> {
  const env = options.env ?? process.env
  const spec = options.spec ?? (env.HATCH_STORE === '' ? undefined : env.HATCH_STORE)
  if (spec !== undefined && isPostgresUrl(spec)) {
    const {PostgresStore} = await import('./postgres.js')
    return PostgresStore.open(spec, {warn: options.warn})
  }
  if (spec !== undefined && spec.trim() === '') {
    throw new HatchError('INVALID_ARGUMENT', '--store is empty.', {suggestions: ['Give a file path, or a postgres:// URL.']})
  }
  const path = spec === undefined ? defaultStorePath(env) : resolve(options.cwd ?? process.cwd(), spec)
  const {SqliteStore} = await import('./sqlite.js')
  return SqliteStore.open(path, {warn: options.warn})
}
