#!/usr/bin/env node
// Writes dist/oclif.cjs.cache, V8's code cache for the bundled oclif (scripts/oclif-entry.js reads it), after a run
// of `hatch mcp backup list --json` in an empty temp home, so the cache holds the functions a start runs, compiled.
// Build output like the rest of dist/; a Node whose V8 does not accept it just compiles oclif as usual.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const cacheFile = join(root, 'dist', 'oclif.cjs.cache')
rmSync(cacheFile, {force: true})
const home = mkdtempSync(join(tmpdir(), 'hatch-compile-cache-'))
try {
  const env = {PATH: process.env.PATH, HOME: home, HATCH_HOME: join(home, '.hatch'), XDG_CACHE_HOME: join(home, '.cache'), HATCH_WRITE_COMPILE_CACHE: cacheFile}
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'mcp', 'backup', 'list', '--json'], {env, encoding: 'utf8'})
  if (r.status !== 0 || !existsSync(cacheFile)) throw new Error(`could not make the compile cache: ${r.stderr}`)
} finally {
  rmSync(home, {recursive: true, force: true})
}
console.log('dist/oclif.cjs.cache: written')
