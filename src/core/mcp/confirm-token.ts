import {createHash, createHmac, randomBytes, timingSafeEqual} from 'node:crypto'
import {performance} from 'node:perf_hooks'

import {HatchError} from '../errors.js'

/**
 * Single-use confirmation tokens for destructive MCP tools (plan → confirm, mcp.md §3).
 *
 * A call without a token returns a preview plus a token; the same call with the token does the work. A token is
 *
 *   hatch-confirm-v2.<tool>.<argsDigest>.<stateDigest>.<expiry>.<nonce>.<mac>
 *
 * with `tool` base64url-encoded, `argsDigest` = base64url(SHA-256(canonical JSON of the arguments)), `stateDigest`
 * the same of what the preview showed (the plan, the real paths; canonical `null` when none is given), `expiry` in
 * milliseconds (base 36), a 128-bit random `nonce`, and `mac` = base64url(HMAC-SHA256(key, everything before it +
 * "\n" + principal)). The key is random per process by default, so a restart invalidates every token. Arguments and
 * state have digests of their own so that a refusal can say which of them changed.
 *
 * Canonical arguments: object keys sorted (by UTF-16 code units), `undefined` members dropped, array order kept,
 * numbers as JSON writes them; anything that is not JSON (functions, bigints, NaN, class instances, cycles) is refused.
 * The token's own field is left out of the digest: when the arguments are a plain object, its top-level
 * `tokenField` member (default `confirmation_token`) is removed before canonicalizing, so the preview call (without
 * the field) and the confirming call (with it) digest the same.
 *
 * A redeem checks, in this order: the format, the MAC, the tool, single use, the expiry, the arguments, the state;
 * so a token used once says so whatever else has changed since (the restore it confirmed changed the file).
 *
 * Every failure is HatchError CONFIRMATION_REQUIRED: the call is not confirmed, and what the caller must do is the
 * same in every case — ask for a fresh preview. (CONFIRMATION_DECLINED means a human said no, which is not what a
 * stale or forged token says.) Messages never include the token.
 */

export interface ConfirmationIssuerOptions {
  /** HMAC key, at least 32 bytes. Default: 32 random bytes per issuer. */
  key?: Buffer
  /** How long a token stays valid. Default 5 minutes. */
  ttlMs?: number
  /** Clock in milliseconds. Default: a monotonic clock, so wall-clock jumps cannot revive a token. */
  now?: () => number
  /** Name of the argument that carries the token; left out of the digest. Default `confirmation_token`. */
  tokenField?: string
}

export interface ConfirmationIssuer {
  /**
   * Mints a token for this tool and these arguments (and, over HTTP, this principal), bound also to `state`: what
   * the preview showed.
   */
  issue(tool: string, args: unknown, principal?: string, state?: unknown): string
  /**
   * Accepts the token once for exactly this tool, arguments, principal and state, or throws HatchError
   * CONFIRMATION_REQUIRED (malformed, forged, other tool, already used, expired, changed arguments, changed state).
   */
  redeem(token: string, tool: string, args: unknown, principal?: string, state?: unknown): void
}

const PREFIX = 'hatch-confirm-v2'
const B64 = '[A-Za-z0-9_-]'
const TOKEN = new RegExp(`^${PREFIX}\\.(${B64}{1,400})\\.(${B64}{43})\\.(${B64}{43})\\.([0-9a-z]{1,12})\\.(${B64}{22})\\.(${B64}{43})$`)
const DEFAULT_TTL_MS = 5 * 60 * 1000

/** Canonical JSON text of JSON-like data (see the module doc); throws TypeError on anything else. */
export function canonicalJson(value: unknown, stack: object[] = []): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('arguments hold a non-finite number')
    return JSON.stringify(value)
  }
  if (typeof value !== 'object') throw new TypeError(`arguments hold a ${typeof value}`)
  if (stack.includes(value)) throw new TypeError('arguments hold a cycle')
  stack.push(value)
  try {
    if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null, stack)).join(',')}]`
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) throw new TypeError('arguments hold a non-plain object')
    const members = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key], stack)}`)
    return `{${members.join(',')}}`
  } finally {
    stack.pop()
  }
}

