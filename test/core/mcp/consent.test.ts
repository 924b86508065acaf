import {mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it, vi} from 'vitest'

import {createConfirmationIssuer} from '../../../src/core/mcp/confirm-token.js'
import {withConsent, type ConsentRequest} from '../../../src/core/mcp/consent.js'
import type {ToolCall, ToolServices} from '../../../src/core/mcp/types.js'

function setup(plan: unknown = {delete: ['a']}, targets: string[] = []) {
  const services = {issuer: createConfirmationIssuer(), principal: 'os-user:me', confirmTtlMs: 60_000} as unknown as ToolServices
  const execute = vi.fn(async () => ({structured: {done: true}, summary: 'done'}))
  const request = (token?: string, p = plan): ConsentRequest<Record<string, unknown>> => ({
    tool: 'clean_host_config_backups',
    args: {host: 'cursor', all: true},
    plan: p,
    targets,
    token,
    question: 'Delete?',
    details: 'a',
    preview: (t, s) => ({structured: {confirmation_token: t, expires_in_seconds: s}, summary: 'preview'}),
    execute,
  })
  return {services, execute, request}
}

const plain: ToolCall = {elicitation: false}

describe('withConsent', () => {
  it('previews with a token, then runs once with it', async () => {
    const {services, execute, request} = setup()
    const first = await withConsent(request(), services, plain)
    expect(first).toMatchObject({kind: 'result', outcome: 'preview', structured: {expires_in_seconds: 60}})
    expect(execute).not.toHaveBeenCalled()
    const token = (first as unknown as {structured: {confirmation_token: string}}).structured.confirmation_token
    expect(await withConsent(request(token), services, plain)).toMatchObject({kind: 'result', structured: {done: true}})
    await expect(withConsent(request(token), services, plain)).rejects.toMatchObject({code: 'CONFIRMATION_REQUIRED', message: /already been used/})
    expect(execute).toHaveBeenCalledTimes(1)
  })

  it('refuses a token once the plan differs from the preview', async () => {
    const {services, execute, request} = setup()
    const first = await withConsent(request(), services, plain)
    const token = (first as unknown as {structured: {confirmation_token: string}}).structured.confirmation_token
    await expect(withConsent(request(token, {delete: ['a', 'b']}), services, plain)).rejects.toMatchObject({code: 'CONFIRMATION_REQUIRED', message: /no longer matches its preview/})
    expect(execute).not.toHaveBeenCalled()
  })

  it('binds the targets by where they really lead: a file swapped for a link to another is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hatch-consent-'))
    try {
      const file = join(dir, 'mcp.json')
      writeFileSync(file, '{}')
      writeFileSync(join(dir, 'other.json'), '{}')
      const {services, execute, request} = setup({same: 'plan'}, [file, join(dir, 'missing', 'deeper')])
      const first = await withConsent(request(), services, plain)
      const token = (first as unknown as {structured: {confirmation_token: string}}).structured.confirmation_token
      rmSync(file)
      symlinkSync(join(dir, 'other.json'), file)
      await expect(withConsent(request(token), services, plain)).rejects.toMatchObject({code: 'CONFIRMATION_REQUIRED', message: /no longer matches its preview/})
      expect(execute).not.toHaveBeenCalled()
      // Back as it was at the preview, the same token is accepted (the refusal did not use it up).
      rmSync(file)
      writeFileSync(file, '{}')
      await withConsent(request(token), services, plain)
      expect(execute).toHaveBeenCalledTimes(1)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('asks through elicitation, and acts only on an explicit accept carrying its own state', async () => {
    const {services, execute, request} = setup()
    const asked = await withConsent(request(), services, {elicitation: true})
    expect(asked).toMatchObject({kind: 'confirm', message: expect.stringContaining('Delete?')})
    const state = (asked as {state: string}).state
    await expect(withConsent(request(), services, {elicitation: true, answer: {action: 'accept', content: {confirm: true}}})).rejects.toMatchObject({code: 'CONFIRMATION_REQUIRED'})
    await expect(withConsent(request(), services, {elicitation: true, answer: {action: 'accept', content: {confirm: false}}, requestState: state})).rejects.toMatchObject({code: 'CONFIRMATION_DECLINED'})
    expect(execute).not.toHaveBeenCalled()
    const again = (await withConsent(request(), services, {elicitation: true})) as {state: string}
    await withConsent(request(), services, {elicitation: true, answer: {action: 'accept', content: {confirm: true}}, requestState: again.state})
    expect(execute).toHaveBeenCalledTimes(1)
    await expect(withConsent(request(), services, {elicitation: true, answer: {action: 'accept', content: {confirm: true}}, requestState: `${again.state.slice(0, -1)}x`})).rejects.toMatchObject({code: 'CONFIRMATION_REQUIRED'})
  })
})
