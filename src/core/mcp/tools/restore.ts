import * as z from 'zod'

import {executeRestore, planRestore, restoreDiff} from '../../backup/restore.js'
import {getHost} from '../../hosts/registry.js'
import {maskText} from '../../redact/mask.js'
import {withConsent} from '../consent.js'
import {BackupIdArg, ConfirmationTokenArg, HostIdArg} from '../schemas.js'
import {defineTool, DESTRUCTIVE} from '../types.js'

/** The `--json` shapes of `hatch mcp backup restore` (dry run and real run) in one object, plus the preview's token. */
export const RestoreOutput = z.object({
  status: z.enum(['preview', 'restored', 'unchanged']),
  /** True for a preview: nothing was written. */
  dryRun: z.boolean(),
  host: z.string(),
  id: z.string(),
  restoredPath: z.string(),
  changed: z.boolean(),
  /** Preview only: the unified diff the restore would apply, secrets masked. */
  diff: z.string().optional(),
  /** Preview only: pass it back, with the same arguments, to carry out this restore. Single use. */
  confirmation_token: z.string().optional(),
  expires_in_seconds: z.number().int().optional(),
  realPath: z.string().optional(),
  sha256: z.string().optional(),
  /** The backup of what was there before, so the restore can be undone. */
  preRestoreBackupId: z.string().nullable().optional(),
  /** Set when the file also holds the app's other settings, which a whole-file restore resets too. */
  warning: z.string().optional(),
})
type RestoreOutput = z.infer<typeof RestoreOutput>

export const restoreHostConfig = defineTool({
  name: 'restore_host_config',
  title: "Restore a host's config from a backup",
  description:
    "Puts a backup (the newest when no id is given) back in place of a host's config file. Destructive, so it asks first: " +
    'the first call returns a preview (the masked diff) and changes nothing; the restore happens only after the user confirms, ' +
    "through the client's confirmation dialog, or by calling again with the preview's confirmation_token and the same arguments. " +
    'The current file is backed up before it is replaced, so every restore can be undone.',
  privilege: 'destructive',
  input: z
    .object({
      host: HostIdArg,
      id: BackupIdArg.optional(),
      servers_only: z
        .boolean()
        .optional()
        .describe("Restore only the MCP servers and keep everything else in the current file (for files that also hold the app's other settings, like Claude Code's ~/.claude.json or Codex's config.toml)."),
      confirmation_token: ConfirmationTokenArg.optional(),
    })
    .strict(),
  output: RestoreOutput,
  hints: DESTRUCTIVE,
  async run({confirmation_token, ...args}, services, call) {
    const host = getHost(args.host)
    const plan = planRestore(services.ops.store, {host: host.id, format: host.format, id: args.id, serversOnly: args.servers_only, serversPath: host.serversPath})
    const base = {host: host.id, id: plan.backup.id, restoredPath: plan.targetPath}
    const warning =
      host.sharedState && !plan.serversOnly
        ? `${plan.targetPath} also holds ${host.displayName}'s other settings; restoring the whole file resets them to the backup too (servers_only: true restores just the MCP servers).`
        : undefined
    if (plan.unchanged) {
      return {kind: 'result', structured: {...base, status: 'unchanged' as const, dryRun: false, changed: false}, summary: `${plan.targetPath} already holds backup ${plan.backup.id}; nothing to do.`}
    }
    const diff = restoreDiff(plan, maskText)
    return withConsent<RestoreOutput>(
      {
        tool: 'restore_host_config',
        args,
        plan: {backup: plan.backup.id, sha256: plan.sha256, target: plan.targetPath, current: plan.currentSha256},
        targets: [plan.targetPath],
        token: confirmation_token,
        question: `Restore backup ${plan.backup.id} (${plan.backup.createdAt}) of ${host.displayName} over ${plan.targetPath}?${warning ? ` ${warning}` : ''}`,
        details: diff,
        preview: (token, expiresInSeconds) => ({
          structured: {...base, status: 'preview' as const, dryRun: true, changed: true, diff, confirmation_token: token, expires_in_seconds: expiresInSeconds, warning},
          summary: `Preview only, nothing changed. To restore backup ${plan.backup.id} over ${plan.targetPath}, call restore_host_config again with the same arguments and confirmation_token (valid ${expiresInSeconds} s, once).`,
        }),
        execute: async () => {
          const result = await executeRestore(services.ops, plan)
          return {
            structured: {...base, status: 'restored' as const, dryRun: false, changed: result.changed, realPath: result.realPath, sha256: result.sha256, preRestoreBackupId: result.preRestoreBackupId, warning},
            summary: `Restored backup ${result.id} to ${result.restoredPath}.${result.preRestoreBackupId ? ` The previous content is backup ${result.preRestoreBackupId}.` : ''}`,
          }
        },
      },
      services,
      call,
    )
  },
})
