import {Args, Flags} from '@oclif/core'

import {HatchCommand} from '../../cli/base-command.js'
import {confirmOrRefuse} from '../../cli/confirm.js'
import {dryRunFlag, yesFlag} from '../../cli/flags.js'
import {renderTable} from '../../cli/table.js'
import {parseWholeNumberArgument} from '../../core/backup/retention.js'
import {count} from '../../core/text/plural.js'

export interface ArchivePruneOutput {
  dir: string
  dryRun: boolean
  /** Names deleted (with --dry-run: the names that would be deleted). */
  deleted: string[]
  kept: string[]
  /** Archives without a sidecar, which prune never touches. */
  orphans: string[]
}

export default class ArchivePrune extends HatchCommand<ArchivePruneOutput> {
  static override summary = 'Delete old archives in a folder, keeping the newest.'
  static override description = `Same rules as \`hatch mcp backup clean\`: an archive is deleted when it meets every criterion given; numbers are whole numbers >= 1; the newest archive is never deleted unless --all is given. --dry-run shows exactly the list a real run deletes. Only archives with a sidecar are considered; each goes with its sidecar.
In a terminal it asks first; without one it needs --yes.
Exit codes: 0 ok, 2 bad arguments, 3 folder missing, 6 not confirmed.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> /backup --keep 7 --dry-run',
    '<%= config.bin %> <%= command.id %> /backup --keep 30 --older-than-days 90 --yes --json',
  ]

  static override args = {
    dir: Args.string({description: 'The folder holding the archives.', required: true}),
  }

  static override flags = {
    keep: Flags.string({aliases: ['keep-count'], description: 'Keep the newest N archives (a whole number >= 1). Also --keep-count N, as backup clean once said it.', helpValue: 'N'}),
    'older-than-days': Flags.string({description: 'Delete only archives older than N days (a whole number >= 1).', helpValue: 'N'}),
    all: Flags.boolean({default: false, description: 'Allow deleting the newest archive; alone, delete every archive in the folder.'}),
    'dry-run': dryRunFlag,
    yes: yesFlag,
  }

  async run(): Promise<ArchivePruneOutput> {
    const {args, flags} = await this.parse(ArchivePrune)
    const criteria = {
      keepCount: parseWholeNumberArgument(this.argv.some((a) => a.startsWith('--keep-count')) ? '--keep-count' : '--keep', flags.keep),
      olderThanDays: parseWholeNumberArgument('--older-than-days', flags['older-than-days']),
      all: flags.all,
    }
    const {planPrune, prunePlanned} = await import('../../core/archive/prune.js')
    const plan = planPrune(args.dir, criteria, new Date())
    for (const w of plan.warnings) this.logToStderr(`Warning: ${w}`)
    const total = plan.delete.length + plan.keep.length
    const output: ArchivePruneOutput = {dir: args.dir, dryRun: flags['dry-run'], deleted: plan.delete.map((a) => a.name), kept: plan.keep.map((a) => a.name), orphans: plan.orphans}
    const listing = renderTable(['NAME', 'CREATED (UTC)'], plan.delete.map((a) => [a.name, a.createdAt.replace('T', ' ').slice(0, 19)]))
    const doomed = `${plan.delete.length} of ${count(total, 'archive')} in ${args.dir}`
    if (plan.delete.length === 0) {
      this.out(`Nothing to prune: ${args.dir} holds ${count(total, 'archive')}, and all are kept.`)
      return output
    }
    if (flags['dry-run']) {
      this.out(`Would delete ${doomed}:\n${listing}`)
      return output
    }
    if (!flags.yes && process.stdin.isTTY) this.logToStderr(`These ${doomed} would be deleted:\n${listing}`)
    await confirmOrRefuse(`Delete ${doomed}?`, {yes: flags.yes, action: `delete ${doomed}`})
    output.deleted = await prunePlanned(args.dir, plan)
    this.out(`Deleted ${count(output.deleted.length, 'archive')}; ${output.kept.length} kept.`)
    return output
  }
}
