import type {HatchStore, UsageTotal} from '../store/types.js'
import {QuotaGate, type QuotaStatus} from './gate.js'
import {periodKeys, periodOf} from './periods.js'
import {ALL_TOOLS} from './rules.js'

export interface UsageReportRow extends QuotaStatus {
  user: string
  /** The role role rules are resolved with: the one the user's newest logged call carried, else their newest token's. */
  role: string | null
}

export interface UsageReport {
  timeZone: string
  /** Where each user stands in the current day and month, per counter that has calls or a limit. */
  usage: UsageReportRow[]
  /** Calls by outcome (`ok`, `error`, `denied`) since `since`. */
  calls: UsageTotal[]
  since: string
}

export interface UsageReportFilter {
  user?: string
  tool?: string
  /** Default: the start of the current month (in the quota time zone). */
  since?: Date
}

/**
 * The usage report of `hatch auth usage` and the `usage_report` tool: every user with calls in the current periods
 * (or the one asked for), each counter against the rule that governs it, and the call totals of the usage log.
 */
export async function usageReport(quota: QuotaGate, store: HatchStore, filter: UsageReportFilter, now: Date = new Date()): Promise<UsageReport> {
  await quota.flush() // this server's newest calls are in the log before it is read
  const tz = await quota.timeZone()
  const keys = periodKeys(now, tz)
  const since = filter.since ?? periodOf('monthly', now, tz).starts
  const [counters, calls, roles] = await Promise.all([
    store.counters({user: filter.user, periodKeys: [keys.daily, keys.monthly]}),
    store.usageTotals({user: filter.user, tool: filter.tool, since: since.getTime()}),
    store.recentRoles(filter.user),
  ])
  const users = [...new Set(counters.map((c) => c.user))].sort()
  const usage: UsageReportRow[] = []
  for (const user of users) {
    const role = roles.get(user) ?? null
    const tools = [...new Set(counters.filter((c) => c.user === user && c.tool !== ALL_TOOLS).map((c) => c.tool))]
    const wanted = filter.tool === undefined ? tools : tools.filter((t) => t === filter.tool)
    const status = await quota.status(user, role, wanted.length > 0 ? wanted : filter.tool === undefined ? [] : [filter.tool])
    for (const row of status.limits) usage.push({user, role, ...row})
  }
  return {timeZone: tz, usage, calls, since: since.toISOString()}
}

/**
 * Deletes the usage log before `before`, and the counters of periods that ended before it; never the counters of the
 * current day and month (the time zone's), so pruning cannot reset a limit.
 */
export async function pruneUsage(store: HatchStore, before: Date, now: Date = new Date()): Promise<{before: string; rows: number; counters: number}> {
  const tz = await new QuotaGate(store).timeZone()
  const edge = new Date(Math.min(before.getTime(), now.getTime()))
  // The edge is never after now, so the periods it falls in are never later than the current ones.
  const keys = periodKeys(edge, tz)
  const result = await store.pruneUsage(edge.getTime(), {dayKey: keys.daily, monthKey: keys.monthly})
  return {before: edge.toISOString(), ...result}
}
