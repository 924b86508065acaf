import {randomBytes} from 'node:crypto'
import {describe, expect, it} from 'vitest'

import {HatchError} from '../../../src/core/errors.js'
import {canonicalJson, createConfirmationIssuer} from '../../../src/core/mcp/confirm-token.js'

const TOOL = 'backup_restore'
const ARGS = {id: '20261121_165100_123456', host: 'claude-desktop', options: {wholeFile: false, keep: [1, 2]}}

function setup(ttlMs = 60_000) {
  let clock = 1_800_000_000_000
  const issuer = createConfirmationIssuer({key: randomBytes(32), ttlMs, now: () => clock})
  return {issuer, advance: (ms: number) => (clock += ms)}
}

/** Runs `fn`, expects HatchError CONFIRMATION_REQUIRED, and returns it. */
function refusal(fn: () => void): HatchError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(HatchError)
    expect((error as HatchError).code).toBe('CONFIRMATION_REQUIRED')
    return error as HatchError
  }
  throw new Error('expected a refusal')
}

/** Replaces one dot-separated part of a token (0 = prefix … 6 = mac) with a different value of the same shape. */
function tamper(token: string, index: number): string {
  const parts = token.split('.')
  const part = parts[index]!
  const first = part[0] === 'A' ? 'B' : 'A'
  parts[index] = index === 4 ? (Number.parseInt(part, 36) + 1000).toString(36) : first + part.slice(1)
  return parts.join('.')
}

