/**
 * What `restore` and `verify` refuse: damaged backups, no confirmation, ids that look like paths. And --dry-run,
 * which shows a masked diff and changes nothing.
 */
import {readFile, unlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {HATCH} from '../../../helpers/cli.js'
import {backup, create, expectExit, expectJsonError, oneJson, paths, put, snapshot, useSandbox} from './_helpers.js'

const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789'

describe.concurrent('hatch mcp backup restore/verify safety (built CLI)', {timeout: 90_000}, () => {
  useSandbox('hatch-backup-safe-')

  it('one flipped byte: verify exits 4 naming the backup damaged; restoring it exits 4 and changes nothing', async ({sb}) => {
    const config = paths.cursor(sb.home)
    await put(config, '{"mcpServers": {"a": {"command": "a"}}}\n')
    const first = await create(sb, 'cursor')
    await writeFile(config, '{"mcpServers": {"b": {"command": "b"}}}\n')
    const second = await create(sb, 'cursor')
    await writeFile(config, '{"mcpServers": {}}\n')

    const bytes = await readFile(first.path)
    bytes.writeUInt8(bytes.readUInt8(10) ^ 0x01, 10)
    await writeFile(first.path, bytes)

    const before = await snapshot(sb.root)
    const [verifyJson, verifyPlain, restoreJson, restoreForced, verifyOne] = await Promise.all([
      backup(sb, ['verify', '--json']),
      backup(sb, ['verify', '--host', 'cursor']),
      backup(sb, ['restore', '--host', 'cursor', '--id', first.id, '--yes', '--json']),
      // A damaged backup is refused even with --force (only an unrecorded checksum may be forced).
      backup(sb, ['restore', '--host', 'cursor', '--id', first.id, '--yes', '--force', '--json']),
      backup(sb, ['verify', '--host', 'cursor', '--id', second.id, '--json']),
    ])

    expectExit(verifyJson, 4)
    const report = oneJson(verifyJson)
    expect(report).toMatchObject({ok: false, checked: 2, damaged: 1})
    const byId = Object.fromEntries(report.results.map((x: any) => [x.id, x]))
    expect(byId[first.id]).toMatchObject({host: 'cursor', status: 'damaged', expectedSha256: first.sha256})
    expect(byId[first.id].actualSha256).not.toBe(first.sha256)
    expect(byId[second.id].status).toBe('intact')

    // It says what to do: restore another backup (and how to find one), back up again, check the disk.
    expect(report.nextSteps.join('\n')).toMatch(/restore refuses it\. Restore another backup/)
    // Each command in them runs as printed: here, where hatch is not installed, `node …/bin/run.js`.
    expect(report.nextSteps.join('\n')).toContain(`\`${HATCH} mcp backup list --host cursor\` lists them`)
    expect(report.nextSteps.join('\n')).not.toMatch(/`hatch /)

    expectExit(verifyPlain, 4)
    expect(verifyPlain.stdout).toMatch(new RegExp(`${first.id}\\s+DAMAGED`))
    expect(verifyPlain.stdout).toMatch(/1 of 2 backups is not intact\.\n\nWhat to do:\n {2}- A DAMAGED backup/)
    expect(verifyPlain.stdout).toContain(`back it up again: \`${HATCH} mcp backup create --host cursor\`.`)
    expect(verifyPlain.stdout).toContain(`\`${HATCH} mcp backup verify --host cursor --id ID\` checks one`)
    expect(verifyPlain.stdout).not.toMatch(/`hatch /)

    expectJsonError(restoreJson, 4, 'CHECKSUM_MISMATCH')
    expectJsonError(restoreForced, 4, 'CHECKSUM_MISMATCH')

    // Only the intact one asked for: ok.
    expectExit(verifyOne, 0)
    expect(oneJson(verifyOne)).toMatchObject({ok: true, checked: 1})

    expect(await snapshot(sb.root)).toEqual(before)
  })

  it('a backup that lost its index line is "unrecorded" and a deleted one "missing": verify exits 4; restore needs --force and --to', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const content = Buffer.from('{"mcpServers": {"a": {"command": "a"}}}\n')
    await put(config, content)
    const [x, y] = await Promise.all([create(sb, 'cursor', ['--force']), create(sb, 'cursor', ['--force'])])
    const [lost, gone] = x.id < y.id ? [x, y] : [y, x]
    const index = join(paths.store(sb.home), 'cursor', 'index.jsonl')
    const lines = (await readFile(index, 'utf8')).split('\n').filter((l) => l !== '' && JSON.parse(l).id !== lost.id)
    await writeFile(index, lines.map((l) => `${l}\n`).join(''))
    await unlink(gone.path)
    await writeFile(config, '{"mcpServers": {}}\n')
    const elsewhere = join(sb.home, 'restored.json')

    const [verify, plain, noTo] = await Promise.all([
      backup(sb, ['verify', '--host', 'cursor', '--json']),
      backup(sb, ['restore', '--host', 'cursor', '--id', lost.id, '--yes', '--json']),
      backup(sb, ['restore', '--host', 'cursor', '--id', lost.id, '--yes', '--force', '--json']),
    ])
    expectExit(verify, 4)
    const statuses = Object.fromEntries(oneJson(verify).results.map((r: any) => [r.id, r.status]))
    expect(statuses).toEqual({[lost.id]: 'unrecorded', [gone.id]: 'missing'})
    expectJsonError(plain, 4, 'CHECKSUM_MISMATCH')
    expectJsonError(noTo, 2, 'INVALID_ARGUMENT') // an unindexed backup does not record where it came from

    const forced = await backup(sb, ['restore', '--host', 'cursor', '--id', lost.id, '--yes', '--force', '--to', elsewhere, '--json'])
    expectExit(forced, 0)
    expect((await readFile(elsewhere)).equals(content)).toBe(true)
    expect((await readFile(config)).toString()).toBe('{"mcpServers": {}}\n')
  })

  it('restore without a terminal and without --yes exits 6 and changes nothing', async ({sb}) => {
    const config = paths.cursor(sb.home)
    await put(config, '{"mcpServers": {"a": {"command": "a"}}}\n')
    const info = await create(sb, 'cursor')
    await writeFile(config, '{"mcpServers": {}}\n')

    const before = await snapshot(sb.root)
    const [plain, json] = await Promise.all([
      backup(sb, ['restore', '--host', 'cursor', '--id', info.id]),
      backup(sb, ['restore', '--host', 'cursor', '--latest', '--json']),
    ])
    expectExit(plain, 6)
    expect(plain.stderr).toContain('CONFIRMATION_REQUIRED')
    expect(plain.stderr).toContain('--yes')
    expectJsonError(json, 6, 'CONFIRMATION_REQUIRED')
    expect(await snapshot(sb.root)).toEqual(before)
  })

  it('--dry-run prints a unified diff with secrets masked (shown with --show-secrets) and changes nothing', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const withSecret = `{\n  "mcpServers": {\n    "openai": {\n      "command": "npx",\n      "env": {"API_KEY": "${SECRET}"}\n    }\n  }\n}\n`
    await put(config, withSecret)
    const info = await create(sb, 'cursor')
    await writeFile(config, '{\n  "mcpServers": {\n    "openai": {\n      "command": "npx",\n      "env": {"API_KEY": "sk-old"}\n    }\n  }\n}\n')

    const before = await snapshot(sb.root)
    const [masked, shown, maskedJson, shownJson] = await Promise.all([
      backup(sb, ['restore', '--host', 'cursor', '--latest', '--dry-run']),
      backup(sb, ['restore', '--host', 'cursor', '--latest', '--dry-run', '--show-secrets']),
      backup(sb, ['restore', '--host', 'cursor', '--id', info.id, '--dry-run', '--json']),
      backup(sb, ['restore', '--host', 'cursor', '--id', info.id, '--dry-run', '--show-secrets', '--json']),
    ])
    expect(await snapshot(sb.root)).toEqual(before)

    expectExit(masked, 0)
    expect(masked.stdout.startsWith(`--- ${config}\n+++ backup ${info.id}\n@@ -`), masked.stdout).toBe(true)
    expect(masked.stdout).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/m)
    expect(masked.stdout).toMatch(/^\+.*"API_KEY": "\[REDACTED[^\]]*\]"/m)
    expect(masked.stdout).not.toContain(SECRET)
    expect(masked.stdout).not.toContain('sk-proj')

    expectExit(shown, 0)
    expect(shown.stdout).toContain(`+      "env": {"API_KEY": "${SECRET}"}`)
    expect(shown.stdout).toContain('-      "env": {"API_KEY": "sk-old"}')

    expectExit(maskedJson, 0)
    const doc = oneJson(maskedJson)
    expect(doc).toMatchObject({dryRun: true, changed: true, host: 'cursor', id: info.id, restoredPath: config})
    expect(doc.diff).toContain('+++ backup')
    expect(maskedJson.stdout).not.toContain(SECRET)
    expectExit(shownJson, 0)
    expect(oneJson(shownJson).diff).toContain(SECRET)
  })

  it('--dry-run when the config already holds the backup says so, with an empty diff', async ({sb}) => {
    await put(paths.cursor(sb.home), '{"mcpServers": {}}\n')
    const info = await create(sb, 'cursor')
    const before = await snapshot(sb.root)
    const r = await backup(sb, ['restore', '--host', 'cursor', '--latest', '--dry-run', '--json'])
    expectExit(r, 0)
    expect(oneJson(r)).toMatchObject({changed: false, diff: '', id: info.id})
    expect(await snapshot(sb.root)).toEqual(before)
  })

  it('ids are names, never paths: ../x, /etc/passwd, .. exit 2; an unknown well-formed id exits 3', async ({sb}) => {
    const config = paths.cursor(sb.home)
    await put(config, '{"mcpServers": {"a": {"command": "a"}}}\n')
    const info = await create(sb, 'cursor')
    await writeFile(config, '{"mcpServers": {}}\n')
    const before = await snapshot(sb.root)

    const bad = ['../x', '/etc/passwd', '..', `../cursor/${info.fileName}`]
    const runs = await Promise.all([
      ...bad.map((id) => backup(sb, ['restore', '--host', 'cursor', '--id', id, '--yes', '--json'])),
      backup(sb, ['verify', '--host', 'cursor', '--id', '/etc/passwd', '--json']),
      backup(sb, ['restore', '--host', 'cursor', '--id', '20000101_000000_000000', '--yes', '--json']),
      // --id and --latest together: a usage error.
      backup(sb, ['restore', '--host', 'cursor', '--id', info.id, '--latest', '--yes', '--json']),
    ])
    const [verifyBad, unknownRestore, both] = runs.slice(bad.length)
    runs.slice(0, bad.length).forEach((r, i) => {
      const error = expectJsonError(r, 2, 'INVALID_ARGUMENT')
      expect(error.message, bad[i]).toContain('paths are never accepted')
    })
    expectJsonError(verifyBad!, 2, 'INVALID_ARGUMENT')
    expectJsonError(unknownRestore!, 3, 'BACKUP_NOT_FOUND')
    expectJsonError(both!, 2, 'INVALID_ARGUMENT')
    expect(await snapshot(sb.root)).toEqual(before)

    // The backup's own file name is accepted as its id.
    const byName = await backup(sb, ['restore', '--host', 'cursor', '--id', info.fileName, '--dry-run', '--json'])
    expectExit(byName, 0)
    expect(oneJson(byName).id).toBe(info.id)
  })
})
