import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {confirmOrRefuse} from '../../../cli/confirm.js'
import {openFileOperations} from '../../../cli/context.js'
import {dryRunFlag, hostFlag, yesFlag} from '../../../cli/flags.js'
import {parseBackupIdArgument} from '../../../core/backup/naming.js'
import {executeRestore, planRestore, restoreDiff, undoRestore} from '../../../core/backup/restore.js'
import type {RestorePreview, RestoreResult} from '../../../core/backup/results.js'
import {HatchError} from '../../../core/errors.js'
import {getHost} from '../../../core/hosts/registry.js'
import {resolveConfigPath} from '../../../core/hosts/resolve.js'
import {maskText} from '../../../core/redact/mask.js'

export type RestoreOutput = (RestoreResult & {dryRun: false; undo: string | null}) | (RestorePreview & {dryRun: true})

export default class BackupRestore extends HatchCommand<RestoreOutput> {
  static override summary = "Put a backup back in place of a host's config file."
  static override description = `Refuses a backup whose checksum no longer matches, and one that does not parse in the host's format (unless --force). Before writing, it backs up the current file (even one that does not parse), so every restore can be undone. It writes to the path the backup came from (or --to), atomically, keeping the file's mode; a symlinked config stays a symlink.
In a terminal it asks first; without one it needs --yes.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --host claude-desktop --latest --dry-run',
    '<%= config.bin %> <%= command.id %> --host cursor --id 20261121_165100_123456 --yes --json',
  ]

  static override flags = {
    host: hostFlag(true),
    id: Flags.string({description: 'The backup to restore (see `hatch mcp backup list`).', helpValue: 'ID'}),
    latest: Flags.boolean({default: false, description: "Restore the host's newest backup."}),
    to: Flags.string({aliases: ['config'], description: 'Restore to this file instead of the one the backup came from.', helpValue: 'PATH'}),
    force: Flags.boolean({default: false, description: 'Restore even a backup that does not parse, or that has no recorded checksum.'}),
    'servers-only': Flags.boolean({
      default: false,
      description: "Restore only the MCP servers from the backup and keep everything else in the current file (for files that also hold the app's other settings, like ~/.claude.json or ~/.codex/config.toml).",
    }),
    'dry-run': dryRunFlag,
    'show-secrets': Flags.boolean({default: false, description: 'Show secret values in the diff instead of masking them.'}),
    yes: yesFlag,
  }

  async run(): Promise<RestoreOutput> {
    const {flags} = await this.parse(BackupRestore)
    const host = getHost(flags.host!)
    if ((flags.id === undefined) === !flags.latest) {
      throw new HatchError('INVALID_ARGUMENT', 'Say which backup to restore: give exactly one of --id ID and --latest.', {
        suggestions: [`Run \`hatch mcp backup list --host ${host.id}\` to see the ids.`],
      })
    }
    const id = flags.id === undefined ? undefined : parseBackupIdArgument(flags.id, host.id)
    const to = flags.to === undefined ? undefined : (await resolveConfigPath(host.id, {config: flags.to})).path
    const ops = openFileOperations(this.config.version)
    const plan = planRestore(ops.store, {
      host: host.id,
      format: host.format,
      id,
      to,
      force: flags.force,
      serversOnly: flags['servers-only'],
      serversPath: host.serversPath,
    })
    const diff = () => restoreDiff(plan, flags['show-secrets'] ? undefined : maskText)
    if (host.sharedState && !plan.serversOnly && !this.jsonEnabled()) {
      this.logToStderr(
        `Note: ${plan.targetPath} also holds ${host.displayName}'s other settings; restoring the whole file resets them to the backup too. Add --servers-only to restore just the MCP servers.`,
      )
    }
    if (flags['dry-run']) {
      const text = diff()
      this.out(plan.unchanged ? `${plan.targetPath} already holds the content of backup ${plan.backup.id}; a restore would change nothing.` : text)
      return {changed: !plan.unchanged, diff: text, dryRun: true, host: host.id, id: plan.backup.id, restoredPath: plan.targetPath}
    }
    // Nothing to change is nothing to confirm: no question, and no refusal without a terminal.
    if (!plan.unchanged) {
      if (!flags.yes && process.stdin.isTTY) this.logToStderr(diff())
      await confirmOrRefuse(`Restore backup ${plan.backup.id} (${plan.backup.createdAt}) over ${plan.targetPath}?`, {
        yes: flags.yes,
        action: `restore backup ${plan.backup.id} over ${plan.targetPath}`,
      })
    }
    const result = await executeRestore(ops, plan)
    const undo = undoRestore(plan, result)
    if (!result.changed) this.out(`${result.restoredPath} already holds the content of backup ${result.id}; nothing to restore, nothing changed.`)
    else {
      const done = plan.serversOnly ? `Restored the MCP servers of backup ${result.id} into ${result.restoredPath}; everything else in it was kept.` : `Restored backup ${result.id} to ${result.restoredPath}.`
      const how = undo === null ? '' : undo.needsForce ? `; it did not parse, so undoing needs --force:` : '; undo with:'
      this.out(undo === null ? done : `${done}\nThe previous content is backup ${result.preRestoreBackupId}${how}\n  ${this.hint(undo.command)}`)
    }
    return {...result, dryRun: false, undo: undo === null ? null : this.hint(undo.command)}
  }
}
