import {randomBytes} from 'node:crypto'
import * as fs from 'node:fs'
import {mkdir} from 'node:fs/promises'
import {join, resolve} from 'node:path'

import {toHatchError, type Recipient} from './age/index.js'
import {errnoCode, fsError, HatchError, isHatchError} from '../errors.js'
import {fsyncDirectory} from '../fs/atomic-write.js'
import {withLock} from '../fs/lock.js'
import {publishWithoutReplacing} from '../fs/publish.js'
import {onInterrupt} from '../process/shutdown.js'
import {DEFAULT_GZIP_LEVEL} from './gzip/compress-block.js'
import {manifestTotals} from './manifest.js'
import {archiveFileName, checkArchiveName, defaultArchiveName, sidecarFileName} from './naming.js'
import type {ProgressCallback} from './progress.js'
import {SIDECAR_FORMAT, SIDECAR_VERSION, writeSidecar, type ArchiveEncryption, type Sidecar} from './sidecar.js'
import {walkSource} from './walk.js'
import {writeArchive} from './write-archive.js'

export type CreateStep = 'walked' | 'written' | 'synced' | 'linked'

export interface CreateOptions {
  source: string
  outputDir: string
  name?: string
  recipients: Recipient[]
  encryption: ArchiveEncryption
  hatchVersion: string
  now?: Date
  onProgress?: ProgressCallback
  gzipLevel?: number
  /** Test hook, called after each step; a throw there simulates an interruption at that point. */
  afterStep?: (step: CreateStep) => void | Promise<void>
}

export interface CreateResult {
  archive: string
  sidecar: string
  info: Sidecar
  /** Things skipped (special files, links leaving SOURCE), one sentence each. */
  warnings: string[]
}

/**
 * Archives SOURCE into OUTPUT/NAME.tar.gz.age and writes OUTPUT/NAME.json: walk → tar (pax, manifest last) →
 * gzip (parallel members) → age → a hidden temp file, fsynced, then linked into place (never replacing an
 * existing archive), the folder fsynced, and only then the sidecar written atomically. On any failure the temp
 * file (and an archive without its sidecar) is removed, so nothing that looks like a backup is left behind.
 */
export async function createArchive(o: CreateOptions): Promise<CreateResult> {
  const now = o.now ?? new Date()
  const name = o.name === undefined ? defaultArchiveName(resolve(o.source), now) : checkArchiveName(o.name)
  const outputDir = resolve(o.outputDir)
  try {
    await mkdir(outputDir, {recursive: true, mode: 0o700})
  } catch (error) {
    throw fsError(error, 'create the output folder', outputDir)
  }
  const finalPath = join(outputDir, archiveFileName(name))
  const sidecarPath = join(outputDir, sidecarFileName(name))
  return withLock(join(outputDir, '.hatch-archive'), async () => {
    for (const p of [finalPath, sidecarPath]) {
      if (fs.existsSync(p)) {
        throw new HatchError('CONFLICT', `${p} already exists; hatch never replaces an archive.`, {suggestions: ['Choose another --name, or prune old archives.']})
      }
    }
    const tree = walkSource(o.source, [fs.realpathSync(outputDir)])
    await o.afterStep?.('walked')
    const createdAt = now.toISOString()
    const tmp = join(outputDir, `.${archiveFileName(name)}.${randomBytes(6).toString('hex')}.hatch-tmp`)
    let linked = false
    let fd: number | undefined
    // Interrupted by a signal, nothing that looks like a backup stays: the temp file, or an archive without its sidecar.
    const forget = onInterrupt(() => {
      removeQuietly(tmp)
      if (linked) removeQuietly(finalPath)
    })
    try {
      const totalFiles = tree.fileCount
      const totalBytes = tree.totalBytes
      const onPack = (bytes: number, files: number) => o.onProgress?.({bytes, totalBytes, files, totalFiles})
      fd = fs.openSync(tmp, 'wx', 0o600)
      const written = await writeArchive({tree, createdAt, fd, recipients: o.recipients, level: o.gzipLevel ?? DEFAULT_GZIP_LEVEL, onProgress: onPack})
      await o.afterStep?.('written')
      fs.fsyncSync(fd)
      fs.closeSync(fd)
      fd = undefined
      await o.afterStep?.('synced')
      if (!publishWithoutReplacing(tmp, finalPath)) {
        throw new HatchError('CONFLICT', `${finalPath} appeared while the archive was being written; it was left as it is.`)
      }
      linked = true
      fsyncDirectory(outputDir, fs)
      await o.afterStep?.('linked')
      const totals = manifestTotals(written.manifest.entries)
      const info: Sidecar = {
        format: SIDECAR_FORMAT,
        formatVersion: SIDECAR_VERSION,
        name,
        file: archiveFileName(name),
        createdAt,
        source: tree.root,
        fileCount: totals.files,
        directoryCount: totals.directories,
        symlinkCount: totals.symlinks,
        originalSize: totals.bytes,
        archiveSize: written.size,
        compressionRatio: totals.bytes === 0 ? 0 : Math.round((written.size / totals.bytes) * 10_000) / 10_000,
        encryption: o.encryption,
        sha256: written.sha256,
        hatchVersion: o.hatchVersion,
      }
      writeSidecar(outputDir, info)
      forget()
      return {archive: finalPath, sidecar: sidecarPath, info, warnings: tree.warnings}
    } catch (error) {
      if (linked) removeQuietly(finalPath)
      throw isHatchError(error) ? error : errnoCode(error) === undefined ? toHatchError(error, 'the new archive') : fsError(error, 'write the archive', finalPath)
    } finally {
      forget()
      if (fd !== undefined) closeQuietly(fd)
      removeQuietly(tmp)
    }
  })
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd)
  } catch {
    // already closed
  }
}

function removeQuietly(path: string): void {
  try {
    fs.unlinkSync(path)
  } catch {
    // already gone
  }
}
