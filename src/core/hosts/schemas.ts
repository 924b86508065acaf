import * as z from 'zod'

import {CONFIG_FORMATS} from '../formats/parse.js'
import {PLACEHOLDERS} from './registry.js'

/**
 * The zod schemas of the host registry's entries (the registry test checks every entry against them) and of a host
 * as resolution reports it (the MCP list_hosts output). The types are inferred here; registry.ts and
 * resolve.ts hold the data and the code, with no zod, so that commands which only look a host up never load it.
 */

const TEMPLATE = new RegExp(`^\\{(${PLACEHOLDERS.join('|')})\\}(/[^/\\\\{}]+)*$`)

export const PathTemplate = z
  .string()
  .regex(TEMPLATE, 'a path template starts with a {placeholder} and uses / between segments')
  .refine((t) => t.split('/').every((s) => s !== '.' && s !== '..'), 'a path template has no . or .. segments')

/** One list for every platform, or one list per platform (an empty list: no known location there). */
export const PathTemplates = z.union([
  z.array(PathTemplate).min(1),
  z.strictObject({darwin: z.array(PathTemplate), linux: z.array(PathTemplate), win32: z.array(PathTemplate)}),
])
export type PathTemplates = z.infer<typeof PathTemplates>

export const HostEntry = z.strictObject({
  /** Stable id used on the command line and in backups. */
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  displayName: z.string().min(1),
  format: z.enum(CONFIG_FORMATS),
  /** Where the servers map lives inside the file, e.g. ['mcpServers']. */
  serversPath: z.array(z.string().min(1)).min(1),
  /** The file also holds the app's other settings or state: restore the servers subtree, not the whole file. */
  sharedState: z.boolean(),
  /** Candidate config files, in preference order for a file that does not exist yet. */
  configPaths: PathTemplates,
  /** Directories whose presence means "the app is installed" even when no config file exists. */
  appDirs: PathTemplates,
})
export type HostEntry = z.infer<typeof HostEntry>

export const HostStatus = z.enum(['present', 'ambiguous', 'app-only', 'absent'])
export type HostStatus = z.infer<typeof HostStatus>

export const ResolvedHost = z.object({
  id: z.string(),
  displayName: z.string(),
  format: z.enum(CONFIG_FORMATS),
  serversKey: z.string(),
  sharedState: z.boolean(),
  status: HostStatus,
  /** The existing file; when none exists, the default candidate; null when ambiguous or no location is known. */
  path: z.string().nullable(),
  candidates: z.array(z.object({path: z.string(), exists: z.boolean()})),
  /** `path` is the one the user saved for this host (`hatch mcp hosts set-path`), not one hatch found. */
  saved: z.boolean(),
  warnings: z.array(z.string()),
})
export type ResolvedHost = z.infer<typeof ResolvedHost>
