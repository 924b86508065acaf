import {spawnSync} from 'node:child_process'
import * as fs from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {HatchError} from '../../../src/core/errors.js'
import {atomicWriteFileSync, resolveWriteTarget, stageAtomicWrite, sweepStaleTemps, type SyncFs} from '../../../src/core/fs/atomic-write.js'
import {sha256} from '../../../src/core/fs/hash.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hatch-atomic-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

const ORIGINAL = Buffer.from('\uFEFF{\r\n  // keep me\r\n  "servers": {},\r\n}', 'utf8')
const NEXT = Buffer.from('{"servers": {"a": {"command": "x"}}}\n')

function leftovers(): string[] {
  return fs.readdirSync(dir).filter((n) => n.includes('hatch-tmp'))
}

/** A real fs whose chosen call fails once with the given errno code. */
function failing(call: keyof SyncFs, code: string, when: (...args: unknown[]) => boolean = () => true): SyncFs {
  let failed = false
  return new Proxy(fs, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver)
      if (prop !== call || typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (!failed && when(...args)) {
          failed = true
          throw Object.assign(new Error(`${code}: injected`), {code})
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  }) as SyncFs
}

describe('atomicWriteFileSync', () => {
  it('replaces the content, keeps the mode, and leaves no temp file', () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    fs.chmodSync(target, 0o640)
    const result = atomicWriteFileSync(target, NEXT)
    expect(fs.readFileSync(target)).toEqual(NEXT)
    expect(fs.statSync(target).mode & 0o777).toBe(0o640)
    expect(result).toMatchObject({realPath: target, sha256: sha256(NEXT), size: NEXT.length, previousSha256: sha256(ORIGINAL)})
    expect(leftovers()).toEqual([])
  })

  it('creates a missing file with mode 0600 by default', () => {
    const target = join(dir, 'new.json')
    const result = atomicWriteFileSync(target, NEXT)
    expect(fs.statSync(target).mode & 0o777).toBe(0o600)
    expect(result.previousSha256).toBeNull()
  })

  it('writes through a symlink: the link stays a link and its target gets the bytes', () => {
    const real = join(dir, 'dotfiles', 'mcp.json')
    fs.mkdirSync(join(dir, 'dotfiles'))
    fs.writeFileSync(real, ORIGINAL)
    const link = join(dir, 'link.json')
    fs.symlinkSync('dotfiles/mcp.json', link)
    const result = atomicWriteFileSync(link, NEXT)
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true)
    expect(fs.readlinkSync(link)).toBe('dotfiles/mcp.json')
    expect(fs.readFileSync(real)).toEqual(NEXT)
    expect(result.realPath).toBe(real)
  })

  it('follows a chain of links, and a dangling link to its future target', () => {
    fs.writeFileSync(join(dir, 'real.json'), ORIGINAL)
    fs.symlinkSync(join(dir, 'real.json'), join(dir, 'a'))
    fs.symlinkSync(join(dir, 'a'), join(dir, 'b'))
    expect(resolveWriteTarget(join(dir, 'b'))).toBe(join(dir, 'real.json'))
    fs.symlinkSync(join(dir, 'not-yet.json'), join(dir, 'dangling'))
    atomicWriteFileSync(join(dir, 'dangling'), NEXT)
    expect(fs.lstatSync(join(dir, 'dangling')).isSymbolicLink()).toBe(true)
    expect(fs.readFileSync(join(dir, 'not-yet.json'))).toEqual(NEXT)
  })

  it('refuses a symlink loop with a clear error', () => {
    fs.symlinkSync(join(dir, 'y'), join(dir, 'x'))
    fs.symlinkSync(join(dir, 'x'), join(dir, 'y'))
    expect(() => atomicWriteFileSync(join(dir, 'x'), NEXT)).toThrow(/symlinks/)
  })

  // Every step between creating the temp file and the rename: the original must survive byte for byte and the
  // temp file must be gone.
  const steps: Array<[keyof SyncFs, string]> = [
    ['openSync', 'EMFILE'],
    ['writeSync', 'ENOSPC'],
    ['fchmodSync', 'EPERM'],
    ['fsyncSync', 'EIO'],
    ['renameSync', 'ENOSPC'],
  ]
  for (const [call, code] of steps) {
    it(`leaves the original untouched and no temp file when ${call} fails with ${code}`, () => {
      const target = join(dir, 'mcp.json')
      fs.writeFileSync(target, ORIGINAL)
      const injected = failing(call, code)
      let error: unknown
      try {
        atomicWriteFileSync(target, NEXT, {fs: injected})
      } catch (error_) {
        error = error_
      }
      expect(error).toBeInstanceOf(HatchError)
      expect(fs.readFileSync(target)).toEqual(ORIGINAL)
      expect(leftovers()).toEqual([])
    })
  }

  it('names a full disk as such', () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    expect(() => atomicWriteFileSync(target, NEXT, {fs: failing('writeSync', 'ENOSPC')})).toThrow(/disk is full/)
  })

  it('aborts with a conflict when another program changes the file between read and rename', () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    const theirs = Buffer.from('{"written": "by the host app"}')
    let error: unknown
    try {
      atomicWriteFileSync(target, NEXT, {
        // validate runs after the temp file is synced and before the re-check: the host app writes right then.
        validate: () => fs.writeFileSync(target, theirs),
      })
    } catch (error_) {
      error = error_
    }
    expect((error as HatchError).code).toBe('CONFLICT')
    expect(fs.readFileSync(target)).toEqual(theirs)
    expect(leftovers()).toEqual([])
  })

  it('aborts with a conflict when the file is not what the caller planned against', () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    expect(() => atomicWriteFileSync(target, NEXT, {expectedSha256: sha256('something else')})).toThrow(
      expect.objectContaining({code: 'CONFLICT'}),
    )
    expect(() => atomicWriteFileSync(target, NEXT, {expectedSha256: null})).toThrow(expect.objectContaining({code: 'CONFLICT'}))
    expect(fs.readFileSync(target)).toEqual(ORIGINAL)
  })

  it('does not write when validation fails', () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    expect(() =>
      atomicWriteFileSync(target, NEXT, {
        validate: () => {
          throw new HatchError('INVALID_CONFIG', 'nope')
        },
      }),
    ).toThrow('nope')
    expect(fs.readFileSync(target)).toEqual(ORIGINAL)
    expect(leftovers()).toEqual([])
  })

  it('validates before it writes anything: a refusal leaves no temp file', () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    let tempsWhenValidated: string[] | undefined
    expect(() =>
      atomicWriteFileSync(target, NEXT, {
        validate: (b) => {
          expect(b).toEqual(NEXT)
          tempsWhenValidated = leftovers()
          throw new Error('refused')
        },
      }),
    ).toThrow('refused')
    expect(tempsWhenValidated).toEqual([])
    expect(fs.readFileSync(target)).toEqual(ORIGINAL)
  })
})

