import * as z from 'zod'

import {BackupInfo} from '../../backup/schema.js'
import {HostIdArg} from '../schemas.js'
import {defineTool, READ_ONLY} from '../types.js'
import {count} from '../../text/plural.js'

export const ListBackupsOutput = z.object({
  /** Newest first; the `--json` shape of `hatch mcp backup list`. */
  backups: z.array(BackupInfo),
  /** How many backups there are in all (the list may be cut by `limit`). */
  total: z.number().int().nonnegative(),
})

export const listHostConfigBackups = defineTool({
  name: 'list_host_config_backups',
  title: 'List host config backups',
  description: "Lists backups of MCP host config files, newest first, from each host's index (backup content is not read). Changes nothing.",
  privilege: 'read',
  input: z.object({
    host: HostIdArg.optional(),
    limit: z.number().int().min(1).max(10_000).optional().describe('Return at most this many (newest first).'),
  }).strict(),
  output: ListBackupsOutput,
  hints: READ_ONLY,
  async run(args, {store}) {
    const all = store.list(args.host)
    const backups = args.limit === undefined ? all : all.slice(0, args.limit)
    const newest = all[0]
    const summary = all.length === 0 ? 'No backups yet.' : `${count(all.length, 'backup')}${args.host ? ` of ${args.host}` : ''}; newest ${newest!.host} ${newest!.id}.`
    return {kind: 'result', structured: {backups, total: all.length}, summary}
  },
})
