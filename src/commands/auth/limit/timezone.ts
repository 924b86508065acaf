import {Args} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {withStore} from '../../../cli/context.js'
import {storeFlag} from '../../../cli/flags.js'
import {QuotaGate, setQuotaTimeZone} from '../../../core/quota/gate.js'

export default class AuthLimitTimezone extends HatchCommand<{timeZone: string}> {
  static override summary = 'Show or set the time zone whose calendar days and months the limits count in (default UTC).'
  static override description = 'The setting lives in the store, so every server sharing it counts the same periods. Running servers pick a change up within a minute.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> Asia/Seoul']
  static override args = {zone: Args.string({description: 'An IANA time zone, e.g. UTC, Europe/Berlin, Asia/Seoul.'})}
  static override flags = {store: storeFlag}

  async run(): Promise<{timeZone: string}> {
    const {args, flags} = await this.parse(AuthLimitTimezone)
    const timeZone = await withStore(flags.store, (store) => (args.zone === undefined ? new QuotaGate(store).timeZone() : setQuotaTimeZone(store, args.zone)))
    this.out(args.zone === undefined ? `Limits count calendar days and months in ${timeZone}.` : `Limits now count calendar days and months in ${timeZone}.`)
    return {timeZone}
  }
}
