import * as nodeFs from 'node:fs'
import {basename, dirname, join, relative, resolve, sep} from 'node:path'

import {HatchError, errnoCode, fsError, isHatchError} from '../errors.js'
import {atomicWriteFileSync, canonicalPath, readIfExists, uniqueTempPart, writeAll, type SyncFs} from '../fs/atomic-write.js'
import {sha256} from '../fs/hash.js'
import {withLock} from '../fs/lock.js'
import {publishWithoutReplacing} from '../fs/publish.js'
import {assertRegularFile, openRegularFileSync, readRegularFileSync} from '../fs/regular-file.js'
import {refuseLinkedFolders} from '../paths/real-folders.js'
import {onInterrupt} from '../process/shutdown.js'
import {assertHostId, backupFileName, idFromMicros, isoFromMicros, microsFromId, nowMicros, parseBackupFileName} from './naming.js'
import type {VerifyResult, VerifyStatus} from './results.js'
import {isBackupRecord, recordOf} from './index-record.js'
import type {BackupInfo, BackupReason, BackupRecord} from './schema.js'

export type StoreFs = SyncFs & Pick<typeof nodeFs, 'fstatSync' | 'fsync' | 'linkSync' | 'mkdirSync' | 'readdirSync'>

export interface BackupStoreOptions {
  /** The store's root, `~/.hatch/mcp_host_config_backups` by default (resolved by the caller). */
  root: string
  /** Recorded in every backup. */
  hatchVersion: string
  /**
   * How hatch's home, the root's parent (`~/.hatch`), was chosen. `default`: a symbolic link there is refused, as
   * one at the root or at a host's folder always is (backups are private: hatch does not follow a link it did not
   * make, nor chmod its target). `explicit` (HATCH_HOME, or a caller's own folder; the default): the home is the
   * user's choice, link or not.
   */
  home?: 'default' | 'explicit'
  fs?: StoreFs
}

export interface CreateBackupOptions {
  /** The content to store; read from `sourcePath` when omitted. Callers that hold the config's lock pass what they read. */
  bytes?: Buffer
  /** What such a caller already knows, so it is not worked out again: the SHA-256 of `bytes`, and the real path. */
  sha256?: string
  realPath?: string
  reason?: BackupReason
  /**
   * Sync the backup on libuv's thread pool rather than block on it, for a caller that has work of its own to do
   * before it awaits the backup (AtomicFileOperations.backupLocked). Blocking costs less when there is none.
   */
  background?: boolean
}


