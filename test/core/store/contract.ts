import {describe, expect, it} from 'vitest'

import {createToken, revokeToken, tokenHash} from '../../../src/core/auth/tokens.js'
import type {HatchStore} from '../../../src/core/store/types.js'

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
  })
}