/** base64url(SHA-256(canonical JSON)). */
function digest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url')
}

/** The digest of the arguments without the token field. */
function argsDigest(args: unknown, tokenField: string): string {
  let subject = args
  if (typeof args === 'object' && args !== null && !Array.isArray(args) && tokenField in args) {
    const {[tokenField]: _token, ...rest} = args as Record<string, unknown>
    subject = rest
  }
  return digest(subject)
}

function refuse(tool: string, why: string): HatchError {
  return new HatchError('CONFIRMATION_REQUIRED', `The confirmation token ${why}; nothing was changed.`, {
    suggestions: [
      `Call ${tool} again without a confirmation token to get a fresh preview and a new token.`,
      'Then call it once more with exactly the same arguments and that token.',
    ],
  })
}

function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** Creates an issuer of single-use confirmation tokens (see the module doc for the format and the rules). */
export function createConfirmationIssuer(options: ConfirmationIssuerOptions = {}): ConfirmationIssuer {
  const key = options.key ?? randomBytes(32)
  if (key.length < 32) throw new RangeError('the confirmation key must be at least 32 bytes')
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError('ttlMs must be a positive integer')
  const now = options.now ?? (() => Math.floor(performance.timeOrigin + performance.now()))
  const tokenField = options.tokenField ?? 'confirmation_token'
  /** Redeemed nonces and their expiry; an entry is forgotten once its token could no longer be accepted anyway. */
  const used = new Map<string, number>()

  const mac = (signed: string, principal: string | undefined): string =>
    createHmac('sha256', key)
      .update(`${signed}\n${principal ?? ''}`)
      .digest('base64url')

  const forgetExpired = (at: number): void => {
    for (const [nonce, expiry] of used) if (at >= expiry) used.delete(nonce)
  }

  return {
    issue(tool, args, principal, state) {
      if (typeof tool !== 'string' || tool === '') throw new TypeError('tool must be a non-empty string')
      const expiry = now() + ttlMs
      const signed = [
        PREFIX,
        Buffer.from(tool).toString('base64url'),
        argsDigest(args, tokenField),
        digest(state ?? null),
        expiry.toString(36),
        randomBytes(16).toString('base64url'),
      ].join('.')
      return `${signed}.${mac(signed, principal)}`
    },

    redeem(token, tool, args, principal, state) {
      const at = now()
      forgetExpired(at)
      const parts = typeof token === 'string' && token.length <= 700 ? TOKEN.exec(token) : null
      if (parts === null) throw refuse(tool, 'is malformed')
      const [, toolPart, argsPart, statePart, expiryPart, nonce, macPart] = parts as unknown as string[]
      const signed = token.slice(0, token.lastIndexOf('.'))
      if (!equalText(mac(signed, principal), macPart!)) {
        throw refuse(tool, 'is not valid (it was not issued here, or was altered)')
      }
      if (!equalText(Buffer.from(tool).toString('base64url'), toolPart!)) {
        throw refuse(tool, `was issued for another tool, not ${tool}`)
      }
      if (used.has(nonce!)) throw refuse(tool, 'has already been used')
      const expiry = Number.parseInt(expiryPart!, 36)
      if (at >= expiry) throw refuse(tool, 'has expired')
      let actual: {args: string; state: string}
      try {
        actual = {args: argsDigest(args, tokenField), state: digest(state ?? null)}
      } catch {
        throw refuse(tool, 'cannot be checked against these arguments')
      }
      if (!equalText(actual.args, argsPart!)) throw refuse(tool, 'was issued for different arguments')
      if (!equalText(actual.state, statePart!)) {
        throw refuse(tool, 'no longer matches its preview: what the call would change has changed since (the file, the backups or the folder it works on)')
      }
      used.set(nonce!, expiry)
    },
  }
}
