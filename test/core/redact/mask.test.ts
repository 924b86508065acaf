import {describe, expect, it} from 'vitest'

import {isSecretKey, maskText, maskValue} from '../../../src/core/redact/mask.js'

/** [label, input, expected output] — every secret or personal datum must be masked, with its kind. */
const POSITIVE: Array<[string, string, string]> = [
  ['email', 'mail kim.minsu+test@example.co.kr now', 'mail [REDACTED:email] now'],
  ['KR mobile, dashes', 'call 010-1234-5678.', 'call [REDACTED:phone].'],
  ['KR mobile, digits only', 'tel 01012345678', 'tel [REDACTED:phone]'],
  ['KR mobile, +82', 'tel +82 10-1234-5678', 'tel [REDACTED:phone]'],
  ['KR Seoul landline', 'office 02-123-4567', 'office [REDACTED:phone]'],
  ['KR regional landline', 'office 031-1234-5678', 'office [REDACTED:phone]'],
  ['international', 'call +1 (415) 555-0100 today', 'call [REDACTED:phone] today'],
  ['North American', 'call 415-555-0100', 'call [REDACTED:phone]'],
  ['KR RRN', 'rrn 900101-1234567', 'rrn [REDACTED:rrn]'],
  ['KR RRN, foreigner, leap day', 'rrn 000229-5123456', 'rrn [REDACTED:rrn]'],
  ['Visa, spaced', 'card 4111 1111 1111 1111 exp', 'card [REDACTED:card] exp'],
  ['Mastercard, dashed', 'card 5555-5555-5555-4444', 'card [REDACTED:card]'],
  ['Mastercard 2-series', 'card 2221000000000009', 'card [REDACTED:card]'],
  ['Amex', 'card 378282246310005', 'card [REDACTED:card]'],
  ['Diners, 14 digits', 'card 30569309025904', 'card [REDACTED:card]'],
  ['card followed by a short group', 'card 4111 1111 1111 1111 20', 'card [REDACTED:card] 20'],
  [
    'JWT',
    'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok',
    'jwt [REDACTED:jwt] ok',
  ],
  ['GitHub classic token', 'ghp_0123456789abcdefghijABCDEFGHIJ012345', '[REDACTED:github-token]'],
  ['GitHub server token', 'x ghs_0123456789abcdefghijABCDEFGHIJ012345 y', 'x [REDACTED:github-token] y'],
  ['GitHub fine-grained PAT', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', '[REDACTED:github-token]'],
  ['hatch personal access token', 'use hatch_pat_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef now', 'use [REDACTED:hatch-token] now'],
  ['AWS key id', 'aws AKIAIOSFODNN7EXAMPLE', 'aws [REDACTED:aws-key-id]'],
  ['AWS session key id', 'aws ASIAABCDEFGHIJKLMNOP', 'aws [REDACTED:aws-key-id]'],
  ['OpenAI key', 'key sk-proj-abc123DEF456ghi789JKL012mno', 'key [REDACTED:api-key]'],
  ['Anthropic key', 'key sk-ant-api03-abcdefghijklmnop1234567890', 'key [REDACTED:api-key]'],
  ['Bearer', 'Authorization: Bearer abcdef1234567890', 'Authorization: Bearer [REDACTED:bearer]'],
  ['age identity', `AGE-SECRET-KEY-1${'Q'.repeat(58)}`, '[REDACTED:age-key]'],
  [
    'PEM private key',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY----- done',
    '[REDACTED:private-key] done',
  ],
  ['URL password', 'postgres://admin:s3cret@db.example.com:5432/app', 'postgres://admin:[REDACTED:secret]@db.example.com:5432/app'],
  // key=value styles: only the value goes, the key and the quoting stay.
  ['JSON pair', '"password": "hunter2",', '"password": "[REDACTED:secret]",'],
  ['JSON camelCase', '{"clientSecret":"abc"}', '{"clientSecret":"[REDACTED:secret]"}'],
  ['JSONC pair', '  "apiKey": "abc", // old key', '  "apiKey": "[REDACTED:secret]", // old key'],
  ['TOML double quotes', 'api_key = "abc123"', 'api_key = "[REDACTED:secret]"'],
  ['TOML single quotes', "client_secret = 'xyz'", "client_secret = '[REDACTED:secret]'"],
  ['TOML quoted key', '"x-api-key" = "xyz"', '"x-api-key" = "[REDACTED:secret]"'],
  ['env', 'export GITHUB_TOKEN=abc123 && run', 'export GITHUB_TOKEN=[REDACTED:secret] && run'],
  ['env, quoted', 'DB_PASSWORD="p a s s"', 'DB_PASSWORD="[REDACTED:secret]"'],
  ['env, AWS secret', 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG', 'AWS_SECRET_ACCESS_KEY=[REDACTED:secret]'],
  ['header', 'x-api-key: abc def', 'x-api-key: [REDACTED:secret]'],
  ['header, Basic scheme kept', 'Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic [REDACTED:secret]'],
  ['YAML passphrase', 'passphrase: correct horse battery', 'passphrase: [REDACTED:secret]'],
  ['URL query', '/cb?access_token=abc123&state=ok', '/cb?access_token=[REDACTED:secret]&state=ok'],
  ['flag with space', 'run --api-key abc123 --verbose', 'run --api-key [REDACTED:secret] --verbose'],
  ['flag with =', 'run --token=xyz', 'run --token=[REDACTED:secret]'],
  ['flag in a JSON args array', '"args": ["-y", "--api-key", "abc123"]', '"args": ["-y", "--api-key", "[REDACTED:secret]"]'],
  ['flag in a compact JSON array', '{"args":["--token","abc123","--verbose"]}', '{"args":["--token","[REDACTED:secret]","--verbose"]}'],
  ['flag in a TOML array', "args = ['--password', 'hunter2']", "args = ['--password', '[REDACTED:secret]']"],
  ['escaped JSON in a log', String.raw`{"body":"{\"password\":\"hunter2\"}"}`, String.raw`{"body":"{\"password\":\"[REDACTED:secret]\"}"}`],
]

/** Text that must come out unchanged: hatch's own identifiers and look-alikes. */
const BAIT: Array<[string, string]> = [
  ['backup id', 'restored 20261121_165100_123456'],
  ['14-digit backup-id-like number that passes Luhn', 'id 20261121165108'],
  ['SHA-256 digest', 'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
  ['UUID', 'request 123e4567-e89b-12d3-a456-426614174000'],
  ['all-digit UUID', 'request 41111111-1111-1111-1111-111111111111'],
  ['config path', '/Users/kim/Library/Application Support/Claude/claude_desktop_config.json'],
  ['Windows path', String.raw`C:\Users\kim\AppData\Roaming\Claude\claude_desktop_config.json`],
  ['host name', 'host Claude, Cursor, VS Code'],
  ['ISO timestamp', 'at 2026-11-21T16:51:00.123+09:00'],
  ['epoch milliseconds', 'mtime 1732200000000'],
  ['Luhn-failing card-like number', 'n 4111111111111112'],
  ['RRN with an impossible date', 'n 901301-1234567 and 900230-1234567'],
  ['package specs', 'npx -y @modelcontextprotocol/server-filesystem@2025.7.1 @scope/pkg@latest'],
  ['ssh remote', 'git@github.com:org/repo.git'],
  ['variable references', '"apiKey": "${API_KEY}", "token": "$TOKEN", Authorization: Bearer ${GITHUB_TOKEN}'],
  ['OpenCode and VS Code references', '"apiKey": "{env:OPENAI_API_KEY}", "token": "${input:github-token}"'],
  ['URL password reference', 'postgres://user:${DB_PASSWORD}@db/app'],
  ['non-secret keys naming a term', 'max_tokens = 4096, token_url = "https://x.test/t", password_file = "/run/pw"'],
  ['boolean under a secret key', '"pass": true, "token": null'],
  ['bearer in prose', 'send a Bearer token'],
  ['sk- in a name', 'see sk-learn-style-names-without-digits'],
  ['version and time', 'hatch 0.1.0 took 12:30:45 and 10.1234.5678'],
  ['already masked', '"password": "[REDACTED:secret]", Bearer [REDACTED:bearer], [REDACTED:email]'],
]

describe('maskText', () => {
  it.each(POSITIVE)('masks %s', (_label, input, expected) => {
    expect(maskText(input)).toBe(expected)
  })

  it.each(BAIT)('leaves %s alone', (_label, input) => {
    expect(maskText(input)).toBe(input)
  })

  it.each(POSITIVE)('is idempotent on %s', (_label, input) => {
    const once = maskText(input)
    expect(maskText(once)).toBe(once)
  })

  it('masks several kinds in one line', () => {
    expect(maskText('kim@example.com 010-1234-5678 AKIAIOSFODNN7EXAMPLE id=20261121_165100_123456')).toBe(
      '[REDACTED:email] [REDACTED:phone] [REDACTED:aws-key-id] id=20261121_165100_123456',
    )
  })

  it('masks an unterminated PEM block to the end rather than leak it', () => {
    expect(maskText('x -----BEGIN RSA PRIVATE KEY-----\nMIIE')).toBe('x [REDACTED:private-key]')
  })
})

describe('isSecretKey', () => {
  it.each([
    'password', 'PASSWORD', 'db_password', 'passphrase', 'token', 'GITHUB_TOKEN', 'GITHUB_PERSONAL_ACCESS_TOKEN',
    'accessToken', 'secret', 'clientSecret', 'oauth_clientSecret', 'apiKey', 'APIKEY', 'api_key', 'x-api-key',
    'ANTHROPIC_API_KEY', 'Authorization', 'Proxy-Authorization', 'credentials', 'privateKey', 'private_key',
    'AWS_SECRET_ACCESS_KEY', 'Cookie', 'Mcp-Session-Id', 'DB_PASS', 'apiKey2',
  ])('%s is secret', (name) => {
    expect(isSecretKey(name)).toBe(true)
  })

  it.each([
    'key', 'max_tokens', 'tokenCount', 'token_url', 'token_type', 'password_file', 'privateKeyPath', 'secretRef',
    'keyboard', 'pass', 'PWD', 'author', 'command', 'env', 'sha256', 'id', 'passwordless',
  ])('%s is not secret', (name) => {
    expect(isSecretKey(name)).toBe(false)
  })
})

describe('maskValue', () => {
  const config = {
    mcpServers: {
      github: {
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-github', '--api-key', 'abc123', '--token', '${T}'],
        env: {GITHUB_TOKEN: 'ghp_plain_looking', OPENAI_API_KEY: '${OPENAI_API_KEY}', DEBUG: '1', OWNER: 'kim@example.com'},
        headers: {Authorization: 'Bearer ${TOKEN}', 'X-Other': 'Bearer abcdefgh12345678'},
        oauth: {clientId: 'my-client', clientSecret: 'cs', enabled: true},
        credentials: {user: 'kim', pass: 'p', pin: 1234, remember: false, expires: null, list: ['a', '$B']},
      },
    },
    backups: [{id: '20261121_165100_123456', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}],
  }

  it('masks by key name, keeps references, runs maskText on everything else', () => {
    expect(maskValue(config)).toEqual({
      mcpServers: {
        github: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-github', '--api-key', '[REDACTED:secret]', '--token', '${T}'],
          env: {
            GITHUB_TOKEN: '[REDACTED:secret]',
            OPENAI_API_KEY: '${OPENAI_API_KEY}',
            DEBUG: '1',
            OWNER: '[REDACTED:email]',
          },
          headers: {Authorization: 'Bearer ${TOKEN}', 'X-Other': 'Bearer [REDACTED:bearer]'},
          oauth: {clientId: 'my-client', clientSecret: '[REDACTED:secret]', enabled: true},
          credentials: {
            user: '[REDACTED:secret]',
            pass: '[REDACTED:secret]',
            pin: '[REDACTED:secret]',
            remember: false,
            expires: null,
            list: ['[REDACTED:secret]', '$B'],
          },
        },
      },
      backups: [{id: '20261121_165100_123456', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}],
    })
  })

  it('never changes its input', () => {
    const before = structuredClone(config)
    maskValue(config)
    expect(config).toEqual(before)
  })

  it('handles primitives, dates and cycles', () => {
    expect(maskValue('kim@example.com')).toBe('[REDACTED:email]')
    expect(maskValue(42)).toBe(42)
    expect(maskValue(null)).toBe(null)
    expect(maskValue(new Date(0))).toBe('1970-01-01T00:00:00.000Z')
    const loop: Record<string, unknown> = {a: 1}
    loop['self'] = loop
    expect(maskValue(loop)).toEqual({a: 1, self: '[Circular]'})
  })
})
