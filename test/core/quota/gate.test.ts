import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {Identity} from '../../../src/core/auth/identity.js'
import {QuotaGate} from '../../../src/core/quota/gate.js'
import {SqliteStore} from '../../../src/core/store/sqlite.js'
import type {UsageRow} from '../../../src/core/store/types.js'

const ann: Identity = {method: 'pat', user: 'ann', role: 'dev', tokenId: 'tok_ann', scopes: ['hatch:read']}

let dir: string
let store: SqliteStore
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-gate-'))
  store = SqliteStore.open(join(dir, 'hatch.db'))
})
afterEach(async () => {
  await store.close()
  await rm(dir, {recursive: true, force: true})
})

/** Counts the batches the gate hands the store; fails the ones `fail` picks. */
function watch(fail: (rows: readonly UsageRow[]) => boolean = () => false): number[] {
  const batches: number[] = []
  const write = store.recordUsage.bind(store)
  store.recordUsage = async (rows) => {
    batches.push(rows.length)
    if (fail(rows)) throw new Error('disk full')
    return write(rows)
  }
  return batches
}

const logged = async () => (await store.usageTotals({since: 0})).reduce((n, t) => n + t.calls, 0)

describe('usage log writes', () => {
  it('writes the calls recorded in one turn of the event loop as one batch, in batches of at most 256', async () => {
    const batches = watch()
    const gate = new QuotaGate(store)
    for (let i = 0; i < 300; i++) gate.record(ann, 'list_hosts', 'ok', 1)
    expect(await logged()).toBe(0) // queued, not yet written: record() does not hold the reply
    await gate.flush()
    expect(batches).toEqual([256, 44])
    expect(await logged()).toBe(300)
  })

  it('collects the rows recorded while a write is under way into the next batch', async () => {
    const batches = watch()
    const gate = new QuotaGate(store)
    gate.record(ann, 'list_hosts', 'ok', 1)
    await new Promise((resolve) => setImmediate(resolve)) // the first write has started
    gate.record(ann, 'list_hosts', 'ok', 1)
    gate.record(ann, 'list_hosts', 'error', 1)
    await gate.flush()
    expect(batches).toEqual([1, 2])
    expect(await logged()).toBe(3)
  })

  it('reports a batch it could not write, keeps writing later ones, and never throws at the caller', async () => {
    const batches = watch((rows) => rows[0]!.outcome === 'error')
    const reports: string[] = []
    const gate = new QuotaGate(store, {report: (message) => reports.push(message)})
    gate.record(ann, 'list_hosts', 'error', 1)
    await gate.flush()
    gate.record(ann, 'list_hosts', 'ok', 1)
    await gate.flush()
    expect(batches).toEqual([1, 1])
    expect(reports).toEqual(['hatch mcp: could not write 1 row(s) of the usage log'])
    expect(await logged()).toBe(1)
  })
})
