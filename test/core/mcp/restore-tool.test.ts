import * as fs from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {invokeTool, type InvokeContext} from '../../../src/core/mcp/invoke.js'
import {restoreHostConfig} from '../../../src/core/mcp/tools/restore.js'
import {toolContext} from './helpers.js'

let dir: string
let ctx: InvokeContext
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-mcp-restore-'))
  ctx = toolContext(dir)
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('restore_host_config with servers_only', () => {
  it('previews, then puts back only the servers of ~/.claude.json after confirmation', async () => {
    const claude = join(dir, '.claude.json')
    fs.writeFileSync(claude, '{\n  "numStartups": 1,\n  "mcpServers": {"fs": {"command": "npx"}}\n}\n')
    await ctx.services.store.create('claude-code', claude)
    const now = '{\n  "numStartups": 80,\n  "mcpServers": {},\n  "oauthAccount": {"id": 7}\n}\n'
    fs.writeFileSync(claude, now)

    const preview = await invokeTool(restoreHostConfig, {host: 'claude-code', servers_only: true}, {elicitation: false}, ctx)
    expect(preview).toMatchObject({kind: 'result', structured: {status: 'preview', dryRun: true}})
    const structured = (preview as unknown as {structured: {confirmation_token: string; warning?: string; diff: string}}).structured
    expect(structured.warning).toBeUndefined()
    expect(structured.diff).toContain('"fs"')
    expect(fs.readFileSync(claude, 'utf8')).toBe(now)

    const done = await invokeTool(restoreHostConfig, {host: 'claude-code', servers_only: true, confirmation_token: structured.confirmation_token}, {elicitation: false}, ctx)
    expect(done).toMatchObject({kind: 'result', structured: {status: 'restored', changed: true}})
    expect(fs.readFileSync(claude, 'utf8')).toBe('{\n  "numStartups": 80,\n  "mcpServers": {"fs": {"command": "npx"}},\n  "oauthAccount": {"id": 7}\n}\n')
  })

  it('warns about the rest of a shared file when restoring it whole', async () => {
    const claude = join(dir, '.claude.json')
    fs.writeFileSync(claude, '{"mcpServers": {}}\n')
    await ctx.services.store.create('claude-code', claude)
    fs.writeFileSync(claude, '{"mcpServers": {}, "numStartups": 2}\n')
    const preview = await invokeTool(restoreHostConfig, {host: 'claude-code'}, {elicitation: false}, ctx)
    expect((preview as unknown as {structured: {warning?: string}}).structured.warning).toContain('servers_only')
  })
})

describe('restore_host_config confirmation tokens', () => {
  const CURRENT = '{"mcpServers": {}}\n'
  async function previewed(): Promise<{config: string; token: string}> {
    const config = join(dir, 'mcp.json')
    fs.writeFileSync(config, '{"mcpServers": {"a": {"command": "a"}}}\n')
    await ctx.services.store.create('cursor', config)
    fs.writeFileSync(config, CURRENT)
    const preview = await invokeTool(restoreHostConfig, {host: 'cursor'}, {elicitation: false}, ctx)
    expect(preview).toMatchObject({kind: 'result', structured: {status: 'preview'}})
    return {config, token: (preview as unknown as {structured: {confirmation_token: string}}).structured.confirmation_token}
  }
  const refusal = (result: unknown): string => {
    expect(result).toMatchObject({kind: 'error', error: {code: 'CONFIRMATION_REQUIRED'}})
    return (result as {error: {message: string}}).error.message
  }

  it('a token used once is refused as already used, though the restore changed the file since', async () => {
    const {token} = await previewed()
    expect(await invokeTool(restoreHostConfig, {host: 'cursor', confirmation_token: token}, {elicitation: false}, ctx)).toMatchObject({kind: 'result', structured: {status: 'restored'}})
    const message = refusal(await invokeTool(restoreHostConfig, {host: 'cursor', confirmation_token: token}, {elicitation: false}, ctx))
    expect(message).toMatch(/has already been used/)
    expect(message).not.toMatch(/different arguments/)
  })

  it('a token is refused once the file changed since the preview, and says that, not "different arguments"', async () => {
    const {config, token} = await previewed()
    fs.writeFileSync(config, '{"mcpServers": {"b": {"command": "b"}}}\n')
    const message = refusal(await invokeTool(restoreHostConfig, {host: 'cursor', confirmation_token: token}, {elicitation: false}, ctx))
    expect(message).toMatch(/no longer matches its preview/)
    expect(message).not.toMatch(/different arguments/)
  })

  it('a config swapped for a symlink to another file with the same bytes is refused; neither file changes', async () => {
    const {config, token} = await previewed()
    const other = join(dir, 'other.json')
    fs.writeFileSync(other, CURRENT)
    fs.rmSync(config)
    fs.symlinkSync(other, config)
    refusal(await invokeTool(restoreHostConfig, {host: 'cursor', confirmation_token: token}, {elicitation: false}, ctx))
    expect(fs.readFileSync(other, 'utf8')).toBe(CURRENT)
    expect(fs.lstatSync(config).isSymbolicLink()).toBe(true)
  })
})
