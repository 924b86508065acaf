import {readFileSync} from 'node:fs'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {parseConfig} from '../../../src/core/formats/parse.js'
import {HOSTS} from '../../../src/core/hosts/registry.js'
import {getIn} from '../../../src/core/install/plan.js'
import {applyServerEdit, planAddServer} from '../../../src/core/servers/edit.js'
import {readEntry, type ServerSpec} from '../../../src/core/servers/host-fields.js'
import {applySync, planSync} from '../../../src/core/servers/sync.js'
import type {ServersTarget} from '../../../src/core/servers/targets.js'
import {ORIGINALS, workspace, type Workspace} from './helpers.js'

let ws: Workspace
beforeEach(() => {
  ws = workspace()
})
afterEach(() => ws.cleanup())

const SOURCES: Record<string, ServerSpec> = {
  memory: {transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], env: {MEMORY_FILE: '${HOME}/mem.json'}, headers: {}, enabled: true},
  remote: {transport: 'http', url: 'https://mcp.example.com/mcp', args: [], env: {}, headers: {Authorization: 'Bearer ${TOKEN}'}, enabled: true},
  events: {transport: 'sse', url: 'https://mcp.example.com/sse', args: [], env: {}, headers: {}, enabled: true},
  paused: {transport: 'stdio', command: 'uvx', args: ['mcp-server-time'], env: {}, headers: {}, enabled: false},
}

const servers = (t: ServersTarget): Record<string, unknown> => (getIn(parseConfig(readFileSync(t.path), t.host.format), t.serversPath) ?? {}) as Record<string, unknown>

/** A source file in `hostId`'s own format: its fixture plus every source server it can hold, added by hatch. */
async function source(hostId: string): Promise<ServersTarget> {
  const target = ws.put(hostId)
  for (const [name, spec] of Object.entries(SOURCES)) {
    try {
      await applyServerEdit(ws.ops, planAddServer(target, name, spec, false))
    } catch {
      // This host cannot hold it; the source simply lacks it.
    }
  }
  return target
}

describe('server sync between every pair of hosts', () => {
  it('copies what each target can express, skips the rest with a reason, and keeps every other byte', async () => {
    const formats = new Set<string>()
    let pairs = 0
    for (const from of HOSTS) {
      const src = await source(from.id)
      const own = servers(src)
      for (const to of HOSTS) {
        if (to.id === from.id) continue
        pairs++
        formats.add(`${from.format}->${to.format}`)
        const target = ws.put(to.id, undefined, `${from.id}-to-${to.id}`)
        const before = servers(target)

        const report = await applySync(ws.ops, planSync({from: src, to: [target], replace: false}))
        const r = report.targets[0]!
        const after = servers(target)
        const label = `${from.id} -> ${to.id}`
        // Every source server is accounted for exactly once.
        expect([...r.copied, ...r.replaced, ...r.unchanged, ...r.skipped.map((s) => s.name)].sort(), label).toEqual(Object.keys(own).sort())
        // The target's own servers are untouched (a name clash is skipped, never overwritten without --replace).
        for (const [name, entry] of Object.entries(before)) expect(after[name], `${label}: ${name}`).toEqual(entry)
        for (const name of r.copied) {
          const {transport: _, ...want} = readEntry(from.id, own[name]).spec!
          const {transport: __, ...got} = readEntry(to.id, after[name]).spec!
          expect(got, `${label}: ${name}`).toEqual(want)
        }
        for (const s of r.skipped) expect(s.reason, `${label}: ${s.name}`).toMatch(/cannot|no way|already has a different/)
        if (to.id === 'claude-desktop') expect(r.skipped.map((s) => s.name), label).toEqual(expect.arrayContaining(['remote']))
        // (A url with no type, as Cursor writes one, reads as streamable HTTP: only a declared SSE server is refused.)
        if (to.id === 'codex' && readEntry(from.id, own.events).spec?.transport === 'sse') expect(r.skipped.find((s) => s.name === 'events')?.reason, label).toContain('streamable HTTP only')
        if (r.changed) expect(ws.store.readVerified(ws.store.get(to.id, r.backupId!)).toString('utf8'), label).toBe(ORIGINALS[to.id])
        else expect(readFileSync(target.path, 'utf8'), label).toBe(ORIGINALS[to.id])
      }
    }
    expect(pairs).toBe(HOSTS.length * (HOSTS.length - 1))
    expect([...formats].sort()).toEqual(['json->json', 'json->jsonc', 'json->toml', 'jsonc->json', 'jsonc->jsonc', 'jsonc->toml', 'toml->json', 'toml->jsonc'])
  })

  it('names the keys it leaves behind, and copies only the servers asked for', async () => {
    const src = ws.put('gemini')
    const dst = ws.put('cursor')
    const plan = planSync({from: src, to: [dst], servers: ['ctx'], replace: false})
    expect(plan.targets[0]!.report).toMatchObject({copied: ['ctx'], untranslated: [{name: 'ctx', fields: ['trust']}]})
    expect(JSON.parse(plan.targets[0]!.planned.bytes.toString()).mcpServers.ctx).toEqual({url: 'https://mcp.example.com/mcp', headers: {'X-Key': '$CTX_KEY'}})
    expect(() => planSync({from: src, to: [dst], servers: ['nope'], replace: false})).toThrow(expect.objectContaining({code: 'SERVER_NOT_FOUND'}))
  })

  it('replaces a different entry only with replace, and refuses the source or a target named twice', async () => {
    const src = ws.put('cursor')
    const dst = ws.put('lmstudio') // also has "a", without cursor's env
    expect(planSync({from: src, to: [dst], replace: false}).targets[0]!.report.skipped).toEqual([{name: 'a', reason: expect.stringContaining('--replace')}])
    const replaced = await applySync(ws.ops, planSync({from: src, to: [dst], replace: true}))
    expect(replaced.targets[0]).toMatchObject({replaced: ['a'], changed: true})
    expect(planSync({from: src, to: [dst], replace: false}).targets[0]!.report).toMatchObject({unchanged: ['a'], changed: false})
    expect(() => planSync({from: src, to: [src], replace: false})).toThrow(/source itself/)
    expect(() => planSync({from: src, to: [dst, dst], replace: false})).toThrow(/named twice/)
  })

  it('plans every target before writing any: one that does not parse stops the sync and nothing is written', async () => {
    const src = ws.put('cursor')
    const good = ws.put('vscode')
    const bad = ws.put('zed', '{"context_servers": {')
    expect(() => planSync({from: src, to: [good, bad], replace: false})).toThrow(expect.objectContaining({code: 'INVALID_CONFIG'}))
    expect(readFileSync(good.path, 'utf8')).toBe(ORIGINALS.vscode)
    expect(readFileSync(bad.path, 'utf8')).toBe('{"context_servers": {')
  })
})
