import {HatchCommand} from '../../../cli/base-command.js'
import {withStore} from '../../../cli/context.js'
import {storeFlag} from '../../../cli/flags.js'
import {renderTable} from '../../../cli/table.js'
import {tokenInfo, type TokenInfo} from '../../../core/auth/tokens.js'

const day = (iso: string | null) => (iso === null ? '-' : iso.replace('T', ' ').slice(0, 16))

export default class AuthTokenList extends HatchCommand<{tokens: TokenInfo[]}> {
  static override summary = 'List the personal access tokens (never the tokens themselves).'
  static override description = 'Shows each token\'s id, user, role, scopes, when it was created and last used, when it expires, and whether it is active, expired or revoked. The tokens themselves are not stored and cannot be shown.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']
  static override flags = {store: storeFlag}

  async run(): Promise<{tokens: TokenInfo[]}> {
    const {flags} = await this.parse(AuthTokenList)
    const now = Date.now()
    const tokens = (await withStore(flags.store, (store) => store.listTokens())).map((t) => tokenInfo(t, now))
    this.out(
      renderTable(
        ['ID', 'USER', 'ROLE', 'SCOPES', 'CREATED (UTC)', 'LAST USED', 'EXPIRES', 'STATE'],
        tokens.map((t) => [t.id, t.user, t.role, t.scopes.join(','), day(t.createdAt), day(t.lastUsedAt), t.expiresAt === null ? 'never' : day(t.expiresAt), t.state]),
        this.hint('No tokens yet. Create one with `hatch auth token create --user NAME`.'),
      ),
    )
    return {tokens}
  }
}
