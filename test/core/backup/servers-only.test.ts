import {describe, expect, it} from 'vitest'

import {spliceServers} from '../../../src/core/backup/servers-only.js'
import {parseConfig} from '../../../src/core/formats/parse.js'

// Claude Code's ~/.claude.json: MCP servers beside state the app rewrites all the time.
const NOW = `{
  "numStartups": 42,
  "oauthAccount": {"emailAddress": "me@example.com"},
  "mcpServers": {
    "new": {"command": "npx", "args": ["new"]}
  },
  "projects": {"/work": {"mcpServers": {}}}
}
`
const THEN = `{
  "numStartups": 3,
  "mcpServers": {
    // the one that got lost
    "fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]},
    "git": {"command": "uvx", "args": ["mcp-server-git"]}
  }
}
`

describe('spliceServers', () => {
  it('takes the servers from the backup, comments included, and keeps every other byte of the current file', () => {
    const out = spliceServers(NOW, THEN, 'json', ['mcpServers'])
    const serversThen = THEN.slice(THEN.indexOf('{\n    // the one'), THEN.lastIndexOf('}\n}') + 1)
    expect(out).toBe(NOW.replace('{\n    "new": {"command": "npx", "args": ["new"]}\n  }', serversThen))
    expect(parseConfig(out, 'jsonc')).toMatchObject({numStartups: 42, oauthAccount: {emailAddress: 'me@example.com'}, projects: {'/work': {mcpServers: {}}}})
    expect(Object.keys(parseConfig(out, 'jsonc').mcpServers as object)).toEqual(['fs', 'git'])
  })

  it('keeps the current line endings and byte-order mark', () => {
    const now = `\uFEFF${NOW.replaceAll('\n', '\r\n')}`
    const out = spliceServers(now, THEN, 'jsonc', ['mcpServers'])
    expect(out.startsWith('\uFEFF{\r\n')).toBe(true)
    expect(out.replaceAll('\r\n', '')).not.toContain('\n')
    expect(out).toContain('// the one that got lost\r\n')
  })

  it('adds the servers when the current file has none, and removes them when the backup had none', () => {
    const without = '{\n  "numStartups": 42\n}\n'
    const added = parseConfig(spliceServers(without, THEN, 'json', ['mcpServers']), 'json')
    expect(added).toMatchObject({numStartups: 42, mcpServers: {fs: {command: 'npx'}, git: {command: 'uvx'}}})
    expect(parseConfig(spliceServers(NOW, without, 'json', ['mcpServers']), 'json')).not.toHaveProperty('mcpServers')
    expect(spliceServers(without, without, 'json', ['mcpServers'])).toBe(without)
  })

  it('works on a nested servers key (Zed: context_servers inside settings)', () => {
    const now = '{\n  "theme": "One Dark",\n  "context_servers": {}\n}\n'
    const then = '{\n  "theme": "Light",\n  "context_servers": {"a": {"command": "x"}}\n}\n'
    expect(spliceServers(now, then, 'jsonc', ['context_servers'])).toBe('{\n  "theme": "One Dark",\n  "context_servers": {"a": {"command": "x"}}\n}\n')
  })

})

// Codex's ~/.codex/config.toml: servers as [mcp_servers.*] tables beside the model, approvals and profiles.
const CODEX_NOW = `model = "o4-mini"
approval_policy = "on-request"

[mcp_servers.new]
command = "npx"
args = ["new"]

[profiles.fast]
model = "o4-mini"

[mcp_servers.late]
command = "late"
`
const CODEX_THEN = `model = "gpt-4.1"

# the one that got lost
[mcp_servers.fs]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]

[mcp_servers.fs.env]
TOKEN = "t"

[[mcp_servers.git.tools]]
name = "log"
`