const INDEX = 'index.jsonl'
// A record's start: create writes `id` first, and so does BackupRecord's key order.
const RECORD_START = /^\{"id":"(\d{8}_\d{6}_\d{6})"/
const LOCK = '.lock'
const DIR_MODE = 0o700
const FILE_MODE = 0o600

/**
 * The host-config backup store (docs/backup-store.md):
 * `<root>/<host>/<config file name>.<host>.<YYYYMMDD_HHMMSS_ffffff>`, folders 0700 and files 0600, with one
 * `index.jsonl` per host recording each backup's checksum and origin, so listing never reads backup content.
 *
 * A backup's SHA-256 is hashed from the bytes it is written from; it is published with link(2), which never replaces an
 * existing name, and its record is appended only once its bytes are durable. Backups take no lock (an append-mode
 * write is never interleaved); deleting, which rewrites the index, happens under the folder's hatch lock. Ids grow
 * within a host even if the clock steps back.
 */
export class BackupStore {
  readonly root: string
  private readonly version: string
  private readonly fs: StoreFs
  private readonly homeChosen: boolean
  /** Host folders this store has made or tightened already (see ensureDir). */
  private readonly readyDirs = new Set<string>()

  constructor(options: BackupStoreOptions) {
    this.root = resolve(options.root)
    this.version = options.hatchVersion
    this.fs = options.fs ?? nodeFs
    this.homeChosen = options.home !== 'default'
  }

  hostDir(host: string): string {
    assertHostId(host)
    return join(this.root, host)
  }

  /**
   * Refuses a store reached through a symbolic link (paths/real-folders.ts): at the home (unless chosen explicitly),
   * the root, or the host's folder `dir`.
   */
  private refuseLinks(dir?: string): void {
    refuseLinkedFolders({
      home: this.homeChosen ? undefined : dirname(this.root),
      folders: dir === undefined ? [this.root] : [this.root, dir],
      keeps: 'backups',
      action: 'check the backup folder',
      lstat: (path, options) => this.fs.lstatSync(path, options),
    })
  }

  /** Backs up the bytes of `sourcePath` (or the given bytes) for `host`. */
  async create(host: string, sourcePath: string, options: CreateBackupOptions = {}): Promise<BackupInfo> {
    const dir = this.hostDir(host)
    const source = resolve(sourcePath)
    const {realPath, mode, bytes} = this.readSource(source, options)
    const digest = options.bytes !== undefined && options.sha256 !== undefined ? options.sha256 : sha256(bytes)
    this.ensureDir(dir)
    const tmp = join(dir, `.tmp-${uniqueTempPart()}`)
    let fd: number | undefined
    let published: string | undefined
    let record: BackupRecord
    let index: OpenIndex
    let indexFd: number | undefined
    // Interrupted before its record is written, a backup leaves nothing: neither its temp file nor an unrecorded copy.
    let forget = (): void => {}
    try {
      fd = this.openTemp(dir, tmp)
      forget = onInterrupt(() => this.removeQuietly(published ?? tmp))
      // The recorded SHA-256 is of these very bytes, hashed as they were read; reading them back from the page cache
      // would prove nothing more than writeAll's own counts.
      writeAll(fd, bytes, this.fs)
      this.fs.fchmodSync(fd, FILE_MODE)
      index = this.openIndex(dir)
      indexFd = index.fd
      let us = nextMicros(index.lastId)
      let id: string
      let fileName: string
      for (;;) {
        id = idFromMicros(us)
        fileName = backupFileName(basename(source), host, id)
        if (publishWithoutReplacing(tmp, join(dir, fileName), this.fs)) break
        us += 1n
      }
      published = join(dir, fileName)
      // One fsync, after the link: it makes the bytes and the new name durable together (ext4 with or without a
      // journal, xfs and btrfs all sync a new file's names with it), so a backup costs one sync.
      if (options.background) await fsyncInBackground(this.fs, fd)
      else this.fs.fsyncSync(fd)
      record = {
        id,
        host,
        fileName,
        createdAt: isoFromMicros(us),
        sha256: digest,
        size: bytes.byteLength,
        sourcePath: source,
        sourceRealPath: realPath,
        sourceMode: mode,
        reason: options.reason ?? 'manual',
        hatchVersion: this.version,
      }
    } catch (error) {
      forget()
      if (indexFd !== undefined) this.fs.closeSync(indexFd)
      this.removeQuietly(published ?? tmp)
      throw fsError(error, 'write a backup in', dir)
    } finally {
      if (fd !== undefined) this.fs.closeSync(fd)
    }
    let raced: boolean
    try {
      // The record is written only once the bytes it vouches for are durable.
      raced = this.appendRecord(dir, index, record)
    } catch (error) {
      this.removeQuietly(published)
      throw fsError(error, 'record the backup in', join(dir, INDEX))
    } finally {
      forget()
    }
    if (raced) await this.ensureRecorded(dir, record)
    return {...record, path: published, indexed: true}
  }

  /**
   * Backs up `sourcePath` unless the host's newest backup of that same file already holds exactly its bytes, intact:
   * `backup create` run twice on an unchanged file makes no duplicate (pass `force` to make one anyway). Returns the
   * backup that holds the content, and whether it was made now.
   */
  async createIfChanged(host: string, sourcePath: string, options: CreateBackupOptions & {force?: boolean} = {}): Promise<{backup: BackupInfo; created: boolean}> {
    const source = resolve(sourcePath)
    const {realPath, bytes} = this.readSource(source, options)
    const digest = sha256(bytes)
    if (!options.force) {
      const newest = this.newestOf(host, source)
      if (newest !== undefined && newest.sha256 === digest && this.holds(newest, digest)) return {backup: newest, created: false}
    }
    return {backup: await this.create(host, source, {...options, bytes, sha256: digest, realPath}), created: true}
  }

  /**
   * The newest indexed backup of `source` in `host`'s folder whose file exists. The index's tail usually holds it, so
   * this reads its last 64 KB; the whole index only when the file's newest record is older than that.
   */
  private newestOf(host: string, source: string): BackupInfo | undefined {
    const dir = this.hostDir(host)
    const fd = this.openIndexToRead(dir)
    if (fd === undefined) return undefined
    let whole: boolean
    let tail: string
    try {
      const size = this.fs.fstatSync(fd).size
      const length = Math.min(size, 65_536)
      const buf = Buffer.allocUnsafe(length)
      tail = buf.toString('utf8', 0, this.fs.readSync(fd, buf, 0, length, size - length))
      whole = length === size
    } finally {
      this.fs.closeSync(fd)
    }
    const lines = tail.split('\n')
    // The first line of a partial tail may be cut: only whole lines count.
    for (let i = lines.length - 1; i >= (whole ? 0 : 1); i--) {
      const backup = lines[i] === '' ? undefined : indexLine(lines[i]!, dir, host)
      if (backup?.sourcePath === source && this.fs.statSync(backup.path, {throwIfNoEntry: false}) !== undefined) return backup
    }
    return whole ? undefined : this.list(host).find((b) => b.indexed && b.sourcePath === source)
  }

  /** Whether a backup's file holds bytes with this SHA-256 (false when it is gone or unreadable). */
  private holds(backup: BackupInfo, digest: string): boolean {
    try {
      return sha256(this.fs.readFileSync(backup.path)) === digest
    } catch {
      return false
    }
  }

  /** The hosts that have a backup folder. */
  hosts(): string[] {
    this.refuseLinks()
    let names: string[]
    try {
      names = this.fs.readdirSync(this.root)
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return []
      throw fsError(error, 'read the backup folder', this.root)
    }
    return names.filter((n) => /^[a-z0-9][a-z0-9-]{0,63}$/.test(n)).sort()
  }

  /** A host's backups, newest first (or every host's, when `host` is omitted). Reads the index, not the backups. */
  list(host?: string): BackupInfo[] {
    if (host === undefined) {
      // Ids are UTC microsecond times, so they order backups across hosts too.
      return this.hosts()
        .flatMap((h) => this.list(h))
        .sort(newestFirst)
    }
    return this.scan(host).backups
  }

  /**
   * A host's backups, newest first, from one read of its folder and its index: those the index records (whose file
   * exists) and files without a record; plus the records whose file is gone.
   */
  private scan(host: string): {backups: BackupInfo[]; missing: BackupInfo[]} {
    const dir = this.hostDir(host)
    this.refuseLinks(dir)
    let names: string[]
    try {
      names = this.fs.readdirSync(dir)
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return {backups: [], missing: []}
      throw fsError(error, 'read the backup folder', dir)
    }
    // Files not yet matched by an index record; what is left at the end has no record.
    const unmatched = new Set(names)
    // Every name, built only when a record matches no file left: its file is gone, or an earlier record took it.
    let present: Set<string> | undefined
    const backups: BackupInfo[] = []
    const missing: BackupInfo[] = []
    for (const backup of this.readIndex(dir)) {
      if (unmatched.delete(backup.fileName)) backups.push(backup)
      else if (!(present ??= new Set(names)).has(backup.fileName)) missing.push(backup)
    }
    for (const name of unmatched) {
      const info = this.unindexed(dir, host, name)
      if (info) backups.push(info)
    }
    // The index is in creation order and ids only grow within a host, so reversing it is usually the whole job.
    backups.reverse()
    return {backups: isNewestFirst(backups) ? backups : backups.sort(newestFirst), missing}
  }

  /** One backup of a host. @throws HatchError BACKUP_NOT_FOUND */
  get(host: string, id: string): BackupInfo {
    const found = this.findIndexed(host, id) ?? this.list(host).find((b) => b.id === id)
    if (!found) {
      throw new HatchError('BACKUP_NOT_FOUND', `Host ${host} has no backup with id ${id}.`, {
        suggestions: [`Run \`hatch mcp backup list --host ${host}\` to see its backups.`],
      })
    }
    return found
  }

  /** The newest backup of a host. @throws HatchError BACKUP_NOT_FOUND */
  latest(host: string): BackupInfo {
    const newest = this.list(host)[0]
    if (!newest) {
      throw new HatchError('BACKUP_NOT_FOUND', `Host ${host} has no backups yet.`, {
        suggestions: [`Make one with \`hatch mcp backup create --host ${host}\`.`],
      })
    }
    return newest
  }

  /** A backup's bytes as they are now, unchecked (see readVerified); null when its file is gone. */
  readUnverified(backup: BackupInfo): Buffer | null {
    try {
      return this.fs.readFileSync(backup.path)
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return null
      throw fsError(error, 'read the backup', backup.path)
    }
  }

  /**
   * A backup's bytes, after checking them against the recorded SHA-256.
   * @throws HatchError CHECKSUM_MISMATCH when the backup is damaged or has no recorded checksum.
   */
  readVerified(backup: BackupInfo): Buffer {
    let bytes: Buffer
    try {
      bytes = readRegularFileSync(backup.path, this.fs)
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        throw new HatchError('BACKUP_NOT_FOUND', `Backup ${backup.id} of ${backup.host} has disappeared from ${backup.path}.`)
      }
      throw fsError(error, 'read the backup', backup.path)
    }
    if (!backup.indexed) {
      throw new HatchError('CHECKSUM_MISMATCH', `Backup ${backup.id} of ${backup.host} has no recorded checksum, so hatch cannot tell whether it is intact.`, {
        suggestions: ['Restore it with --force if you are sure of its content, or choose another backup.'],
      })
    }
    const actual = sha256(bytes)
    if (actual !== backup.sha256) {
      throw new HatchError('CHECKSUM_MISMATCH', `Backup ${backup.id} of ${backup.host} is damaged: its SHA-256 is ${actual}, but ${backup.sha256} was recorded.`, {
        suggestions: ['Choose another backup (`hatch mcp backup list`), and check the disk: backups do not change on their own.'],
      })
    }
    return bytes
  }

  /** Recomputes the checksum of each backup of `host` (or every host), optionally only the one with `id`. */
  verify(host?: string, id?: string): VerifyResult[] {
    const hosts = host === undefined ? this.hosts() : [host]
    const results: VerifyResult[] = []
    for (const h of hosts) {
      const {backups: listed, missing} = this.scan(h)
      for (const record of missing) {
        if (id === undefined || record.id === id) {
          results.push({host: h, id: record.id, path: record.path, status: 'missing', expectedSha256: record.sha256, actualSha256: null})
        }
      }
      for (const b of listed) {
        if (id !== undefined && b.id !== id) continue
        if (!b.indexed) {
          results.push({host: h, id: b.id, path: b.path, status: 'unrecorded', expectedSha256: null, actualSha256: b.sha256})
          continue
        }
        let actual: string | null = null
        try {
          actual = sha256(readRegularFileSync(b.path, this.fs))
        } catch (error) {
          if (errnoCode(error) !== 'ENOENT') throw fsError(error, 'read the backup', b.path)
        }
        const status: VerifyStatus = actual === null ? 'missing' : actual === b.sha256 ? 'intact' : 'damaged'
        results.push({host: h, id: b.id, path: b.path, status, expectedSha256: b.sha256, actualSha256: actual})
      }
    }
    if (id !== undefined && host !== undefined && results.length === 0) this.get(host, id)
    return results
  }

  /**
   * Deletes exactly the given backups of `host` (the list a plan showed) and drops their index records.
   * Returns the ids deleted; one already gone counts as deleted.
   */
  async delete(host: string, ids: readonly string[]): Promise<string[]> {
    const dir = this.hostDir(host)
    if (ids.length === 0) return []
    this.refuseLinks(dir)
    const doomed = new Set(ids)
    return withLock(join(dir, INDEX), async () => {
      const byId = new Map(this.list(host).map((b) => [b.id, b]))
      const deleted: string[] = []
      for (const id of ids) {
        const b = byId.get(id)
        if (b) {
          try {
            this.fs.unlinkSync(b.path)
          } catch (error) {
            if (errnoCode(error) !== 'ENOENT') throw fsError(error, 'delete the backup', b.path)
          }
        }
        deleted.push(id)
      }
      this.rewriteIndex(dir, (records) => records.filter((r) => !doomed.has(r.id)))
      return deleted
    }, {lockfilePath: join(dir, LOCK)})
  }

  private readSource(source: string, given: CreateBackupOptions): {realPath: string; mode: number; bytes: Buffer} {
    try {
      const resolved = given.realPath ?? canonicalPath(source, this.fs)
      const st = this.fs.statSync(resolved)
      if (st.isDirectory()) {
        throw new HatchError('INVALID_ARGUMENT', `${source} is a folder, not a config file.`, {suggestions: ['Name the config file itself with --config PATH.']})
      }
      return {realPath: resolved, mode: st.mode & 0o7777, bytes: given.bytes ?? readRegularFileSync(resolved, this.fs)}
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        throw new HatchError('CONFIG_NOT_FOUND', `There is no config file at ${source}, so there is nothing to back up.`, {
          cause: error,
          suggestions: ['Run `hatch mcp hosts` to see where hatch looks, or name the file with --config PATH.'],
        })
      }
      throw fsError(error, 'read the config file', source)
    }
  }

  /** A new temp file in a host folder; the folder is made (again, if it went since) when it is missing. */
  private openTemp(dir: string, tmp: string): number {
    try {
      return this.fs.openSync(tmp, 'wx', FILE_MODE)
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error
      this.readyDirs.delete(dir)
      this.ensureDir(dir)
      return this.fs.openSync(tmp, 'wx', FILE_MODE)
    }
  }

  /** Makes a host folder 0700 (and the store's own above it), once per folder and store: each backup costs less. */
  private ensureDir(dir: string): void {
    this.refuseLinks(dir)
    if (this.readyDirs.has(dir)) return
    try {
      const hatchHome = dirname(this.root)
      const firstCreated = this.fs.mkdirSync(dir, {recursive: true, mode: DIR_MODE})
      // mkdir's mode is filtered by the umask and ignored for folders that already exist, so set it explicitly
      // on the store's own folders. The hatch home is tightened only when hatch made it: HATCH_HOME may name a
      // folder the user owns for other reasons.
      const ours = [this.root, dir]
      if (firstCreated !== undefined && !relative(firstCreated, hatchHome).startsWith('..')) ours.unshift(hatchHome)
      for (const d of ours) this.fs.chmodSync(d, DIR_MODE)
      this.readyDirs.add(dir)
    } catch (error) {
      throw fsError(error, 'create the backup folder', dir)
    }
  }

  /**
   * Opens the host's index (made, 0600, when missing) to append one record, and reads its newest id from the tail only:
   * a backup costs the same with 10 or 10,000 backups.
   */
  private openIndex(dir: string): OpenIndex {
    const fd = this.fs.openSync(join(dir, INDEX), 'a+', FILE_MODE)
    try {
      const st = this.fs.fstatSync(fd)
      // A FIFO would block the read below.
      assertRegularFile(st, join(dir, INDEX))
      const {size, ino, dev} = st
      // The last record is usually within the last 2 KB; look further back only when it is not.
      let torn = false
      for (const want of [2048, 65_536]) {
        const length = Math.min(size, want)
        const buf = Buffer.allocUnsafe(length)
        const text = buf.toString('latin1', 0, this.fs.readSync(fd, buf, 0, length, size - length))
        if (want === 2048) torn = length > 0 && !text.endsWith('\n')
        // `{"id":"` only ever starts a record: inside a JSON string its quotes would be escaped.
        for (let at = text.lastIndexOf('{"id":"'); at !== -1; at = at === 0 ? -1 : text.lastIndexOf('{"id":"', at - 1)) {
          const lastId = RECORD_START.exec(text.slice(at, at + 32))?.[1]
          if (lastId !== undefined) return {fd, ino, dev, lastId, torn}
        }
        if (length === size) break
      }
      return {fd, ino, dev, lastId: undefined, torn}
    } catch (error) {
      this.fs.closeSync(fd)
      throw error
    }
  }

  /**
   * Appends a backup's record to the host's index (and closes it) without taking the folder's lock: one write(2) in
   * append mode, which the kernel never interleaves with another's, so concurrent backups never wait for each other.
   * Only a rewrite of the index (delete, under the lock) could lose the line, by renaming a new index over the one it
   * went to. Returns whether that may have happened (then see ensureRecorded; docs/backup-store.md).
   */
  private appendRecord(dir: string, index: OpenIndex, record: BackupRecord): boolean {
    try {
      this.writeRecord(index.fd, record, index.torn)
      return this.mayHaveRacedRewrite(dir, index)
    } finally {
      this.fs.closeSync(index.fd)
    }
  }

  /** Writes a record line through an index opened for appending, in one write(2). */
  private writeRecord(fd: number, record: BackupRecord, torn: boolean): void {
    // A line torn by a crash (or a full disk) must not swallow this one.
    const line = Buffer.from(`${torn ? '\n' : ''}${JSON.stringify(record)}\n`)
    // Never a second write for the rest: it could land after another process's line.
    if (this.fs.writeSync(fd, line) !== line.byteLength) throw Object.assign(new Error('short write to the index'), {code: 'ENOSPC'})
  }

  /** Under the folder's lock, appends the record again if a rewrite of the index lost it. */
  private async ensureRecorded(dir: string, record: BackupRecord): Promise<void> {
    await withLock(join(dir, INDEX), async () => {
      if (this.readIndex(dir).some((r) => r.id === record.id)) return
      if (this.fs.lstatSync(join(dir, record.fileName), {throwIfNoEntry: false}) === undefined) {
        throw new HatchError('CONFLICT', `A clean of ${record.host}'s backups that ran at the same time removed the new backup ${record.id}.`, {
          suggestions: ['Run the backup again.'],
        })
      }
      const fd = this.fs.openSync(join(dir, INDEX), 'a', FILE_MODE)
      try {
        this.writeRecord(fd, record, true)
      } finally {
        this.fs.closeSync(fd)
      }
    }, {lockfilePath: join(dir, LOCK)})
  }

  /**
   * Whether a line just appended to `index` may be lost to a rewrite: the folder's lock is held (a rewrite may be
   * between reading the index and renaming its new copy over it), or the index is no longer the file written to.
   */
  private mayHaveRacedRewrite(dir: string, index: OpenIndex): boolean {
    try {
      if (this.fs.lstatSync(join(dir, LOCK), {throwIfNoEntry: false}) !== undefined) return true
      const now = this.fs.statSync(join(dir, INDEX))
      return index.ino !== now.ino || index.dev !== now.dev
    } catch {
      return true
    }
  }

  /**
   * Replaces the index with `keep` of its records, under the folder's lock. Backups appended meanwhile (they take no
   * lock) change the file, which atomicWriteFileSync's hash check catches: the rewrite then starts again with them.
   */
  private rewriteIndex(dir: string, keep: (records: BackupInfo[]) => BackupInfo[]): void {
    const index = join(dir, INDEX)
    for (let attempt = 1; ; attempt++) {
      const current = readIfExists(index, this.fs)
      const records = keep(parseIndex(current?.toString('utf8') ?? '', dir, basename(dir)))
      const text = records.map((r) => `${JSON.stringify(recordOf(r))}\n`).join('')
      try {
        atomicWriteFileSync(index, Buffer.from(text), {mode: FILE_MODE, fs: this.fs, expectedSha256: current === null ? null : sha256(current)})
        return
      } catch (error) {
        if (!(isHatchError(error) && error.code === 'CONFLICT') || attempt === 20) throw error
      }
    }
  }

  private removeQuietly(path: string): void {
    try {
      this.fs.unlinkSync(path)
    } catch {
      // Never created, or already gone.
    }
  }

  /** The index's records, as backups of `dir` (whether or not their files still exist). */
  private readIndexText(dir: string): string {
    try {
      return readRegularFileSync(join(dir, INDEX), this.fs).toString('utf8')
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return ''
      throw fsError(error, 'read the backup index', join(dir, INDEX))
    }
  }

  /** A descriptor on a host's index, to read (never through a linked folder); undefined when the folder has none. */
  private openIndexToRead(dir: string): number | undefined {
    this.refuseLinks(dir)
    const index = join(dir, INDEX)
    try {
      return openRegularFileSync(index, this.fs)
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined
      throw fsError(error, 'read the backup index', index)
    }
  }

  private readIndex(dir: string): BackupInfo[] {
    return parseIndex(this.readIndexText(dir), dir, basename(dir))
  }

  /**
   * An indexed backup whose file exists, found by its id with a binary search of the index (records are in id order,
   * since ids only grow within a host), so a restore reads a few small pieces of the index whether it holds 10 or
   * 10,000 backups. Undefined when the search finds no valid record; the caller then falls back to list, which also
   * covers the rare record out of order (two backups racing) or a torn line in the way.
   */
  private findIndexed(host: string, id: string): BackupInfo | undefined {
    const dir = this.hostDir(host)
    const fd = this.openIndexToRead(dir)
    if (fd === undefined) return undefined
    try {
      const size = this.fs.fstatSync(fd).size
      const read = (from: number, to: number): Buffer => {
        const buf = Buffer.allocUnsafe(Math.max(0, Math.min(to, size) - from))
        return buf.subarray(0, this.fs.readSync(fd, buf, 0, buf.byteLength, from))
      }
      // The id of the first non-blank line starting at `pos` or later and before `limit`: one read of 2 KB (far more
      // than a record). null when none starts there; undefined when that line is not a record (torn, or too long).
      const probe = (pos: number, limit: number): {start: number; id: string | undefined} | null => {
        const from = Math.max(0, pos - 1)
        const chunk = read(from, Math.min(size, limit + 64, from + 2048))
        let i = pos === 0 ? 0 : chunk.indexOf(0x0a) + 1
        if (pos > 0 && i === 0) return from + chunk.byteLength >= limit ? null : {start: pos, id: undefined}
        while (chunk[i] === 0x0a) i++
        if (from + i >= limit) return null
        const id = RECORD_START.exec(chunk.toString('latin1', i, i + 32))?.[1]
        return {start: from + i, id}
      }
      // Narrow [lo, hi) down to a few KB that must hold the record, if it is in order.
      let lo = 0
      let hi = size
      while (hi - lo > 8192) {
        const mid = Math.floor((lo + hi) / 2)
        const line = probe(mid, hi)
        if (line === null) {
          hi = mid
          continue
        }
        if (line.id === undefined) return undefined
        if (line.id < id) lo = line.start + 1
        else hi = line.start
      }
      // The record starts in [lo, hi]. Records are written with "id" first (create's literal and BackupRecord's key
      // order), and are far shorter than 8 KB.
      const base = Math.max(0, lo - 1)
      const window = read(base, hi + 8192)
      const needle = `{"id":${JSON.stringify(id)},`
      let at = window.indexOf(needle)
      while (at !== -1 && !(base + at === 0 || window[at - 1] === 0x0a)) at = window.indexOf(needle, at + 1)
      if (at === -1) return undefined
      const end = window.indexOf(0x0a, at)
      if (end === -1 && base + window.byteLength < size) return undefined
      const backup = indexLine(window.toString('utf8', at, end === -1 ? undefined : end), dir, host)
      if (!backup) return undefined
      return this.fs.statSync(backup.path, {throwIfNoEntry: false}) === undefined ? undefined : backup
    } finally {
      this.fs.closeSync(fd)
    }
  }

  private unindexed(dir: string, host: string, name: string): BackupInfo | undefined {
    const parts = parseBackupFileName(name, host)
    const us = parts && microsFromId(parts.id)
    if (!parts || us === undefined) return undefined
    const path = join(dir, name)
    let bytes: Buffer
    try {
      bytes = readRegularFileSync(path, this.fs)
    } catch {
      return undefined
    }
    return {
      id: parts.id,
      host,
      fileName: name,
      createdAt: isoFromMicros(us),
      sha256: sha256(bytes),
      size: bytes.byteLength,
      sourcePath: '',
      sourceRealPath: '',
      sourceMode: FILE_MODE,
      reason: 'manual',
      hatchVersion: 'unknown',
      path,
      indexed: false,
    }
  }
}

