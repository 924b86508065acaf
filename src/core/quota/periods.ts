import {HatchError} from '../errors.js'
import type {Period} from '../store/types.js'

/**
 * Calendar periods in a time zone (quotas count per calendar day and month, not rolling windows, mcp.md §6): the
 * key of the period an instant falls in (`2026-12-04`, `2026-12`), and when it resets (the next period's first
 * instant, which daylight-saving changes can move off the hour).
 */

const formats = new Map<string, Intl.DateTimeFormat>()

/** @throws HatchError INVALID_ARGUMENT for a name the runtime's time zone database does not know */
export function checkTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: tz})
    return tz
  } catch {
    throw new HatchError('INVALID_ARGUMENT', `Unknown time zone ${JSON.stringify(tz)}.`, {suggestions: ['Use an IANA name such as UTC, Europe/Berlin or Asia/Seoul.']})
  }
}

interface Local {
  y: number
  m: number
  d: number
  h: number
  min: number
  s: number
}

function local(ms: number, tz: string): Local {
  let f = formats.get(tz)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {timeZone: tz, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23'})
    formats.set(tz, f)
  }
  const parts: Record<string, number> = {}
  for (const p of f.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  return {y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour!, min: parts.minute!, s: parts.second!}
}

/** The zone's offset from UTC at `ms`, in ms (local wall time minus UTC). */
function offset(ms: number, tz: string): number {
  const l = local(ms, tz)
  return Date.UTC(l.y, l.m - 1, l.d, l.h, l.min, l.s) - Math.floor(ms / 1000) * 1000
}

/**
 * The first instant of local date y-m-d: usually its 00:00, but where a daylight-saving change skips midnight, the
 * moment the clocks jump. Found by bisection around the plain estimate (local dates only ever move forward).
 */
function startOfLocalDay(y: number, m: number, d: number, tz: string): number {
  const target = Date.UTC(y, m - 1, d)
  const dateOf = (t: number) => {
    const l = local(t, tz)
    return Date.UTC(l.y, l.m - 1, l.d)
  }
  const guess = target - offset(target - offset(target, tz), tz)
  let lo = guess - 6 * 3_600_000
  let hi = guess + 6 * 3_600_000
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000
    if (dateOf(mid) >= target) hi = mid
    else lo = mid
  }
  return hi
}

const pad = (n: number) => String(n).padStart(2, '0')

export interface PeriodInfo {
  period: Period
  /** `2026-12-04` for a day, `2026-12` for a month, in the zone. */
  key: string
  /** When this period started. */
  starts: Date
  /** When the next period starts (the counts start again from zero then). */
  resets: Date
}

/** The local day an instant falls in, with both keys and both resets: computed once per day and zone. */
interface Day {
  start: number
  end: number
  daily: string
  monthly: string
  monthStart: number
  monthEnd: number
}

const days = new Map<string, Day>()

function dayOf(ms: number, tz: string): Day {
  const cached = days.get(tz)
  if (cached !== undefined && ms >= cached.start && ms < cached.end) return cached
  const l = local(ms, tz)
  const next = new Date(Date.UTC(l.y, l.m - 1, l.d + 1))
  const nextMonth = new Date(Date.UTC(l.y, l.m, 1))
  const day: Day = {
    start: startOfLocalDay(l.y, l.m, l.d, tz),
    end: startOfLocalDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), tz),
    daily: `${l.y}-${pad(l.m)}-${pad(l.d)}`,
    monthly: `${l.y}-${pad(l.m)}`,
    monthStart: startOfLocalDay(l.y, l.m, 1, tz),
    monthEnd: startOfLocalDay(nextMonth.getUTCFullYear(), nextMonth.getUTCMonth() + 1, 1, tz),
  }
  days.set(tz, day)
  return day
}

/** Both period keys of an instant (what every admitted call needs); cheap within the same local day. */
export function periodKeys(at: Date, tz: string): {daily: string; monthly: string} {
  const day = dayOf(at.getTime(), tz)
  return {daily: day.daily, monthly: day.monthly}
}

export function periodOf(period: Period, at: Date, tz: string): PeriodInfo {
  const day = dayOf(at.getTime(), tz)
  return period === 'daily'
    ? {period, key: day.daily, starts: new Date(day.start), resets: new Date(day.end)}
    : {period, key: day.monthly, starts: new Date(day.monthStart), resets: new Date(day.monthEnd)}
}