describe('stageAtomicWrite', () => {
  it('leaves the target untouched until commit, then replaces it once', () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    const staged = stageAtomicWrite(target, NEXT)
    expect(fs.readFileSync(target)).toEqual(ORIGINAL)
    const [temp] = leftovers()
    expect(fs.readFileSync(join(dir, temp!))).toEqual(NEXT)
    expect(staged.commit()).toMatchObject({sha256: sha256(NEXT), previousSha256: sha256(ORIGINAL)})
    expect(fs.readFileSync(target)).toEqual(NEXT)
    expect(leftovers()).toEqual([])
    expect(() => staged.commit()).toThrow(expect.objectContaining({code: 'INTERNAL'}))
    expect(fs.readFileSync(target)).toEqual(NEXT)
  })

  it('with background: syncs on the thread pool; commit refuses until synced, then works', async () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    let sync: (() => void) | undefined
    const slowFs = new Proxy(fs, {
      get: (t, prop, r) => (prop === 'fsync' ? (fd: number, cb: (e: Error | null) => void) => (sync = () => fs.fsync(fd, cb)) : Reflect.get(t, prop, r)),
    }) as SyncFs
    const staged = stageAtomicWrite(target, NEXT, {fs: slowFs, background: true})
    expect(() => staged.commit()).toThrow(expect.objectContaining({code: 'INTERNAL', message: expect.stringMatching(/before its temp file was synced/)}))
    expect(fs.readFileSync(target)).toEqual(ORIGINAL)
    sync!()
    await staged.synced
    expect(staged.commit().sha256).toBe(sha256(NEXT))
    expect(fs.readFileSync(target)).toEqual(NEXT)
    expect(leftovers()).toEqual([])
  })

  it('with background: a failed sync rejects synced and removes the temp file', async () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    const eioFs = new Proxy(fs, {
      get: (t, prop, r) => (prop === 'fsync' ? (_fd: number, cb: (e: Error | null) => void) => cb(Object.assign(new Error('EIO'), {code: 'EIO'})) : Reflect.get(t, prop, r)),
    }) as SyncFs
    const staged = stageAtomicWrite(target, NEXT, {fs: eioFs, background: true})
    await expect(staged.synced).rejects.toMatchObject({code: 'IO_ERROR'})
    expect(leftovers()).toEqual([])
    expect(fs.readFileSync(target)).toEqual(ORIGINAL)
  })

  it('discards its temp file without touching the target', () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    const staged = stageAtomicWrite(target, NEXT)
    staged.discard()
    staged.discard()
    expect(fs.readFileSync(target)).toEqual(ORIGINAL)
    expect(leftovers()).toEqual([])
    expect(() => staged.commit()).toThrow(expect.objectContaining({code: 'INTERNAL'}))
  })

  it('gives a conflict at commit when another program wrote the file after staging', () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    const staged = stageAtomicWrite(target, NEXT)
    fs.writeFileSync(target, 'theirs')
    expect(() => staged.commit()).toThrow(expect.objectContaining({code: 'CONFLICT'}))
    expect(fs.readFileSync(target, 'utf8')).toBe('theirs')
    expect(leftovers()).toEqual([])
  })
})