/** A host's index, opened for appending a record, and what its tail said. */
interface OpenIndex {
  fd: number
  /** Which file was opened: a rewrite of the index puts a new one in its place. */
  ino: number
  dev: number
  /** The newest id recorded, if any. */
  lastId: string | undefined
  /** The index ends in a partial line (a crash or a full disk tore the last write). */
  torn: boolean
}

function fsyncInBackground(fs: Pick<StoreFs, 'fsync'>, fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (error) => (error ? reject(error) : resolve())))
}

/** Microseconds for the next id: now, or one past the newest id if the clock is behind it. */
function nextMicros(lastId: string | undefined): bigint {
  const now = nowMicros()
  const lastUs = lastId === undefined ? undefined : microsFromId(lastId)
  return lastUs !== undefined && lastUs >= now ? lastUs + 1n : now
}

function parseIndex(text: string, dir: string, host: string): BackupInfo[] {
  const records: BackupInfo[] = []
  for (const line of text.split('\n')) {
    const backup = line === '' ? undefined : indexLine(line, dir, host)
    if (backup) records.push(backup)
  }
  return records
}

/** Orders backups newest first: by id (UTC microseconds), then host. */
function newestFirst(a: BackupInfo, b: BackupInfo): number {
  return a.id < b.id ? 1 : a.id > b.id ? -1 : a.host < b.host ? -1 : a.host > b.host ? 1 : 0
}

function isNewestFirst(backups: readonly BackupInfo[]): boolean {
  for (let i = 1; i < backups.length; i++) if (newestFirst(backups[i - 1]!, backups[i]!) > 0) return false
  return true
}

/**
 * One index line as a backup of `dir`, or undefined. A line that does not parse (a write torn by a crash) is
 * skipped: its backup shows as unindexed. A record must name a file of this folder with its own id: an index is
 * never a way to reach other paths.
 */
function indexLine(line: string, dir: string, host: string): BackupInfo | undefined {
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch {
    return undefined
  }
  if (!isBackupRecord(record) || record.host !== host || parseBackupFileName(record.fileName, host)?.id !== record.id) return undefined
  // The parsed object is this function's own: adding the two fields in place is ~7x cheaper than a spread copy,
  // which is what keeps listing 10,000 backups fast.
  const backup = record as BackupInfo
  backup.path = dir + sep + record.fileName
  backup.indexed = true
  return backup
}
