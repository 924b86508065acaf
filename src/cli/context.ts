import {homedir} from 'node:os'
import {join, resolve} from 'node:path'

import {AtomicFileOperations} from '../core/backup/atomic-file-operations.js'
import {BackupStore} from '../core/backup/store.js'

/** hatch's own folder: `$HATCH_HOME`, else `~/.hatch`. */
export function hatchHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.HATCH_HOME ? resolve(env.HATCH_HOME) : join(homedir(), '.hatch')
}

/** The host-config backup store under hatch's home. */
export function openBackupStore(hatchVersion: string, env: NodeJS.ProcessEnv = process.env): BackupStore {
  return new BackupStore({root: join(hatchHome(env), 'mcp_host_config_backups'), hatchVersion})
}

export function openFileOperations(hatchVersion: string): AtomicFileOperations {
  return new AtomicFileOperations(openBackupStore(hatchVersion))
}
