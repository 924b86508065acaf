import {createPublicKey, type KeyObject} from 'node:crypto'
import * as fs from 'node:fs'

import {createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey} from 'jose'

import {fsError, HatchError} from '../errors.js'
import {sha256} from '../fs/hash.js'
import type {Identity} from './identity.js'
import {scopesFromClaims} from './scopes.js'

/** Asymmetric JWS algorithms only: no `none`, and no HMAC (whose "secret" would be the public key). */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const

export interface JwtOptions {
  /** `--jwt-issuer`: the `iss` every token must carry. */
  issuer: string
  /** The `aud` every token must carry: this server's resource URL (RFC 8707). */
  audience: string
  /** `--jwks-url`: the issuer's JWKS, fetched and cached (keys rotate by `kid`). */
  jwksUrl?: string
  /** `--jwt-public-key FILE`: one PEM public key, a JWK or a JWKS (JSON). */
  publicKeyFile?: string
  /** Claim holding the role (a dotted path, e.g. `realm_access.roles`; an array's first string is used). Default `role`. */
  roleClaim?: string
  /** A subset of JWT_ALGORITHMS. */
  algorithms?: string[]
  /** Allowed clock difference for `exp`/`nbf`/`iat`, seconds. Default 30. */
  clockToleranceSec?: number
}

/** Why a JWT was refused, in words that are safe to send back (never the token, never key material). */
export class JwtRefused extends Error {}

export interface VerifiedJwt {
  identity: Identity
  /** `exp`, seconds since the epoch. */
  expiresAt: number
  clientId: string | null
}

export type JwtVerifier = (token: string) => Promise<VerifiedJwt>

function badOption(message: string, suggestion: string): HatchError {
  return new HatchError('INVALID_ARGUMENT', message, {suggestions: [suggestion]})
}

function checkUrl(flag: string, value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw badOption(`${flag} ${JSON.stringify(value)} is not a URL.`, `For example: ${flag} https://auth.example.com/`)
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw badOption(`${flag} must be an https:// URL (http:// only on this machine's loopback); got ${url.protocol}//.`, `Use the https:// address of your authorization server.`)
  }
  return url
}

/** The key source of `--jwt-public-key FILE`: a PEM public key, or a JWK / JWKS in JSON. Private keys are refused. */
function keyFromFile(file: string): KeyObject | JWTVerifyGetKey {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw fsError(error, 'read the JWT public key', file)
  }
  const trimmed = text.trim()
  if (/PRIVATE KEY-----/.test(trimmed) || /"d"\s*:/.test(trimmed)) {
    throw badOption(`${file} holds a private key; hatch needs only the authorization server's public key.`, 'Export the public key (e.g. `openssl pkey -in key.pem -pubout`) and pass that file.')
  }
  try {
    if (trimmed.startsWith('{')) {
      const json = JSON.parse(trimmed) as {keys?: unknown}
      return createLocalJWKSet(Array.isArray(json.keys) ? (json as never) : ({keys: [json]} as never))
    }
    return createPublicKey(trimmed)
  } catch {
    throw badOption(`${file} is not a public key hatch can read (PEM, JWK or JWKS).`, 'Pass the authorization server\'s public key as PEM ("-----BEGIN PUBLIC KEY-----") or its JWKS as JSON.')
  }
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let v: unknown = payload
  for (const key of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined
  return v
}

function roleFrom(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value
  if (Array.isArray(value)) return value.find((v): v is string => typeof v === 'string' && v !== '') ?? null
  return null
}

/** RFC 9068 `typ` values an access token may carry (or none at all). */
const ACCESS_TOKEN_TYPES = new Set(['jwt', 'at+jwt', 'application/at+jwt'])

/** Turns jose's errors into short reasons a client may see. */
function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired'
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'the token was not issued for this server (aud)'
    if (error.claim === 'iss') return 'the token was not issued by the configured issuer (iss)'
    if (error.claim === 'nbf') return 'the token is not valid yet (nbf)'
    return `the token's ${error.claim} claim is not acceptable`
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this server does not accept'
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token is signed with a key this server does not know (kid)'
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid'
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'the authorization server\'s keys could not be fetched'
  if (error instanceof errors.JOSEError) return 'the token is not a valid JWT'
  return 'the token could not be checked'
}

