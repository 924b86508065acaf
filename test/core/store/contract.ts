import {describe, expect, it} from 'vitest'

import {createToken, revokeToken, tokenHash} from '../../../src/core/auth/tokens.js'
import type {Identity} from '../../../src/core/auth/identity.js'
import {QuotaGate, setQuotaTimeZone} from '../../../src/core/quota/gate.js'
import {usageReport} from '../../../src/core/quota/report.js'
import {setLimit} from '../../../src/core/quota/rules.js'
import type {HatchStore} from '../../../src/core/store/types.js'

const TOOLS = ['list_hosts', 'backup_host_config', 'restore_host_config']
const who = (user: string, role: string | null = 'dev'): Identity => ({method: 'pat', user, role, tokenId: `tok_${user}`, scopes: ['hatch:read']})

/** A clock the test moves. */
function clock(iso: string) {
  let t = Date.parse(iso)
  return {now: () => new Date(t), set: (next: string) => (t = Date.parse(next))}
}

/** Calls `tool` n times as `id`; returns how many were admitted, and the first refusal's message. */
async function calls(gate: QuotaGate, id: Identity, tool: string, n: number): Promise<{admitted: number; refusal?: string}> {
  let admitted = 0
  let refusal: string | undefined
  for (let i = 0; i < n; i++) {
    try {
      await gate.admit(id, tool)
      admitted++
    } catch (error) {
      refusal ??= (error as Error).message
      expect(error).toMatchObject({code: 'QUOTA_EXCEEDED'})
    }
  }
  return {admitted, refusal}
}

/**
 * The behaviour every store must have, run against each implementation (SQLite here; PostgreSQL with a real server).
 * `open` gives a fresh, empty store; `reopen` a second handle on the same data (another process's view).
 */
