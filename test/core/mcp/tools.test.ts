import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {z} from 'zod'

import {AuditLog} from '../../../src/core/audit/log.js'
import {HatchError} from '../../../src/core/errors.js'
import {invokeTool, type InvokeContext} from '../../../src/core/mcp/invoke.js'
import {ALL_TOOLS, toolsFor} from '../../../src/core/mcp/tools/index.js'
import {defineTool, READ_ONLY, type ToolServices} from '../../../src/core/mcp/types.js'
import type {QuotaGate} from '../../../src/core/quota/gate.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-mcp-tools-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('tool table', () => {
  it('offers tools by privilege level, cumulatively', () => {
    expect(toolsFor('read').map((t) => t.name)).toEqual(['list_hosts', 'list_host_config_backups', 'verify_host_config_backups', 'diff_host_config_backup', 'list_servers'])
    expect(toolsFor('write').map((t) => t.name)).toEqual([...toolsFor('read').map((t) => t.name), 'backup_host_config'])
    // Archive tools need --allow-dir (test/core/mcp/archive-tools.test.ts); without it, every other tool.
    expect(toolsFor('destructive')).toEqual(ALL_TOOLS.filter((t) => t.requires === undefined))
  })

  it('has strict inputs and honest hints on every tool', () => {
    for (const tool of ALL_TOOLS) {
      expect(tool.input.safeParse({host: 'cursor', role: 'admin'}).success, tool.name).toBe(false)
      expect(tool.hints.openWorldHint).toBe(false)
      // Admin tools are either: usage_report only reads, set_tool_limit can block users.
      if (tool.privilege !== 'admin') {
        expect(tool.hints.readOnlyHint, tool.name).toBe(tool.privilege === 'read')
        expect(tool.hints.destructiveHint, tool.name).toBe(tool.privilege === 'destructive')
      }
      expect((z.toJSONSchema(tool.input, {io: 'input'}) as {additionalProperties?: boolean}).additionalProperties, tool.name).toBe(false)
    }
  })
})

describe('argument names', () => {
  it('are snake_case on every tool, like seed 000\'s (one style for clients and models to follow)', () => {
    for (const tool of ALL_TOOLS) {
      const keys = Object.keys((z.toJSONSchema(tool.input, {io: 'input'}) as {properties?: object}).properties ?? {})
      for (const key of keys) expect(`${tool.name}.${key}`).toMatch(/\.[a-z][a-z0-9]*(_[a-z0-9]+)*$/)
    }
  })
})

describe('invokeTool', () => {
  const make = (run: () => Promise<never>) =>
    defineTool({name: 'boom', title: 'b', description: 'b', privilege: 'read', input: z.object({}).strict(), output: z.object({}), hints: READ_ONLY, run})
  const ctx = (level: InvokeContext['level'], audit?: AuditLog): InvokeContext => ({
    services: {} as ToolServices,
    level,
    caller: {transport: 'stdio', user: 'me', uid: 1, client: null},
    audit,
  })

  it('maps a bug to INTERNAL with a fixed message, and a HatchError to its code with secrets masked and ~ for home', async () => {
    const bug = await invokeTool(make(async () => { throw new Error(`boom ${homedir()}/secret at Object.<anonymous> (x.js:1:1)`) }), {}, {elicitation: false}, ctx('read'))
    expect(bug).toMatchObject({kind: 'error', error: {code: 'INTERNAL'}})
    expect(bug.kind === 'error' && bug.content.join('\n')).not.toMatch(/boom|secret|x\.js/)

    const known = await invokeTool(make(async () => { throw new HatchError('CONFIG_NOT_FOUND', `No file at ${homedir()}/.cursor/mcp.json for a@b.example`) }), {}, {elicitation: false}, ctx('read'))
    expect(known.kind === 'error' && known.content[0]).toBe('CONFIG_NOT_FOUND: No file at ~/.cursor/mcp.json for [REDACTED:email]')
  })

  it('re-checks privilege, and audits every call with masked arguments', async () => {
    const audit = AuditLog.open(join(dir, 'logs'))
    const writeTool = {...toolsFor('write').find((t) => t.name === 'backup_host_config')!}
    const refused = await invokeTool(writeTool, {host: 'cursor', note: 'call 010-1234-5678', password: 'hunter2'}, {elicitation: false}, ctx('read', audit))
    expect(refused).toMatchObject({kind: 'error', error: {code: 'PERMISSION_DENIED'}})
    const [line] = (await readFile(audit.file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
    expect(line).toMatchObject({tool: 'backup_host_config', outcome: 'error', errorCode: 'PERMISSION_DENIED', arguments: {host: 'cursor', password: '[REDACTED:secret]'}})
    expect(line.arguments.note).not.toContain('1234')
  })
})

describe('invokeTool with limits', () => {
  const identity = {method: 'pat' as const, user: 'u', role: null, tokenId: 'tok_1', scopes: ['hatch:read']}
  it('does not run a tool whose admission failed, and logs no usage for it', async () => {
    let ran = false
    const recorded: string[] = []
    const tool = defineTool({name: 't', title: 't', description: 't', privilege: 'read', input: z.object({}).strict(), output: z.object({}), hints: READ_ONLY, run: async () => ((ran = true), {kind: 'result' as const, structured: {}, summary: ''})})
    const quota = {
      admit: async () => {
        throw new HatchError('STORE_UNAVAILABLE', 'The PostgreSQL store cannot be used right now.')
      },
      record: async (_i: unknown, _t: string, outcome: string) => void recorded.push(outcome),
    } as unknown as QuotaGate
    const ctx: InvokeContext = {services: {identity} as unknown as ToolServices, level: 'read', caller: {transport: 'stdio', user: 'u', uid: 1, client: null}, quota}
    const result = await invokeTool(tool, {}, {elicitation: false}, ctx)
    expect(result).toMatchObject({kind: 'error', error: {code: 'STORE_UNAVAILABLE'}})
    expect(ran).toBe(false)
    expect(recorded).toEqual([])
  })
})
