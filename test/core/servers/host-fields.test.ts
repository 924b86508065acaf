import {describe, expect, it} from 'vitest'

import {getHost, HOSTS} from '../../../src/core/hosts/registry.js'
import {HOST_FIELDS, readEntry, writeEntry, type ServerSpec} from '../../../src/core/servers/host-fields.js'

const STDIO: ServerSpec = {transport: 'stdio', command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}, headers: {}, enabled: true}
const HTTP: ServerSpec = {transport: 'http', url: 'https://h.example/mcp', args: [], env: {}, headers: {A: 'b'}, enabled: true}
const SSE: ServerSpec = {...HTTP, transport: 'sse', url: 'https://h.example/sse'}

const write = (host: string, spec: ServerSpec) => writeEntry(host, getHost(host).displayName, spec).entry

// The shapes each host documents (hosts.md §2–3; Zed: its settings schema; Claude Desktop: stdio only), written out
// by hand so that a wrong row in the field map fails here, not only in a round trip through the same map.
const EXPECTED: Record<string, {stdio: unknown; http?: unknown; sse?: unknown}> = {
  'claude-desktop': {stdio: {command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}},
  'claude-code': {stdio: {command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}, http: {type: 'http', url: HTTP.url, headers: {A: 'b'}}, sse: {type: 'sse', url: SSE.url, headers: {A: 'b'}}},
  vscode: {stdio: {type: 'stdio', command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}, http: {type: 'http', url: HTTP.url, headers: {A: 'b'}}, sse: {type: 'sse', url: SSE.url, headers: {A: 'b'}}},
  cursor: {stdio: {command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}, http: {url: HTTP.url, headers: {A: 'b'}}, sse: {url: SSE.url, headers: {A: 'b'}}},
  lmstudio: {stdio: {command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}, http: {url: HTTP.url, headers: {A: 'b'}}, sse: {url: SSE.url, headers: {A: 'b'}}},
  gemini: {stdio: {command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}, http: {httpUrl: HTTP.url, headers: {A: 'b'}}, sse: {url: SSE.url, headers: {A: 'b'}}},
  kiro: {stdio: {command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}, http: {url: HTTP.url, headers: {A: 'b'}}, sse: {url: SSE.url, headers: {A: 'b'}}},
  codex: {stdio: {command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}, http: {url: HTTP.url, http_headers: {A: 'b'}}},
  windsurf: {stdio: {command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}, http: {serverUrl: HTTP.url, headers: {A: 'b'}}, sse: {serverUrl: SSE.url, headers: {A: 'b'}}},
  zed: {stdio: {command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}, http: {url: HTTP.url, headers: {A: 'b'}}},
  opencode: {
    stdio: {type: 'local', command: ['npx', '-y', 'srv'], environment: {K: 'v'}, enabled: true},
    http: {type: 'remote', url: HTTP.url, headers: {A: 'b'}, enabled: true},
    sse: {type: 'remote', url: SSE.url, headers: {A: 'b'}, enabled: true},
  },
  augment: {stdio: {command: 'npx', args: ['-y', 'srv'], env: {K: 'v'}}, http: {type: 'http', url: HTTP.url, headers: {A: 'b'}}, sse: {type: 'sse', url: SSE.url, headers: {A: 'b'}}},
}

describe('host field map', () => {
  it('has a row for every host, and no row for a host hatch does not know', () => {
    expect(Object.keys(HOST_FIELDS).sort()).toEqual(HOSTS.map((h) => h.id).sort())
    expect(Object.keys(EXPECTED).sort()).toEqual(HOSTS.map((h) => h.id).sort())
  })

  for (const [host, shapes] of Object.entries(EXPECTED)) {
    it(`${host}: writes each transport in the host's own shape, or refuses it`, () => {
      expect(write(host, STDIO)).toEqual(shapes.stdio)
      expect(write(host, HTTP)).toEqual(shapes.http)
      expect(write(host, SSE)).toEqual(shapes.sse)
    })
  }

  it('reads what it writes, and what the hosts write themselves', () => {
    expect(readEntry('vscode', {type: 'sse', url: 'u'}).spec).toMatchObject({transport: 'sse', url: 'u'})
    expect(readEntry('claude-code', {type: 'stdio', command: 'c', args: [], env: {}}).spec).toMatchObject({transport: 'stdio', command: 'c'})
    expect(readEntry('claude-code', {type: 'streamable-http', url: 'u'}).spec).toMatchObject({transport: 'http'})
    expect(readEntry('gemini', {url: 'u'}).spec).toMatchObject({transport: 'sse'})
    expect(readEntry('gemini', {httpUrl: 'u'}).spec).toMatchObject({transport: 'http'})
    expect(readEntry('cursor', {url: 'u'}).spec).toMatchObject({transport: 'http'})
    expect(readEntry('kiro', {command: 'c', disabled: true}).spec).toMatchObject({enabled: false})
    expect(readEntry('codex', {command: 'c', enabled: false}).spec).toMatchObject({enabled: false})
    expect(readEntry('opencode', {type: 'local', command: ['c', 'a'], environment: {X: '1'}, enabled: false}).spec).toMatchObject({command: 'c', args: ['a'], env: {X: '1'}, enabled: false})
    // Zed's older shape.
    expect(readEntry('zed', {command: {path: 'c', args: ['a'], env: {}}, settings: {}}).spec).toMatchObject({command: 'c', args: ['a']})
  })

  it('names the keys it does not translate, and says why it cannot read an entry', () => {
    expect(readEntry('gemini', {command: 'c', cwd: '/x', timeout: 5, trust: true}).untranslated).toEqual(['cwd', 'timeout', 'trust'])
    expect(readEntry('vscode', {type: 'stdio', command: 'c', envFile: '.env'}).untranslated).toEqual(['envFile'])
    expect(readEntry('cursor', {command: 'c', args: [1]})).toMatchObject({spec: undefined, problem: 'its args are not all strings'})
    expect(readEntry('zed', {settings: {}})).toMatchObject({spec: undefined, problem: expect.stringContaining('no command and no url')})
    expect(readEntry('cursor', 'x')).toMatchObject({spec: undefined})
  })
})
