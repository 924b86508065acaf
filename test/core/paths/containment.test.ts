import {mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {HatchError} from '../../../src/core/errors.js'
import {createPathPolicy, isWithin, type PathPolicy} from '../../../src/core/paths/containment.js'

// Layout (all under a fresh temp dir, never the real home):
//   base/allowed/            the allowed dir (file.txt, sub/, links below)
//   base/allowed-evil/       sibling sharing the prefix
//   base/outside/            secret.txt
//   base/root-link -> allowed
let base: string
let allowed: string
let policy: PathPolicy

type RefusalCode = 'INVALID_ARGUMENT' | 'PERMISSION_DENIED' | 'CONFIG_NOT_FOUND'

async function expectRefused(promise: Promise<unknown>, code: RefusalCode, given: string): Promise<void> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal')
    },
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HatchError)
  expect((error as HatchError).code).toBe(code)
  // The message names only the path the caller gave: no root, no resolved path, no link target.
  const message = (error as HatchError).message
  expect(message.split(JSON.stringify(given).slice(1, -1)).join('<given>')).not.toContain(base)
}

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'hatch-containment-')))
  allowed = join(base, 'allowed')
  await mkdir(join(allowed, 'sub'), {recursive: true})
  await mkdir(join(base, 'allowed-evil'))
  await mkdir(join(base, 'outside'))
  await writeFile(join(allowed, 'file.txt'), 'ok')
  await writeFile(join(base, 'allowed-evil', 'x.txt'), 'evil')
  await writeFile(join(base, 'outside', 'secret.txt'), 'secret')
  await symlink(join(base, 'outside', 'secret.txt'), join(allowed, 'link-out-file'))
  await symlink(join(base, 'outside'), join(allowed, 'link-out-dir'))
  await symlink(join(base, 'outside', 'missing.txt'), join(allowed, 'dangling-out'))
  await symlink(join(allowed, 'nothing-here.txt'), join(allowed, 'dangling-in'))
  await symlink(join(allowed, 'sub'), join(allowed, 'link-in-dir'))
  await symlink(allowed, join(base, 'root-link'))
  policy = await createPathPolicy([allowed])
})

afterEach(async () => {
  await rm(base, {recursive: true, force: true})
})

describe('createPathPolicy', () => {
  it('keeps both forms of a root that is itself a symlink', async () => {
    const viaLink = await createPathPolicy([join(base, 'root-link')])
    expect(viaLink.roots).toEqual([{given: join(base, 'root-link'), canonical: allowed}])
  })

  it('refuses a missing root and a root that is a file', async () => {
    await expect(createPathPolicy([join(base, 'nope')])).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    await expect(createPathPolicy([join(allowed, 'file.txt')])).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
    await expect(createPathPolicy([])).rejects.toMatchObject({code: 'INVALID_ARGUMENT'})
  })
})

describe('resolveInside: allowed', () => {
  it('returns the canonical path of an existing file', async () => {
    expect(await policy.resolveInside(join(allowed, 'file.txt'), {mustExist: true})).toBe(join(allowed, 'file.txt'))
  })

  it('accepts a new file under an allowed dir, for write', async () => {
    expect(await policy.resolveInside(join(allowed, 'sub', 'new', 'deep.json'), {forWrite: true})).toBe(
      join(allowed, 'sub', 'new', 'deep.json'),
    )
  })

  it('resolves relative paths against the first allowed dir, and ".." that stays inside', async () => {
    expect(await policy.resolveInside('sub/../file.txt')).toBe(join(allowed, 'file.txt'))
  })

  it('accepts the root itself and a file named "..x"', async () => {
    expect(await policy.resolveInside(allowed)).toBe(allowed)
    expect(await policy.resolveInside(join(allowed, '..x'), {forWrite: true})).toBe(join(allowed, '..x'))
  })

  it('follows a symlink that stays inside (read and write)', async () => {
    expect(await policy.resolveInside(join(allowed, 'link-in-dir'), {mustExist: true})).toBe(join(allowed, 'sub'))
    expect(await policy.resolveInside(join(allowed, 'link-in-dir', 'new.txt'), {forWrite: true})).toBe(join(allowed, 'sub', 'new.txt'))
  })

  it('works when the root is itself a symlink, via either form', async () => {
    const viaLink = await createPathPolicy([join(base, 'root-link')])
    expect(await viaLink.resolveInside(join(base, 'root-link', 'file.txt'), {mustExist: true})).toBe(join(allowed, 'file.txt'))
    expect(await viaLink.resolveInside(join(allowed, 'file.txt'), {mustExist: true})).toBe(join(allowed, 'file.txt'))
    expect(await viaLink.resolveInside(join(base, 'root-link', 'new.txt'), {forWrite: true})).toBe(join(allowed, 'new.txt'))
  })
})

