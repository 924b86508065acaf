import {type AuthInfo, OAuthError, OAuthErrorCode, type OAuthTokenVerifier} from '@modelcontextprotocol/server'

import type {Identity} from '../../auth/identity.js'
import {JwtRefused, type JwtVerifier} from '../../auth/jwt.js'
import {PAT_PATTERN, tokenHash, tokenState} from '../../auth/tokens.js'
import type {HatchStore} from '../../store/types.js'

export interface HatchVerifierOptions {
  /** Personal access tokens are looked up here. */
  store: HatchStore
  /** JWT access tokens from the team's authorization server, when configured. */
  jwt?: JwtVerifier
  /** This server's resource URL: PATs are issued for it, JWTs must name it in `aud`. */
  resource: URL
  now?: () => number
  /** How often a token's "last used" time is written at most (ms). Default one minute. */
  touchEveryMs?: number
}

/** A JWT is three base64url parts; anything else is not worth handing to the JWT library. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/

/** Never-expiring PATs still need an expiry for the SDK's check: the verification itself is good for an hour. */
const OPEN_ENDED_SEC = 3600

function refuse(message: string): OAuthError {
  return new OAuthError(OAuthErrorCode.InvalidToken, message)
}

/** The identity a verified token carries (set by HatchTokenVerifier in `AuthInfo.extra`). */
export function identityOf(auth: AuthInfo | undefined): Identity | undefined {
  const identity = auth?.extra?.identity
  return identity !== null && typeof identity === 'object' ? (identity as Identity) : undefined
}

/**
 * The SDK's `OAuthTokenVerifier` for hatch: personal access tokens (`hatch_pat_…`) from the store, every other
 * token as a JWT when JWT verification is configured. Unknown, expired and revoked tokens are refused on every
 * request (nothing is cached), so a revocation takes effect at once, also on an open session. `AuthInfo.token`
 * carries the token's public id, never the token, so nothing downstream can log or forward the secret.
 */
export class HatchTokenVerifier implements OAuthTokenVerifier {
  private readonly touched = new Map<string, number>()
  private readonly now: () => number
  private readonly touchEveryMs: number

  constructor(private readonly options: HatchVerifierOptions) {
    this.now = options.now ?? Date.now
    this.touchEveryMs = options.touchEveryMs ?? 60_000
  }

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    if (PAT_PATTERN.test(token)) return this.verifyPat(token)
    if (this.options.jwt !== undefined && JWT_SHAPE.test(token)) return this.verifyJwt(token)
    throw refuse(this.options.jwt === undefined ? 'Unknown token: this server accepts hatch personal access tokens (hatch_pat_…).' : 'Unknown token.')
  }

  private async verifyPat(token: string): Promise<AuthInfo> {
    const record = await this.options.store.tokenByHash(tokenHash(token))
    const now = this.now()
    if (record === undefined) throw refuse('Unknown token.')
    const state = tokenState(record, now)
    if (state !== 'active') throw refuse(`The token ${record.id} has been ${state === 'revoked' ? 'revoked' : 'expired'}.`)
    if (now - (this.touched.get(record.id) ?? 0) >= this.touchEveryMs) {
      this.touched.set(record.id, now)
      await this.options.store.touchToken(record.id, now)
    }
    const identity: Identity = {method: 'pat', user: record.user, role: record.role, tokenId: record.id, scopes: record.scopes}
    const expiresAt = record.expiresAt === null ? Math.floor(now / 1000) + OPEN_ENDED_SEC : Math.floor(record.expiresAt / 1000)
    return {token: record.id, clientId: record.id, scopes: record.scopes, expiresAt, resource: this.options.resource, extra: {identity}}
  }

  private async verifyJwt(token: string): Promise<AuthInfo> {
    let verified
    try {
      verified = await this.options.jwt!(token)
    } catch (error) {
      if (error instanceof JwtRefused) throw refuse(`Invalid token: ${error.message}.`)
      throw error
    }
    const {identity} = verified
    return {
      token: identity.tokenId ?? '',
      clientId: verified.clientId ?? '',
      scopes: identity.scopes,
      expiresAt: verified.expiresAt,
      // jose already checked that `aud` names this resource.
      resource: this.options.resource,
      extra: {identity},
    }
  }
}
