import {mkdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {sandboxPerTest} from '../../helpers/sandbox.js'
import {connect, createPat, serveHttp} from './http-helpers.js'

const box = sandboxPerTest('hatch-http-archive-')

describe('hatch mcp serve --http --allow-dir …/{user}', () => {
  it('confines each user to a folder of their own, created 0700 on first use', async () => {
    const base = join(box.sandbox().root, 'archives')
    await mkdir(base)
    const alice = await createPat(box.sandbox(), 'alice')
    const bob = await createPat(box.sandbox(), 'bob')
    const served = await serveHttp(box.sandbox(), ['--allow-dir', join(base, '{user}')])
    try {
      const a = await connect(served.url, alice.token)
      const b = await connect(served.url, bob.token)
      try {
        const mine = await a.callTool({name: 'list_backups', arguments: {}})
        expect(mine.isError).toBeFalsy()
        expect((mine.structuredContent as {allowedDirs: string[]}).allowedDirs).toEqual([join(base, 'alice')])
        expect((await stat(join(base, 'alice'))).mode & 0o777).toBe(0o700)
        // bob's folder is outside alice's allowed directories, and the other way round.
        const peek = await a.callTool({name: 'list_backups', arguments: {backup_directory: join(base, 'bob')}})
        expect(peek.isError).toBe(true)
        expect(JSON.stringify(peek.content)).toMatch(/PERMISSION_DENIED/)
        const escape = await b.callTool({name: 'list_backups', arguments: {backup_directory: '../alice'}})
        expect(escape.isError).toBe(true)
        expect((await b.callTool({name: 'list_backups', arguments: {}})).structuredContent).toMatchObject({allowedDirs: [join(base, 'bob')]})
      } finally {
        await Promise.all([a.close(), b.close()])
      }
    } finally {
      await served.stop()
    }
  })
})
