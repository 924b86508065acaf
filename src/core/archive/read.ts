import {createHash} from 'node:crypto'
import {createReadStream, statSync} from 'node:fs'
import {Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip} from 'node:zlib'

import tar from 'tar-stream'

import {createDecryptStream, isAgeError, toHatchError, type Identity} from './age/index.js'
import {errnoCode, fsError, HatchError, isHatchError} from '../errors.js'
import {decodeManifest, MANIFEST_ENTRY_NAME, type Manifest} from './manifest.js'
import type {ProgressCallback} from './progress.js'
import {checkSymlinkGraph, safeEntryPath, unsafeEntry} from './tar/entry-safety.js'

/** An entry as read from the archive, after its name passed the safety rules. */
export type FoundEntry =
  | {type: 'file'; path: string; size: number; mode: number; mtime: number; sha256: string}
  | {type: 'directory'; path: string; mode: number; mtime: number}
  | {type: 'symlink'; path: string; target: string; mtime: number}

/** Where a file entry's bytes go (restore writes them; verify and list drop them). */
export interface FileSink {
  write(chunk: Buffer): void | Promise<void>
  /** Called once the whole file was read, with its entry (including its SHA-256). */
  end(entry: FoundEntry & {type: 'file'}): void | Promise<void>
  /** Called if reading stops early; must not throw. */
  abort(): void | Promise<void>
}

export interface EntryHandler {
  directory?(entry: FoundEntry & {type: 'directory'}): void | Promise<void>
  symlink?(entry: FoundEntry & {type: 'symlink'}): void | Promise<void>
  file?(entry: Omit<FoundEntry & {type: 'file'}, 'sha256'>): FileSink | undefined | Promise<FileSink | undefined>
}

export interface ReadOptions {
  identities: Identity[]
  handler?: EntryHandler
  /** Only hand these entries to the handler (all are still read, hashed and checked). */
  select?: (path: string) => boolean
  onProgress?: ProgressCallback
}

export interface ReadResult {
  /** undefined for a tar.gz.age hatch did not write (no file list inside); age's authentication still held. */
  manifest: Manifest | undefined
  entries: FoundEntry[]
  archiveSize: number
}

const MAX_MANIFEST = 256 * 1024 * 1024

/**
 * Groups small chunks (age releases 64 KiB at a time) into pieces of at least `size` bytes, so gunzip makes one
 * thread-pool round trip per piece instead of per chunk.
 */
function coalesce(size: number): Transform {
  let parts: Buffer[] = []
  let length = 0
  return new Transform({
    readableHighWaterMark: size,
    writableHighWaterMark: size,
    transform(chunk: Buffer, _e, cb) {
      parts.push(chunk)
      length += chunk.length
      if (length < size) return cb()
      const out = Buffer.concat(parts, length)
      parts = []
      length = 0
      cb(null, out)
    },
    flush(cb) {
      cb(null, length === 0 ? undefined : Buffer.concat(parts, length))
    },
  })
}

const damaged = (what: string, why: string, cause?: unknown): HatchError =>
  new HatchError('CHECKSUM_MISMATCH', `${what} is damaged: ${why}.`, {
    cause,
    suggestions: ['The archive was altered or is not a tar.gz.age archive; nothing from it was written. Use another copy.'],
  })

/**
 * Reads an archive end to end: age decryption (every chunk authenticated before use) → gunzip → tar. Each entry's
 * name and type pass the safety rules before the handler sees it; every file is hashed as it streams. At the end
 * the entries are compared with the manifest (same set, types, sizes, SHA-256, link targets) and the symlinks are
 * resolved as a whole (none may lead outside). Any failure throws, after the handler's sinks were aborted; the
 * caller must discard what it wrote (restore stages in a temp folder).
 */
