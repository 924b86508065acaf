#!/usr/bin/env node
// Writes oclif.manifest.json after a build, so `hatch` loads only the command it runs instead of importing
// every command at start (stack.md §3.6). The file is build output: gitignored, never committed. This is what
// `oclif manifest` does, done with @oclif/core alone instead of the `oclif` package and its 27 MB of AWS SDK.
import {writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Plugin} from '@oclif/core'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const plugin = new Plugin({errorOnManifestCreate: true, ignoreManifest: true, isRoot: true, respectNoCacheDefault: true, root})
await plugin.load()
writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest))
console.log(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands`)
