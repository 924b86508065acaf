import {describe, expect, it} from 'vitest'

import {decodeConfig, isParseable, parseConfig} from '../../../src/core/formats/parse.js'

describe('parseConfig', () => {
  it('reads JSONC with comments, trailing commas, CRLF and a BOM', () => {
    const text = '\uFEFF{\r\n  // servers\r\n  "servers": {"a": {"command": "x",},}, /* end */\r\n}'
    expect(parseConfig(Buffer.from(text), 'jsonc')).toEqual({servers: {a: {command: 'x'}}})
  })
  it('is strict for JSON hosts, but accepts a BOM', () => {
    expect(parseConfig('\uFEFF{"mcpServers": {}}', 'json')).toEqual({mcpServers: {}})
    expect(() => parseConfig('{"mcpServers": {},}', 'json')).toThrow(expect.objectContaining({code: 'INVALID_CONFIG', exitCode: 7}))
    expect(() => parseConfig('// c\n{}', 'json')).toThrow(/not valid JSON/)
  })
  it('says where a JSON file breaks, as a line and a column (V8 gives neither on Node 20)', () => {
    expect(() => parseConfig('{\n  "a": 1,\n  "b": \n}', 'json', '/x/mcp.json')).toThrow(/^\/x\/mcp.json is not valid JSON: ValueExpected at line 4, column 1\.$/)
    expect(() => parseConfig('{"a": 1,}', 'json')).toThrow(/at line 1, column 9/)
    expect(() => parseConfig('// c\n{}', 'json')).toThrow(/InvalidCommentToken at line 1, column 1/)
  })
  it('takes the next steps its error gives from the caller', () => {
    expect(() => parseConfig('{', 'json', 'Backup X', ['Restore it anyway with --force.'])).toThrow(expect.objectContaining({suggestions: ['Restore it anyway with --force.']}))
  })
  it('says where a JSONC file breaks', () => {
    expect(() => parseConfig('{\n  "a": 1\n  "b": 2\n}', 'jsonc', '/x/mcp.json')).toThrow(/\/x\/mcp.json is not valid JSONC: CommaExpected at line 3, column 3/)
  })
  it('reads TOML and says where it breaks', () => {
    expect(parseConfig('# c\n[mcp_servers.a]\ncommand = "x"\nargs = ["y"]\n', 'toml')).toEqual({mcp_servers: {a: {command: 'x', args: ['y']}}})
    expect(parseConfig('', 'toml')).toEqual({})
    expect(() => parseConfig('[mcp_servers.a]\ncommand = \n', 'toml')).toThrow(/not valid TOML: .* at line 2/)
  })
  it('refuses empty JSON and a top level that is not an object', () => {
    for (const text of ['', '  \n', '[]', '"x"', 'null', '1']) {
      expect(isParseable(text, 'json'), text).toBe(false)
      expect(isParseable(text, 'jsonc'), text).toBe(false)
    }
  })
  it('decodes without changing anything but the BOM', () => {
    expect(decodeConfig(Buffer.from('\uFEFFa\r\nb'))).toBe('a\r\nb')
    expect(decodeConfig('x')).toBe('x')
  })
})
