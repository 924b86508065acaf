import {isAbsolute, join, resolve} from 'node:path'

import {AtomicFileOperations} from '../core/backup/atomic-file-operations.js'
import type {AuditLogOptions} from '../core/audit/log.js'
import {BackupStore} from '../core/backup/store.js'
import type {HatchStore} from '../core/store/types.js'
import {hatchHome, hatchHomeIsExplicit} from '../core/paths/hatch-home.js'

export {hatchHome}

/** The host-config backup store under hatch's home. */
export function openBackupStore(hatchVersion: string, env: NodeJS.ProcessEnv = process.env): BackupStore {
  return new BackupStore({root: join(hatchHome(env), 'mcp_host_config_backups'), hatchVersion, home: hatchHomeIsExplicit(env) ? 'explicit' : 'default'})
}

export function openFileOperations(hatchVersion: string): AtomicFileOperations {
  return new AtomicFileOperations(openBackupStore(hatchVersion))
}

/**
 * Where the MCP audit log lives: `$HATCH_LOG_DIR` when set, else `logs/` in hatch's home (`$HATCH_HOME`, default
 * `~/.hatch`): one data home, so HATCH_HOME moves the backups, the saved host paths and the log together. serve
 * writes there and audit reads there, so both call this one function and pass the path into the core.
 */
export function auditLogDir(env: NodeJS.ProcessEnv = process.env): string {
  return auditLogLocation(env).dir
}

/**
 * auditLogDir() and how serve opens it (AuditLog.open): in hatch's home, the folder and the home are refused as
 * symbolic links, as the backup store refuses them (the home unless HATCH_HOME names it); a HATCH_LOG_DIR is the
 * user's own choice.
 */
export function auditLogLocation(env: NodeJS.ProcessEnv = process.env): {dir: string; options: AuditLogOptions} {
  const override = env.HATCH_LOG_DIR
  if (override !== undefined && override !== '') return {dir: isAbsolute(override) ? override : resolve(override), options: {}}
  const home = hatchHome(env)
  return {dir: join(home, 'logs'), options: {hatchFolder: {home: hatchHomeIsExplicit(env) ? undefined : home}}}
}

/**
 * Opens the token store of `--store` / `$HATCH_STORE` / `$HATCH_HOME/hatch.db` for one command and closes it after
 * `work`, whatever happens. The driver is imported only here.
 */
export async function withStore<T>(spec: string | undefined, work: (store: HatchStore) => Promise<T>): Promise<T> {
  const {openStore} = await import('../core/store/open.js')
  const store = await openStore({spec, warn: (m) => process.stderr.write(`Warning: ${m}\n`)})
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}
