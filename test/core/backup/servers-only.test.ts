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

  it('refuses TOML hosts with a clear message', () => {
    expect(() => spliceServers('[mcp_servers.a]\n', '[mcp_servers.b]\n', 'toml', ['mcp_servers'])).toThrow(
      expect.objectContaining({code: 'INVALID_ARGUMENT', message: expect.stringContaining('JSON and JSONC')}),
    )
  })
})
