import {z} from 'zod'

import {parseSince} from '../../audit/read.js'
import {HatchError} from '../../errors.js'
import {usageReport} from '../../quota/report.js'
import {ALL_TOOLS, describeRule, setLimit} from '../../quota/rules.js'
import {defineTool, READ_ONLY, type ToolServices} from '../types.js'

const Status = z.object({
  tool: z.string().describe('A tool, or * for all tools together (what an all-tools limit counts).'),
  period: z.enum(['daily', 'monthly']),
  periodKey: z.string(),
  used: z.number().int(),
  limit: z.number().int().nullable().describe('Null: no limit applies.'),
  remaining: z.number().int().nullable(),
  resets: z.string().describe('When the count starts again (ISO time).'),
  rule: z.string().nullable(),
})

function accounts(services: ToolServices) {
  if (services.accounts === undefined || services.identity === undefined) {
    throw new HatchError('PERMISSION_DENIED', 'Usage and limits exist only on an authenticated hatch mcp serve --http with a token store.')
  }
  return {...services.accounts, identity: services.identity}
}

export const myUsage = defineTool({
  name: 'my_usage',
  title: 'Show my remaining quota',
  unmetered: true,
  description:
    'Shows, for each tool you can use, how many calls you have made today and this month, your limit (null: unlimited), what remains, and when each count resets. ' +
    'Only your own figures: identity comes from your token. Changes nothing.',
  privilege: 'read',
  requires: ['accounts'],
  input: z.object({}).strict(),
  output: z.object({user: z.string(), role: z.string().nullable(), timeZone: z.string(), limits: z.array(Status)}),
  hints: READ_ONLY,
  async run(_args, services) {
    const {quota, identity, toolNames} = accounts(services)
    const status = await quota.status(identity.user, identity.role, toolNames)
    const limited = status.limits.filter((l) => l.limit !== null)
    const summary =
      limited.length === 0
        ? `No limits apply to ${identity.user}.`
        : limited.map((l) => `${l.tool === ALL_TOOLS ? 'all tools' : l.tool} ${l.period}: ${l.remaining} of ${l.limit} left (resets ${l.resets})`).join('; ')
    return {kind: 'result', structured: {user: identity.user, role: identity.role, ...status}, summary}
  },
})

const ReportRow = Status.extend({user: z.string(), role: z.string().nullable()})
const Totals = z.object({user: z.string(), tool: z.string(), outcome: z.enum(['ok', 'error', 'denied']), calls: z.number().int()})

export const usageReportTool = defineTool({
  name: 'usage_report',
  title: "Report every user's usage (administrators)",
  description:
    "For administrators (hatch:admin): each user's calls today and this month per tool against their limits, and the calls by outcome (ok, error, denied) since a date. " +
    '`user` and `tool` narrow the report; `since` is a date (2026-12-01) or a duration back from now (7d). Changes nothing.',
  privilege: 'admin',
  requires: ['accounts'],
  input: z
    .object({
      user: z.string().min(1).max(256).optional().describe('Only this user.'),
      tool: z.string().min(1).max(100).optional().describe('Only this tool.'),
      since: z.string().min(1).max(40).optional().describe('Call totals since then (default: the start of this month).'),
    })
    .strict(),
  output: z.object({timeZone: z.string(), usage: z.array(ReportRow), calls: z.array(Totals), since: z.string()}),
  hints: READ_ONLY,
  async run(args, services) {
    const {quota, store} = accounts(services)
    const report = await usageReport(quota, store, {user: args.user, tool: args.tool, since: args.since === undefined ? undefined : parseSince(args.since, services.now())}, services.now())
    return {kind: 'result', structured: report, summary: `${new Set(report.usage.map((u) => u.user)).size} users with calls this period.`}
  },
})

export const setToolLimit = defineTool({
  name: 'set_tool_limit',
  title: 'Set a usage limit (administrators)',
  description:
    'For administrators (hatch:admin): sets how often a user, a role, or everyone by default may call a tool (or all tools together, tool "*") per calendar day or month. ' +
    'limit 0 blocks the tool. An existing rule for the same subject, tool and period is changed. It applies to every server sharing this store at once.',
  privilege: 'admin',
  requires: ['accounts'],
  input: z
    .object({
      subject_type: z.enum(['user', 'role', 'default']),
      subject: z.string().min(1).max(128).optional().describe('The user or role; omit for the default.'),
      tool: z.string().min(1).max(100).describe('A tool name, or * for all tools together.'),
      period: z.enum(['daily', 'monthly']),
      limit: z.number().int().min(0).max(1_000_000_000),
    })
    .strict(),
  output: z.object({
    id: z.string(),
    subjectType: z.enum(['user', 'role', 'default']),
    subject: z.string(),
    tool: z.string(),
    period: z.enum(['daily', 'monthly']),
    limit: z.number().int(),
    createdAt: z.number(),
    updatedAt: z.number(),
  }),
  hints: {readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false},
  async run(args, services) {
    const {store, allToolNames} = accounts(services)
    if ((args.subject_type === 'default') !== (args.subject === undefined)) {
      throw new HatchError('INVALID_ARGUMENT', args.subject_type === 'default' ? 'The default limit takes no subject.' : `A ${args.subject_type} limit needs the subject: which ${args.subject_type}.`)
    }
    const rule = await setLimit(store, {subjectType: args.subject_type, subject: args.subject, tool: args.tool, period: args.period, limit: args.limit}, allToolNames, services.now().getTime())
    return {kind: 'result', structured: rule, summary: `Set ${describeRule(rule)} to ${rule.limit}.`}
  },
})
