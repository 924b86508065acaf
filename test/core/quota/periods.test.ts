import {describe, expect, it} from 'vitest'

import {checkTimeZone, periodKeys, periodOf} from '../../../src/core/quota/periods.js'
import {applicableRules} from '../../../src/core/quota/rules.js'
import type {LimitRecord} from '../../../src/core/store/types.js'

const at = (iso: string) => new Date(iso)

describe('calendar periods', () => {
  it.each([
    ['2026-12-31T23:59:59Z', 'UTC', '2026-12-31', '2027-01-01T00:00:00.000Z', '2026-12', '2027-01-01T00:00:00.000Z', '2026-12-31T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['2026-12-31T15:00:00Z', 'Asia/Seoul', '2027-01-01', '2027-01-01T15:00:00.000Z', '2027-01', '2027-01-31T15:00:00.000Z', '2026-12-31T15:00:00.000Z', '2026-12-31T15:00:00.000Z'],
    ['2026-02-28T12:00:00Z', 'UTC', '2026-02-28', '2026-03-01T00:00:00.000Z', '2026-02', '2026-03-01T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    ['2028-02-28T12:00:00Z', 'UTC', '2028-02-28', '2028-02-29T00:00:00.000Z', '2028-02', '2028-03-01T00:00:00.000Z', '2028-02-28T00:00:00.000Z', '2028-02-01T00:00:00.000Z'],
    // New York springs forward at 02:00 on 8 March 2026: that day has 23 hours.
    ['2026-03-08T06:59:00Z', 'America/New_York', '2026-03-08', '2026-03-09T04:00:00.000Z', '2026-03', '2026-04-01T04:00:00.000Z', '2026-03-08T05:00:00.000Z', '2026-03-01T05:00:00.000Z'],
    ['2026-03-07T12:00:00Z', 'America/New_York', '2026-03-07', '2026-03-08T05:00:00.000Z', '2026-03', '2026-04-01T04:00:00.000Z', '2026-03-07T05:00:00.000Z', '2026-03-01T05:00:00.000Z'],
    // Berlin falls back on 25 October 2026: the month ends at 23:00 UTC.
    ['2026-10-31T12:00:00Z', 'Europe/Berlin', '2026-10-31', '2026-10-31T23:00:00.000Z', '2026-10', '2026-10-31T23:00:00.000Z', '2026-10-30T23:00:00.000Z', '2026-09-30T22:00:00.000Z'],
    // Beirut and Santiago skip midnight itself: the day starts when the clocks jump.
    ['2026-03-28T12:00:00Z', 'Asia/Beirut', '2026-03-28', '2026-03-28T22:00:00.000Z', '2026-03', '2026-03-31T21:00:00.000Z', '2026-03-27T22:00:00.000Z', '2026-02-28T22:00:00.000Z'],
    ['2026-09-05T12:00:00Z', 'America/Santiago', '2026-09-05', '2026-09-06T04:00:00.000Z', '2026-09', '2026-10-01T03:00:00.000Z', '2026-09-05T04:00:00.000Z', '2026-09-01T04:00:00.000Z'],
  ])('%s in %s', (iso, tz, day, dayResets, month, monthResets, dayStarts, monthStarts) => {
    expect(periodOf('daily', at(iso), tz)).toEqual({period: 'daily', key: day, starts: at(dayStarts), resets: at(dayResets)})
    expect(periodOf('monthly', at(iso), tz)).toEqual({period: 'monthly', key: month, starts: at(monthStarts), resets: at(monthResets)})
    expect(periodKeys(at(iso), tz)).toEqual({daily: day, monthly: month})
  })

  it('knows IANA zones only', () => {
    expect(checkTimeZone('Europe/Berlin')).toBe('Europe/Berlin')
    expect(() => checkTimeZone('Berlin')).toThrow(/Unknown time zone/)
  })
})

describe('rule precedence', () => {
  const rule = (id: string, subjectType: LimitRecord['subjectType'], subject: string, tool: string, period: LimitRecord['period']): LimitRecord => ({id, subjectType, subject, tool, period, limit: 1, createdAt: 0, updatedAt: 0})
  const rules = [
    rule('d*', 'default', '', '*', 'daily'),
    rule('dT', 'default', '', 'list_hosts', 'daily'),
    rule('r*', 'role', 'dev', '*', 'daily'),
    rule('u*m', 'user', 'ann', '*', 'monthly'),
  ]
  it('takes the user over the role over the default, per period, and the tool over all tools within a level', () => {
    expect(applicableRules(rules, 'zed', null, 'list_hosts')).toEqual({daily: rules[1]})
    expect(applicableRules(rules, 'zed', null, 'backup_host_config')).toEqual({daily: rules[0]})
    expect(applicableRules(rules, 'zed', 'dev', 'list_hosts')).toEqual({daily: rules[2]}) // the role's all-tools rule beats the default's tool rule
    expect(applicableRules(rules, 'ann', 'dev', 'list_hosts')).toEqual({daily: rules[2], monthly: rules[3]})
    expect(applicableRules([], 'ann', 'dev', 'list_hosts')).toEqual({})
  })
})
