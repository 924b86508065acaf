/**
 * `hatch mcp backup clean`: argument validation, the newest-backup guard, --all, and --dry-run showing exactly
 * what a real run deletes.
 */
import {existsSync} from 'node:fs'
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'

import {ageBackups, backup, create, expectExit, expectJsonError, oneJson, paths, put, snapshot, useSandbox} from './_helpers.js'
import type {Sandbox} from '../../../helpers/cli.js'

const OLD = '2000-01-01T00:00:00.000000Z'

describe.concurrent('hatch mcp backup clean (built CLI)', {timeout: 90_000}, () => {
  useSandbox('hatch-backup-clean-')
  beforeEach(async ({sb}) => {
    await put(paths.cursor(sb.home), '{"mcpServers": {}}\n')
  })

  /** `n` backups of cursor, made at once, returned newest first (ids sort by time). */
  async function makeBackups(sb: Sandbox, n: number): Promise<any[]> {
    const made = await Promise.all(Array.from({length: n}, () => create(sb, 'cursor', ['--force'])))
    return made.sort((a, b) => (a.id < b.id ? 1 : -1))
  }

  /** The ids still in cursor's store, newest first, read from the disk (index and files must agree). */
  async function remaining(sb: Sandbox): Promise<string[]> {
    const dir = join(paths.store(sb.home), 'cursor')
    const files = (await readdir(dir)).filter((n) => n.startsWith('mcp.json.cursor.')).map((n) => n.slice('mcp.json.cursor.'.length))
    const index = (await readFile(join(dir, 'index.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l).id as string)
    expect([...index].sort()).toEqual([...files].sort())
    return files.sort().reverse()
  }

  it('refuses -1, 0, 1.5, abc and empty for both criteria, and no criterion at all, with exit 2', async ({sb}) => {
    await makeBackups(sb, 1)
    const before = await snapshot(sb.root)
    const cases: {args: string[]; flag: string}[] = []
    // --keep, and --keep-count, its old name (the error names the flag as it was typed).
    for (const flag of ['--keep', '--keep-count', '--older-than-days']) {
      cases.push({args: [flag, '-1'], flag}, {args: [`${flag}=-1`], flag})
      for (const value of ['0', '1.5', 'abc']) cases.push({args: [flag, value], flag})
      cases.push({args: flag === '--older-than-days' ? [`${flag}=`] : [flag, ''], flag})
    }
    const [runs, noCriterion, missingValue] = await Promise.all([
      // Half plain, half --json: the exit code is the same either way.
      Promise.all(cases.map((c, i) => backup(sb, ['clean', '--host', 'cursor', ...c.args, '--yes', ...(i % 2 ? ['--json'] : [])]))),
      backup(sb, ['clean', '--host', 'cursor', '--yes']),
      backup(sb, ['clean', '--host', 'cursor', '--yes', '--keep-count']),
    ])
    runs.forEach((r, i) => {
      const {args, flag} = cases[i]!
      if (i % 2) {
        const error = expectJsonError(r, 2, 'INVALID_ARGUMENT')
        expect(error.message, args.join(' ')).toContain(flag)
      } else {
        expectExit(r, 2)
        expect(r.stderr, args.join(' ')).toContain(flag)
      }
    })
    expectExit(noCriterion, 2)
    expect(noCriterion.stderr).toContain('--keep N')
    expectExit(missingValue, 2)
    expect(missingValue.stderr).toContain('--keep-count')
    expect(await snapshot(sb.root)).toEqual(before)
  })

  it('--keep 1 (and --keep-count 1, its old name) keeps only the newest backup', async ({sb}) => {
    const [newest, ...rest] = await makeBackups(sb, 3)
    const preview = oneJson(await backup(sb, ['clean', '--host', 'cursor', '--keep-count', '1', '--dry-run', '--json']))
    const r = await backup(sb, ['clean', '--host', 'cursor', '--keep', '1', '--yes', '--json'])
    expectExit(r, 0)
    const out = oneJson(r)
    expect(out).toMatchObject({host: 'cursor', dryRun: false, kept: [newest.id]})
    expect([...out.deleted].sort()).toEqual(rest.map((b) => b.id).sort())
    expect([...preview.deleted].sort()).toEqual([...out.deleted].sort())
    expect(await remaining(sb)).toEqual([newest.id])
    for (const b of rest) expect(existsSync(b.path)).toBe(false)
    expect(existsSync(newest.path)).toBe(true)
    const plain = await backup(sb, ['clean', '--host', 'cursor', '--keep', '1'])
    expect(plain.stdout).toBe('Nothing to clean: cursor has 1 backup, and all are kept.\n')
  })

  it('never deletes the newest backup without --all, however old; --all deletes everything', async ({sb}) => {
    const backups = await makeBackups(sb, 3)
    await ageBackups(sb.home, 'cursor', Object.fromEntries(backups.map((b) => [b.id, OLD])))

    const r1 = await backup(sb, ['clean', '--host', 'cursor', '--older-than-days', '1', '--yes', '--json'])
    expectExit(r1, 0)
    expect(oneJson(r1).kept).toEqual([backups[0].id])
    expect(await remaining(sb)).toEqual([backups[0].id])

    const r2 = await backup(sb, ['clean', '--host', 'cursor', '--older-than-days', '1', '--all', '--yes', '--json'])
    expectExit(r2, 0)
    expect(oneJson(r2).deleted).toEqual([backups[0].id])
    expect(await remaining(sb)).toEqual([])

    // Fresh backups are not "older than 1 day", even with --all; --all alone deletes them.
    const fresh = await makeBackups(sb, 2)
    const r3 = await backup(sb, ['clean', '--host', 'cursor', '--older-than-days', '1', '--all', '--yes', '--json'])
    expectExit(r3, 0)
    expect(oneJson(r3).deleted).toEqual([])
    const r4 = await backup(sb, ['clean', '--host', 'cursor', '--all', '--yes', '--json'])
    expectExit(r4, 0)
    expect([...oneJson(r4).deleted].sort()).toEqual(fresh.map((b) => b.id).sort())
    expect(await remaining(sb)).toEqual([])
  })

  it('--dry-run lists exactly the ids the real run deletes; without a terminal or --yes nothing is deleted', async ({sb}) => {
    const b = await makeBackups(sb, 5)
    // Old: b[1], b[3], b[4]. With --keep-count 2 --older-than-days 1 only b[3] and b[4] meet both criteria.
    await ageBackups(sb.home, 'cursor', {[b[1].id]: OLD, [b[3].id]: OLD, [b[4].id]: OLD})
    const args = ['clean', '--host', 'cursor', '--keep-count', '2', '--older-than-days', '1']

    const before = await snapshot(sb.root)
    const [dryJson, dryPlain, unconfirmed] = await Promise.all([
      backup(sb, [...args, '--dry-run', '--json']),
      backup(sb, [...args, '--dry-run']),
      backup(sb, args),
    ])
    expect(await snapshot(sb.root)).toEqual(before)

    expectExit(dryJson, 0)
    const planned = oneJson(dryJson)
    expect(planned.dryRun).toBe(true)
    expect([...planned.deleted].sort()).toEqual([b[3].id, b[4].id].sort())
    expectExit(dryPlain, 0)
    for (const id of planned.deleted) expect(dryPlain.stdout).toContain(id)
    for (const id of planned.kept) expect(dryPlain.stdout).not.toContain(id)
    expectExit(unconfirmed, 6)
    expect(unconfirmed.stderr).toContain('CONFIRMATION_REQUIRED')

    const real = await backup(sb, [...args, '--yes', '--json'])
    expectExit(real, 0)
    const done = oneJson(real)
    expect(done.dryRun).toBe(false)
    expect(done.deleted).toEqual(planned.deleted)
    expect(done.kept).toEqual(planned.kept)
    expect(await remaining(sb)).toEqual([b[0].id, b[1].id, b[2].id])
  })

  it('--config cleans only the backups of that file', async ({sb}) => {
    const other = `${sb.home}/other/mcp.json`
    await put(other, '{"mcpServers": {}}\n')
    const [mine, theirs] = await Promise.all([create(sb, 'cursor', ['--config', other]), create(sb, 'cursor')])
    const r = await backup(sb, ['clean', '--host', 'cursor', '--config', other, '--all', '--yes', '--json'])
    expectExit(r, 0)
    expect(oneJson(r).deleted).toEqual([mine.id])
    expect(await remaining(sb)).toEqual([theirs.id])
  })
})
