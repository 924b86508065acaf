import {createHash} from 'node:crypto'
import {closeSync, openSync, readSync} from 'node:fs'

import {fsError, HatchError} from '../../errors.js'
import {encodeManifest, MANIFEST_ENTRY_NAME, MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestEntry} from '../manifest.js'
import type {SourceTree} from '../walk.js'
import {encodeHeader, END_OF_ARCHIVE, padding} from './header.js'

export interface PackProgress {
  /** Called after each piece of file content is read: bytes so far, files finished so far. */
  (bytes: number, files: number): void
}

/**
 * Where packTreeInto puts the tar stream: fixed-size blocks it fills in place. `block` is the one being filled;
 * `ship(used)` hands it over with `used` bytes (the block must not be touched afterwards) and resolves with the next
 * empty one; waiting there is the pipeline's backpressure. `last(used)` hands over the final, partly filled block.
 *
 * With `hash`, the sink hashes file contents (in another thread) instead of packTreeInto: it is told each range of
 * the current block that belongs to the file being read, and the end of each file, in order, and `fileEnd()`
 * resolves with that file's SHA-256 once the sink has hashed it. Before the manifest (which needs every hash),
 * packTreeInto ships the partly filled block with `ship`, so every hash can complete.
 */
export interface BlockSink {
  block: Buffer
  ship(used: number): Promise<Buffer>
  last(used: number): void
  hash?: {
    range(start: number, end: number): void
    fileEnd(): Promise<string>
  }
}

/**
 * The tar stream of a walked SOURCE (every entry in walk order, each file hashed as it is read, the manifest as
 * the last entry, then the end-of-archive blocks), written straight into the sink's blocks: file contents are read from disk into
 * the block itself, so no byte is copied on the way to the compressor. Returns the manifest; the last, partly
 * filled block is shipped too.
 */
export async function packTreeInto(tree: SourceTree, createdAt: string, sink: BlockSink, onProgress: PackProgress = () => {}): Promise<Manifest> {
  let block = sink.block
  let used = 0
  const full = async (): Promise<void> => {
    if (used === block.length) {
      block = await sink.ship(used)
      used = 0
    }
  }
  const put = async (bytes: Buffer): Promise<void> => {
    let off = 0
    while (off < bytes.length) {
      const n = Math.min(bytes.length - off, block.length - used)
      bytes.copy(block, used, off, off + n)
      used += n
      off += n
      await full()
    }
  }

  const entries: ManifestEntry[] = []
  const digests: Array<Promise<void>> = []
  let bytes = 0
  let files = 0
  for (const e of tree.entries) {
    if (e.type === 'directory') {
      await put(encodeHeader({path: e.path, type: 'directory', size: 0, mode: e.mode, mtime: e.mtime}))
      entries.push({type: 'directory', path: e.path, mode: e.mode, mtime: e.mtime})
    } else if (e.type === 'symlink') {
      await put(encodeHeader({path: e.path, type: 'symlink', size: 0, mode: 0o777, mtime: e.mtime, linkTarget: e.target}))
      entries.push({type: 'symlink', path: e.path, target: e.target})
    } else {
      await put(encodeHeader({path: e.path, type: 'file', size: e.size, mode: e.mode, mtime: e.mtime}))
      const hash = sink.hash === undefined ? createHash('sha256') : undefined
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
          const want = Math.min(left, block.length - used)
          let n: number
          try {
            n = readSync(fd, block, used, want, null)
          } catch (error) {
            throw fsError(error, 'read', e.abs)
          }
          if (n === 0) throw changed(e.abs)
          if (hash !== undefined) hash.update(block.subarray(used, used + n))
          else sink.hash!.range(used, used + n)
          used += n
          left -= n
          bytes += n
          onProgress(bytes, files)
          await full()
        }
      } finally {
        closeSync(fd)
      }
      await put(padding(e.size))
      files++
      onProgress(bytes, files)
      const entry = {type: 'file' as const, path: e.path, size: e.size, mode: e.mode, mtime: e.mtime, sha256: hash?.digest('hex') ?? ''}
      if (hash === undefined) {
        const digest = sink.hash!.fileEnd().then((sha256) => void (entry.sha256 = sha256))
        digest.catch(() => {}) // a failure surfaces through the sink (ship) or the Promise.all below
        digests.push(digest)
      }
      entries.push(entry)
    }
  }
  if (digests.length > 0) {
    // Ship what is pending (even an empty block: it may carry the last file's end) so every hash can complete.
    block = await sink.ship(used)
    used = 0
    await Promise.all(digests)
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    createdAt,
    root: {mode: tree.rootMode, mtime: tree.rootMtime},
    entries,
  }
  const body = encodeManifest(manifest)
  await put(encodeHeader({path: MANIFEST_ENTRY_NAME, type: 'file', size: body.length, mode: 0o600, mtime: Math.floor(Date.parse(createdAt) / 1000)}))
  await put(body)
  await put(padding(body.length))
  await put(END_OF_ARCHIVE)
  sink.last(used)
  return manifest
}

function changed(path: string): HatchError {
  return new HatchError('IO_ERROR', `${path} became shorter while it was being archived; no archive was written.`, {
    suggestions: ['Stop the program that is writing to the folder, then run the command again.'],
  })
}
