import {createHash} from 'node:crypto'
import type {FileHandle} from 'node:fs/promises'

import type {Identity} from './age/index.js'
import {errnoCode, fsError, HatchError} from '../errors.js'
import {openRegularFile} from '../fs/regular-file.js'
import type {ProgressCallback} from './progress.js'
import {readArchive} from './read.js'
import {readSidecar, sidecarPathFor, type Sidecar} from './sidecar.js'

export interface VerifyOptions {
  archive: string
  /** The sidecar to check against, when it is not NAME.json beside the archive; it must then exist. */
  sidecarPath?: string
  /** With identities, every file is decrypted and re-hashed too (like `restic check --read-data`). */
  identities?: Identity[]
  onProgress?: ProgressCallback
}

export interface VerifyResult {
  archive: string
  /** 'ok' when the archive's SHA-256 and size match its sidecar; 'missing' when there is no sidecar. */
  sidecar: 'ok' | 'missing'
  sha256: string
  size: number
  /** 'ok' when decrypted and every file matched its recorded SHA-256; 'not-checked' without a key. */
  contents: 'ok' | 'not-checked'
  files?: number
  bytes?: number
}

async function hashFile(path: string, onProgress?: ProgressCallback): Promise<{sha256: string; size: number}> {
  const hash = createHash('sha256')
  let size = 0
  let handle: FileHandle | undefined
  try {
    handle = await openRegularFile(path)
    for await (const chunk of handle.createReadStream({highWaterMark: 1024 * 1024, autoClose: false})) {
      hash.update(chunk as Buffer)
      size += (chunk as Buffer).length
      onProgress?.({bytes: size, files: 0})
    }
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new HatchError('BACKUP_NOT_FOUND', `The archive ${path} does not exist.`, {cause: error})
    throw fsError(error, 'read the archive', path)
  } finally {
    await handle?.close()
  }
  return {sha256: hash.digest('hex'), size}
}

function checkSidecar(archive: string, sidecar: Sidecar, actual: {sha256: string; size: number}): void {
  if (sidecar.sha256 !== actual.sha256 || sidecar.archiveSize !== actual.size) {
    throw new HatchError('CHECKSUM_MISMATCH', `The archive ${archive} does not match its sidecar: the file was changed, truncated or corrupted after it was written.`, {
      suggestions: ['Use another copy of the archive.', 'With the key, `hatch archive verify ARCHIVE --identity FILE` shows whether the contents still decrypt.'],
    })
  }
}

/**
 * Checks an archive. Without a key: its SHA-256 and size against the sidecar (`NAME.json`), which must exist.
 * With a key: the same when a sidecar exists, then a full read: decryption (every chunk authenticated), every
 * entry through the restore safety rules, every file re-hashed against the manifest. Any damage throws.
 */
export async function verifyArchive(o: VerifyOptions): Promise<VerifyResult> {
  const sidecarPath = o.sidecarPath ?? sidecarPathFor(o.archive)
  const sidecar = sidecarPath === undefined ? undefined : readSidecar(sidecarPath)
  if (o.sidecarPath !== undefined && sidecar === undefined) {
    throw new HatchError('BACKUP_NOT_FOUND', `The sidecar ${o.sidecarPath} does not exist.`, {suggestions: ['Name the NAME.json file written beside the archive, or leave it out to use that one.']})
  }
  if (sidecar === undefined && o.identities === undefined) {
    throw new HatchError('BACKUP_NOT_FOUND', `The archive ${o.archive} has no sidecar (${sidecarPath ?? 'NAME.json'}) to check it against.`, {
      suggestions: ['Check it with its key instead: hatch archive verify ARCHIVE --identity FILE, or with a passphrase option.'],
    })
  }
  let actual: {sha256: string; size: number} | undefined
  if (sidecar !== undefined) {
    actual = await hashFile(o.archive, o.onProgress)
    checkSidecar(o.archive, sidecar, actual)
  }
  if (o.identities === undefined) {
    return {archive: o.archive, sidecar: 'ok', sha256: actual!.sha256, size: actual!.size, contents: 'not-checked'}
  }
  const read = await readArchive(o.archive, {identities: o.identities, onProgress: o.onProgress})
  if (read.manifest === undefined) {
    throw new HatchError('CHECKSUM_MISMATCH', `The archive ${o.archive} decrypts, but holds no hatch file list, so its files cannot be checked.`, {
      suggestions: ['It was not made by hatch (or its file list was removed); restore it to look at its contents.'],
    })
  }
  if (actual === undefined) actual = await hashFile(o.archive)
  const files = read.entries.filter((e) => e.type === 'file')
  return {
    archive: o.archive,
    sidecar: sidecar === undefined ? 'missing' : 'ok',
    sha256: actual.sha256,
    size: actual.size,
    contents: 'ok',
    files: files.length,
    bytes: files.reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0),
  }
}
