import * as z from 'zod'

import {CleanReport} from '../../backup/results.js'
import {planClean} from '../../backup/retention.js'
import {getHost} from '../../hosts/registry.js'
import {withConsent} from '../consent.js'
import {ConfirmationTokenArg, HostIdArg, WholeNumberArg} from '../schemas.js'
import {defineTool, DESTRUCTIVE} from '../types.js'
import {count} from '../../text/plural.js'

/** The `--json` shape of `hatch mcp backup clean`, plus the status and the preview's token. */
export const CleanOutput = CleanReport.extend({
  status: z.enum(['preview', 'deleted', 'nothing-to-delete']),
  confirmation_token: z.string().optional(),
  expires_in_seconds: z.number().int().optional(),
})
type CleanOutput = z.infer<typeof CleanOutput>

export const cleanHostConfigBackups = defineTool({
  name: 'clean_host_config_backups',
  title: "Delete a host's old backups",
  description:
    "Deletes a host's backups that meet every criterion given (older than N days, beyond the newest N); the newest backup is kept unless all is true. " +
    'Destructive, so it asks first: the first call returns the exact list of backups to delete and changes nothing; they are deleted only after the user confirms, ' +
    "through the client's confirmation dialog, or by calling again with the preview's confirmation_token and the same arguments. The list deleted is the list previewed.",
  privilege: 'destructive',
  input: z
    .object({
      host: HostIdArg,
      older_than_days: WholeNumberArg.optional().describe('Delete only backups older than this many days.'),
      keep_count: WholeNumberArg.optional().describe('Keep at least the newest N backups.'),
      all: z.boolean().optional().describe('Allow deleting the newest backup too; alone, it deletes every backup of the host.'),
      confirmation_token: ConfirmationTokenArg.optional(),
    })
    .strict(),
  output: CleanOutput,
  hints: DESTRUCTIVE,
  async run({confirmation_token, ...args}, services, call) {
    const host = getHost(args.host)
    const backups = services.store.list(host.id)
    const plan = planClean(backups, {olderThanDays: args.older_than_days, keepCount: args.keep_count, all: args.all}, services.now())
    const ids = plan.delete.map((b) => b.id)
    const kept = plan.keep.map((b) => b.id)
    if (ids.length === 0) {
      return {kind: 'result', structured: {status: 'nothing-to-delete' as const, host: host.id, dryRun: false, deleted: [], kept}, summary: `Nothing to clean: ${host.id} has ${count(kept.length, 'backup')}, and all are kept.`}
    }
    const listing = plan.delete.map((b) => `  ${b.id}  (${b.createdAt})`).join('\n')
    return withConsent<CleanOutput>(
      {
        tool: 'clean_host_config_backups',
        args,
        plan: {delete: ids},
        targets: [services.store.hostDir(host.id)],
        token: confirmation_token,
        question: `Delete ${ids.length} of ${count(backups.length, 'backup')} of ${host.displayName}? This cannot be undone.`,
        details: `Backups to delete:\n${listing}`,
        preview: (token, expiresInSeconds) => ({
          structured: {status: 'preview' as const, host: host.id, dryRun: true, deleted: ids, kept, confirmation_token: token, expires_in_seconds: expiresInSeconds},
          summary: `Preview only, nothing deleted. ${ids.length} of ${count(backups.length, 'backup')} of ${host.id} would be deleted; to delete them, call clean_host_config_backups again with the same arguments and confirmation_token (valid ${expiresInSeconds} s, once).`,
        }),
        execute: async () => {
          const deleted = await services.store.delete(host.id, ids)
          return {
            structured: {status: 'deleted' as const, host: host.id, dryRun: false, deleted, kept},
            summary: `Deleted ${count(deleted.length, 'backup')} of ${host.id}; ${kept.length} kept.`,
          }
        },
      },
      services,
      call,
    )
  },
})
