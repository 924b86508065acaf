import {createHash} from 'node:crypto'
import {statSync} from 'node:fs'
import type {FileHandle} from 'node:fs/promises'
import {Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip, type ZlibOptions} from 'node:zlib'

import tar from 'tar-stream'

import {decryptionMachine, isAgeError, toHatchError, type Identity, type Sink} from './age/index.js'
import {errnoCode, fsError, HatchError, isHatchError} from '../errors.js'
import {assertRegularFile, openRegularFile} from '../fs/regular-file.js'
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
  /**
   * Present when the sink hashes the bytes itself, as it writes them (in another thread): resolves with the file's
   * SHA-256 (rejects if writing failed). readArchive then skips its own hashing of that file, asks for every such
   * hash once all entries were read, and checks them against the manifest as usual; until then `end` gets the entry
   * with an empty sha256, filled in later.
   */
  sha256?(): Promise<string>
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
 * Large output pieces (fewer thread-pool round trips), and room to run ahead of the tar parser (zlib streams pass
 * the stream options through to Transform, though ZlibOptions does not list them), so inflating overlaps parsing.
 */
const GUNZIP_OPTIONS = {chunkSize: 1024 * 1024, readableHighWaterMark: 4 * 1024 * 1024, writableHighWaterMark: 2 * 1024 * 1024} as ZlibOptions

const READ_SIZE = 1024 * 1024
/** feedGunzip stopped because gunzip or the parser did (their failure, if any, is the one to report). */
const READER_STOPPED = new Error('the archive reader stopped')
const BATCH_SIZE = 1024 * 1024

/**
 * Reads the archive and decrypts it (every chunk authenticated before its plaintext is released) straight into
 * gunzip, in 1 MiB batches: age releases 64 KiB at a time, and one thread-pool round trip per batch is far cheaper
 * than one per chunk. Batches are recycled once gunzip has consumed them (its write callback), so the plaintext
 * costs no fresh allocation per MiB. Ends gunzip at the end; on failure destroys it (so the parser stops) and
 * rejects with the cause.
 */
async function feedGunzip(gunzip: Transform, archivePath: string, identities: Identity[], onRead: (bytes: number) => void): Promise<void> {
  let handle: FileHandle | undefined
  try {
    const machine = decryptionMachine(identities)
    handle = await openRegularFile(archivePath)
    const free: Buffer[] = []
    const ready: Buffer[] = []
    let batch: Buffer = Buffer.allocUnsafeSlow(BATCH_SIZE)
    let used = 0
    const out: Sink = {
      push(piece: Buffer) {
        let off = 0
        while (off < piece.length) {
          const n = Math.min(piece.length - off, batch.length - used)
          piece.copy(batch, used, off, off + n)
          used += n
          off += n
          if (used === batch.length) {
            ready.push(batch)
            batch = free.pop() ?? Buffer.allocUnsafeSlow(BATCH_SIZE)
            used = 0
          }
        }
      },
    }
    const send = async (b: Buffer, recycle: boolean): Promise<void> => {
      if (gunzip.destroyed) throw READER_STOPPED
      const room = gunzip.write(b, (error) => {
        if (error == null && recycle) free.push(b)
      })
      if (!room) await drained(gunzip)
    }
    // On a failure (wrong key, damage, truncation) the machine throws, and what it released before is dropped
    // with it: the whole read fails anyway.
    const sendReady = async (): Promise<void> => {
      for (const b of ready.splice(0)) await send(b, true)
    }
    // Reads go round a ring of three buffers. The decryption keeps views of the latest input (at most one chunk,
    // 64 KiB + 16, once the header is done; header bytes spread over several reads are copied when joined), so when
    // a read is written, every read two or more before it (each a full 1 MiB) is no longer referenced.
    // (After a short read, which a regular file gives only at its end, fresh buffers are used instead.)
    const ring = [0, 1, 2].map(() => Buffer.allocUnsafeSlow(READ_SIZE))
    let short = false
    for (let n = 0; ; n++) {
      const buf = short ? Buffer.allocUnsafeSlow(READ_SIZE) : ring[n % ring.length]!
      const {bytesRead} = await handle.read(buf, 0, READ_SIZE, null)
      if (bytesRead === 0) break
      if (bytesRead < READ_SIZE) short = true
      onRead(bytesRead)
      await machine.write(buf.subarray(0, bytesRead), out)
      await sendReady()
    }
    await machine.end(out)
    await sendReady()
    if (used > 0) await send(batch.subarray(0, used), false)
    gunzip.end()
  } catch (error) {
    gunzip.destroy(error as Error)
    throw error
  } finally {
    await handle?.close().catch(() => {})
  }
}

/** Resolves on 'drain'; rejects if the stream closes or fails first. */
function drained(stream: Transform): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      stream.off('drain', onDrain)
      stream.off('close', onClose)
      stream.off('error', onClose)
      if (error === undefined) resolve()
      else reject(error)
    }
    const onDrain = () => done()
    const onClose = (error?: unknown) => done(error ?? READER_STOPPED)
    stream.on('drain', onDrain)
    stream.on('close', onClose)
    stream.on('error', onClose)
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
    assertRegularFile(st, archivePath)
    archiveSize = st.size
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new HatchError('BACKUP_NOT_FOUND', `The archive ${archivePath} does not exist.`, {cause: error, suggestions: ['List archives with `hatch archive list DIR`.']})
    throw fsError(error, 'read the archive', archivePath)
  }

  let readBytes = 0
  let files = 0
  const extract = tar.extract()
  const abort = new AbortController()
  const gunzip = createGunzip(GUNZIP_OPTIONS)
  const feeding = feedGunzip(gunzip, archivePath, o.identities, (n) => {
    readBytes += n
    o.onProgress?.({bytes: readBytes, totalBytes: archiveSize, files})
  })
  const parsing = pipeline(gunzip, extract, {signal: abort.signal})
  // The decryption's failure (a wrong key, damage) explains whatever the parser saw after it: it comes first.
  const flowing = Promise.allSettled([feeding, parsing]).then(([f, p]) => {
    if (f.status === 'rejected' && f.reason !== READER_STOPPED) throw f.reason
    if (p.status === 'rejected') throw p.reason
    if (f.status === 'rejected') throw f.reason
  })
  flowing.catch(() => {}) // inspected below

  const entries: FoundEntry[] = []
  const types = new Map<string, FoundEntry['type'] | 'implicit'>()
  const links = new Map<string, string>()
  let manifest: Manifest | undefined
  let sawManifest = false
  const hashedBySink: Array<{entry: FoundEntry & {type: 'file'}; sink: FileSink}> = []

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
        const hash = sink?.sha256 === undefined ? createHash('sha256') : undefined
        let size = 0
        try {
          for await (const chunk of entry) {
            const buf = chunk as Buffer
            hash?.update(buf)
            size += buf.length
            if (sink !== undefined) await sink.write(buf)
          }
          if (size !== base.size) throw damaged(what, `the entry ${JSON.stringify(name)} is shorter than its header says`)
          const e = {...base, sha256: hash?.digest('hex') ?? ''}
          if (hash === undefined) hashedBySink.push({entry: e, sink: sink!})
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
  try {
    for (const {entry, sink} of hashedBySink) entry.sha256 = await sink.sha256!()
  } catch (error) {
    throw classify(error, what, archivePath)
  }
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
