import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {withStore} from '../../../cli/context.js'
import {storeFlag} from '../../../cli/flags.js'
import {parseSince} from '../../../core/audit/read.js'
import {pruneUsage} from '../../../core/quota/report.js'

export default class AuthUsagePrune extends HatchCommand<{before: string; rows: number; counters: number}> {
  static override summary = 'Delete usage-log rows (and counters of ended periods) older than a given age.'
  static override description = 'Counts of the current day and month are never deleted, so limits keep working.'
  static override examples = ['<%= config.bin %> <%= command.id %> --older-than 90d']
  static override flags = {
    'older-than': Flags.string({description: 'Delete what is older than this: 90d, 12w, or a date.', helpValue: 'AGE', required: true}),
    store: storeFlag,
  }

  async run(): Promise<{before: string; rows: number; counters: number}> {
    const {flags} = await this.parse(AuthUsagePrune)
    const before = parseSince(flags['older-than'])
    const result = await withStore(flags.store, (store) => pruneUsage(store, before))
    this.out(`Deleted ${result.rows} usage row${result.rows === 1 ? '' : 's'} and ${result.counters} old counter${result.counters === 1 ? '' : 's'} from before ${result.before}.`)
    return result
  }
}