describe('resolveInside: refused', () => {
  const refused: Array<[string, () => string, RefusalCode]> = [
    ['a NUL byte', () => join(allowed, 'file.txt\0.json'), 'INVALID_ARGUMENT'],
    ['an empty path', () => '', 'INVALID_ARGUMENT'],
    ['".." escaping the root', () => join(allowed, '..', 'outside', 'secret.txt'), 'PERMISSION_DENIED'],
    ['relative ".." escape', () => '../outside/secret.txt', 'PERMISSION_DENIED'],
    ['deep ".." escape', () => `${allowed}/sub/../../../../../../etc/passwd`, 'PERMISSION_DENIED'],
    ['an absolute path elsewhere', () => join(base, 'outside', 'secret.txt'), 'PERMISSION_DENIED'],
    ['a sibling sharing the prefix', () => join(base, 'allowed-evil', 'x.txt'), 'PERMISSION_DENIED'],
    ['the prefix sibling itself', () => `${allowed}-evil`, 'PERMISSION_DENIED'],
    ['the parent of the root', () => base, 'PERMISSION_DENIED'],
    ['a symlink to a file outside', () => join(allowed, 'link-out-file'), 'PERMISSION_DENIED'],
    ['a symlink to a dir outside', () => join(allowed, 'link-out-dir', 'secret.txt'), 'PERMISSION_DENIED'],
    ['a new file under a symlinked dir outside', () => join(allowed, 'link-out-dir', 'new.txt'), 'PERMISSION_DENIED'],
    ['a dangling symlink pointing outside', () => join(allowed, 'dangling-out'), 'PERMISSION_DENIED'],
    ['a dangling symlink pointing inside', () => join(allowed, 'dangling-in'), 'PERMISSION_DENIED'],
    ['a new file below a dangling symlink', () => join(allowed, 'dangling-out', 'x.txt'), 'PERMISSION_DENIED'],
  ]

  it.each(refused)('%s (read and write)', async (_label, make, code) => {
    const p = make()
    await expectRefused(policy.resolveInside(p), code, p)
    await expectRefused(policy.resolveInside(p, {mustExist: true}), code, p)
    await expectRefused(policy.resolveInside(p, {forWrite: true}), code, p)
  })

  it('refuses a missing path with mustExist', async () => {
    await expectRefused(policy.resolveInside(join(allowed, 'missing.txt'), {mustExist: true}), 'CONFIG_NOT_FOUND', join(allowed, 'missing.txt'))
  })

  it('refuses a path whose deepest existing ancestor moved outside after start', async () => {
    const moving = join(base, 'moving')
    await mkdir(moving)
    const movingPolicy = await createPathPolicy([moving])
    await rm(moving, {recursive: true})
    await symlink(join(base, 'outside'), moving)
    await expectRefused(movingPolicy.resolveInside(join(moving, 'new.txt'), {forWrite: true}), 'PERMISSION_DENIED', join(moving, 'new.txt'))
  })

  it('never writes anything while checking', async () => {
    for (const p of ['../outside/x', join(allowed, 'dangling-out'), join(allowed, 'link-out-dir', 'n.txt')]) {
      await policy.resolveInside(p, {forWrite: true}).catch(() => undefined)
    }
    expect((await readdir(join(base, 'outside'))).sort()).toEqual(['secret.txt'])
  })
})

describe('resolveInside on Windows rules (platform injected)', () => {
  it('refuses ":" after the drive letter (NTFS streams), accepts plain names', async () => {
    const win = await createPathPolicy([allowed], {platform: 'win32'})
    for (const p of [join(allowed, 'file.txt:stream'), join(allowed, 'file.txt::$DATA'), 'file.txt:x']) {
      await expectRefused(win.resolveInside(p), 'INVALID_ARGUMENT', p)
    }
    expect(await win.resolveInside(join(allowed, 'file.txt'), {mustExist: true})).toBe(join(allowed, 'file.txt'))
  })

  it('allows ":" on POSIX, where it is an ordinary file name character', async () => {
    expect(await policy.resolveInside(join(allowed, 'a:b'), {forWrite: true})).toBe(join(allowed, 'a:b'))
  })
})

describe('isWithin', () => {
  it.each([
    ['/a/b', '/a/b', true],
    ['/a/b', '/a/b/c', true],
    ['/a/b', '/a/b/..c', true],
    ['/a/b', '/a/b-evil', false],
    ['/a/b', '/a/bc/d', false],
    ['/a/b', '/a', false],
    ['/a/b', '/x/y', false],
  ])('%s contains %s: %s', (root, target, expected) => {
    expect(isWithin(root, target)).toBe(expected)
  })
})
