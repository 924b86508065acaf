import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {openRegularFile, readRegularFileIfExists, readRegularFileSync} from '../../../src/core/fs/regular-file.js'

// FIFOs are tried through the built CLI with a timeout (test/commands/**/hardening*.test.ts): a regression there
// would block this process in open(2). Here: the other kinds of file that are not regular.
let dir: string
let server: Server | undefined
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hatch-regular-'))
})
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
  server = undefined
  rmSync(dir, {recursive: true, force: true})
})

describe('reading regular files only', () => {
  it('reads a regular file, also through a symlink; a missing one is null', () => {
    writeFileSync(join(dir, 'a.json'), '{}')
    symlinkSync('a.json', join(dir, 'link.json'))
    expect(readRegularFileSync(join(dir, 'link.json')).toString()).toBe('{}')
    expect(readRegularFileIfExists(join(dir, 'missing.json'))).toBeNull()
    expect(() => readRegularFileSync(join(dir, 'missing.json'))).toThrow(expect.objectContaining({code: 'ENOENT'}))
  })

  it('refuses a device, a folder and a socket, saying what each is', async () => {
    mkdirSync(join(dir, 'folder'))
    const socket = join(dir, 'sock')
    server = createServer()
    await new Promise<void>((r) => server!.listen(socket, () => r()))
    const cases: Array<[string, RegExp]> = [
      ['/dev/null', /\/dev\/null is a character device, not a regular file/],
      [join(dir, 'folder'), /folder is a folder, not a regular file/],
      [socket, /sock is a socket/],
    ]
    for (const [path, message] of cases) {
      expect(() => readRegularFileIfExists(path)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT', message: expect.stringMatching(message)}))
      await expect(openRegularFile(path)).rejects.toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringMatching(message)})
    }
  })
})
