import {allows, missingRequirement, type Privilege, type ToolDefinition, type ToolServices} from '../types.js'
import {createSecureBackup} from './archive-create.js'
import {listArchiveBackups} from './archive-list.js'
import {restoreSecureBackup} from './archive-restore.js'
import {verifySecureBackup} from './archive-verify.js'
import {backupHostConfig} from './backup-create.js'
import {cleanHostConfigBackups} from './clean.js'
import {diffHostConfigBackup} from './diff-backup.js'
import {listHostConfigBackups} from './list-backups.js'
import {listHosts} from './list-hosts.js'
import {listServersTool} from './list-servers.js'
import {restoreHostConfig} from './restore.js'
import {myUsage, setToolLimit, usageReportTool} from './usage.js'
import {addServerTool, removeServerTool} from './server-edit.js'
import {verifyHostConfigBackups} from './verify-backups.js'

/**
 * Every tool hatch can serve, in listing order. A new tool is one module exporting a definition, added here. The
 * archive tools (names kept from the previous Python server) are offered only when the server has what they
 * `require` (`--allow-dir`, and a key for create and restore).
 */
export const ALL_TOOLS: readonly ToolDefinition[] = [
  listHosts,
  listHostConfigBackups,
  verifyHostConfigBackups,
  diffHostConfigBackup,
  listServersTool,
  backupHostConfig,
  restoreHostConfig,
  cleanHostConfigBackups,
  addServerTool,
  removeServerTool,
  listArchiveBackups,
  verifySecureBackup,
  createSecureBackup,
  restoreSecureBackup,
  myUsage,
  usageReportTool,
  setToolLimit,
] as unknown as ToolDefinition[]

/** The tools a limit can name (`hatch auth limit set --tool`, `set_tool_limit`): every tool calls are counted for. */
export const METERED_TOOL_NAMES: readonly string[] = ALL_TOOLS.filter((t) => t.unmetered !== true).map((t) => t.name)

/** The tools a server started at `level` with these services offers (no archive services: no archive tools). */
export function toolsFor(level: Privilege, tools: readonly ToolDefinition[] = ALL_TOOLS, services?: {archive?: ToolServices['archive']; accounts?: unknown}): ToolDefinition[] {
  return tools.filter((t) => allows(level, t.privilege) && missingRequirement(t, services) === undefined)
}
