import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {withStore} from '../../../cli/context.js'
import {storeFlag} from '../../../cli/flags.js'
import {createToken, parseExpiry, parseScopes, type TokenInfo} from '../../../core/auth/tokens.js'

export default class AuthTokenCreate extends HatchCommand<TokenInfo & {token: string}> {
  static override summary = 'Create a personal access token for hatch mcp serve --http.'
  static override description = `Prints the token once: hatch keeps only its SHA-256, so it cannot show it again (create a new one if it is lost, and revoke the old).
The token (hatch_pat_ + 64 hex digits) identifies USER to the server; the server's tools a caller sees are those both the server's --allow-… flags and the token's scopes allow. Scopes: hatch:read (tools that change nothing), hatch:write (adds backups; includes read), hatch:destructive (restore and clean; includes write), hatch:admin (administrator tools; includes read). --role names the group quotas and limits apply to.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --user alice --role dev',
    '<%= config.bin %> <%= command.id %> --user ci-bot --role ci --scope hatch:read,hatch:write --expires 30d --json',
  ]

  static override flags = {
    user: Flags.string({description: 'Who the token identifies (letters, digits, . _ - @).', helpValue: 'USER', required: true}),
    role: Flags.string({description: 'The role quotas and limits apply to.', helpValue: 'ROLE', default: 'default'}),
    scope: Flags.string({description: 'Scopes, comma-separated (repeatable): hatch:read, hatch:write, hatch:destructive, hatch:admin.', helpValue: 'SCOPES', multiple: true, default: ['hatch:read']}),
    expires: Flags.string({description: 'When it stops working: 12h, 30d, 2w, a date (2027-01-31), or never.', helpValue: 'WHEN', default: '90d'}),
    store: storeFlag,
  }

  async run(): Promise<TokenInfo & {token: string}> {
    const {flags} = await this.parse(AuthTokenCreate)
    const now = Date.now()
    const input = {user: flags.user, role: flags.role, scopes: parseScopes(flags.scope), expiresAt: parseExpiry(flags.expires, now), now}
    const {token, info} = await withStore(flags.store, (store) => createToken(store, input))
    this.out(
      `Created ${info.id} for ${info.user} (role ${info.role}; ${info.scopes.join(', ')}; ${info.expiresAt === null ? 'never expires' : `expires ${info.expiresAt}`}).\n\n` +
        `${token}\n\n` +
        `Copy it now: hatch keeps only its hash and cannot show it again. Revoke it with \`${this.hint(`hatch auth token revoke ${info.id}`)}\`.`,
    )
    return {...info, token}
  }
}
