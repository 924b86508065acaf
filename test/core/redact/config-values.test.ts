import {describe, expect, it} from 'vitest'

import {configLineMasker, configSecretNames} from '../../../src/core/redact/config-values.js'

describe('masking the environment and headers of server entries in diff lines', () => {
  const names = configSecretNames(
    {mcpServers: {a: {command: 'x', env: {PLAIN: 'v', REF: '${REF}'}}, b: {url: 'u', headers: {'X-Id': 'h'}}}},
    {mcp_servers: {c: {http_headers: {Other: 'o'}}}, mcp: {d: {environment: {OC: 'z'}}}},
  )

  it('collects the names of every env, environment, headers and http_headers map', () => {
    expect([...names].sort()).toEqual(['OC', 'Other', 'PLAIN', 'REF', 'X-Id'])
  })

  it('masks their values in JSON, compact JSON and TOML lines, keeps references, and leaves other keys alone', () => {
    const mask = configLineMasker(names)
    expect(mask('+        "PLAIN": "hunter2",')).toBe('+        "PLAIN": "[REDACTED:secret]",')
    expect(mask('+ "a": {"command":"x","env":{"PLAIN":"hunter2","REF":"${REF}"}}')).toBe('+ "a": {"command":"x","env":{"PLAIN":"[REDACTED:secret]","REF":"${REF}"}}')
    expect(mask('-X-Id = "abc"')).toBe('-X-Id = "[REDACTED:secret]"')
    expect(mask('+"Other" = \'abc\'')).toBe('+"Other" = \'[REDACTED:secret]\'')
    expect(mask('   "command": "PLAIN"')).toBe('   "command": "PLAIN"')
    expect(mask(' "OC": ""')).toBe(' "OC": ""')
    // maskText still applies.
    expect(mask('+ "x": "ghp_0123456789abcdefghijABCDEFGHIJ012345"')).toBe('+ "x": "[REDACTED:github-token]"')
  })
})
