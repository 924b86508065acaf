import {mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, lstatSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createGzip} from 'node:zlib'
import {pipeline} from 'node:stream/promises'
import {Readable} from 'node:stream'
import {createWriteStream} from 'node:fs'

import tar from 'tar-stream'

import {createEncryptStream, generateIdentity, parseIdentity, type Identity, type X25519Recipient, parseRecipient} from '../../../src/core/archive/age/index.js'

export function tempDir(prefix = 'hatch-archive-test-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

export function keyPair(): {identity: Identity; recipient: X25519Recipient; identityText: string; recipientText: string} {
  const {identity, recipient} = generateIdentity()
  return {identity: parseIdentity(identity), recipient: parseRecipient(recipient), identityText: identity, recipientText: recipient}
}

/** A small tree with the awkward cases: empty dir, empty file, symlinks, non-ASCII, a path over 100 bytes, modes. */
export function makeTree(root: string): void {
  mkdirSync(join(root, 'docs', 'empty-dir'), {recursive: true})
  writeFileSync(join(root, 'docs', 'readme.txt'), 'hello archive\n')
  writeFileSync(join(root, 'empty.txt'), '')
  writeFileSync(join(root, 'script.sh'), '#!/bin/sh\necho hi\n', {mode: 0o755})
  writeFileSync(join(root, 'private.key'), 'secret-ish\n', {mode: 0o600})
  writeFileSync(join(root, 'Ünïcødé — 日本語.txt'), 'non-ascii name\n')
  const long = join(root, 'a'.repeat(60), 'b'.repeat(60))
  mkdirSync(long, {recursive: true})
  writeFileSync(join(long, `${'c'.repeat(80)}.log`), 'log line\n'.repeat(1000))
  writeFileSync(join(root, 'random.bin'), Buffer.from(Array.from({length: 300_000}, (_, i) => (i * 2654435761) >>> 24)))
  symlinkSync('docs/readme.txt', join(root, 'link-to-readme'))
  symlinkSync('../readme.txt', join(root, 'docs', 'empty-dir', 'up-link'))
  symlinkSync('missing-target', join(root, 'dangling'))
}

export interface Snapshot {
  [path: string]: string
}

/** type, mode and content (or link target) of every entry under root, for comparing trees. */
export function snapshot(root: string, rel = ''): Snapshot {
  const out: Snapshot = {}
  for (const name of readdirSync(join(root, rel)).sort()) {
    const r = rel === '' ? name : `${rel}/${name}`
    const p = join(root, r)
    const st = lstatSync(p)
    if (st.isSymbolicLink()) out[r] = `link -> ${readlinkSync(p)}`
    else if (st.isDirectory()) {
      out[r] = `dir ${(st.mode & 0o777).toString(8)}`
      Object.assign(out, snapshot(root, r))
    } else out[r] = `file ${(st.mode & 0o777).toString(8)} ${readFileSync(p).toString('base64')}`
  }
  return out
}

export interface CraftedEntry {
  name: string
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo'
  content?: string
  linkname?: string
}

/** Builds a tar.gz.age by hand with tar-stream (for malicious and foreign archives). */
export async function craftArchive(path: string, entries: CraftedEntry[], recipient: X25519Recipient | string): Promise<void> {
  const pack = tar.pack()
  for (const e of entries) {
    const type = e.type ?? 'file'
    if (type === 'file') pack.entry({name: e.name, type, mode: 0o644}, e.content ?? '')
    else pack.entry({name: e.name, type, mode: 0o644, linkname: e.linkname, size: 0})
  }
  pack.finalize()
  await pipeline(pack as unknown as Readable, createGzip(), createEncryptStream([recipient]), createWriteStream(path))
}
