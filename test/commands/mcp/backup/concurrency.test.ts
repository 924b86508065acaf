/**
 * Several hatch processes on one host at once: backups never collide and a config is never torn.
 */
import {readdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {BACKUP_ID, backup, create, expectExit, list, oneJson, paths, put, sha256, useSandbox} from './_helpers.js'

/** A large, valid cursor config whose every byte depends on `tag`, so a torn mix of two would show. */
function bigConfig(tag: string, servers: number): Buffer {
  const entries = Array.from({length: servers}, (_, i) => `"${tag}-${i}": {"command": "${tag.repeat(40)}", "args": ["${i}"]}`)
  return Buffer.from(`{"mcpServers": {${entries.join(', ')}}}\n`)
}

describe.concurrent('hatch mcp backup under concurrency (built CLI)', {timeout: 90_000}, () => {
  useSandbox('hatch-backup-conc-')

  it('8 processes backing up the same host at once make 8 distinct, intact backups', async ({sb}) => {
    const content = bigConfig('x', 200)
    await put(paths.cursor(sb.home), content)

    const results = await Promise.all(Array.from({length: 8}, () => backup(sb, ['create', '--host', 'cursor', '--force', '--json'])))
    for (const r of results) expectExit(r, 0)
    const ids = results.map((r) => oneJson(r).id as string)
    for (const id of ids) expect(id).toMatch(BACKUP_ID)
    expect(new Set(ids).size).toBe(8)

    const verify = await backup(sb, ['verify', '--host', 'cursor', '--json'])
    expectExit(verify, 0)
    const report = oneJson(verify)
    expect(report).toMatchObject({ok: true, checked: 8, damaged: 0})
    expect(report.results).toHaveLength(8)
    expect(report.results.every((x: any) => x.status === 'intact')).toBe(true)
    expect(report.results.map((x: any) => x.id).sort()).toEqual([...ids].sort())

    // One index line per backup, each the content we wrote; no temp or lock files left behind.
    const hostDir = join(paths.store(sb.home), 'cursor')
    const index = (await readFile(join(hostDir, 'index.jsonl'), 'utf8')).split('\n').filter(Boolean)
    expect(index).toHaveLength(8)
    for (const line of index) expect(JSON.parse(line).sha256).toBe(sha256(content))
    expect((await readdir(hostDir)).filter((n) => n !== 'index.jsonl')).toHaveLength(8)
  })

  it('restores racing creates never tear the config, and every backup stays intact', async ({sb}) => {
    const config = paths.cursor(sb.home)
    const a = bigConfig('a', 400)
    const b = bigConfig('bb', 300)
    expect(a.byteLength).not.toBe(b.byteLength)
    await put(config, a, 0o640)
    const idA = (await create(sb, 'cursor')).id
    await writeFile(config, b)
    const idB = (await create(sb, 'cursor')).id
    const known = new Set([sha256(a), sha256(b)])

    const runs = await Promise.all([
      backup(sb, ['restore', '--host', 'cursor', '--id', idA, '--yes', '--json']),
      backup(sb, ['create', '--host', 'cursor', '--force', '--json']),
      backup(sb, ['restore', '--host', 'cursor', '--id', idB, '--yes', '--json']),
      backup(sb, ['create', '--host', 'cursor', '--force', '--json']),
      backup(sb, ['restore', '--host', 'cursor', '--id', idA, '--yes', '--json']),
      backup(sb, ['create', '--host', 'cursor', '--force', '--json']),
      backup(sb, ['restore', '--host', 'cursor', '--id', idB, '--yes', '--json']),
    ])
    for (const r of runs) {
      // A restore whose plan went stale while another one wrote is refused as a conflict (5), never half-done.
      expect([0, 5], r.stdout + r.stderr).toContain(r.code)
      const doc = oneJson(r)
      if (r.code === 5) expect(doc.error.code).toBe('CONFLICT')
    }
    expect(runs.filter((r) => r.code === 0).length).toBeGreaterThan(0)

    const final = await readFile(config)
    expect(known.has(sha256(final)), `config is torn: ${final.byteLength} bytes`).toBe(true)

    const verify = await backup(sb, ['verify', '--host', 'cursor', '--json'])
    expectExit(verify, 0)
    expect(oneJson(verify).ok).toBe(true)
    // Every backup made during the race (manual or pre-restore) holds one of the two contents, whole.
    const backups = await list(sb, 'cursor')
    expect(backups.length).toBeGreaterThanOrEqual(5)
    for (const bk of backups) expect(known.has(sha256(await readFile(bk.path))), bk.id).toBe(true)
    expect(new Set(backups.map((bk) => bk.id)).size).toBe(backups.length)
    // No temp files next to the config.
    expect(await readdir(join(sb.home, '.cursor'))).toEqual(['mcp.json'])
  })

  it('backups made while a clean runs keep their records, and the clean deletes exactly what it listed', async ({sb}) => {
    await put(paths.cursor(sb.home), bigConfig('c', 50))
    for (let i = 0; i < 6; i++) await create(sb, 'cursor', ['--force'])
    const [clean, ...creates] = await Promise.all([
      backup(sb, ['clean', '--host', 'cursor', '--keep-count', '2', '--yes', '--json']),
      ...Array.from({length: 6}, () => backup(sb, ['create', '--host', 'cursor', '--force', '--json'])),
    ])
    expectExit(clean!, 0)
    for (const r of creates) expectExit(r, 0)
    const deleted = new Set<string>(oneJson(clean!).deleted)
    expect(deleted.size).toBeGreaterThanOrEqual(4)
    // Every backup a create reported is still there, recorded and intact, unless the clean listed and deleted it.
    const listed = new Map((await list(sb, 'cursor')).map((bk) => [bk.id, bk]))
    for (const r of creates) {
      const id = oneJson(r).id as string
      if (!deleted.has(id)) expect(listed.get(id)?.indexed, id).toBe(true)
    }
    const verify = await backup(sb, ['verify', '--host', 'cursor', '--json'])
    expectExit(verify, 0)
    expect(oneJson(verify).results.every((x: any) => x.status === 'intact')).toBe(true)
    // Index and folder agree: one record per file, no record without its file.
    const hostDir = join(paths.store(sb.home), 'cursor')
    const recorded = (await readFile(join(hostDir, 'index.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l).id as string)
    const files = (await readdir(hostDir)).filter((n) => n.startsWith('mcp.json.cursor.')).map((n) => n.slice('mcp.json.cursor.'.length))
    expect([...recorded].sort()).toEqual([...files].sort())
  })
})
