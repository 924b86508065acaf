import type {Identity} from './age/index.js'
import type {ManifestEntry} from './manifest.js'
import type {ProgressCallback} from './progress.js'
import {readArchive, type FoundEntry} from './read.js'
import {listSidecars, type SidecarListing} from './sidecar.js'

/** The archives in a folder, from their sidecars, newest first (no key needed, nothing decrypted). */
export function listArchives(dir: string): SidecarListing {
  return listSidecars(dir)
}

export interface ArchiveFiles {
  archive: string
  /** From the encrypted file list (or from the tar entries for an archive hatch did not make). */
  entries: Array<ManifestEntry | FoundEntry>
  fromManifest: boolean
}

/** The files inside one archive. Needs the key: the list travels encrypted, and the whole archive is checked. */
export async function listArchiveFiles(archive: string, identities: Identity[], onProgress?: ProgressCallback): Promise<ArchiveFiles> {
  const read = await readArchive(archive, {identities, onProgress})
  return read.manifest === undefined
    ? {archive, entries: read.entries, fromManifest: false}
    : {archive, entries: read.manifest.entries, fromManifest: true}
}
