import * as z from 'zod'

import {planRestore, restoreDiff} from '../../backup/restore.js'
import {getHost} from '../../hosts/registry.js'
import {maskText} from '../../redact/mask.js'
import {BackupIdArg, HostIdArg} from '../schemas.js'
import {defineTool, READ_ONLY} from '../types.js'

export const DiffOutput = z.object({
  host: z.string(),
  id: z.string(),
  /** The config file the backup came from, compared as it is now. */
  targetPath: z.string(),
  /** False when the file holds exactly the backup's bytes. */
  changed: z.boolean(),
  /** Unified diff from the current file to the backup (what a restore would apply), secrets masked. */
  diff: z.string(),
})

export const diffHostConfigBackup = defineTool({
  name: 'diff_host_config_backup',
  title: 'Diff a backup against the current config',
  description: "Shows the unified diff from a host's current config file to one of its backups (the newest when no id is given): exactly what restore_host_config would change. Secrets and personal data are masked. Changes nothing.",
  privilege: 'read',
  input: z.object({host: HostIdArg, id: BackupIdArg.optional()}).strict(),
  output: DiffOutput,
  hints: READ_ONLY,
  async run(args, {store}) {
    const host = getHost(args.host)
    // force: a diff is read-only, so a backup that does not parse (or has no recorded checksum) can still be shown.
    const plan = planRestore(store, {host: host.id, format: host.format, id: args.id, force: true})
    const diff = restoreDiff(plan, maskText)
    const summary = plan.unchanged ? `${plan.targetPath} holds exactly backup ${plan.backup.id}.` : `Backup ${plan.backup.id} differs from ${plan.targetPath}.`
    return {kind: 'result', structured: {host: host.id, id: plan.backup.id, targetPath: plan.targetPath, changed: !plan.unchanged, diff}, summary}
  },
})
