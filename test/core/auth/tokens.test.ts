import {describe, expect, it} from 'vitest'

import {effectiveScopes, scopesFromClaims} from '../../../src/core/auth/scopes.js'
import {PAT_PATTERN, parseExpiry, parseScopes, tokenInfo} from '../../../src/core/auth/tokens.js'
import {createToken} from '../../../src/core/auth/tokens.js'
import type {HatchStore, NewToken} from '../../../src/core/store/types.js'

const NOW = Date.parse('2026-12-04T12:00:00Z')

describe('personal access tokens', () => {
  it('are hatch_pat_ + 256 random bits, and only their SHA-256 reaches the store', async () => {
    const inserted: NewToken[] = []
    const store = {location: 'memory', insertToken: async (t: NewToken) => void inserted.push(t)} as unknown as HatchStore
    const a = await createToken(store, {user: 'alice', role: 'dev', scopes: ['hatch:read'], expiresAt: null, now: NOW})
    const b = await createToken(store, {user: 'alice', role: 'dev', scopes: ['hatch:read'], expiresAt: null, now: NOW})
    expect(a.token).toMatch(PAT_PATTERN)
    expect(a.token).not.toBe(b.token)
    expect(a.info.id).toMatch(/^tok_[0-9a-f]{16}$/)
    expect(JSON.stringify(inserted)).not.toContain(a.token.slice(10))
    expect(inserted[0]!.hash).toMatch(/^[0-9a-f]{64}$/)
    await expect(createToken(store, {user: '../etc', role: 'dev', scopes: ['hatch:read'], expiresAt: null, now: NOW})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    await expect(createToken(store, {user: 'ok', role: 'a b', scopes: ['hatch:read'], expiresAt: null, now: NOW})).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })

  it('--expires takes durations, dates and never, and refuses the past, nonsense and more than ten years', () => {
    expect(parseExpiry('30d', NOW)).toBe(NOW + 30 * 86_400_000)
    expect(parseExpiry('12h', NOW)).toBe(NOW + 12 * 3_600_000)
    expect(parseExpiry('2w', NOW)).toBe(NOW + 14 * 86_400_000)
    expect(parseExpiry('never', NOW)).toBeNull()
    expect(parseExpiry('2027-01-31', NOW)).toBe(Date.parse('2027-01-31'))
    for (const bad of ['0d', '2020-01-01', 'soon', '-3d', '1y', '4000w']) expect(() => parseExpiry(bad, NOW)).toThrow(/--expires/)
  })

  it('--scope takes hatch scopes only, comma- or space-separated, in a fixed order', () => {
    expect(parseScopes(['hatch:write,hatch:read'])).toEqual(['hatch:read', 'hatch:write'])
    expect(parseScopes(['hatch:admin', 'hatch:read hatch:admin'])).toEqual(['hatch:read', 'hatch:admin'])
    expect(() => parseScopes(['hatch:root'])).toThrow(/Unknown scope "hatch:root"/)
    expect(() => parseScopes([''])).toThrow(/at least one/)
  })

  it('list shows the state: active, expired or revoked', () => {
    const base = {id: 'tok_0', user: 'u', role: 'r', scopes: [], createdAt: NOW - 10, lastUsedAt: null, revokedAt: null}
    expect(tokenInfo({...base, expiresAt: null}, NOW).state).toBe('active')
    expect(tokenInfo({...base, expiresAt: NOW}, NOW).state).toBe('expired')
    expect(tokenInfo({...base, expiresAt: null, revokedAt: NOW - 1}, NOW)).toMatchObject({state: 'revoked', revokedAt: new Date(NOW - 1).toISOString()})
  })
})

describe('scopes', () => {
  it('imply the levels below them; admin adds read; unknown scopes grant nothing', () => {
    expect([...effectiveScopes(['hatch:destructive'])].sort()).toEqual(['hatch:destructive', 'hatch:read', 'hatch:write'])
    expect([...effectiveScopes(['hatch:admin'])].sort()).toEqual(['hatch:admin', 'hatch:read'])
    expect([...effectiveScopes(['openid', 'hatch:*', 'HATCH:READ'])]).toEqual([])
  })

  it('come from a JWT\'s scope string or scp array', () => {
    expect(scopesFromClaims({scope: 'openid hatch:read  hatch:write'})).toEqual(['openid', 'hatch:read', 'hatch:write'])
    expect(scopesFromClaims({scp: ['hatch:read', 7]})).toEqual(['hatch:read'])
    expect(scopesFromClaims({})).toEqual([])
  })
})
