/** `hatch mcp backup show ID`: a backup's record and content, secrets masked, its checksum checked. */
import {writeFile} from 'node:fs/promises'
import {describe, expect, it} from 'vitest'

import {backup, create, expectExit, expectJsonError, oneJson, paths, put, useSandbox} from './_helpers.js'

const TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ0123456789'
const CONFIG = `{"mcpServers": {"gh": {"command": "npx", "env": {"GITHUB_TOKEN": "${TOKEN}"}}}}\n`

describe.concurrent('hatch mcp backup show (built CLI)', {timeout: 90_000}, () => {
  useSandbox('hatch-backup-show-')

  it('prints the record and the content with secrets masked, found in any host without --host', async ({sb}) => {
    await put(paths.cursor(sb.home), CONFIG)
    const made = await create(sb, 'cursor')
    const [plain, json, byName, shown] = await Promise.all([
      backup(sb, ['show', made.id]),
      backup(sb, ['show', made.id, '--host', 'cursor', '--json']),
      backup(sb, ['show', made.fileName, '--json']),
      backup(sb, ['show', made.id, '--show-secrets', '--json']),
    ])
    expectExit(plain, 0)
    expect(plain.stdout).toMatch(new RegExp(`^id +${made.id}$`, 'm'))
    expect(plain.stdout).toMatch(/^reason +manual$/m)
    expect(plain.stdout).toMatch(/^status +INTACT$/m)
    expect(plain.stdout).toContain('"GITHUB_TOKEN": "[REDACTED:github-token]"')
    expect(plain.stdout).not.toContain(TOKEN)
    expect(oneJson(json)).toMatchObject({id: made.id, host: 'cursor', sha256: made.sha256, status: 'intact', masked: true})
    expect(oneJson(json).content).not.toContain(TOKEN)
    expect(oneJson(byName).id).toBe(made.id)
    expect(oneJson(shown)).toMatchObject({content: CONFIG, masked: false})
  })

  it('a damaged backup shows as DAMAGED and exits 4; an unknown id exits 3; a path exits 2', async ({sb}) => {
    await put(paths.cursor(sb.home), CONFIG)
    const made = await create(sb, 'cursor')
    await writeFile(made.path, '{"mcpServers": {}}\n')
    const [damaged, unknown, path] = await Promise.all([
      backup(sb, ['show', made.id, '--json']),
      backup(sb, ['show', '20200101_000000_000000', '--json']),
      backup(sb, ['show', '../../etc/passwd', '--json']),
    ])
    expectExit(damaged, 4)
    expect(oneJson(damaged)).toMatchObject({status: 'damaged', content: '{"mcpServers": {}}\n'})
    expectJsonError(unknown, 3, 'BACKUP_NOT_FOUND')
    expectJsonError(path, 2, 'INVALID_ARGUMENT')
  })
})
