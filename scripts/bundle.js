#!/usr/bin/env node
// Bundles each command (and what it imports) into one file under dist/commands/, so a start loads the runner,
// oclif and the one command it runs: on Node 20, ESM start-up is dominated by loading modules one file at a time
// (zod alone is ~100 files, ~80 ms), and even a dozen shared chunks per command cost ~9 ms more than one file.
// - @oclif/core (~100 CommonJS files, ~80 ms to load one by one) is bundled once, into dist/oclif.cjs, which the
//   runner and every command import as `#oclif` (package.json "imports": dist/oclif.js, which loads it with V8's
//   code cache; see scripts/oclif-entry.js and scripts/compile-cache.js): one instance of oclif, loaded as one file.
// - Each entry is bundled on its own, so what it imports statically lands in its file, and what it imports
//   lazily (`await import(…)`: the MCP SDK, the archive code, proper-lockfile) in chunks of its own under
//   dist/chunks/, loaded only when used. bundle-meta.json records which inputs each entry loads at start
//   (test/build/startup-imports.test.ts keeps heavy SDKs out of it).
// tsc's per-file output (dist/core, …) stays: the benchmarks import it.
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const dist = join(root, 'dist')
// Chunk names carry a content hash: clear the old ones, or every build leaves its predecessors behind.
rmSync(join(dist, 'chunks'), {recursive: true, force: true})
mkdirSync(dist, {recursive: true})

const commandsDir = join(root, 'src', 'commands')
const commands = readdirSync(commandsDir, {recursive: true})
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(commandsDir, f))
const hooksDir = join(root, 'src', 'hooks')
const hooks = (existsSync(hooksDir) ? readdirSync(hooksDir) : []).filter((f) => f.endsWith('.ts')).map((f) => join(hooksDir, f))
const runner = join(root, 'src', 'run.ts')
// Worker threads need an entry file of their own: src/core/archive/worker/archive-worker.ts → dist/workers/archive-worker.js
// (found from dist/chunks and dist/commands/archive by src/core/archive/worker/client.ts).
const worker = join(root, 'src', 'core', 'archive', 'worker', 'archive-worker.ts')

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Prefer packages' ESM builds: jsonc-parser's main build is UMD, whose inner require() calls a bundler cannot follow.
  mainFields: ['module', 'main'],
  sourcemap: true,
  logLevel: 'warning',
  write: false,
  metafile: true,
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: {js: "import {createRequire as __hatchCreateRequire} from 'node:module';\nconst require = __hatchCreateRequire(import.meta.url);"},
}

// dist/oclif.cjs: @oclif/core in one CommonJS file, which dist/oclif.js (scripts/oclif-entry.js) loads with V8's code
// cache and re-exports by name.
const names = Object.keys(createRequire(import.meta.url)('@oclif/core')).sort()
const oclif = await build({
  ...common,
  entryPoints: [join(root, 'node_modules', '@oclif', 'core', 'lib', 'index.js')],
  format: 'cjs',
  banner: undefined,
  outfile: join(dist, 'oclif.cjs'),
  // oclif's development mode loads these only when running from TypeScript sources (bin/dev.js): never bundled.
  external: ['typescript', 'ts-node', 'tsx', 'tsx/*'],
})

// Modules whose state the runner and the commands must share are bundled once too, and imported through package.json
// "imports": every entry bundled on its own would otherwise hold its own copy. src/core/process/shutdown.ts is one:
// the runner installs the signal handlers, and the commands register cleanups and graceful stops with them.
const SHARED = {[join(root, 'src', 'core', 'process', 'shutdown.ts')]: '#shutdown'}
const shared = await build({...common, entryPoints: [{in: Object.keys(SHARED)[0], out: 'shutdown'}], outdir: dist, splitting: false})

/** Every import of @oclif/core goes to the one bundled copy, and so does every import of a SHARED module. */
const sharedOclif = {
  name: 'shared-oclif',
  setup(b) {
    b.onResolve({filter: /^@oclif\/core$/}, () => ({path: '#oclif', external: true}))
    b.onResolve({filter: /\/shutdown\.js$/}, (args) => {
      const source = join(args.resolveDir, args.path).replace(/\.js$/, '.ts')
      return SHARED[source] === undefined ? undefined : {path: SHARED[source], external: true}
    })
  },
}

const entries = [...commands, ...hooks, runner, worker]
const results = await Promise.all(
  entries.map((entry) =>
    build({
      ...common,
      entryPoints: entry === worker ? [{in: worker, out: 'workers/archive-worker'}] : [entry],
      outbase: 'src',
      outdir: 'dist',
      entryNames: '[dir]/[name]',
      chunkNames: 'chunks/[name]-[hash]',
      splitting: true,
      plugins: [sharedOclif],
      // Database drivers load from node_modules at run time: better-sqlite3 finds its native .node file relative to
      // itself, and pg tries an optional pg-native. Only the store (src/core/store/) imports them, lazily.
      external: ['typescript', 'ts-node', 'tsx', 'tsx/*', 'better-sqlite3', 'pg', 'pg-native'],
    }),
  ),
)

// Entries share lazily loaded chunks with the same content and so the same name: each file is written once.
const files = new Map()
for (const r of [oclif, shared, ...results]) for (const f of r.outputFiles) files.set(f.path, f.contents)
// oclif's import() calls (loading commands and hooks) become __hatchImport(), which dist/oclif.js passes in: code V8
// restores from a cache cannot call import() itself on Node 20 (the source map is off by a few columns there).
const oclifFile = join(dist, 'oclif.cjs')
const oclifCode = Buffer.from(files.get(oclifFile)).toString('utf8')
const imports = oclifCode.match(/(?<![\w.$"'`])import\(/g)?.length ?? 0
if (imports === 0) throw new Error('found no import() in the bundled oclif: scripts/oclif-entry.js expects some')
files.set(oclifFile, Buffer.from(oclifCode.replace(/(?<![\w.$"'`])import\(/g, '__hatchImport(')))
for (const [path, contents] of files) {
  mkdirSync(dirname(path), {recursive: true})
  writeFileSync(path, contents)
}
writeFileSync(join(dist, 'oclif.js'), readFileSync(join(root, 'scripts', 'oclif-entry.js'), 'utf8').replace('__NAMES__', names.join(', ')))

// What each entry loads when it starts: its own file and, transitively, the files it imports statically.
const startup = {}
for (const [i, r] of results.entries()) {
  const outputs = r.metafile.outputs
  // Dynamic imports become entry points of their own in the metafile: look for this entry's file by name.
  const entryOut = Object.keys(outputs).find((o) => outputs[o].entryPoint === relative(root, entries[i]))
  const seen = new Set()
  const visit = (out) => {
    if (seen.has(out) || outputs[out] === undefined) return
    seen.add(out)
    for (const imp of outputs[out].imports) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path)
  }
  visit(entryOut)
  const inputs = [...seen].flatMap((o) => Object.keys(outputs[o].inputs))
  startup[relative(root, entries[i])] = {output: entryOut, inputs: [...new Set(inputs)].sort()}
}
writeFileSync(join(dist, 'bundle-meta.json'), `${JSON.stringify({oclifExports: names, startup}, null, 1)}\n`)
console.log(`bundled oclif, the runner, ${commands.length} commands, ${hooks.length} hooks and 1 worker (${files.size} files)`)
