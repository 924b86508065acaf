import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {restoreArchive} from '../../../src/core/archive/index.js'
import {craftArchive, keyPair, snapshot, tempDir, type CraftedEntry} from './helpers.js'

// Hand-crafted tars (tar-stream), each trying to write outside DIR; mcp.md §5 rule 3.
const CASES: Array<[string, CraftedEntry[]]> = [
  ['a ../ path', [{name: '../escape.txt', content: 'x'}]],
  ['a deeper .. path', [{name: 'ok/../../escape.txt', content: 'x'}]],
  ['an absolute path', [{name: '/tmp/hatch-abs-escape.txt', content: 'x'}]],
  ['a symlink to an absolute path', [{name: 'etc', type: 'symlink', linkname: '/etc'}]],
  ['a symlink climbing out', [{name: 'up', type: 'symlink', linkname: '../..'}]],
  ['a symlink, then a file written through it', [{name: 'sub', type: 'directory'}, {name: 'lnk', type: 'symlink', linkname: 'sub'}, {name: 'lnk/x.txt', content: 'x'}]],
  ['a link chain that climbs out through another link', [{name: 'd', type: 'directory'}, {name: 'd/a', type: 'symlink', linkname: '..'}, {name: 'c', type: 'symlink', linkname: 'd/a/../..'}]],
  ['a hard link', [{name: 'f.txt', content: 'x'}, {name: 'hard', type: 'link', linkname: 'f.txt'}]],
  ['a character device', [{name: 'null', type: 'character-device'}]],
  ['a FIFO', [{name: 'pipe', type: 'fifo'}]],
  ['a duplicate entry', [{name: 'a.txt', content: 'one'}, {name: 'a.txt', content: 'two'}]],
  ['a file inside a file', [{name: 'a', content: 'x'}, {name: 'a/b', content: 'y'}]],
]

describe('restore refuses malicious archives', () => {
  let t: {dir: string; cleanup: () => void}
  const keys = keyPair()
  beforeEach(() => {
    t = tempDir()
  })
  afterEach(() => t.cleanup())

  for (const [what, entries] of CASES) {
    it(`refuses ${what}, writes nothing, leaves DIR as it was`, async () => {
      // Given a crafted archive and an existing DIR with content
      const archive = join(t.dir, 'evil.tar.gz.age')
      await craftArchive(archive, [{name: 'innocent.txt', content: 'hello'}, ...entries], keys.recipient)
      const box = join(t.dir, 'box')
      const to = join(box, 'dir')
      mkdirSync(to, {recursive: true})
      writeFileSync(join(to, 'keep.txt'), 'mine')
      const before = snapshot(t.dir)
      // When it is restored (even with --overwrite)
      const attempt = restoreArchive({archive, to, identities: [keys.identity], overwrite: true})
      // Then it is refused, and nothing anywhere changed (no staging folder left either)
      await expect(attempt).rejects.toMatchObject({code: 'UNSAFE_ARCHIVE_ENTRY', exitCode: 4})
      expect(snapshot(t.dir)).toEqual(before)
      expect(readdirSync(box)).toEqual(['dir'])
      expect(existsSync('/tmp/hatch-abs-escape.txt')).toBe(false)
    })
  }

  it('accepts a symlink that stays inside, and a ./-prefixed foreign tar without a manifest (with a warning)', async () => {
    const archive = join(t.dir, 'ok.tar.gz.age')
    await craftArchive(
      archive,
      [{name: './', type: 'directory'}, {name: './d/', type: 'directory'}, {name: './d/f.txt', content: 'x'}, {name: './d/l', type: 'symlink', linkname: '../d/f.txt'}],
      keys.recipient,
    )
    const r = await restoreArchive({archive, to: join(t.dir, 'out'), identities: [keys.identity]})
    expect(r).toMatchObject({files: 1, symlinks: 1, verified: false})
    expect(r.warnings[0]).toMatch(/no hatch file list/)
    expect(snapshot(join(t.dir, 'out'))).toMatchObject({'d/f.txt': expect.stringMatching(/^file/), 'd/l': 'link -> ../d/f.txt'})
  })
})
