import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {Script} from 'node:vm'
import {describe, expect, it} from 'vitest'

// The bundled oclif is compiled from V8's code cache that the build writes (scripts/oclif-entry.js).
const repo = resolve(import.meta.dirname, '../..')
const oclif = join(repo, 'dist', 'oclif.cjs')

describe('the compile cache of the bundled oclif', () => {
  it('is one this Node accepts for this build', () => {
    const wrapper = `(function (exports, require, module, __filename, __dirname, __hatchImport) {${readFileSync(oclif, 'utf8')}\n})`
    const script = new Script(wrapper, {filename: oclif, cachedData: readFileSync(`${oclif}.cache`)})
    expect(script.cachedDataRejected).toBe(false)
  })

  it('is only a speed-up: with a damaged one, or none, hatch runs the same', () => {
    const copy = mkdtempSync(join(tmpdir(), 'hatch-cache-'))
    try {
      for (const part of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) cpSync(join(repo, part), join(copy, part), {recursive: true})
      symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'))
      const env = {PATH: process.env.PATH, HOME: copy, HATCH_HOME: join(copy, '.hatch')}
      const run = () => spawnSync(process.execPath, [join(copy, 'bin', 'run.js'), 'mcp', 'backup', 'list', '--json'], {env, encoding: 'utf8'})
      writeFileSync(join(copy, 'dist', 'oclif.cjs.cache'), 'not a code cache')
      expect(run()).toMatchObject({status: 0, stdout: '[]\n'})
      rmSync(join(copy, 'dist', 'oclif.cjs.cache'))
      expect(run()).toMatchObject({status: 0, stdout: '[]\n'})
    } finally {
      rmSync(copy, {recursive: true, force: true})
    }
  })
})
