import {allows, type Privilege, type ToolDefinition} from '../types.js'
import {backupHostConfig} from './backup-create.js'
import {cleanHostConfigBackups} from './clean.js'
import {diffHostConfigBackup} from './diff-backup.js'
import {listHostConfigBackups} from './list-backups.js'
import {listHosts} from './list-hosts.js'
import {restoreHostConfig} from './restore.js'
import {verifyHostConfigBackups} from './verify-backups.js'

/**
 * Every tool hatch can serve, in listing order. A new tool (e.g. an archive tool) is one module exporting a
 * definition, added here.
 */
export const ALL_TOOLS: readonly ToolDefinition[] = [
  listHosts,
  listHostConfigBackups,
  verifyHostConfigBackups,
  diffHostConfigBackup,
  backupHostConfig,
  restoreHostConfig,
  cleanHostConfigBackups,
] as unknown as ToolDefinition[]

/** The tools a server started at `level` offers. */
export function toolsFor(level: Privilege, tools: readonly ToolDefinition[] = ALL_TOOLS): ToolDefinition[] {
  return tools.filter((t) => allows(level, t.privilege))
}
