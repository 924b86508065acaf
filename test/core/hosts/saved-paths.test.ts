import * as fs from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {hostPathsFile, readHostPaths, saveHostPath} from '../../../src/core/hosts/saved-paths.js'

let dir: string
let home: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-saved-paths-'))
  home = join(dir, '.hatch')
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('saved host paths', () => {
  it('are none until one is saved; saving writes a 0600 file in a 0700 hatch home', () => {
    expect(readHostPaths(home)).toEqual({})
    expect(saveHostPath(home, 'cursor', '/work/cursor/mcp.json')).toBe(true)
    expect(readHostPaths(home)).toEqual({cursor: '/work/cursor/mcp.json'})
    expect(fs.statSync(hostPathsFile(home)).mode & 0o777).toBe(0o600)
    expect(fs.statSync(home).mode & 0o777).toBe(0o700)
    expect(JSON.parse(fs.readFileSync(hostPathsFile(home), 'utf8'))).toEqual({version: 1, paths: {cursor: '/work/cursor/mcp.json'}})
  })

  it('change only what they say: saving the same path or forgetting an unsaved one writes nothing', () => {
    saveHostPath(home, 'cursor', '/a/mcp.json')
    saveHostPath(home, 'codex', '/b/config.toml')
    const before = fs.statSync(hostPathsFile(home)).ino
    expect(saveHostPath(home, 'cursor', '/a/mcp.json')).toBe(false)
    expect(saveHostPath(home, 'kiro', null)).toBe(false)
    expect(fs.statSync(hostPathsFile(home)).ino).toBe(before)
    expect(saveHostPath(home, 'cursor', null)).toBe(true)
    expect(readHostPaths(home)).toEqual({codex: '/b/config.toml'})
  })

  it('refuse an unknown host, and say clearly when the file is damaged (and leave it alone)', () => {
    expect(() => saveHostPath(home, 'nope', '/x')).toThrow(expect.objectContaining({code: 'UNKNOWN_HOST'}))
    fs.mkdirSync(home, {recursive: true})
    fs.writeFileSync(hostPathsFile(home), '{"version": 1, "paths": {"cursor": 7}}')
    expect(() => readHostPaths(home)).toThrow(expect.objectContaining({code: 'INVALID_CONFIG', message: expect.stringContaining('hosts.json')}))
    expect(() => saveHostPath(home, 'cursor', '/x')).toThrow(expect.objectContaining({code: 'INVALID_CONFIG'}))
    expect(fs.readFileSync(hostPathsFile(home), 'utf8')).toBe('{"version": 1, "paths": {"cursor": 7}}')
  })
})
