import {Args} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {withStore} from '../../../cli/context.js'
import {storeFlag} from '../../../cli/flags.js'
import {removeLimit} from '../../../core/quota/rules.js'

export default class AuthLimitRm extends HatchCommand<{id: string; removed: true}> {
  static override summary = 'Remove a usage limit; running servers apply it from their next call.'
  static override examples = ['<%= config.bin %> <%= command.id %> lim_0123456789ab']
  static override args = {id: Args.string({description: 'Limit id (lim_…), from `hatch auth limit list`.', required: true})}
  static override flags = {store: storeFlag}

  async run(): Promise<{id: string; removed: true}> {
    const {args, flags} = await this.parse(AuthLimitRm)
    await withStore(flags.store, (store) => removeLimit(store, args.id))
    this.out(`Removed ${args.id}.`)
    return {id: args.id, removed: true}
  }
}
