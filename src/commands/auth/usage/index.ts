import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {withStore} from '../../../cli/context.js'
import {storeFlag} from '../../../cli/flags.js'
import {renderTable} from '../../../cli/table.js'
import {parseSince} from '../../../core/audit/read.js'
import {QuotaGate} from '../../../core/quota/gate.js'
import {type UsageReport, usageReport} from '../../../core/quota/report.js'
import {ALL_TOOLS} from '../../../core/quota/rules.js'

const show = (n: number | null) => (n === null ? '-' : String(n))

export default class AuthUsage extends HatchCommand<UsageReport> {
  static override summary = "Show each user's calls this day and month against their limits, and the calls by outcome."
  static override description = `For every user with calls in the current periods: per tool (or "all tools" for an all-tools limit) and period, the calls used, the limit ("-": unlimited), what remains and when it resets. Below, the calls by outcome since --since (default: the start of this month): ok and error were admitted and counted, denied were refused by a limit and not counted.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --user alice --since 7d --json']
  static override flags = {
    user: Flags.string({description: 'Only this user.', helpValue: 'USER'}),
    tool: Flags.string({description: 'Only this tool.', helpValue: 'TOOL'}),
    since: Flags.string({description: 'Call totals since then: a duration back (7d) or a date (2026-12-01).', helpValue: 'WHEN'}),
    store: storeFlag,
  }

  async run(): Promise<UsageReport> {
    const {flags} = await this.parse(AuthUsage)
    const since = flags.since === undefined ? undefined : parseSince(flags.since)
    const report = await withStore(flags.store, (store) => usageReport(new QuotaGate(store), store, {user: flags.user, tool: flags.tool, since}))
    this.out(
      renderTable(
        ['USER', 'ROLE', 'TOOL', 'PERIOD', 'USED', 'LIMIT', 'LEFT', 'RESETS (UTC)'],
        report.usage.map((u) => [u.user, u.role ?? '-', u.tool === ALL_TOOLS ? '(all tools)' : u.tool, u.period, String(u.used), show(u.limit), show(u.remaining), u.resets.replace('T', ' ').slice(0, 16)]),
        'No calls this period.',
      ) +
        `\n\nCalls since ${report.since.slice(0, 10)}:\n` +
        renderTable(
          ['USER', 'TOOL', 'OUTCOME', 'CALLS'],
          report.calls.map((c) => [c.user, c.tool, c.outcome, String(c.calls)]),
          'none',
        ),
    )
    return report
  }
}
