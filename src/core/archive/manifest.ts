import * as z from 'zod'

import {HatchError} from '../errors.js'

/**
 * The list of files that travels *inside* the encrypted archive, as its last tar entry (its hashes are known only
 * once every file has been read). Never written in plaintext. See docs/archive-format.md.
 */
export const MANIFEST_ENTRY_NAME = '.hatch-manifest.json'
export const MANIFEST_FORMAT = 'hatch-archive-manifest'
export const MANIFEST_VERSION = 1

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/)
const Mode = z.number().int().min(0).max(0o7777)
/** Whole seconds since the epoch (tar's resolution). */
const Mtime = z.number().int()

export const ManifestEntry = z.discriminatedUnion('type', [
  z.object({type: z.literal('file'), path: z.string().min(1), size: z.number().int().nonnegative(), mode: Mode, mtime: Mtime, sha256: Sha256}),
  z.object({type: z.literal('directory'), path: z.string().min(1), mode: Mode, mtime: Mtime}),
  z.object({type: z.literal('symlink'), path: z.string().min(1), target: z.string().min(1)}),
])
export type ManifestEntry = z.infer<typeof ManifestEntry>

export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  createdAt: z.string(),
  /** The archived folder's own permissions and mtime (applied when restore creates DIR). */
  root: z.object({mode: Mode, mtime: Mtime}),
  entries: z.array(ManifestEntry),
})
export type Manifest = z.infer<typeof Manifest>

export function encodeManifest(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest)}\n`, 'utf8')
}

/** Parses the manifest entry's bytes; anything unexpected means the archive is not one hatch can trust. */
export function decodeManifest(bytes: Buffer): Manifest {
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw badManifest('it is not valid JSON', error)
  }
  const parsed = Manifest.safeParse(json)
  if (!parsed.success) throw badManifest(parsed.error.issues[0]?.message ?? 'unexpected content')
  const seen = new Set<string>()
  for (const entry of parsed.data.entries) {
    if (seen.has(entry.path)) throw badManifest(`it lists ${JSON.stringify(entry.path)} twice`)
    seen.add(entry.path)
  }
  return parsed.data
}

function badManifest(why: string, cause?: unknown): HatchError {
  return new HatchError('CHECKSUM_MISMATCH', `The archive's file list (${MANIFEST_ENTRY_NAME}) is unreadable: ${why}.`, {
    cause,
    suggestions: ['The archive was not written by hatch, or was altered before it was encrypted; use another copy.'],
  })
}

export interface ManifestTotals {
  files: number
  directories: number
  symlinks: number
  bytes: number
}

export function manifestTotals(entries: readonly ManifestEntry[]): ManifestTotals {
  const totals: ManifestTotals = {files: 0, directories: 0, symlinks: 0, bytes: 0}
  for (const e of entries) {
    if (e.type === 'file') {
      totals.files++
      totals.bytes += e.size
    } else if (e.type === 'directory') totals.directories++
    else totals.symlinks++
  }
  return totals
}
