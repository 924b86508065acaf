import {randomBytes} from 'node:crypto'

import {HatchError} from '../errors.js'
import type {HatchStore, LimitRecord, NewLimit, Period} from '../store/types.js'

export const ALL_TOOLS = '*'
export const PERIODS: readonly Period[] = ['daily', 'monthly']
const LEVELS = ['user', 'role', 'default'] as const

/**
 * The rule that applies to a call, per period (docs/http.md "Limits"): a user's rule over their role's, the role's
 * over the default; within one level a rule for the tool over an all-tools rule. Daily and monthly are resolved
 * separately, and both apply where both exist. No rule for a period: unlimited in that period.
 */
export function applicableRules(rules: readonly LimitRecord[], user: string, role: string | null, tool: string): Partial<Record<Period, LimitRecord>> {
  const out: Partial<Record<Period, LimitRecord>> = {}
  for (const period of PERIODS) {
    for (const level of LEVELS) {
      const subject = level === 'user' ? user : level === 'role' ? role : ''
      if (subject === null) continue
      const atLevel = rules.filter((r) => r.period === period && r.subjectType === level && r.subject === subject)
      const rule = atLevel.find((r) => r.tool === tool) ?? atLevel.find((r) => r.tool === ALL_TOOLS)
      if (rule !== undefined) {
        out[period] = rule
        break
      }
    }
  }
  return out
}

/** How a rule reads in messages: `the default daily limit for list_hosts`, `alice's monthly limit for all tools`. */
export function describeRule(r: LimitRecord): string {
  const who = r.subjectType === 'default' ? 'the default' : r.subjectType === 'role' ? `role ${r.subject}'s` : `${r.subject}'s`
  return `${who} ${r.period} limit for ${r.tool === ALL_TOOLS ? 'all tools' : r.tool} (${r.id})`
}

export interface LimitSpec {
  subjectType: 'user' | 'role' | 'default'
  subject?: string
  tool: string
  period: Period
  limit: number
}

/** Sets (creates or changes) a rule after checking it. `knownTools` guards against typos in tool names. */
export async function setLimit(store: HatchStore, spec: LimitSpec, knownTools: readonly string[], now: number): Promise<LimitRecord> {
  const subject = spec.subjectType === 'default' ? '' : (spec.subject ?? '')
  if (spec.subjectType !== 'default' && !/^[A-Za-z0-9_][A-Za-z0-9._@-]{0,127}$/.test(subject)) {
    throw new HatchError('INVALID_ARGUMENT', `${JSON.stringify(subject)} is not a usable ${spec.subjectType} name.`, {suggestions: [`For example: --${spec.subjectType} ${spec.subjectType === 'user' ? 'alice' : 'dev'}`]})
  }
  if (spec.tool !== ALL_TOOLS && !knownTools.includes(spec.tool)) {
    throw new HatchError('INVALID_ARGUMENT', `hatch has no tool named ${JSON.stringify(spec.tool)}.`, {suggestions: [`The tools are ${knownTools.join(', ')}; --all limits all of them together.`]})
  }
  if (!Number.isSafeInteger(spec.limit) || spec.limit < 0) {
    throw new HatchError('INVALID_ARGUMENT', `A limit is a whole number of calls, 0 or more (0 blocks the tool); got ${spec.limit}.`, {suggestions: ['For example: --daily 100']})
  }
  const rule: NewLimit = {subjectType: spec.subjectType, subject, tool: spec.tool, period: spec.period, limit: spec.limit}
  return store.setLimit(rule, `lim_${randomBytes(6).toString('hex')}`, now)
}

/** Removes a rule by id. @throws HatchError INVALID_ARGUMENT, LIMIT_NOT_FOUND */
export async function removeLimit(store: HatchStore, id: string): Promise<void> {
  if (!/^lim_[0-9a-f]{12}$/.test(id)) {
    throw new HatchError('INVALID_ARGUMENT', `"${id}" is not a limit id; an id looks like lim_0123456789ab.`, {suggestions: ['See the ids with `hatch auth limit list`.']})
  }
  if (!(await store.removeLimit(id))) throw new HatchError('LIMIT_NOT_FOUND', `There is no limit ${id} in ${store.location}.`, {suggestions: ['See the ids with `hatch auth limit list`.']})
}
