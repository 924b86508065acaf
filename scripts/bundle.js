#!/usr/bin/env node
// Bundles each command (and what it imports) into dist/commands/, with shared and lazily imported code split
// into dist/chunks/. On Node 20, ESM start-up is dominated by loading modules one file at a time (zod alone is
// ~100 files, ~80 ms); one bundled file per command cuts the cold start of every hatch invocation.
// tsc's per-file output (dist/core, …) stays: the benchmarks import it. bin/run.js starts hatch through
// dist/run.js, bundled here too, so @oclif/core (~100 CommonJS files, ~80 ms to load one by one) lands in a chunk
// that the runner and every command share: one instance of oclif, loaded as one file.
import {readdirSync, rmSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
// Chunk names carry a content hash: clear the old ones, or every build leaves its predecessors behind.
rmSync(join(root, 'dist', 'chunks'), {recursive: true, force: true})
const commandsDir = join(root, 'src', 'commands')
const entryPoints = readdirSync(commandsDir, {recursive: true})
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(commandsDir, f))
const runner = join(root, 'src', 'run.ts')
// Worker threads need an entry file of their own: src/core/archive/worker/archive-worker.ts → dist/workers/archive-worker.js
// (found from dist/chunks and dist/commands/archive by src/core/archive/worker/client.ts).
const workers = [{in: join(root, 'src', 'core', 'archive', 'worker', 'archive-worker.ts'), out: 'workers/archive-worker'}]

await build({
  absWorkingDir: root,
  entryPoints: [...entryPoints, runner, ...workers],
  outbase: 'src',
  outdir: 'dist',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Prefer packages' ESM builds: jsonc-parser's main build is UMD, whose inner require() calls a bundler cannot follow.
  mainFields: ['module', 'main'],
  // oclif's development mode loads these only when running from TypeScript sources (bin/dev.js): never bundled.
  external: ['typescript', 'ts-node', 'tsx', 'tsx/*'],
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: {js: "import {createRequire as __hatchCreateRequire} from 'node:module';\nconst require = __hatchCreateRequire(import.meta.url);"},
})
console.log(`bundled the runner, ${entryPoints.length} commands from ${relative(root, commandsDir)} and ${workers.length} worker`)
