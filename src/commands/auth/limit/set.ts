import {Flags} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import {withStore} from '../../../cli/context.js'
import {storeFlag} from '../../../cli/flags.js'
import {HatchError} from '../../../core/errors.js'
import {METERED_TOOL_NAMES} from '../../../core/mcp/tools/index.js'
import {ALL_TOOLS, describeRule, setLimit} from '../../../core/quota/rules.js'
import type {LimitRecord} from '../../../core/store/types.js'

export default class AuthLimitSet extends HatchCommand<LimitRecord> {
  static override summary = 'Limit how often a user, a role or everyone may call a tool per day or month.'
  static override description = `Precedence: a user's rule over their role's, the role's over the default; within one level a rule for the tool over an --all rule. Daily and monthly rules both apply where both exist. Without any rule, calls are unlimited.
Periods are calendar days and months in the store's time zone (UTC unless set with \`hatch auth limit timezone\`). --daily 0 blocks the tool. Setting a rule that exists (same subject, tool and period) changes its limit. Running servers apply it from their next call.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --default --all --daily 1000',
    '<%= config.bin %> <%= command.id %> --role dev --tool backup_host_config --daily 50',
    '<%= config.bin %> <%= command.id %> --user alice --tool restore_host_config --monthly 10',
  ]

  static override flags = {
    user: Flags.string({description: 'The rule is for this user.', helpValue: 'USER', exactlyOne: ['user', 'role', 'default']}),
    role: Flags.string({description: 'The rule is for everyone with this role.', helpValue: 'ROLE', exactlyOne: ['user', 'role', 'default']}),
    default: Flags.boolean({description: 'The rule is for everyone without a user or role rule.', exactlyOne: ['user', 'role', 'default']}),
    tool: Flags.string({description: 'The tool the rule limits.', helpValue: 'TOOL', exactlyOne: ['tool', 'all']}),
    all: Flags.boolean({description: 'The rule limits all tools together.', exactlyOne: ['tool', 'all']}),
    daily: Flags.integer({description: 'Calls per calendar day (0 blocks).', helpValue: 'N', min: 0, exactlyOne: ['daily', 'monthly']}),
    monthly: Flags.integer({description: 'Calls per calendar month (0 blocks).', helpValue: 'N', min: 0, exactlyOne: ['daily', 'monthly']}),
    store: storeFlag,
  }

  async run(): Promise<LimitRecord> {
    const {flags} = await this.parse(AuthLimitSet)
    const subjectType = flags.user !== undefined ? 'user' : flags.role !== undefined ? 'role' : 'default'
    const period = flags.daily === undefined ? 'monthly' : 'daily'
    const limit = flags.daily ?? flags.monthly
    if (limit === undefined) throw new HatchError('INVALID_ARGUMENT', 'Give --daily N or --monthly N.')
    const spec = {subjectType, subject: flags.user ?? flags.role, tool: flags.all ? ALL_TOOLS : flags.tool!, period, limit} as const
    const rule = await withStore(flags.store, (store) => setLimit(store, spec, METERED_TOOL_NAMES, Date.now()))
    this.out(`Set ${describeRule(rule)}: ${rule.limit} call${rule.limit === 1 ? '' : 's'} per ${period === 'daily' ? 'day' : 'month'}.`)
    return rule
  }
}
