import {readFile} from 'node:fs/promises'
import {resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {z} from 'zod'

import {HatchError} from '../../../src/core/errors.js'
import {getHost, HOSTS, hostIds, templatesFor} from '../../../src/core/hosts/registry.js'
import {HostEntry, PathTemplate} from '../../../src/core/hosts/schemas.js'

const REQUIRED = ['claude-desktop', 'claude-code', 'vscode', 'cursor', 'lmstudio', 'gemini', 'kiro', 'codex', 'windsurf', 'zed', 'opencode']

describe('host registry', () => {
  it('every entry is valid data', () => {
    expect(() => z.array(HostEntry).parse(HOSTS)).not.toThrow()
  })

  it('has unique ids, in the order hostIds() reports, covering every required host', () => {
    const ids = hostIds()
    expect(ids).toEqual(HOSTS.map((h) => h.id))
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of REQUIRED) expect(ids).toContain(id)
  })

  it('has no YAML or cwd-dependent hosts', () => {
    expect(hostIds()).not.toContain('goose')
    expect(hostIds()).not.toContain('mistral-vibe')
  })

  it('records format, servers path and shared state as hosts.md says', () => {
    const table = Object.fromEntries(HOSTS.map((h) => [h.id, [h.format, h.serversPath.join('.'), h.sharedState]]))
    expect(table).toEqual({
      'claude-desktop': ['json', 'mcpServers', false],
      'claude-code': ['json', 'mcpServers', true],
      vscode: ['jsonc', 'servers', false],
      cursor: ['json', 'mcpServers', false],
      lmstudio: ['json', 'mcpServers', false],
      gemini: ['jsonc', 'mcpServers', true],
      kiro: ['json', 'mcpServers', false],
      codex: ['toml', 'mcp_servers', true],
      windsurf: ['json', 'mcpServers', false],
      zed: ['jsonc', 'context_servers', true],
      opencode: ['jsonc', 'mcp', true],
      augment: ['json', 'mcpServers', true],
    })
  })

  it('knows at least one config path and app dir per platform (augment has none on Windows)', () => {
    for (const host of HOSTS) {
      for (const platform of ['darwin', 'linux', 'win32'] as const) {
        const unsupported = host.id === 'augment' && platform === 'win32'
        expect(templatesFor(host.configPaths, platform).length > 0, `${host.id} on ${platform}`).toBe(!unsupported)
        expect(templatesFor(host.appDirs, platform).length > 0, `${host.id} on ${platform}`).toBe(!unsupported)
      }
    }
  })

  it('lists the MSIX package both by its fixed publisher id and by a Claude_* glob', () => {
    const win = templatesFor(getHost('claude-desktop').configPaths, 'win32')
    expect(win.some((t) => t.includes('/Packages/Claude_pzs8sxrjxfjjc/'))).toBe(true)
    expect(win.some((t) => t.includes('/Packages/Claude_*/'))).toBe(true)
  })

  it('rejects malformed path templates', () => {
    for (const bad of ['~/.cursor/mcp.json', '/etc/x.json', '{home}\\x.json', '{home}/../x.json', '{nowhere}/x.json', '{home}/./x', '{home}/x/']) {
      expect(PathTemplate.safeParse(bad).success, bad).toBe(false)
    }
    expect(PathTemplate.safeParse('{localAppData}/Packages/Claude_*/x.json').success).toBe(true)
    expect(PathTemplate.safeParse('{codexHome}').success).toBe(true)
  })

  it('getHost returns the entry', () => {
    expect(getHost('zed').displayName).toBe('Zed')
  })

  it('getHost throws UNKNOWN_HOST naming every valid id', () => {
    let error: unknown
    try {
      getHost('claude')
    } catch (error_) {
      error = error_
    }
    expect(error).toBeInstanceOf(HatchError)
    const e = error as HatchError
    expect(e.code).toBe('UNKNOWN_HOST')
    expect(e.exitCode).toBe(2)
    for (const id of hostIds()) expect(e.message).toContain(id)
    // `claude` starts two ids: both are offered.
    expect(e.message).toContain('Did you mean claude-desktop or claude-code?')
    expect(e.suggestions.slice(0, 2)).toEqual(['--host claude-desktop', '--host claude-code'])
  })

  it('getHost suggests the id a typo was meant to be, and nothing for a word far from every id', () => {
    const thrown = (id: string) => {
      try {
        getHost(id)
      } catch (error) {
        return error as HatchError
      }
      throw new Error(`${id} was accepted`)
    }
    expect(thrown('claud-desktop').message).toContain('Did you mean claude-desktop?')
    expect(thrown('claud-desktop').suggestions[0]).toBe('--host claude-desktop')
    expect(thrown('vscdoe').message).toContain('Did you mean vscode?')
    expect(thrown('notepad').message).not.toContain('Did you mean')
    expect(thrown('notepad').suggestions).toHaveLength(1)
  })

  it('docs/hosts.md documents every host', async () => {
    const doc = await readFile(resolve(import.meta.dirname, '../../../docs/hosts.md'), 'utf8')
    for (const id of hostIds()) expect(doc).toContain(`\`${id}\``)
  })
})
