import {Args} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {withStore} from '../../../cli/context.js'
import {storeFlag} from '../../../cli/flags.js'
import {revokeToken} from '../../../core/auth/tokens.js'

export default class AuthTokenRevoke extends HatchCommand<{id: string; revoked: true; alreadyRevoked: boolean}> {
  static override summary = 'Revoke a personal access token: servers refuse it from their next request on.'
  static override description = 'Takes the token id from `hatch auth token list` (never the token itself). A running server checks the store on every request, so the token stops working at once, also on sessions that are already open.'
  static override examples = ['<%= config.bin %> <%= command.id %> tok_0123456789abcdef']
  static override args = {id: Args.string({description: 'Token id (tok_…), from `hatch auth token list`.', required: true})}
  static override flags = {store: storeFlag}

  async run(): Promise<{id: string; revoked: true; alreadyRevoked: boolean}> {
    const {args, flags} = await this.parse(AuthTokenRevoke)
    const result = await withStore(flags.store, (store) => revokeToken(store, args.id, Date.now()))
    this.out(result.alreadyRevoked ? `${result.id} was already revoked.` : `Revoked ${result.id}.`)
    return {id: result.id, revoked: true, alreadyRevoked: result.alreadyRevoked}
  }
}
