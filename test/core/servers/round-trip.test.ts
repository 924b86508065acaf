import {existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {parseConfig} from '../../../src/core/formats/parse.js'
import {getHost, HOSTS} from '../../../src/core/hosts/registry.js'
import {getIn} from '../../../src/core/install/plan.js'
import {applyServerEdit, planAddServer, planRemoveServer} from '../../../src/core/servers/edit.js'
import {readEntry, type ServerSpec} from '../../../src/core/servers/host-fields.js'
import type {ServersTarget} from '../../../src/core/servers/targets.js'
import {fixturePath, ORIGINALS, WITHOUT_SERVERS, workspace, type Workspace} from './helpers.js'

let ws: Workspace
beforeEach(() => {
  ws = workspace()
})
afterEach(() => ws.cleanup())

const STDIO: ServerSpec = {
  transport: 'stdio',
  command: 'npx',
  args: ['-y', '@modelcontextprotocol/server-memory', '--root', '${HOME}/mem'],
  env: {LOG_LEVEL: 'debug', API_TOKEN: '${env:API_TOKEN}'},
  headers: {},
  enabled: true,
}
const REMOTE: ServerSpec = {transport: 'http', url: 'https://mcp.example.com/mcp', args: [], env: {}, headers: {Authorization: 'Bearer ${TOKEN}'}, enabled: true}

/** Adds `spec` as "added", checks the file and the backup, removes it again, and returns the bytes at the end. */
async function addThenRemove(target: ServersTarget, spec: ServerSpec): Promise<Buffer> {
  const original = readFileSync(target.path)
  const added = await applyServerEdit(ws.ops, planAddServer(target, 'added', spec, false))
  expect(added.changed).toBe(true)
  // The backup made before the write holds the original bytes.
  expect(ws.store.readVerified(ws.store.get(target.host.id, added.backupId!)).equals(original)).toBe(true)
  const doc = parseConfig(readFileSync(target.path), target.host.format)
  const entry = (getIn(doc, target.serversPath) as Record<string, unknown>).added
  // Read back in the host's own terms, it is the server that was asked for, $VAR references as written.
  expect(readEntry(target.host.id, entry)).toMatchObject({spec})
  const removed = await applyServerEdit(ws.ops, planRemoveServer(target, 'added'))
  expect(removed.changed).toBe(true)
  return readFileSync(target.path)
}

describe('every host: add then remove gives back the original bytes', () => {
  for (const host of HOSTS) {
    it(`${host.id}: a stdio server`, async () => {
      const target = ws.put(host.id)
      expect((await addThenRemove(target, STDIO)).toString('utf8')).toBe(ORIGINALS[host.id])
    })
    if (host.id !== 'claude-desktop') {
      it(`${host.id}: a remote server`, async () => {
        const target = ws.put(host.id)
        expect((await addThenRemove(target, REMOTE)).toString('utf8')).toBe(ORIGINALS[host.id])
      })
    }
  }

  it("claude-code: a project's local servers in ~/.claude.json", async () => {
    const user = ws.put('claude-code')
    const local: ServersTarget = {...user, serversPath: ['projects', '/work/app', 'mcpServers'], scope: 'local', project: '/work/app'}
    expect((await addThenRemove(local, STDIO)).toString('utf8')).toBe(ORIGINALS['claude-code'])
  })

  it("claude-code: local servers of a project ~/.claude.json has no servers for, or does not list, or no projects at all", async () => {
    const local = (text: string, project: string): ServersTarget => ({...ws.put('claude-code', text), serversPath: ['projects', project, 'mcpServers'], scope: 'local', project})
    // The project is there, without "mcpServers"; the project is not there; there is no "projects".
    for (const [text, project] of [[WITHOUT_SERVERS['claude-code']!, '/work/app'], [ORIGINALS['claude-code']!, '/work/new'], ['{\n  "numStartups": 1\n}\n', '/work/app']] as const) {
      expect((await addThenRemove(local(text, project), STDIO)).toString('utf8'), `${project} in ${text}`).toBe(text)
    }
  })

  it('codex: a server name that is not a bare TOML key, with a switched-off entry', async () => {
    const target = ws.put('codex')
    const added = await applyServerEdit(ws.ops, planAddServer(target, 'my_server-2', {...STDIO, enabled: false}, false))
    const text = readFileSync(target.path, 'utf8')
    expect(text).toContain('[mcp_servers.my_server-2]\ncommand = "npx"')
    expect(text).toContain('enabled = false')
    expect(text).toContain('[mcp_servers.my_server-2.env]\nLOG_LEVEL = "debug"')
    expect(added.backupId).not.toBeNull()
    await applyServerEdit(ws.ops, planRemoveServer(target, 'my_server-2'))
    expect(readFileSync(target.path, 'utf8')).toBe(ORIGINALS.codex)
  })
})

describe('a file without a servers key: the remove that empties the object the add created takes it away too', () => {
  for (const host of HOSTS.filter((h) => WITHOUT_SERVERS[h.id] !== undefined)) {
    it(`${host.id}: a stdio server`, async () => {
      const target = ws.put(host.id, WITHOUT_SERVERS[host.id])
      expect((await addThenRemove(target, STDIO)).toString('utf8')).toBe(WITHOUT_SERVERS[host.id])
    })
  }

  it('every JSON and JSONC host has such a fixture', () => {
    expect(HOSTS.filter((h) => h.format !== 'toml' && WITHOUT_SERVERS[h.id] === undefined).map((h) => h.id)).toEqual([])
  })

  it('a file that did not exist is left as an empty object (Codex: an empty file), not deleted', async () => {
    for (const id of ['cursor', 'vscode', 'codex']) {
      const host = getHost(id)
      const path = fixturePath(ws.root, id, `${id}-new`)
      mkdirSync(dirname(path), {recursive: true})
      const target: ServersTarget = {host, path, serversPath: host.serversPath, scope: 'user', project: null}
      const added = await applyServerEdit(ws.ops, planAddServer(target, 'added', STDIO, false))
      expect(added.backupId, id).toBeNull()
      await applyServerEdit(ws.ops, planRemoveServer(target, 'added'))
      expect(existsSync(path), id).toBe(true)
      expect(readFileSync(path, 'utf8'), id).toBe(id === 'codex' ? '' : '{}\n')
    }
  })

  it('an emptied servers object stays where an add would not have put one, or when something else is in it', async () => {
    const cases: Array<[string, string]> = [
      // Not the last key: an add never creates one there.
      ['{\n  "mcpServers": {\n    "a": {"command": "a"}\n  },\n  "theme": "dark"\n}\n', '{\n  "mcpServers": {},\n  "theme": "dark"\n}\n'],
      // A comment is left in it.
      ['{\n  "theme": "dark",\n  "mcpServers": {\n    // mine\n    "a": {"command": "a"}\n  }\n}\n', '{\n  "theme": "dark",\n  "mcpServers": {\n    // mine\n  }\n}\n'],
      // Another server is left in it.
      ['{"mcpServers": {"a": {"command": "a"}, "b": {"command": "b"}}}', '{"mcpServers": {"b": {"command": "b"}}}'],
    ]
    for (const [text, expected] of cases) {
      const target = ws.put('gemini', text)
      await applyServerEdit(ws.ops, planRemoveServer(target, 'a'))
      expect(readFileSync(target.path, 'utf8')).toBe(expected)
    }
  })

  it('the cost, as documented: an empty servers object that was the last key is gone after an add and a remove', async () => {
    // hatch keeps no record of which objects it created, and these look exactly like ones it did.
    for (const [text, expected] of [['{\n  "theme": "dark",\n  "mcpServers": {}\n}\n', '{\n  "theme": "dark"\n}\n'], ['{\n  "mcpServers": {}\n}\n', '{}\n']]) {
      expect((await addThenRemove(ws.put('cursor', text), STDIO)).toString('utf8')).toBe(expected)
    }
    // Removing the last server of a file that holds only its servers leaves {}.
    const only = ws.put('cursor', '{"mcpServers": {"a": {"command": "a"}}}\n')
    await applyServerEdit(ws.ops, planRemoveServer(only, 'a'))
    expect(readFileSync(only.path, 'utf8')).toBe('{}\n')
  })
})

describe('what each host cannot hold is refused, and nothing is written', () => {
  it('a remote server for Claude Desktop, whose config file holds only stdio servers', () => {
    const target = ws.put('claude-desktop')
    expect(() => planAddServer(target, 'r', REMOTE, false)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT', message: expect.stringContaining('Connectors')}))
    expect(readFileSync(target.path, 'utf8')).toBe(ORIGINALS['claude-desktop'])
  })

  it('an SSE server for Codex and Zed; a switched-off server for a host without an off switch', () => {
    for (const id of ['codex', 'zed']) expect(() => planAddServer(ws.put(id), 'r', {...REMOTE, transport: 'sse'}, false), id).toThrow(/cannot be written/)
    expect(() => planAddServer(ws.put('cursor'), 'r', {...STDIO, enabled: false}, false)).toThrow(/no way to mark a server off/)
  })

  it('an existing name unless replace; the same entry again is no change', async () => {
    const target = ws.put('cursor')
    expect(() => planAddServer(target, 'a', STDIO, false)).toThrow(expect.objectContaining({code: 'SERVER_EXISTS'}))
    const replaced = await applyServerEdit(ws.ops, planAddServer(target, 'a', STDIO, true))
    expect(replaced).toMatchObject({changed: true, replaced: true})
    expect(planAddServer(target, 'a', STDIO, false).output).toMatchObject({changed: false, replaced: false})
  })

  it('a file that does not parse, and a name the file does not have', () => {
    const broken = ws.put('vscode', '{"servers": {"a": {}\n')
    expect(() => planAddServer(broken, 'b', STDIO, false)).toThrow(expect.objectContaining({code: 'INVALID_CONFIG'}))
    expect(() => planRemoveServer(broken, 'a')).toThrow(expect.objectContaining({code: 'INVALID_CONFIG'}))
    expect(readFileSync(broken.path, 'utf8')).toBe('{"servers": {"a": {}\n')
    expect(() => planRemoveServer(ws.put('zed'), 'nope')).toThrow(expect.objectContaining({code: 'SERVER_NOT_FOUND', suggestions: expect.arrayContaining(['Its servers: other.'])}))
  })
})

describe('an edit lands where it was planned, or not at all', () => {
  it('a config swapped for a link to another file with the same bytes after the plan: CONFLICT, both files kept', async () => {
    const target = ws.put('cursor')
    const planned = planAddServer(target, 'memory', STDIO, false)
    const elsewhere = join(ws.root, 'elsewhere.json')
    writeFileSync(elsewhere, ORIGINALS.cursor!)
    rmSync(target.path)
    symlinkSync(elsewhere, target.path)
    await expect(applyServerEdit(ws.ops, planned)).rejects.toMatchObject({code: 'CONFLICT', exitCode: 5})
    expect(readFileSync(elsewhere, 'utf8')).toBe(ORIGINALS.cursor)
    expect(ws.store.list('cursor')).toHaveLength(0)
  })
})