/** A failure to fetch or read the JWKS (timeout, network, non-200, not JSON), as opposed to a bad token. */
function keysUnreachable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true
  if (error instanceof errors.JOSEError) return /JSON Web Key Set HTTP response/.test(error.message)
  return true
}

/**
 * Builds the JWT access-token check of RFC 9068 / OAuth 2.1 for a resource server, with jose: signature by the
 * issuer's key (asymmetric algorithms only), `iss`, `aud` equal to this server's resource URL, `exp` (required) and
 * `nbf` with a small clock skew, `typ` absent, `JWT` or `at+jwt`. `sub` is the user, the role comes from the
 * configured claim, the scopes from `scope` or `scp`. Options are checked now, so a bad flag stops the server at
 * start. @throws HatchError INVALID_ARGUMENT
 */
export function createJwtVerifier(options: JwtOptions): JwtVerifier {
  checkUrl('--jwt-issuer', options.issuer)
  if ((options.jwksUrl === undefined) === (options.publicKeyFile === undefined)) {
    throw badOption('JWT verification needs exactly one key source: --jwks-url URL or --jwt-public-key FILE.', 'For example: --jwks-url https://auth.example.com/.well-known/jwks.json')
  }
  const algorithms = options.algorithms ?? [...JWT_ALGORITHMS]
  const refused = algorithms.filter((a) => !(JWT_ALGORITHMS as readonly string[]).includes(a))
  if (algorithms.length === 0 || refused.length > 0) {
    throw badOption(`--jwt-algorithms: ${refused.length > 0 ? `${refused.join(', ')} cannot be used` : 'give at least one'}; hatch accepts only asymmetric signatures.`, `Choose from ${JWT_ALGORITHMS.join(', ')}.`)
  }
  const key: KeyObject | JWTVerifyGetKey =
    options.jwksUrl === undefined
      ? keyFromFile(options.publicKeyFile!)
      : createRemoteJWKSet(checkUrl('--jwks-url', options.jwksUrl), {timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000})
  const roleClaim = options.roleClaim ?? 'role'
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms,
    clockTolerance: options.clockToleranceSec ?? 30,
    requiredClaims: ['exp', 'sub'],
  }

  return async (token) => {
    let payload: JWTPayload
    let typ: string | undefined
    try {
      const verified = typeof key === 'function' ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions)
      payload = verified.payload
      typ = verified.protectedHeader.typ
    } catch (error) {
      // The token may be fine: the issuer's keys are out of reach. A 503 lets the client retry with the same token
      // instead of throwing it away (a 401 tells it the token is bad).
      if (options.jwksUrl !== undefined && keysUnreachable(error)) {
        throw new HatchError('STORE_UNAVAILABLE', "The authorization server's keys (--jwks-url) could not be fetched.", {cause: error})
      }
      throw new JwtRefused(reason(error))
    }
    if (typ !== undefined && !ACCESS_TOKEN_TYPES.has(typ.toLowerCase())) throw new JwtRefused(`the token is a ${typ}, not an access token`)
    const sub = payload.sub
    if (typeof sub !== 'string' || sub === '' || sub.length > 256) throw new JwtRefused('the token has no usable sub claim')
    const jti = typeof payload.jti === 'string' && payload.jti !== '' ? payload.jti.slice(0, 128) : null
    const clientId = [payload.client_id, payload.azp].find((v): v is string => typeof v === 'string') ?? null
    return {
      identity: {
        method: 'jwt',
        user: sub,
        role: roleFrom(claimAt(payload, roleClaim)),
        tokenId: jti ?? `jwt-${sha256(token).slice(0, 16)}`,
        scopes: scopesFromClaims(payload as {scope?: unknown; scp?: unknown}),
        issuer: options.issuer,
      },
      expiresAt: payload.exp!,
      clientId,
    }
  }
}
