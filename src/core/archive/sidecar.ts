import {closeSync, constants, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import * as z from 'zod'

import {errnoCode, fsError, HatchError} from '../errors.js'
import {atomicWriteFileSync} from '../fs/atomic-write.js'
import {openRegularFileSync} from '../fs/regular-file.js'
import {archiveFileName, nameOfArchive, SIDECAR_EXTENSION, sidecarFileName} from './naming.js'

/**
 * The plaintext `NAME.json` beside `NAME.tar.gz.age`: what `list` shows and what `verify` without a key checks.
 * It holds no file names and no secret; the file list is inside the encrypted archive. Fields are only added.
 */
export const SIDECAR_FORMAT = 'hatch-archive'
export const SIDECAR_VERSION = 1

export const ArchiveEncryption = z.discriminatedUnion('kind', [
  z.object({kind: z.literal('passphrase'), kdf: z.literal('scrypt'), logN: z.number().int(), r: z.number().int(), p: z.number().int()}),
  z.object({kind: z.literal('x25519'), recipients: z.array(z.string())}),
])
export type ArchiveEncryption = z.infer<typeof ArchiveEncryption>

export const Sidecar = z.object({
  format: z.literal(SIDECAR_FORMAT),
  formatVersion: z.literal(SIDECAR_VERSION),
  name: z.string(),
  /** The archive's file name, beside this sidecar. */
  file: z.string(),
  createdAt: z.string(),
  /** The folder that was archived (absolute path). */
  source: z.string(),
  fileCount: z.number().int().nonnegative(),
  directoryCount: z.number().int().nonnegative(),
  symlinkCount: z.number().int().nonnegative(),
  /** Sum of the archived files' sizes. */
  originalSize: z.number().int().nonnegative(),
  archiveSize: z.number().int().nonnegative(),
  /** archiveSize / originalSize (0 for an archive of empty files). */
  compressionRatio: z.number().nonnegative(),
  encryption: ArchiveEncryption,
  /** SHA-256 of the whole NAME.tar.gz.age file. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  hatchVersion: z.string(),
})
export type Sidecar = z.infer<typeof Sidecar>

/** Writes `NAME.json` atomically (temp, fsync, rename), refusing to replace an existing one. */
export function writeSidecar(dir: string, sidecar: Sidecar): string {
  const path = join(dir, sidecarFileName(sidecar.name))
  atomicWriteFileSync(path, Buffer.from(`${JSON.stringify(sidecar, null, 2)}\n`, 'utf8'), {expectedSha256: null, mode: 0o600})
  return path
}

/** The sidecar path for an archive path (`x/NAME.tar.gz.age` → `x/NAME.json`). */
export function sidecarPathFor(archivePath: string): string | undefined {
  const name = nameOfArchive(archivePath)
  return name === undefined ? undefined : join(archivePath, '..', sidecarFileName(name))
}

/**
 * Reads and checks a sidecar; undefined when it does not exist. A sidecar is never read through a symbolic link:
 * the MCP archive tools check that a path stays inside the allowed folders and then read it, and a link put there
 * in between must not send that read elsewhere.
 */
export function readSidecar(path: string): Sidecar | undefined {
  let text: string
  try {
    const fd = openRegularFileSync(path, undefined, constants.O_NOFOLLOW ?? 0)
    try {
      text = readFileSync(fd, 'utf8')
    } finally {
      closeSync(fd)
    }
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined
    if (errnoCode(error) === 'ELOOP') throw invalidSidecar(path, 'it is a symbolic link, which hatch does not follow here')
    throw fsError(error, 'read the archive sidecar', path)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw invalidSidecar(path, 'it is not valid JSON', error)
  }
  const parsed = Sidecar.safeParse(json)
  if (!parsed.success) throw invalidSidecar(path, parsed.error.issues[0]?.message ?? 'unexpected content')
  return parsed.data
}

function invalidSidecar(path: string, why: string, cause?: unknown): HatchError {
  return new HatchError('INVALID_CONFIG', `The archive sidecar ${path} is not usable: ${why}.`, {
    cause,
    suggestions: ['Check the archive with its key instead: hatch archive verify ARCHIVE --identity FILE (or a passphrase option).'],
  })
}

export interface SidecarListing {
  sidecars: Array<Sidecar & {path: string; sidecarPath: string}>
  /** Problems found while listing (unreadable sidecars, archives without one); nothing is skipped silently. */
  warnings: string[]
  /** Archives in the folder with no sidecar: never listed as backups, never pruned. */
  orphans: string[]
}

/** Every archive in `dir` that has a valid sidecar, newest first. */
export function listSidecars(dir: string): SidecarListing {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
      throw new HatchError('BACKUP_NOT_FOUND', `The archive folder ${dir} does not exist.`, {
        cause: error,
        suggestions: ['Name the folder you gave to `hatch archive create --output`.'],
      })
    }
    throw fsError(error, 'list the archive folder', dir)
  }
  const present = new Set(names)
  const listing: SidecarListing = {sidecars: [], warnings: [], orphans: []}
  const withSidecar = new Set<string>()
  for (const entry of names) {
    if (!entry.endsWith(SIDECAR_EXTENSION) || entry.startsWith('.')) continue
    const name = entry.slice(0, -SIDECAR_EXTENSION.length)
    if (!present.has(archiveFileName(name))) continue // some other JSON file
    const sidecarPath = join(dir, entry)
    try {
      const sidecar = readSidecar(sidecarPath)
      if (sidecar === undefined) continue
      if (sidecar.file !== archiveFileName(name)) {
        listing.warnings.push(`${entry} describes ${sidecar.file}, not ${archiveFileName(name)}; ignored.`)
        continue
      }
      withSidecar.add(sidecar.file)
      listing.sidecars.push({...sidecar, path: join(dir, sidecar.file), sidecarPath})
    } catch (error) {
      listing.warnings.push(error instanceof Error ? error.message : String(error))
    }
  }
  for (const entry of names) {
    if (nameOfArchive(entry) !== undefined && !entry.startsWith('.') && !withSidecar.has(entry)) listing.orphans.push(join(dir, entry))
  }
  listing.sidecars.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.name < b.name ? 1 : -1))
  return listing
}