export async function readArchive(archivePath: string, o: ReadOptions): Promise<ReadResult> {
  const what = `The archive ${archivePath}`
  let archiveSize: number
  try {
    const st = statSync(archivePath)
    if (!st.isFile()) throw new HatchError('INVALID_ARGUMENT', `${archivePath} is not a file.`)
    archiveSize = st.size
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new HatchError('BACKUP_NOT_FOUND', `The archive ${archivePath} does not exist.`, {cause: error, suggestions: ['List archives with `hatch archive list DIR`.']})
    throw fsError(error, 'read the archive', archivePath)
  }

  let readBytes = 0
  let files = 0
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      readBytes += chunk.length
      o.onProgress?.({bytes: readBytes, totalBytes: archiveSize, files})
      cb(null, chunk)
    },
  })
  const extract = tar.extract()
  const abort = new AbortController()
  const flowing = pipeline(createReadStream(archivePath, {highWaterMark: 1024 * 1024}), counter, createDecryptStream(o.identities), coalesce(1024 * 1024), createGunzip({chunkSize: 256 * 1024}), extract, {
    signal: abort.signal,
  })
  flowing.catch(() => {}) // inspected below

  const entries: FoundEntry[] = []
  const types = new Map<string, FoundEntry['type'] | 'implicit'>()
  const links = new Map<string, string>()
  let manifest: Manifest | undefined
  let sawManifest = false

  const consume = async (): Promise<void> => {
    for await (const entry of extract) {
      const h = entry.header
      const name = h.name
      if ((h.type as string | undefined) === 'pax-global-header') {
        entry.resume()
        continue
      }
      if (sawManifest) throw damaged(what, `an entry (${JSON.stringify(name)}) follows the file list, which must be last`)
      const path = safeEntryPath(name)
      const kind = h.type === 'contiguous-file' ? 'file' : h.type
      if (kind === 'link') throw unsafeEntry(name, 'is a hard link, which hatch does not restore')
      if (kind !== 'file' && kind !== 'directory' && kind !== 'symlink') throw unsafeEntry(name, `is a ${kind ?? 'special'} entry (devices, FIFOs and other special files are refused)`)
      if (path === '') {
        if (kind !== 'directory') throw unsafeEntry(name, 'names the destination folder itself')
        entry.resume()
        continue
      }
      if (path === MANIFEST_ENTRY_NAME && kind === 'file') {
        if ((h.size ?? 0) > MAX_MANIFEST) throw damaged(what, 'its file list is implausibly large')
        const parts: Buffer[] = []
        for await (const chunk of entry) parts.push(chunk as Buffer)
        manifest = decodeManifest(Buffer.concat(parts))
        sawManifest = true
        continue
      }
      const existing = types.get(path)
      if (existing !== undefined && !(existing === 'implicit' && kind === 'directory')) throw unsafeEntry(name, 'appears more than once')
      const segments = path.split('/')
      for (let i = 1; i < segments.length; i++) {
        const prefix = segments.slice(0, i).join('/')
        const t = types.get(prefix)
        if (t === 'symlink') throw unsafeEntry(name, 'lies inside a symlink entry, so writing it could leave the destination')
        if (t === 'file') throw unsafeEntry(name, 'lies inside a file entry')
        if (t === undefined) types.set(prefix, 'implicit')
      }
      types.set(path, kind)
      const mode = (h.mode ?? 0o644) & 0o777
      const mtime = Math.floor((h.mtime?.getTime() ?? 0) / 1000)
      const selected = o.select === undefined || o.select(path)
      if (kind === 'directory') {
        const e = {type: 'directory' as const, path, mode, mtime}
        entries.push(e)
        if (selected) await o.handler?.directory?.(e)
        entry.resume()
      } else if (kind === 'symlink') {
        const target = h.linkname ?? ''
        if (target === '' || target.includes('\0')) throw unsafeEntry(name, 'is a symlink with an empty or invalid target')
        const e = {type: 'symlink' as const, path, target, mtime}
        links.set(path, target)
        checkSymlinkGraph(new Map([[path, target]]))
        entries.push(e)
        if (selected) await o.handler?.symlink?.(e)
        entry.resume()
      } else {
        const base = {type: 'file' as const, path, size: h.size ?? 0, mode, mtime}
        const sink = selected ? await o.handler?.file?.(base) : undefined
        const hash = createHash('sha256')
        let size = 0
        try {
          for await (const chunk of entry) {
            const buf = chunk as Buffer
            hash.update(buf)
            size += buf.length
            if (sink !== undefined) await sink.write(buf)
          }
          if (size !== base.size) throw damaged(what, `the entry ${JSON.stringify(name)} is shorter than its header says`)
          const e = {...base, sha256: hash.digest('hex')}
          entries.push(e)
          files++
          if (sink !== undefined) await sink.end(e)
        } catch (error) {
          await sink?.abort()
          throw error
        }
      }
    }
  }

  let consumeError: unknown
  try {
    await consume()
  } catch (error) {
    consumeError = error
    abort.abort()
  }
  let flowError: unknown
  try {
    await flowing
  } catch (error) {
    flowError = error
  }
  // The decryption's verdict comes first: a wrong key or a damaged file explains everything after it.
  if (isAgeError(flowError)) throw toHatchError(flowError, `the archive ${archivePath}`)
  if (consumeError !== undefined) throw classify(consumeError, what, archivePath)
  if (flowError !== undefined && !(flowError instanceof Error && flowError.name === 'AbortError')) throw classify(flowError, what, archivePath)
  checkSymlinkGraph(links)
  if (manifest !== undefined) compareWithManifest(what, entries, manifest)
  return {manifest, entries, archiveSize}
}

/** A failure as hatch reports it: ours as is, age's mapped, the file system's as I/O, anything else (zlib, tar) as damage. */
function classify(error: unknown, what: string, archivePath: string): HatchError {
  if (isHatchError(error)) return error
  if (isAgeError(error)) return toHatchError(error, `the archive ${archivePath}`)
  const code = errnoCode(error)
  if (code !== undefined && /^E[A-Z]+$/.test(code)) {
    const path = typeof (error as {path?: unknown}).path === 'string' ? (error as {path: string}).path : archivePath
    return fsError(error, 'write or read', path)
  }
  return damaged(what, error instanceof Error ? error.message : String(error), error)
}

function compareWithManifest(what: string, entries: readonly FoundEntry[], manifest: Manifest): void {
  const listed = new Map(manifest.entries.map((e) => [e.path, e]))
  for (const e of entries) {
    const m = listed.get(e.path)
    if (m === undefined) throw damaged(what, `${JSON.stringify(e.path)} is in the archive but not in its file list`)
    if (m.type !== e.type) throw damaged(what, `${JSON.stringify(e.path)} is a ${e.type} but the file list says ${m.type}`)
    if (e.type === 'file' && m.type === 'file' && (m.size !== e.size || m.sha256 !== e.sha256)) {
      throw damaged(what, `${JSON.stringify(e.path)} does not match its recorded SHA-256`)
    }
    if (e.type === 'symlink' && m.type === 'symlink' && m.target !== e.target) throw damaged(what, `the symlink ${JSON.stringify(e.path)} does not match the file list`)
    listed.delete(e.path)
  }
  const missing = [...listed.keys()]
  if (missing.length > 0) throw damaged(what, `${missing.length} entries of its file list are missing (first: ${JSON.stringify(missing[0])})`)
}