describe('spliceServers on TOML (Codex)', () => {
  const servers = (text: string) => parseConfig(text, 'toml').mcp_servers as Record<string, unknown> | undefined

  it('takes every [mcp_servers.*] table from the backup, comments included, and keeps every other byte', () => {
    const out = spliceServers(CODEX_NOW, CODEX_THEN, 'toml', ['mcp_servers'])
    const block = CODEX_THEN.slice(CODEX_THEN.indexOf('# the one'))
    expect(out).toBe(`model = "o4-mini"\napproval_policy = "on-request"\n\n${block}\n[profiles.fast]\nmodel = "o4-mini"\n`)
    expect(parseConfig(out, 'toml')).toMatchObject({model: 'o4-mini', approval_policy: 'on-request', profiles: {fast: {model: 'o4-mini'}}})
    expect(Object.keys(servers(out)!)).toEqual(['fs', 'git'])
    expect(servers(out)).toMatchObject({fs: {env: {TOKEN: 't'}}, git: {tools: [{name: 'log'}]}})
  })

  it('adds the servers at the end when there are none now, and removes them when the backup had none', () => {
    const bare = 'model = "o4-mini"\n'
    const added = spliceServers(bare, CODEX_THEN, 'toml', ['mcp_servers'])
    expect(added.startsWith('model = "o4-mini"\n\n# the one that got lost\n[mcp_servers.fs]\n')).toBe(true)
    expect(Object.keys(servers(added)!)).toEqual(['fs', 'git'])
    const removed = spliceServers(CODEX_NOW, bare, 'toml', ['mcp_servers'])
    expect(removed).toBe('model = "o4-mini"\napproval_policy = "on-request"\n\n[profiles.fast]\nmodel = "o4-mini"\n')
    expect(servers(removed)).toBeUndefined()
    expect(spliceServers(bare, bare, 'toml', ['mcp_servers'])).toBe(bare)
  })

  it('keeps the current line endings and byte-order mark', () => {
    const now = `\uFEFF${CODEX_NOW.replaceAll('\n', '\r\n')}`
    const out = spliceServers(now, CODEX_THEN, 'toml', ['mcp_servers'])
    expect(out.startsWith('\uFEFFmodel')).toBe(true)
    expect(out.replaceAll('\r\n', '')).not.toContain('\n')
    expect(Object.keys(servers(out)!)).toEqual(['fs', 'git'])
  })

  it('refuses servers written as dotted keys of the top-level table, with a clear message', () => {
    expect(() => spliceServers('mcp_servers.a.command = "x"\n', CODEX_THEN, 'toml', ['mcp_servers'])).toThrow(
      expect.objectContaining({code: 'INVALID_ARGUMENT', message: expect.stringContaining('[mcp_servers.*] tables')}),
    )
  })
})

// ~/.claude.json keeps local-scope servers per project, beside the app's own per-project state.
describe("spliceServers with Claude Code's per-project servers", () => {
  const perProject = {container: 'projects', key: 'mcpServers'}
  const NOW_P = `{
  "mcpServers": {},
  "projects": {
    "/a": {"allowedTools": ["x"], "history": [1, 2, 3], "mcpServers": {}},
    "/new": {"history": [], "mcpServers": {"since": {"command": "s"}}},
    "/same": {"mcpServers": {"k": {"command": "k"}}, "lastCost": 9}
  }
}
`
  const THEN_P = `{
  "mcpServers": {"u": {"command": "u"}},
  "projects": {
    "/a": {"allowedTools": [], "mcpServers": {
      // lost
      "l": {"command": "l"}
    }},
    "/gone": {"mcpServers": {"g": {"command": "g"}}},
    "/same": {"mcpServers": {"k": {"command": "k"}}, "lastCost": 1}
  }
}
`
  it("takes each project's servers from the backup and keeps each project's other state as it is now", () => {
    const out = spliceServers(NOW_P, THEN_P, 'json', ['mcpServers'], perProject)
    const doc = parseConfig(out, 'jsonc') as {mcpServers: unknown; projects: Record<string, Record<string, unknown>>}
    expect(doc.mcpServers).toEqual({u: {command: 'u'}})
    expect(doc.projects['/a']).toEqual({allowedTools: ['x'], history: [1, 2, 3], mcpServers: {l: {command: 'l'}}})
    expect(out).toContain('// lost')
    // A project added since the backup is left with no servers; one that has gone gets its servers back.
    expect(doc.projects['/new']).toEqual({history: [], mcpServers: {}})
    expect(doc.projects['/gone']).toEqual({mcpServers: {g: {command: 'g'}}})
    // Unchanged servers: that project's text is not touched at all.
    expect(out).toContain('"/same": {"mcpServers": {"k": {"command": "k"}}, "lastCost": 9}')
  })

  it('without perProject, only the top-level servers are taken', () => {
    const doc = parseConfig(spliceServers(NOW_P, THEN_P, 'json', ['mcpServers']), 'jsonc') as {projects: Record<string, unknown>}
    expect(doc.projects).toEqual((parseConfig(NOW_P, 'json') as {projects: unknown}).projects)
  })

  it('leaves a projects value that is not an object alone', () => {
    const odd = '{"mcpServers": {}, "projects": []}'
    expect(parseConfig(spliceServers(odd, THEN_P, 'json', ['mcpServers'], perProject), 'jsonc')).toEqual({mcpServers: {u: {command: 'u'}}, projects: []})
  })
})
