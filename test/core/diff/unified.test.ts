import {describe, expect, it} from 'vitest'

import {unifiedDiff} from '../../../src/core/diff/unified.js'
import {maskText} from '../../../src/core/redact/mask.js'

const config = (token: string, command = 'npx') => `{\n  "mcpServers": {\n    "gh": {\n      "command": "${command}",\n      "env": {"GITHUB_TOKEN": "${token}"}\n    }\n  }\n}\n`
const A = 'ghp_0123456789abcdefghijABCDEFGHIJ0123456789'
const B = 'ghp_9876543210abcdefghijABCDEFGHIJ9876543210'

describe('unifiedDiff with masking', () => {
  it('shows a masked secret whose value changed as changed, not as the same line removed and added', () => {
    const diff = unifiedDiff(config(A), config(B), 'a', 'b', {maskLine: maskText})
    expect(diff).toContain('-      "env": {"GITHUB_TOKEN": "[REDACTED:github-token]"}\n+      "env": {"GITHUB_TOKEN": "[REDACTED:github-token] (value changed)"}\n')
    expect(diff).not.toContain(A)
    expect(diff).not.toContain(B)
  })

  it('marks nothing when the masked lines differ anyway, or when nothing is masked', () => {
    const renamed = unifiedDiff(config(A), config(B).replace('GITHUB_TOKEN', 'GH_TOKEN'), 'a', 'b', {maskLine: maskText})
    expect(renamed).not.toContain('(value changed)')
    expect(renamed).toContain('+      "env": {"GH_TOKEN": "[REDACTED:github-token]"}')
    const plain = unifiedDiff(config(A), config(B), 'a', 'b')
    expect(plain).toContain(`+      "env": {"GITHUB_TOKEN": "${B}"}`)
    expect(plain).not.toContain('(value changed)')
  })

  it('pairs a changed value only within the same change, once per removed line', () => {
    const diff = unifiedDiff(config(A, 'node'), config(B, 'deno'), 'a', 'b', {maskLine: maskText})
    expect(diff.match(/\(value changed\)/g)).toHaveLength(1)
    expect(diff).toContain('+      "command": "deno",\n')
  })
})
