// dist/oclif.js: @oclif/core for the runner and every command, one bundled copy (dist/oclif.cjs), compiled with
// V8's code cache when there is one. Node 20 has no compile cache of its own (module.enableCompileCache is Node
// 22), and compiling oclif's ~700 KB on every start costs about as much as running it: with the cache that
// `npm run build` makes (dist/oclif.cjs.cache, from a run of `hatch mcp backup list`), loading it takes half the
// time. V8 checks that the cache fits this source, this V8 and its flags; when it does not (another Node version),
// it is ignored and oclif compiles as usual. Written by scripts/bundle.js from scripts/oclif-entry.js.
import {readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Script} from 'node:vm'

const file = fileURLToPath(new URL('oclif.cjs', import.meta.url))
const cacheFile = `${file}.cache`
let cachedData
try {
  cachedData = readFileSync(cacheFile)
} catch {
  cachedData = undefined
}
// oclif import()s the commands. Code that V8 restores from a cache loses the script's import() callback on Node 20,
// so the bundle's import() calls were renamed __hatchImport (scripts/bundle.js) and are this module's import().
const wrapper = `(function (exports, require, module, __filename, __dirname, __hatchImport) {${readFileSync(file, 'utf8')}\n})`
const script = new Script(wrapper, {filename: file, cachedData})
const module = {exports: {}}
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), (specifier) => import(specifier))
// The build makes the cache after a representative run, so it holds the functions that run compiled too.
if (process.env.HATCH_WRITE_COMPILE_CACHE === cacheFile) process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()))

export const {__NAMES__} = module.exports