describe('sweepStaleTemps', () => {
  /** The pid of a process that has exited. */
  const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'}).stdout)

  it('removes only this file\'s hatch temp files whose owner is gone', () => {
    const target = join(dir, 'mcp.json')
    fs.writeFileSync(target, ORIGINAL)
    const dead = deadPid()
    const stale = [`.mcp.json.${dead}.abcdef012345.1.hatch-tmp`, `.mcp.json.${dead}.abcdef012345.22.hatch-tmp`]
    const kept = [
      `.mcp.json.${process.pid}.abcdef012345.1.hatch-tmp`, // this process: maybe its own write in progress
      `.mcp.json.1.abcdef012345.1.hatch-tmp`, // pid 1 is alive
      `.mcp.json.${dead}.ABCDEF012345.1.hatch-tmp`, // not hatch's token
      `.mcp.json.${dead}.abcdef012345.hatch-tmp`, // no counter
      `.mcp.jsonx.${dead}.abcdef012345.1.hatch-tmp`, // another file
      `.other.json.${dead}.abcdef012345.1.hatch-tmp`,
    ]
    for (const n of [...stale, ...kept]) fs.writeFileSync(join(dir, n), 'x')
    expect(sweepStaleTemps(target).sort()).toEqual(stale.sort())
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('hatch-tmp')).sort()).toEqual(kept.sort())
    expect(fs.readFileSync(target)).toEqual(ORIGINAL)
  })

  it('is a no-op in a folder it cannot read', () => {
    expect(sweepStaleTemps(join(dir, 'missing', 'mcp.json'))).toEqual([])
  })
})
