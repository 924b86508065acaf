import {randomBytes} from 'node:crypto'

import {HatchError} from '../errors.js'
import {sha256} from '../fs/hash.js'
import type {HatchStore, TokenRecord} from '../store/types.js'
import {isScope, SCOPES} from './scopes.js'

/**
 * Personal access tokens (docs/http.md): `hatch_pat_` followed by 64 hex digits (256 random bits). The prefix lets
 * people, secret scanners and hatch's own log masking recognise one; the store keeps only its SHA-256 (a token is
 * random enough that a plain hash cannot be reversed), so a copy of the store grants nothing.
 */
export const PAT_PREFIX = 'hatch_pat_'
export const PAT_PATTERN = /^hatch_pat_[0-9a-f]{64}$/
const ID_PATTERN = /^tok_[0-9a-f]{16}$/

/** A user name hatch accepts for a token: it also names a folder under `--allow-dir …/{user}`. */
export const USER_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._@-]{0,127}$/
export const ROLE_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/

export type TokenState = 'active' | 'expired' | 'revoked'

export interface TokenInfo extends Omit<TokenRecord, 'createdAt' | 'lastUsedAt' | 'expiresAt' | 'revokedAt'> {
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
  revokedAt: string | null
  state: TokenState
}

export function tokenHash(token: string): string {
  return sha256(token)
}

export function tokenState(t: TokenRecord, now: number): TokenState {
  if (t.revokedAt !== null) return 'revoked'
  if (t.expiresAt !== null && t.expiresAt <= now) return 'expired'
  return 'active'
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** What `token list` shows: dates as ISO text and the state now; never the token or its hash. */
export function tokenInfo(t: TokenRecord, now: number): TokenInfo {
  return {...t, createdAt: iso(t.createdAt)!, lastUsedAt: iso(t.lastUsedAt), expiresAt: iso(t.expiresAt), revokedAt: iso(t.revokedAt), state: tokenState(t, now)}
}

const UNIT_MS: Record<string, number> = {h: 3_600_000, d: 86_400_000, w: 604_800_000}

/**
 * `--expires`: `never`, a duration from now (`12h`, `30d`, `2w`; at most ten years) or an ISO date in the future.
 * Returns the expiry in ms, or null for never. @throws HatchError INVALID_ARGUMENT
 */
export function parseExpiry(value: string, now: number): number | null {
  const text = value.trim().toLowerCase()
  if (text === 'never') return null
  const rel = /^(\d{1,5})([hdw])$/.exec(text)
  const ms = rel ? now + Number(rel[1]) * UNIT_MS[rel[2]!]! : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(value.trim()) : Number.NaN
  if (Number.isNaN(ms)) {
    throw new HatchError('INVALID_ARGUMENT', `--expires must be a duration such as 12h, 30d or 2w, a date such as 2027-01-31, or never; "${value}" is none of these.`, {
      suggestions: ['For example: --expires 30d'],
    })
  }
  if (ms <= now) throw new HatchError('INVALID_ARGUMENT', `--expires ${value} is not in the future.`, {suggestions: ['For example: --expires 30d']})
  if (ms - now > 10 * 366 * UNIT_MS.d!) throw new HatchError('INVALID_ARGUMENT', `--expires ${value} is more than ten years away.`, {suggestions: ['Use --expires never for a token that does not expire.']})
  return ms
}

/** `--scope a,b`: each a hatch scope; at least one. @throws HatchError INVALID_ARGUMENT */
export function parseScopes(values: string[]): string[] {
  const scopes = [...new Set(values.flatMap((v) => v.split(/[\s,]+/)).filter((s) => s !== ''))]
  const unknown = scopes.filter((s) => !isScope(s))
  if (scopes.length === 0 || unknown.length > 0) {
    throw new HatchError('INVALID_ARGUMENT', unknown.length > 0 ? `Unknown scope ${unknown.map((s) => JSON.stringify(s)).join(', ')}.` : 'Give at least one scope.', {
      suggestions: [`The scopes are ${SCOPES.join(', ')}; for example --scope hatch:read,hatch:write.`],
    })
  }
  return scopes.sort((a, b) => SCOPES.indexOf(a as never) - SCOPES.indexOf(b as never))
}

function checkName(kind: '--user' | '--role', value: string, pattern: RegExp): void {
  if (!pattern.test(value)) {
    throw new HatchError('INVALID_ARGUMENT', `${kind} ${JSON.stringify(value)} is not a usable name: use letters, digits and . _ -${kind === '--user' ? ' @' : ''}, not starting with . or -.`, {
      suggestions: [kind === '--user' ? 'For example: --user alice' : 'For example: --role dev'],
    })
  }
}

export interface CreateTokenInput {
  user: string
  role: string
  scopes: string[]
  expiresAt: number | null
  now: number
}

/** Mints a token, stores its hash, and returns the token text (shown once, never stored) with its record. */
export async function createToken(store: HatchStore, input: CreateTokenInput): Promise<{token: string; info: TokenInfo}> {
  checkName('--user', input.user, USER_PATTERN)
  checkName('--role', input.role, ROLE_PATTERN)
  const token = PAT_PREFIX + randomBytes(32).toString('hex')
  const record = {id: `tok_${randomBytes(8).toString('hex')}`, user: input.user, role: input.role, scopes: input.scopes, createdAt: input.now, expiresAt: input.expiresAt}
  await store.insertToken({...record, hash: tokenHash(token)})
  return {token, info: tokenInfo({...record, lastUsedAt: null, revokedAt: null}, input.now)}
}

/** Revokes a token by id; the server refuses it from its next request on. @throws HatchError TOKEN_NOT_FOUND, INVALID_ARGUMENT */
export async function revokeToken(store: HatchStore, id: string, now: number): Promise<{id: string; alreadyRevoked: boolean}> {
  if (!ID_PATTERN.test(id)) {
    // Never echo what was given: it may be the token itself (or another secret) pasted in place of its id.
    const what = id.startsWith(PAT_PREFIX) ? 'That is a token, not its id (it is not shown here)' : 'That is not a token id'
    throw new HatchError('INVALID_ARGUMENT', `${what}; an id looks like tok_0123456789abcdef.`, {
      suggestions: ['See the ids with `hatch auth token list` (revoke takes the id, never the token itself).'],
    })
  }
  const outcome = await store.revokeToken(id, now)
  if (outcome === 'not-found') {
    throw new HatchError('TOKEN_NOT_FOUND', `There is no token ${id} in ${store.location}.`, {suggestions: ['See the ids with `hatch auth token list`.']})
  }
  return {id, alreadyRevoked: outcome === 'already-revoked'}
}