export function storeContract(name: string, open: () => Promise<{store: HatchStore; reopen: () => Promise<HatchStore>}>): void {
  describe(`${name} store contract`, () => {
    it('keeps a token by its hash only, and finds it by that hash', async () => {
      const {store, reopen} = await open()
      try {
        const {token, info} = await createToken(store, {user: 'alice', role: 'dev', scopes: ['hatch:read', 'hatch:write'], expiresAt: 2_000_000_000_000, now: 1_700_000_000_000})
        const found = await store.tokenByHash(tokenHash(token))
        expect(found).toEqual({id: info.id, user: 'alice', role: 'dev', scopes: ['hatch:read', 'hatch:write'], createdAt: 1_700_000_000_000, lastUsedAt: null, expiresAt: 2_000_000_000_000, revokedAt: null})
        expect(await store.tokenByHash(tokenHash(`${token}x`))).toBeUndefined()
        const other = await reopen()
        try {
          expect((await other.listTokens()).map((t) => t.id)).toEqual([info.id])
          expect(JSON.stringify(await other.listTokens())).not.toContain(token)
        } finally {
          await other.close()
        }
      } finally {
        await store.close()
      }
    })

    it('revokes once, reports a second revoke and an unknown id, and records use', async () => {
      const {store} = await open()
      try {
        const a = await createToken(store, {user: 'a', role: 'default', scopes: ['hatch:read'], expiresAt: null, now: 1000})
        const b = await createToken(store, {user: 'b', role: 'default', scopes: ['hatch:read'], expiresAt: null, now: 2000})
        expect(await revokeToken(store, a.info.id, 5000)).toEqual({id: a.info.id, alreadyRevoked: false})
        expect(await revokeToken(store, a.info.id, 6000)).toEqual({id: a.info.id, alreadyRevoked: true})
        await expect(revokeToken(store, 'tok_ffffffffffffffff', 6000)).rejects.toMatchObject({code: 'TOKEN_NOT_FOUND'})
        await store.touchToken(b.info.id, 7000)
        await store.touchToken(b.info.id, 6500) // never moves back
        const [ra, rb] = await store.listTokens()
        expect(ra).toMatchObject({id: a.info.id, revokedAt: 5000})
        expect(rb).toMatchObject({id: b.info.id, revokedAt: null, lastUsedAt: 7000})
      } finally {
        await store.close()
      }
    })

    it('admits exactly N calls per period, names the rule, the count and the reset when refusing, and counts no refusal', async () => {
      const {store} = await open()
      try {
        const c = clock('2026-12-04T10:00:00Z')
        const gate = new QuotaGate(store, {now: c.now})
        const rule = await setLimit(store, {subjectType: 'default', tool: 'list_hosts', period: 'daily', limit: 3}, TOOLS, 0)
        const r = await calls(gate, who('ann'), 'list_hosts', 5)
        expect(r.admitted).toBe(3)
        expect(r.refusal).toBe(`list_hosts was not run: the default daily limit for list_hosts (${rule.id}) is used up (3 of 3 calls today). It resets at 2026-12-05T00:00:00.000Z.`)
        // Other tools and other users are not limited by it.
        expect((await calls(gate, who('ann'), 'backup_host_config', 4)).admitted).toBe(4)
        expect((await calls(gate, who('bea'), 'list_hosts', 3)).admitted).toBe(3)
        const counts = await store.counters({user: 'ann', periodKeys: ['2026-12-04']})
        expect(counts.find((x) => x.tool === 'list_hosts')!.used).toBe(3)
        expect(counts.find((x) => x.tool === '*')!.used).toBe(7)
      } finally {
        await store.close()
      }
    })

    it('applies a user rule over a role rule over the default, and a tool rule over an all-tools rule at the same level', async () => {
      const {store} = await open()
      try {
        const gate = new QuotaGate(store, {now: clock('2026-12-04T10:00:00Z').now})
        await setLimit(store, {subjectType: 'default', tool: '*', period: 'daily', limit: 1}, TOOLS, 0)
        await setLimit(store, {subjectType: 'role', subject: 'dev', tool: '*', period: 'daily', limit: 2}, TOOLS, 0)
        await setLimit(store, {subjectType: 'role', subject: 'dev', tool: 'list_hosts', period: 'daily', limit: 4}, TOOLS, 0)
        await setLimit(store, {subjectType: 'user', subject: 'cy', tool: '*', period: 'daily', limit: 6}, TOOLS, 0)
        expect((await calls(gate, who('nobody', null), 'list_hosts', 9)).admitted).toBe(1) // default
        expect((await calls(gate, who('dee', 'dev'), 'list_hosts', 9)).admitted).toBe(4) // role, tool rule
        expect((await calls(gate, who('dan', 'dev'), 'backup_host_config', 9)).admitted).toBe(2) // role, all-tools rule
        // The all-tools rule counts every tool together: dee's four list_hosts calls used it up already.
        expect((await calls(gate, who('dee', 'dev'), 'backup_host_config', 9)).admitted).toBe(0)
        expect((await calls(gate, who('cy', 'dev'), 'list_hosts', 9)).admitted).toBe(6) // the user's rule beats the role's
      } finally {
        await store.close()
      }
    })

    it('applies daily and monthly rules both, and starts counting afresh at the end of a day, a month and a year', async () => {
      const {store} = await open()
      try {
        const c = clock('2026-12-30T23:00:00Z')
        const gate = new QuotaGate(store, {now: c.now})
        await setLimit(store, {subjectType: 'user', subject: 'eve', tool: 'list_hosts', period: 'daily', limit: 2}, TOOLS, 0)
        await setLimit(store, {subjectType: 'user', subject: 'eve', tool: 'list_hosts', period: 'monthly', limit: 3}, TOOLS, 0)
        expect((await calls(gate, who('eve'), 'list_hosts', 5)).admitted).toBe(2) // the day's limit
        c.set('2026-12-31T00:00:00Z')
        const december = await calls(gate, who('eve'), 'list_hosts', 5)
        expect(december.admitted).toBe(1) // the month's limit: 3 in December
        expect(december.refusal).toMatch(/monthly limit .* \(3 of 3 calls this month\)\. It resets at 2027-01-01T00:00:00\.000Z/)
        c.set('2027-01-01T00:00:00Z') // a new day, month and year
        expect((await calls(gate, who('eve'), 'list_hosts', 5)).admitted).toBe(2)
      } finally {
        await store.close()
      }
    })

    it('counts calendar periods in the store\'s time zone', async () => {
      const {store} = await open()
      try {
        await setQuotaTimeZone(store, 'Asia/Seoul')
        const c = clock('2026-12-04T14:59:00Z') // 23:59 in Seoul
        const gate = new QuotaGate(store, {now: c.now})
        await setLimit(store, {subjectType: 'default', tool: 'list_hosts', period: 'daily', limit: 1}, TOOLS, 0)
        const r = await calls(gate, who('fay'), 'list_hosts', 2)
        expect(r.refusal).toMatch(/resets at 2026-12-04T15:00:00\.000Z/)
        c.set('2026-12-04T15:00:00Z') // midnight in Seoul, still the 4th in UTC
        expect((await calls(gate, who('fay'), 'list_hosts', 2)).admitted).toBe(1)
        await expect(setQuotaTimeZone(store, 'Mars/Olympus')).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
      } finally {
        await store.close()
      }
    })

    it('blocks a tool with 0, sees calls made before a rule was added, and applies changes and removals at once', async () => {
      const {store} = await open()
      try {
        const gate = new QuotaGate(store, {now: clock('2026-12-04T10:00:00Z').now})
        expect((await calls(gate, who('gus'), 'list_hosts', 4)).admitted).toBe(4) // no rule: unlimited
        const rule = await setLimit(store, {subjectType: 'user', subject: 'gus', tool: 'list_hosts', period: 'daily', limit: 5}, TOOLS, 0)
        expect((await calls(gate, who('gus'), 'list_hosts', 3)).admitted).toBe(1) // 4 were already made today
        const raised = await setLimit(store, {subjectType: 'user', subject: 'gus', tool: 'list_hosts', period: 'daily', limit: 7}, TOOLS, 1)
        expect(raised.id).toBe(rule.id)
        expect((await calls(gate, who('gus'), 'list_hosts', 3)).admitted).toBe(2)
        await setLimit(store, {subjectType: 'user', subject: 'gus', tool: 'backup_host_config', period: 'daily', limit: 0}, TOOLS, 2)
        expect((await calls(gate, who('gus'), 'backup_host_config', 1)).admitted).toBe(0)
        expect(await store.removeLimit(rule.id)).toBe(true)
        expect((await calls(gate, who('gus'), 'list_hosts', 3)).admitted).toBe(3)
        expect((await store.listLimits()).map((l) => l.tool)).toEqual(['backup_host_config'])
      } finally {
        await store.close()
      }
    })

    it('admits exactly N of many concurrent callers, also through separate connections', async () => {
      const {store, reopen} = await open()
      const others = await Promise.all([reopen(), reopen(), reopen()])
      try {
        await setLimit(store, {subjectType: 'default', tool: 'list_hosts', period: 'daily', limit: 10}, TOOLS, 0)
        const gates = [store, ...others].map((s) => new QuotaGate(s, {now: clock('2026-12-04T10:00:00Z').now}))
        const results = await Promise.allSettled(Array.from({length: 64}, (_, i) => gates[i % 4]!.admit(who('hal'), 'list_hosts')))
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10)
        expect(results.filter((r) => r.status === 'rejected' && (r.reason as {code?: string}).code === 'QUOTA_EXCEEDED')).toHaveLength(54)
        expect((await store.counters({user: 'hal', periodKeys: ['2026-12-04']})).find((x) => x.tool === 'list_hosts')!.used).toBe(10)
      } finally {
        await Promise.all([store.close(), ...others.map((s) => s.close())])
      }
    })

    it("resolves a user's role rule through their newest token once the log is pruned, and names the real count over a lowered limit", async () => {
      const {store} = await open()
      try {
        const c = clock('2026-12-04T10:00:00Z')
        const gate = new QuotaGate(store, {now: c.now})
        await createToken(store, {user: 'kim', role: 'ops', scopes: ['hatch:read'], expiresAt: null, now: c.now().getTime()})
        await setLimit(store, {subjectType: 'role', subject: 'ops', tool: 'list_hosts', period: 'daily', limit: 3}, TOOLS, 0)
        for (let i = 0; i < 2; i++) {
          await gate.admit(who('kim', 'ops'), 'list_hosts')
          gate.record(who('kim', 'ops'), 'list_hosts', 'ok', 1)
        }
        await gate.flush()
        await store.pruneUsage(Date.parse('2026-12-04T11:00:00Z'), {dayKey: '2026-12-04', monthKey: '2026-12'})
        expect(await store.usageTotals({since: 0})).toEqual([])
        const daily = (await usageReport(gate, store, {user: 'kim'}, c.now())).usage.find((u) => u.period === 'daily')
        expect(daily).toMatchObject({user: 'kim', role: 'ops', used: 2, limit: 3, remaining: 1})
        await setLimit(store, {subjectType: 'role', subject: 'ops', tool: 'list_hosts', period: 'daily', limit: 1}, TOOLS, 1)
        const r = await calls(gate, who('kim', 'ops'), 'list_hosts', 1)
        expect(r.admitted).toBe(0)
        expect(r.refusal).toMatch(/\(2 of 1 calls today; the limit was lowered after those calls\)/)
      } finally {
        await store.close()
      }
    })

    it('logs each call with its outcome, reports usage per user, and prunes old rows without touching the current counts', async () => {
      const {store} = await open()
      try {
        const c = clock('2026-11-20T10:00:00Z')
        const gate = new QuotaGate(store, {now: c.now})
        gate.record(who('ida'), 'list_hosts', 'ok', 1.23)
        c.set('2026-12-04T10:00:00Z')
        await setLimit(store, {subjectType: 'role', subject: 'dev', tool: 'list_hosts', period: 'daily', limit: 1}, TOOLS, 0)
        await gate.admit(who('ida'), 'list_hosts')
        gate.record(who('ida'), 'list_hosts', 'error', 2)
        await expect(gate.admit(who('ida'), 'list_hosts')).rejects.toMatchObject({code: 'QUOTA_EXCEEDED'})
        gate.record(who('ida'), 'list_hosts', 'denied', 0.1)
        await gate.admit(who('jo'), 'backup_host_config')
        gate.record(who('jo'), 'backup_host_config', 'ok', 3)

        const report = await usageReport(gate, store, {}, c.now())
        const ida = report.usage.filter((u) => u.user === 'ida')
        expect(ida).toEqual([
          {user: 'ida', role: 'dev', tool: 'list_hosts', period: 'daily', periodKey: '2026-12-04', used: 1, limit: 1, remaining: 0, resets: '2026-12-05T00:00:00.000Z', rule: expect.stringMatching(/^lim_/)},
          {user: 'ida', role: 'dev', tool: 'list_hosts', period: 'monthly', periodKey: '2026-12', used: 1, limit: null, remaining: null, resets: '2027-01-01T00:00:00.000Z', rule: null},
        ])
        expect(report.calls).toEqual([
          {user: 'ida', tool: 'list_hosts', outcome: 'denied', calls: 1},
          {user: 'ida', tool: 'list_hosts', outcome: 'error', calls: 1},
          {user: 'jo', tool: 'backup_host_config', outcome: 'ok', calls: 1},
        ])
        expect((await usageReport(gate, store, {user: 'jo'}, c.now())).usage.every((u) => u.user === 'jo')).toBe(true)
        expect((await store.usageTotals({since: 0})).reduce((n, t) => n + t.calls, 0)).toBe(4)

        const pruned = await store.pruneUsage(Date.parse('2026-12-01T00:00:00Z'), {dayKey: '2026-12-01', monthKey: '2026-12'})
        expect(pruned.rows).toBe(1)
        expect((await store.usageTotals({since: 0})).reduce((n, t) => n + t.calls, 0)).toBe(3)
        expect((await store.counters({user: 'ida', periodKeys: ['2026-12-04']})).length).toBeGreaterThan(0)
      } finally {
        await store.close()
      }
    })
  })
}
