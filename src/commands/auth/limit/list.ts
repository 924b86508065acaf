import {HatchCommand} from '../../../cli/base-command.js'
import {withStore} from '../../../cli/context.js'
import {storeFlag} from '../../../cli/flags.js'
import {renderTable} from '../../../cli/table.js'
import {QuotaGate} from '../../../core/quota/gate.js'
import {ALL_TOOLS} from '../../../core/quota/rules.js'
import type {LimitRecord} from '../../../core/store/types.js'

export default class AuthLimitList extends HatchCommand<{timeZone: string; limits: LimitRecord[]}> {
  static override summary = 'List the usage limits (no rule at all means unlimited).'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override flags = {store: storeFlag}

  async run(): Promise<{timeZone: string; limits: LimitRecord[]}> {
    const {flags} = await this.parse(AuthLimitList)
    const {limits, timeZone} = await withStore(flags.store, async (store) => ({limits: await store.listLimits(), timeZone: await new QuotaGate(store).timeZone()}))
    this.out(
      renderTable(
        ['ID', 'FOR', 'TOOL', 'PERIOD', 'LIMIT'],
        limits.map((l) => [l.id, l.subjectType === 'default' ? 'default' : `${l.subjectType} ${l.subject}`, l.tool === ALL_TOOLS ? '(all tools)' : l.tool, l.period, String(l.limit)]),
        this.hint('No limits: every call is unlimited. Set one with `hatch auth limit set`.'),
      ) + `\nPeriods are calendar days and months in ${timeZone}.`,
    )
    return {timeZone, limits}
  }
}
