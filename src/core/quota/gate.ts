import type {Identity} from '../auth/identity.js'
import {HatchError} from '../errors.js'
import type {CounterKey, HatchStore, LimitRecord, Period, UsageOutcome, UsageRow} from '../store/types.js'
import {checkTimeZone, periodKeys, periodOf} from './periods.js'
import {ALL_TOOLS, applicableRules, describeRule, PERIODS} from './rules.js'

/** The setting that holds the quota time zone; periods are calendar days and months there. */
export const TIME_ZONE_SETTING = 'quota.timezone'
export const DEFAULT_TIME_ZONE = 'UTC'

/** Where one user stands against one counter in the current period. */
export interface QuotaStatus {
  /** The tool, or `*`: all tools together (what an all-tools rule counts). */
  tool: string
  period: Period
  periodKey: string
  used: number
  /** Null: no rule applies, unlimited. */
  limit: number | null
  remaining: number | null
  /** When the period ends and the count starts again (ISO time). */
  resets: string
  rule: string | null
}

export interface QuotaOptions {
  now?: () => Date
  /** How long the time zone setting is kept before it is read again (ms). Default one minute. */
  timeZoneTtlMs?: number
  /** Told when a batch of usage-log rows could not be written (the counts are already in the store). */
  report?: (message: string, error: unknown) => void
}

/** The most usage-log rows written in one statement. */
const MAX_USAGE_BATCH = 256

/**
 * Per-user and per-role daily and monthly limits, checked and counted in one atomic step in the store before a tool
 * runs (docs/http.md "Limits"). Rules are read from the store on every call, so `hatch auth limit set|rm` applies to
 * running servers at once. Every admitted call counts, whether it then succeeds or fails; a refused call counts
 * nothing and is logged as `denied`. Each call is counted for its tool and for all tools (`*`), in both periods, so a
 * rule added in the middle of a period sees the calls made before it.
 */
export class QuotaGate {
  private readonly now: () => Date
  private zone: {value: string; at: number} | undefined
  private pending: UsageRow[] = []
  private writing: Promise<void> | undefined

  constructor(
    readonly store: HatchStore,
    private readonly options: QuotaOptions = {},
  ) {
    this.now = options.now ?? (() => new Date())
  }

  /** The quota time zone (a store setting, shared by every server using the store). */
  async timeZone(): Promise<string> {
    const at = Date.now()
    if (this.zone === undefined || at - this.zone.at > (this.options.timeZoneTtlMs ?? 60_000)) {
      this.zone = {value: (await this.store.getSetting(TIME_ZONE_SETTING)) ?? DEFAULT_TIME_ZONE, at}
    }
    return this.zone.value
  }

  /** Admits the call (counting it) or refuses it with QUOTA_EXCEEDED naming the rule, the count and the reset time. */
  async admit(identity: Identity, tool: string): Promise<void> {
    const at = this.now()
    const tz = await this.timeZone()
    const keys = periodKeys(at, tz)
    const rules = applicableRules(await this.store.limitsFor(identity.user, identity.role), identity.user, identity.role, tool)
    const counters: CounterKey[] = [
      {tool, period: 'daily', periodKey: keys.daily},
      {tool, period: 'monthly', periodKey: keys.monthly},
      {tool: ALL_TOOLS, period: 'daily', periodKey: keys.daily},
      {tool: ALL_TOOLS, period: 'monthly', periodKey: keys.monthly},
    ]
    const limits = PERIODS.flatMap((period) => {
      const rule = rules[period]
      return rule === undefined ? [] : [{counter: (rule.tool === ALL_TOOLS ? 2 : 0) + (period === 'monthly' ? 1 : 0), limit: rule.limit, rule}]
    })
    const result = await this.store.admit({user: identity.user, counters, limits})
    if (result.admitted) return
    const {rule} = limits.find((l) => l.counter === result.over)!
    throw refusal(tool, rule, result.used[result.over]!, periodOf(rule.period, at, tz).resets)
  }

  /**
   * Queues one call for the usage log (never its arguments or token) and returns at once, so the reply does not wait
   * for the write. Rows queued in the same turn of the event loop, or while a write is under way, go to the store
   * together in one statement: under load that is one write for many calls. The counts that limits check were written
   * by `admit`, so a crash can lose the newest log rows, never a count.
   */
  record(identity: Identity, tool: string, outcome: UsageOutcome, durationMs: number): void {
    this.pending.push({at: this.now().getTime(), user: identity.user, role: identity.role, tokenId: identity.tokenId, tool, outcome, durationMs: Math.round(durationMs * 10) / 10})
    this.writing ??= this.drain()
  }

  /** Resolves once every queued usage row has been written (or reported as lost). Await it before closing the store. */
  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing
  }

  private async drain(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve))
    while (this.pending.length > 0) {
      const rows = this.pending.splice(0, MAX_USAGE_BATCH)
      try {
        await this.store.recordUsage(rows)
      } catch (error) {
        this.options.report?.(`hatch mcp: could not write ${rows.length} row(s) of the usage log`, error)
      }
    }
    this.writing = undefined
  }

  /**
   * Where `user` stands now: for each of `tools`, the counter each period's rule counts (the tool's, or `*` for an
   * all-tools rule), with its limit and what remains; unlimited periods show the tool's own count.
   */
  async status(user: string, role: string | null, tools: readonly string[]): Promise<{timeZone: string; limits: QuotaStatus[]}> {
    const at = this.now()
    const tz = await this.timeZone()
    const keys = periodKeys(at, tz)
    const [rules, counters] = await Promise.all([this.store.limitsFor(user, role), this.store.counters({user, periodKeys: [keys.daily, keys.monthly]})])
    const used = (tool: string, period: Period) => counters.find((c) => c.tool === tool && c.period === period && c.periodKey === keys[period])?.used ?? 0
    const out: QuotaStatus[] = []
    const seen = new Set<string>()
    for (const tool of tools) {
      const applicable = applicableRules(rules, user, role, tool)
      for (const period of PERIODS) {
        const rule = applicable[period]
        const counted = rule?.tool === ALL_TOOLS ? ALL_TOOLS : tool
        if (seen.has(`${counted}|${period}`)) continue
        seen.add(`${counted}|${period}`)
        out.push(statusRow(counted, period, keys[period], used(counted, period), rule, periodOf(period, at, tz).resets))
      }
    }
    return {timeZone: tz, limits: out}
  }
}

function statusRow(tool: string, period: Period, periodKey: string, used: number, rule: LimitRecord | undefined, resets: Date): QuotaStatus {
  const limit = rule?.limit ?? null
  return {tool, period, periodKey, used, limit, remaining: limit === null ? null : Math.max(0, limit - used), resets: resets.toISOString(), rule: rule?.id ?? null}
}

function refusal(tool: string, rule: LimitRecord, used: number, resets: Date): HatchError {
  const when = rule.period === 'daily' ? 'today' : 'this month'
  return new HatchError('QUOTA_EXCEEDED', `${tool} was not run: ${describeRule(rule)} is used up (${used} of ${rule.limit} calls ${when}${used > rule.limit ? '; the limit was lowered after those calls' : ''}). It resets at ${resets.toISOString()}.`, {
    suggestions: ['Wait until then, or ask the administrator of this hatch server to raise the limit.'],
  })
}

/** Sets the quota time zone of a store (an IANA name). */
export async function setQuotaTimeZone(store: HatchStore, tz: string): Promise<string> {
  await store.setSetting(TIME_ZONE_SETTING, checkTimeZone(tz))
  return tz
}
