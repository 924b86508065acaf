import * as fs from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {invokeTool, type InvokeContext} from '../../../src/core/mcp/invoke.js'
import {listServersTool} from '../../../src/core/mcp/tools/list-servers.js'
import {addServerTool, removeServerTool} from '../../../src/core/mcp/tools/server-edit.js'
import {toolContext} from './helpers.js'

let dir: string
let ctx: InvokeContext
let cursor: string
const ORIGINAL = '{\n  "mcpServers": {\n    "a": {"command": "a", "env": {"PLAIN": "sekrit-771"}}\n  }\n}\n'

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-mcp-servers-'))
  ctx = toolContext(dir)
  cursor = join(dir, '.cursor', 'mcp.json')
  fs.mkdirSync(join(dir, '.cursor'))
  fs.writeFileSync(cursor, ORIGINAL)
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

const plain = {elicitation: false}
type Structured = {structured: Record<string, unknown> & {confirmation_token?: string}}
const structured = (r: unknown) => (r as Structured).structured

describe('list_servers', () => {
  it('lists each host with a config file, values of env left out', async () => {
    const r = await invokeTool(listServersTool, {}, plain, ctx)
    expect(r).toMatchObject({kind: 'result', structured: {servers: [{host: 'cursor', name: 'a', env: ['PLAIN']}]}})
    expect(JSON.stringify(r)).not.toContain('sekrit-771')
    expect(listServersTool.input.safeParse({host: 'cursor', path: '/etc'}).success).toBe(false)
  })
})

describe('add_server / remove_server', () => {
  const add = {host: 'cursor', name: 'mem', command: 'npx', args: ['-y', 'mem'], env: {TOKEN: 'tok-12345678'}}

  it('previews the masked diff, changes the file only with the token, once', async () => {
    const preview = await invokeTool(addServerTool, add, plain, ctx)
    expect(preview).toMatchObject({kind: 'result', structured: {status: 'preview', dryRun: true, changed: true, backupId: null}})
    expect(JSON.stringify(preview)).not.toContain('tok-12345678')
    expect(fs.readFileSync(cursor, 'utf8')).toBe(ORIGINAL)
    const token = structured(preview).confirmation_token!
    const done = await invokeTool(addServerTool, {...add, confirmation_token: token}, plain, ctx)
    expect(done).toMatchObject({kind: 'result', structured: {status: 'added', dryRun: false, backupId: expect.stringMatching(/^\d{8}_\d{6}_\d{6}$/)}})
    expect(JSON.parse(fs.readFileSync(cursor, 'utf8')).mcpServers.mem).toEqual({command: 'npx', args: ['-y', 'mem'], env: {TOKEN: 'tok-12345678'}})
    const reused = await invokeTool(addServerTool, {...add, confirmation_token: token}, plain, ctx)
    // The same call again: the entry is there, so nothing to do (and the spent token is not even needed).
    expect(reused).toMatchObject({kind: 'result', structured: {status: 'unchanged'}})

    const removal = await invokeTool(removeServerTool, {host: 'cursor', name: 'mem'}, plain, ctx)
    const removed = await invokeTool(removeServerTool, {host: 'cursor', name: 'mem', confirmation_token: structured(removal).confirmation_token}, plain, ctx)
    expect(removed).toMatchObject({kind: 'result', structured: {status: 'removed'}})
    expect(fs.readFileSync(cursor, 'utf8')).toBe(ORIGINAL)
  })

  it('refuses a token once the file has changed since the preview', async () => {
    const preview = await invokeTool(addServerTool, add, plain, ctx)
    fs.writeFileSync(cursor, ORIGINAL.replace('"a"', '"b"'))
    const r = await invokeTool(addServerTool, {...add, confirmation_token: structured(preview).confirmation_token}, plain, ctx)
    expect(r).toMatchObject({kind: 'error', error: {code: 'CONFIRMATION_REQUIRED'}})
    expect(fs.readFileSync(cursor, 'utf8')).toBe(ORIGINAL.replace('"a"', '"b"'))
  })

  it('refuses a token once the file has been swapped for a link elsewhere, even to the same bytes', async () => {
    const preview = await invokeTool(addServerTool, add, plain, ctx)
    const elsewhere = join(dir, 'elsewhere.json')
    fs.writeFileSync(elsewhere, ORIGINAL)
    fs.rmSync(cursor)
    fs.symlinkSync(elsewhere, cursor)
    const r = await invokeTool(addServerTool, {...add, confirmation_token: structured(preview).confirmation_token}, plain, ctx)
    expect(r).toMatchObject({kind: 'error', error: {code: 'CONFIRMATION_REQUIRED', message: expect.stringContaining('no longer matches its preview')}})
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe(ORIGINAL)
  })

  it('asks through elicitation and writes after an accept', async () => {
    const asked = await invokeTool(addServerTool, add, {elicitation: true}, ctx)
    expect(asked).toMatchObject({kind: 'confirm', message: expect.stringContaining('Add server "mem"')})
    const state = (asked as {state: string}).state
    const done = await invokeTool(addServerTool, add, {elicitation: true, answer: {action: 'accept', content: {confirm: true}}, requestState: state}, ctx)
    expect(done).toMatchObject({kind: 'result', structured: {status: 'added'}})
  })

  it("errors: an existing name, a missing name, a host that cannot hold it; strict inputs, no file paths", async () => {
    expect(await invokeTool(addServerTool, {host: 'cursor', name: 'a', command: 'x'}, plain, ctx)).toMatchObject({kind: 'error', error: {code: 'SERVER_EXISTS'}})
    expect(await invokeTool(removeServerTool, {host: 'cursor', name: 'nope'}, plain, ctx)).toMatchObject({kind: 'error', error: {code: 'SERVER_NOT_FOUND'}})
    fs.mkdirSync(join(dir, '.config', 'Claude'), {recursive: true})
    expect(await invokeTool(addServerTool, {host: 'claude-desktop', name: 'r', url: 'https://r.example/mcp'}, plain, ctx)).toMatchObject({kind: 'error', error: {code: 'INVALID_ARGUMENT'}})
    for (const input of [{...add, config: '/etc/x'}, {...add, scope: 'project'}, {...add, scope: 'local', project: 'relative/dir'}, {...add, name: '../x'}]) {
      expect(addServerTool.input.safeParse(input).success, JSON.stringify(input)).toBe(false)
    }
    expect(addServerTool.privilege).toBe('destructive')
    expect(removeServerTool.privilege).toBe('destructive')
    expect(listServersTool.privilege).toBe('read')
  })

  it("writes a Claude Code project's local servers by its absolute path", async () => {
    const claude = join(dir, '.claude.json')
    fs.writeFileSync(claude, '{"projects": {}}')
    const project = join(dir, 'proj')
    fs.mkdirSync(project)
    const args = {host: 'claude-code', name: 'l', command: 'x', scope: 'local', project}
    const preview = await invokeTool(addServerTool, args, plain, ctx)
    expect(preview).toMatchObject({kind: 'result'})
    await invokeTool(addServerTool, {...args, confirmation_token: structured(preview).confirmation_token}, plain, ctx)
    expect(JSON.parse(fs.readFileSync(claude, 'utf8')).projects[project].mcpServers).toEqual({l: {command: 'x'}})
  })
})
