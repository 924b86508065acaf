import {mkdir, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {afterEach, beforeEach} from 'vitest'

import {makeSandbox, type Sandbox} from './cli.js'

/**
 * A fresh sandbox HOME for every test of the file (made in beforeEach, removed in afterEach), and `put` to write a
 * file under that home. Read `sandbox()` inside a test, never at the top level.
 */
export function sandboxPerTest(prefix: string): {sandbox: () => Sandbox; put: (rel: string, text: string | Buffer) => Promise<string>} {
  let current: Sandbox | undefined
  beforeEach(async () => {
    current = await makeSandbox(prefix)
  })
  afterEach(async () => {
    await current?.cleanup()
    current = undefined
  })
  const sandbox = (): Sandbox => {
    if (current === undefined) throw new Error('sandboxPerTest: no sandbox outside a test')
    return current
  }
  return {
    sandbox,
    async put(rel, text) {
      const path = join(sandbox().home, rel)
      await mkdir(dirname(path), {recursive: true})
      await writeFile(path, text)
      return path
    },
  }
}
