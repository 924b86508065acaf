import {describe, expect, it} from 'vitest'

import {backupFileName, idFromMicros, isoFromMicros, microsFromId, parseBackupFileName, parseBackupIdArgument} from '../../../src/core/backup/naming.js'

describe('backup ids and names', () => {
  it('formats UTC microseconds as YYYYMMDD_HHMMSS_ffffff and back', () => {
    const us = BigInt(Date.UTC(2026, 10, 21, 16, 51, 0)) * 1000n + 123_456n
    expect(idFromMicros(us)).toBe('20261121_165100_123456')
    expect(microsFromId('20261121_165100_123456')).toBe(us)
    expect(isoFromMicros(us)).toBe('2026-11-21T16:51:00.123456Z')
    expect(idFromMicros(BigInt(Date.UTC(2027, 0, 1)) * 1000n + 7n)).toBe('20270101_000000_000007')
  })

  it('splits a file name even when the config name has dots and the host a dash', () => {
    const name = backupFileName('.claude.json', 'claude-code', '20261121_165100_123456')
    expect(name).toBe('.claude.json.claude-code.20261121_165100_123456')
    expect(parseBackupFileName(name, 'claude-code')).toEqual({configFileName: '.claude.json', id: '20261121_165100_123456'})
    expect(parseBackupFileName(name, 'claude')).toBeUndefined()
    expect(parseBackupFileName('index.jsonl', 'cursor')).toBeUndefined()
    expect(parseBackupFileName('mcp.json.cursor.2026', 'cursor')).toBeUndefined()
  })

  it('accepts an id or a backup file name, and refuses anything path-like', () => {
    expect(parseBackupIdArgument('20261121_165100_123456', 'cursor')).toBe('20261121_165100_123456')
    expect(parseBackupIdArgument('mcp.json.cursor.20261121_165100_123456', 'cursor')).toBe('20261121_165100_123456')
    for (const bad of ['../x', '..', '/etc/passwd', 'C:\\x', '../mcp.json.cursor.20261121_165100_123456', 'a/mcp.json.cursor.20261121_165100_123456', '2026112_165100_123456', '', 'latest']) {
      expect(() => parseBackupIdArgument(bad, 'cursor'), bad).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT', exitCode: 2}))
    }
  })
})
