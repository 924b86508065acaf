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

describe('restore_host_config with serversOnly', () => {
  it('previews, then puts back only the servers of ~/.claude.json after confirmation', async () => {
    const claude = join(dir, '.claude.json')
    fs.writeFileSync(claude, '{\n  "numStartups": 1,\n  "mcpServers": {"fs": {"command": "npx"}}\n}\n')
    await ctx.services.store.create('claude-code', claude)
    const now = '{\n  "numStartups": 80,\n  "mcpServers": {},\n  "oauthAccount": {"id": 7}\n}\n'
    fs.writeFileSync(claude, now)

    const preview = await invokeTool(restoreHostConfig, {host: 'claude-code', serversOnly: true}, {elicitation: false}, ctx)
    expect(preview).toMatchObject({kind: 'result', structured: {status: 'preview', dryRun: true}})
    const structured = (preview as unknown as {structured: {confirmationToken: string; warning?: string; diff: string}}).structured
    expect(structured.warning).toBeUndefined()
    expect(structured.diff).toContain('"fs"')
    expect(fs.readFileSync(claude, 'utf8')).toBe(now)

    const done = await invokeTool(restoreHostConfig, {host: 'claude-code', serversOnly: true, confirmationToken: structured.confirmationToken}, {elicitation: false}, ctx)
    expect(done).toMatchObject({kind: 'result', structured: {status: 'restored', changed: true}})
    expect(fs.readFileSync(claude, 'utf8')).toBe('{\n  "numStartups": 80,\n  "mcpServers": {"fs": {"command": "npx"}},\n  "oauthAccount": {"id": 7}\n}\n')
  })

  it('warns about the rest of a shared file when restoring it whole', async () => {
    const claude = join(dir, '.claude.json')
    fs.writeFileSync(claude, '{"mcpServers": {}}\n')
    await ctx.services.store.create('claude-code', claude)
    fs.writeFileSync(claude, '{"mcpServers": {}, "numStartups": 2}\n')
    const preview = await invokeTool(restoreHostConfig, {host: 'claude-code'}, {elicitation: false}, ctx)
    expect((preview as unknown as {structured: {warning?: string}}).structured.warning).toContain('serversOnly')
  })
})
