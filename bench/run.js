// `npm run bench`: runs each benchmark in its own Node process, one after another, so none warms up or
// slows down another. Pass names to run some: `npm run bench -- backup`.
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
// The suites that write and delete hundreds of MiB in thousands of files run last: on ext4 without a journal, new
// files stay slower for minutes after many deletions, which would skew the microsecond figures of the others.
const HEAVY = ['age', 'archive']
const all = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .map((f) => f.slice(0, -3))
  .sort((a, b) => HEAVY.includes(a) - HEAVY.includes(b) || a.localeCompare(b))
const wanted = process.argv.slice(2)
let failed = false
for (const name of wanted.length > 0 ? wanted : all) {
  const file = join(here, `${name}.js`)
  if (!existsSync(file)) {
    console.error(`No benchmark named ${name}; there are: ${all.join(', ')}`)
    process.exitCode = 2
    continue
  }
  console.log(`\n== ${name} ==`)
  const r = spawnSync(process.execPath, ['--expose-gc', file], {stdio: 'inherit'})
  if (r.status !== 0) failed = true
}
if (failed) process.exitCode = 1
