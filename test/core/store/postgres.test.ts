import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openStore} from '../../../src/core/store/open.js'
import {PostgresStore, redactUrl} from '../../../src/core/store/postgres.js'
import {freshDatabase, postgresUnavailable, startPostgres, type TestPostgres} from '../../helpers/postgres.js'
import {storeContract} from './contract.js'

const skip = postgresUnavailable()

describe.skipIf(skip !== undefined)('PostgreSQL store (a real server started by the test)', () => {
  let server: TestPostgres
  let n = 0
  beforeAll(async () => {
    server = await startPostgres()
  }, 90_000)
  afterAll(() => server?.destroy())

  storeContract('PostgreSQL', async () => {
    const url = await freshDatabase(server.url, `contract_${++n}`)
    return {store: await PostgresStore.open(url), reopen: () => PostgresStore.open(url)}
  })

  it('applies the migrations once, also when several servers open a new database at the same time', async () => {
    const url = await freshDatabase(server.url, 'racing')
    const stores = await Promise.all(Array.from({length: 6}, () => openStore({spec: url})))
    try {
      const tokens = await Promise.all(stores.map((s) => s.listTokens()))
      expect(tokens.every((t) => t.length === 0)).toBe(true)
    } finally {
      await Promise.all(stores.map((s) => s.close()))
    }
  })

  it('fails an admission whose connection is lost mid-transaction, counts nothing, and admits again on a new connection', async () => {
    const url = await freshDatabase(server.url, 'midcall')
    const store = await PostgresStore.open(url)
    const {default: pg} = await import('pg')
    const other = new pg.Client({connectionString: url})
    await other.connect()
    const admission = {user: 'ann', counters: [{tool: 'list_hosts', period: 'daily' as const, periodKey: '2026-12-04'}], limits: [{counter: 0, limit: 5}]}
    const used = async () => (await store.counters({user: 'ann', periodKeys: ['2026-12-04']}))[0]!.used
    try {
      expect((await store.admit(admission)).admitted).toBe(true)
      // Another session holds ann's counter row, so the next admission stops inside its transaction, on the row lock.
      await other.query('BEGIN')
      await other.query("UPDATE quota_counters SET used = used WHERE user_name = 'ann'")
      const pending = store.admit(admission)
      let pid: number | undefined
      for (let i = 0; i < 250 && pid === undefined; i++) {
        const r = await other.query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        pid = r.rows[0]?.pid
        if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(pid).toBeDefined()
      await other.query('SELECT pg_terminate_backend($1)', [pid])
      await expect(pending).rejects.toMatchObject({code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/connection failed or was lost\. Nothing was changed/)})
      await other.query('ROLLBACK')
      expect(await used()).toBe(1) // the cut-off transaction was rolled back: no count without a call
      expect((await store.admit(admission)).admitted).toBe(true) // the pool opened a new connection
      expect(await used()).toBe(2)
    } finally {
      await other.end()
      await store.close()
    }
  })

  it('refuses a database migrated by a newer hatch, and an unreachable one, clearly and without the password', async () => {
    const url = await freshDatabase(server.url, 'future')
    const store = await PostgresStore.open(url)
    await store.close()
    const {default: pg} = await import('pg')
    const client = new pg.Client({connectionString: url})
    await client.connect()
    await client.query("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)")
    await client.end()
    await expect(PostgresStore.open(url)).rejects.toMatchObject({code: 'STORE_INVALID', message: expect.stringMatching(/newer than this hatch/)})

    const down = `postgres://hatch:s3cret-pw@127.0.0.1:1/postgres`
    const error = await PostgresStore.open(down).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'STORE_UNAVAILABLE', exitCode: 8})
    expect(String((error as Error).message)).not.toContain('s3cret-pw')
    expect(redactUrl(down)).toBe('postgres://hatch:***@127.0.0.1:1/postgres')
  })
})