describe('confirmation tokens', () => {
  it('accepts a token once for the same tool and arguments', () => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS)
    expect(token).toMatch(/^hatch-confirm-v2\./)
    expect(() => issuer.redeem(token, TOOL, ARGS)).not.toThrow()
  })

  it('refuses a second use', () => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS)
    issuer.redeem(token, TOOL, ARGS)
    expect(refusal(() => issuer.redeem(token, TOOL, ARGS)).message).toMatch(/already been used/)
  })

  it('binds to a canonical digest: key order does not matter, the token field is left out', () => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS)
    const reordered = {options: {keep: [1, 2], wholeFile: false}, host: 'claude-desktop', id: ARGS.id, extra: undefined}
    expect(() => issuer.redeem(token, TOOL, {...reordered, confirmation_token: token})).not.toThrow()
  })

  it.each([
    ['a changed value', {...ARGS, id: '20261121_165100_999999'}],
    ['an added member', {...ARGS, force: true}],
    ['a removed member', {id: ARGS.id, host: ARGS.host}],
    ['a nested change', {...ARGS, options: {wholeFile: true, keep: [1, 2]}}],
    ['a reordered array', {...ARGS, options: {wholeFile: false, keep: [2, 1]}}],
  ])('refuses altered arguments: %s', (_label, altered) => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS)
    expect(refusal(() => issuer.redeem(token, TOOL, altered)).message).toMatch(/different arguments/)
    // The refusal does not burn the token: the genuine call still works.
    expect(() => issuer.redeem(token, TOOL, ARGS)).not.toThrow()
  })

  it('binds to the state, and says when that is what changed', () => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS, undefined, {plan: {current: 'aa'}, targets: ['/x']})
    expect(refusal(() => issuer.redeem(token, TOOL, ARGS, undefined, {plan: {current: 'bb'}, targets: ['/x']})).message).toMatch(/no longer matches its preview/)
    expect(refusal(() => issuer.redeem(token, TOOL, ARGS)).message).toMatch(/no longer matches its preview/)
    expect(() => issuer.redeem(token, TOOL, ARGS, undefined, {targets: ['/x'], plan: {current: 'aa'}})).not.toThrow()
  })

  it('says a used token was used, whatever else changed since', () => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS, undefined, {current: 'aa'})
    issuer.redeem(token, TOOL, ARGS, undefined, {current: 'aa'})
    expect(refusal(() => issuer.redeem(token, TOOL, ARGS, undefined, {current: 'bb'})).message).toMatch(/already been used/)
    expect(refusal(() => issuer.redeem(token, TOOL, {...ARGS, id: 'x'})).message).toMatch(/already been used/)
  })

  it('refuses another tool', () => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS)
    expect(refusal(() => issuer.redeem(token, 'backup_clean', ARGS)).message).toMatch(/another tool/)
  })

  it.each([
    [0, 'the prefix', /malformed/],
    [1, 'the tool', /not valid/],
    [2, 'the argument digest', /not valid/],
    [3, 'the state digest', /not valid/],
    [4, 'the expiry', /not valid/],
    [5, 'the nonce', /not valid/],
    [6, 'the signature', /not valid/],
  ])('refuses a token with %s (%s) tampered', (index, _label, message) => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS)
    const altered = tamper(token, index)
    expect(altered).not.toBe(token)
    expect(refusal(() => issuer.redeem(altered, TOOL, ARGS)).message).toMatch(message)
  })

  it('refuses every change to the last signature character, even ones that decode to the same bytes', () => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS)
    for (const c of 'AQgw') {
      const altered = token.slice(0, -1) + c
      if (altered !== token) refusal(() => issuer.redeem(altered, TOOL, ARGS))
    }
  })

  it.each([
    ['empty', ''],
    ['garbage', 'not a token'],
    ['too long', 'hatch-confirm-v2.' + 'A'.repeat(5000)],
    ['missing parts', 'hatch-confirm-v2.YWJj.x.y'],
    ['the previous format', 'hatch-confirm-v1.' + ['YWJj', 'A'.repeat(43), 'abc', 'A'.repeat(22), 'A'.repeat(43)].join('.')],
  ])('refuses a malformed token (%s)', (_label, token) => {
    const {issuer} = setup()
    refusal(() => issuer.redeem(token, TOOL, ARGS))
  })

  it('refuses a token from another issuer (another key)', () => {
    const {issuer} = setup()
    const other = setup().issuer
    refusal(() => issuer.redeem(other.issue(TOOL, ARGS), TOOL, ARGS))
  })

  it('binds to the principal when one is given', () => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS, 'user-a')
    refusal(() => issuer.redeem(token, TOOL, ARGS, 'user-b'))
    refusal(() => issuer.redeem(token, TOOL, ARGS))
    expect(() => issuer.redeem(token, TOOL, ARGS, 'user-a')).not.toThrow()
  })

  it('expires after the TTL (injected clock)', () => {
    const {issuer, advance} = setup(60_000)
    const early = issuer.issue(TOOL, ARGS)
    const late = issuer.issue(TOOL, ARGS)
    advance(59_999)
    expect(() => issuer.redeem(early, TOOL, ARGS)).not.toThrow()
    advance(1)
    expect(refusal(() => issuer.redeem(late, TOOL, ARGS)).message).toMatch(/expired/)
  })

  it('still refuses a used token after the used-nonce set forgot it', () => {
    const {issuer, advance} = setup(1000)
    const token = issuer.issue(TOOL, ARGS)
    issuer.redeem(token, TOOL, ARGS)
    advance(1000)
    issuer.redeem(issuer.issue(TOOL, ARGS), TOOL, ARGS) // triggers forgetting
    expect(refusal(() => issuer.redeem(token, TOOL, ARGS)).message).toMatch(/expired/)
  })

  it('says what to do and never echoes the token', () => {
    const {issuer} = setup()
    const token = issuer.issue(TOOL, ARGS)
    issuer.redeem(token, TOOL, ARGS)
    const error = refusal(() => issuer.redeem(token, TOOL, ARGS))
    const shown = JSON.stringify(error.toJSON())
    expect(shown).toContain('without a confirmation token')
    expect(shown).not.toContain(token.split('.')[5])
    expect(shown).not.toContain(token.split('.')[6])
  })

  it('refuses a short key, a bad TTL, an empty tool and non-JSON arguments', () => {
    expect(() => createConfirmationIssuer({key: Buffer.alloc(16)})).toThrow(RangeError)
    expect(() => createConfirmationIssuer({ttlMs: 0})).toThrow(RangeError)
    const {issuer} = setup()
    expect(() => issuer.issue('', ARGS)).toThrow(TypeError)
    expect(() => issuer.issue(TOOL, {n: Number.NaN})).toThrow(TypeError)
    expect(() => issuer.issue(TOOL, {when: new Date(0)})).toThrow(TypeError)
    expect(() => issuer.issue(TOOL, {n: 1n})).toThrow(TypeError)
  })

  it('works with the default key and clock', () => {
    const issuer = createConfirmationIssuer()
    const token = issuer.issue(TOOL, ARGS)
    expect(() => issuer.redeem(token, TOOL, ARGS)).not.toThrow()
  })
})

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order and drops undefined members', () => {
    expect(canonicalJson({b: 1, a: {d: [3, {z: 1, y: 2}], c: undefined}})).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}')
  })

  it('refuses cycles', () => {
    const loop: Record<string, unknown> = {}
    loop['self'] = loop
    expect(() => canonicalJson(loop)).toThrow(TypeError)
  })
})
