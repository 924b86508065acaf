import {basename} from 'node:path'

import {HatchError} from '../errors.js'

/** The archive file's extension: tar, then gzip, then age. */
export const ARCHIVE_EXTENSION = '.tar.gz.age'
/** The plaintext sidecar beside each archive: `NAME.json`. */
export const SIDECAR_EXTENSION = '.json'

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

export function archiveFileName(name: string): string {
  return `${name}${ARCHIVE_EXTENSION}`
}

export function sidecarFileName(name: string): string {
  return `${name}${SIDECAR_EXTENSION}`
}

/** `NAME` of `…/NAME.tar.gz.age`, or undefined when the file is not named like an archive. */
export function nameOfArchive(path: string): string | undefined {
  const base = basename(path)
  return base.endsWith(ARCHIVE_EXTENSION) && base.length > ARCHIVE_EXTENSION.length ? base.slice(0, -ARCHIVE_EXTENSION.length) : undefined
}

/** `SOURCE-YYYYMMDD-HHMMSS` (UTC): sorts by time, and names what was archived. */
export function defaultArchiveName(source: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  const base = basename(source).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 100)
  return `${base === '' ? 'archive' : base}-${stamp}`
}

/**
 * Checks a user-given archive name: letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 128
 * characters (so it can never be a path). A trailing `.tar.gz.age` is accepted and dropped.
 */
export function checkArchiveName(name: string): string {
  const bare = name.endsWith(ARCHIVE_EXTENSION) ? name.slice(0, -ARCHIVE_EXTENSION.length) : name
  if (!NAME_PATTERN.test(bare)) {
    throw new HatchError('INVALID_ARGUMENT', `The archive name ${JSON.stringify(name)} is not allowed.`, {
      suggestions: ['Use letters, digits, ".", "_" and "-" only, starting with a letter or digit (at most 128 characters), e.g. --name projects-weekly.'],
    })
  }
  return bare
}
