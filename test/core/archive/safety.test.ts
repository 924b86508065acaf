import {describe, expect, it} from 'vitest'

import {checkSymlinkGraph, safeEntryPath, symlinkStaysInside} from '../../../src/core/archive/tar/entry-safety.js'

describe('entry safety rules', () => {
  it('normalizes harmless names', () => {
    expect(safeEntryPath('./a//b/')).toBe('a/b')
    expect(safeEntryPath('./')).toBe('')
    expect(safeEntryPath('日本/ü.txt')).toBe('日本/ü.txt')
  })

  it.each(['../x', 'a/../../x', '/etc/passwd', 'a/\0b', 'a/..'])('refuses %j', (name) => {
    expect(() => safeEntryPath(name)).toThrow(expect.objectContaining({code: 'UNSAFE_ARCHIVE_ENTRY'}))
  })

  it('refuses Windows paths on Windows only', () => {
    expect(() => safeEntryPath('C:/x', 'win32')).toThrow()
    expect(() => safeEntryPath('a\\..\\x', 'win32')).toThrow()
    expect(safeEntryPath('a\\b', 'linux')).toBe('a\\b')
  })

  it('judges symlink targets lexically', () => {
    expect(symlinkStaysInside('a/b', '../c')).toBe(true)
    expect(symlinkStaysInside('a/b', '../../c')).toBe(false)
    expect(symlinkStaysInside('a', '/etc')).toBe(false)
    expect(symlinkStaysInside('a', '')).toBe(false)
  })

  it('follows link chains the way the kernel would', () => {
    expect(() => checkSymlinkGraph(new Map([['d/a', '..'], ['c', 'd/a/../..']]))).toThrow(/outside/)
    expect(() => checkSymlinkGraph(new Map([['a', 'b'], ['b', 'a']]))).toThrow(/loop/)
    expect(() => checkSymlinkGraph(new Map([['x', 'y/z'], ['y', 'real'], ['real/z', '../file']]))).not.toThrow()
  })
})
