import {createHash} from 'node:crypto'
import {closeSync, openSync, readSync} from 'node:fs'

import {fsError, HatchError} from '../../errors.js'
import {encodeManifest, MANIFEST_ENTRY_NAME, MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestEntry} from '../manifest.js'
import type {SourceTree} from '../walk.js'
import {encodeHeader, END_OF_ARCHIVE, padding} from './header.js'

const READ_SIZE = 1024 * 1024

export interface PackProgress {
  /** Called after each piece of file content is read: bytes so far, files finished so far. */
  (bytes: number, files: number): void
}

/**
 * The tar stream of a walked SOURCE, as an async generator of buffers (so stream.pipeline gives backpressure):
 * every entry in walk order, each file hashed (SHA-256) as it is read, then the manifest as the last entry, then
 * the end-of-archive blocks. `manifestOut.value` holds the manifest once the generator has finished.
 */
export async function* packTree(
  tree: SourceTree,
  createdAt: string,
  onProgress: PackProgress = () => {},
  manifestOut: {value?: Manifest} = {},
): AsyncGenerator<Buffer> {
  const entries: ManifestEntry[] = []
  let bytes = 0
  let files = 0
  for (const e of tree.entries) {
    if (e.type === 'directory') {
      yield encodeHeader({path: e.path, type: 'directory', size: 0, mode: e.mode, mtime: e.mtime})
      entries.push({type: 'directory', path: e.path, mode: e.mode, mtime: e.mtime})
    } else if (e.type === 'symlink') {
      yield encodeHeader({path: e.path, type: 'symlink', size: 0, mode: 0o777, mtime: e.mtime, linkTarget: e.target})
      entries.push({type: 'symlink', path: e.path, target: e.target})
    } else {
      yield encodeHeader({path: e.path, type: 'file', size: e.size, mode: e.mode, mtime: e.mtime})
      const hash = createHash('sha256')
      // Synchronous reads: from the page cache they cost a few microseconds, where each thread-pool round trip
      // of an async read costs tens of microseconds of this thread's time.
      let fd: number
      try {
        fd = openSync(e.abs, 'r')
      } catch (error) {
        throw fsError(error, 'read', e.abs)
      }
      try {
        let left = e.size
        while (left > 0) {
          const buf = Buffer.allocUnsafe(Math.min(READ_SIZE, left))
          let got = 0
          while (got < buf.length) {
            const n = readSync(fd, buf, got, buf.length - got, null)
            if (n === 0) throw changed(e.abs)
            got += n
          }
          hash.update(buf)
          left -= buf.length
          bytes += buf.length
          onProgress(bytes, files)
          yield buf
        }
      } catch (error) {
        throw fsError(error, 'read', e.abs)
      } finally {
        closeSync(fd)
      }
      yield padding(e.size)
      files++
      onProgress(bytes, files)
      entries.push({type: 'file', path: e.path, size: e.size, mode: e.mode, mtime: e.mtime, sha256: hash.digest('hex')})
    }
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    createdAt,
    root: {mode: tree.rootMode, mtime: tree.rootMtime},
    entries,
  }
  const body = encodeManifest(manifest)
  yield encodeHeader({path: MANIFEST_ENTRY_NAME, type: 'file', size: body.length, mode: 0o600, mtime: Math.floor(Date.parse(createdAt) / 1000)})
  yield body
  yield padding(body.length)
  yield END_OF_ARCHIVE
  manifestOut.value = manifest
}

function changed(path: string): HatchError {
  return new HatchError('IO_ERROR', `${path} became shorter while it was being archived; no archive was written.`, {
    suggestions: ['Stop the program that is writing to the folder, then run the command again.'],
  })
}
