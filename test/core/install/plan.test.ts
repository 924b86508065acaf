import {describe, expect, it} from 'vitest'

import {getHost} from '../../../src/core/hosts/registry.js'
import {serverEntry} from '../../../src/core/install/entry.js'
import {planServerEdit} from '../../../src/core/install/plan.js'

const launch = {command: '/usr/local/bin/node', args: ['/opt/hatch/bin/run.js', 'mcp', 'serve']}

function roundTrip(hostId: string, original: string) {
  const host = getHost(hostId)
  const entry = serverEntry(host, launch)
  const installed = planServerEdit(host, '/x/config', Buffer.from(original), 'hatch', entry)
  expect(installed.changed).toBe(true)
  const again = planServerEdit(host, '/x/config', installed.bytes, 'hatch', entry)
  expect(again.changed).toBe(false) // idempotent
  const removed = planServerEdit(host, '/x/config', installed.bytes, 'hatch', undefined)
  return {installed: installed.bytes.toString('utf8'), removed: removed.bytes, diff: installed.diff}
}

/** True when `a` can be obtained from `b` by deleting characters: every original byte is still there, in order. */
function isSubsequence(a: string, b: string): boolean {
  let i = 0
  for (const ch of b) if (ch === a[i]) i++
  return i === a.length
}

const CASES: Array<[string, string, string]> = [
  [
    'vscode',
    'JSONC with comments and trailing commas',
    '{\n  // my servers\n  "servers": {\n    "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}, // remote\n    /* local */ "files": {"command": "npx", "args": ["-y", "fs"],},\n  },\n  "inputs": [],\n}\n',
  ],
  ['cursor', 'strict JSON, one line', '{"mcpServers": {"a": {"command": "x"}}}'],
  ['claude-desktop', 'strict JSON, tabs, CRLF', '{\r\n\t"mcpServers": {\r\n\t\t"a": {\r\n\t\t\t"command": "x"\r\n\t\t}\r\n\t},\r\n\t"globalShortcut": ""\r\n}\r\n'],
  ['cursor', 'empty servers object, not the last key', '{\n  "mcpServers": {},\n  "theme": 1\n}\n'],
  ['opencode', 'no servers key (install creates it, uninstall takes it away)', '{\n  "$schema": "https://opencode.ai/config.json",\n  "theme": "x"\n}\n'],
  ['cursor', 'an empty object', '{}'],
  ['zed', 'JSONC settings with comments', '// Zed settings\n{\n  "theme": "One Dark", // dark\n  "context_servers": {\n    "other": {"command": "x", "args": []}\n  }\n}\n'],
  ['codex', 'TOML with comments and other tables', '# Codex\nmodel = "o3"\n\n[features]\nweb = true # comment\n\n[mcp_servers.files]\ncommand = "npx"\nargs = ["-y", "fs"]\n'],
  ['codex', 'TOML without a final newline', 'model = "o3"'],
]

describe('install then uninstall keeps every other byte', () => {
  for (const [host, name, original] of CASES) {
    it(`${host}: ${name}`, () => {
      const {installed, removed} = roundTrip(host, original)
      expect(isSubsequence(original, installed)).toBe(true)
      expect(Buffer.compare(removed, Buffer.from(original))).toBe(0)
    })
  }

  it('adds the servers key when it is missing', () => {
    const original = '{\n  "$schema": "https://opencode.ai/config.json",\n  "theme": "x"\n}\n'
    const {installed} = roundTrip('opencode', original)
    expect(JSON.parse(installed).mcp.hatch).toEqual({type: 'local', command: [launch.command, ...launch.args], enabled: true})
  })

  it('takes away an emptied servers key that was the last one, even one the file had: hatch cannot tell them apart', () => {
    expect(roundTrip('cursor', '{\n  "mcpServers": {}\n}\n').removed.toString('utf8')).toBe('{}\n')
  })

  it('keeps a byte-order mark', () => {
    const original = '\uFEFF{}\n'
    const {installed, removed} = roundTrip('cursor', original)
    expect(installed.startsWith('\uFEFF')).toBe(true)
    expect(removed.toString('utf8')).toBe(original)
  })

  it('uses each host\'s field names', () => {
    expect(JSON.parse(roundTrip('vscode', '{"servers": {}}').installed).servers.hatch).toEqual({type: 'stdio', ...launch})
    expect(JSON.parse(roundTrip('zed', '{}').installed).context_servers.hatch).toEqual(launch)
    const toml = roundTrip('codex', '').installed
    expect(toml).toBe(`[mcp_servers.hatch]\ncommand = "${launch.command}"\nargs = ["${launch.args.join('", "')}"]\n`)
  })

  it('adds under a nested path whose outer object exists but is empty (a Claude Code project)', () => {
    const loc = {format: 'json' as const, serversPath: ['projects', '/p', 'mcpServers']}
    const plan = planServerEdit(loc, '/x/.claude.json', Buffer.from('{"projects": {}}'), 'l', {command: 'x'})
    expect(JSON.parse(plan.bytes.toString())).toEqual({projects: {'/p': {mcpServers: {l: {command: 'x'}}}}})
  })

  it('creates a file that does not exist', () => {
    const plan = planServerEdit(getHost('cursor'), '/x/mcp.json', null, 'hatch', serverEntry(getHost('cursor'), launch))
    expect(JSON.parse(plan.bytes.toString())).toEqual({mcpServers: {hatch: launch}})
    expect(plan.diff).toContain('(absent)')
  })

  it('refuses a file that does not parse, or a servers entry it cannot edit, and writes nothing', () => {
    const entry = serverEntry(getHost('cursor'), launch)
    expect(() => planServerEdit(getHost('cursor'), '/x', Buffer.from('{"mcpServers": {'), 'hatch', entry)).toThrow(/not valid JSON/)
    expect(() => planServerEdit(getHost('cursor'), '/x', Buffer.from('{"mcpServers": []}'), 'hatch', entry)).toThrow(/is not an object/)
    expect(() => planServerEdit(getHost('codex'), '/x', Buffer.from('mcp_servers = {other = {command = "x"}}\n'), 'hatch', serverEntry(getHost('codex'), launch))).toThrow(/cannot edit/)
  })

  it('masks secrets in the diff and never expands $VAR references', () => {
    const original = '{"mcpServers": {"a": {"env": {"GITHUB_TOKEN": "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "X": "${HOME}"}}}}'
    const {installed, diff} = roundTrip('cursor', original)
    expect(installed).toContain('${HOME}')
    expect(diff).not.toContain('ghp_abcdef')
  })
})
