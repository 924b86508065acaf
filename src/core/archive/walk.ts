import {lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats} from 'node:fs'
import {join, posix} from 'node:path'

import {errnoCode, fsError, HatchError} from '../errors.js'
import {MANIFEST_ENTRY_NAME} from './manifest.js'
import {symlinkEscape, symlinkStaysInside} from './tar/entry-safety.js'

/** One thing under SOURCE that goes into the archive, in archive order (a folder before its contents). */
export type SourceEntry =
  | {type: 'file'; path: string; abs: string; size: number; mode: number; mtime: number}
  | {type: 'directory'; path: string; abs: string; mode: number; mtime: number}
  | {type: 'symlink'; path: string; abs: string; target: string; mtime: number}

export interface SourceTree {
  /** SOURCE, canonical. */
  root: string
  rootMode: number
  rootMtime: number
  entries: SourceEntry[]
  fileCount: number
  totalBytes: number
  /** Things skipped (special files, links leaving SOURCE, vanished files), one sentence each. */
  warnings: string[]
}

const seconds = (st: Stats): number => Math.floor(st.mtimeMs / 1000)

/**
 * Lists SOURCE depth-first in a stable order (names sorted by code unit), without following any symlink: a link
 * is recorded as a link. Links that point outside SOURCE (or absolutely) and special files (sockets, FIFOs,
 * devices) are skipped with a warning, because restore would refuse them, and so are the `exclude` paths (absolute,
 * canonical: the output folder when it lies inside SOURCE).
 */
export function walkSource(source: string, exclude: readonly string[] = []): SourceTree {
  let root: string
  let st: Stats
  try {
    root = realpathSync(source)
    st = statSync(root)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
      throw new HatchError('CONFIG_NOT_FOUND', `The folder to archive, ${source}, does not exist.`, {cause: error, suggestions: ['Check the SOURCE path.']})
    }
    throw fsError(error, 'read the folder', source)
  }
  if (!st.isDirectory()) {
    throw new HatchError('INVALID_ARGUMENT', `${source} is not a folder; hatch archive create archives a whole folder.`, {
      suggestions: ['Name the folder that contains the file.'],
    })
  }
  const tree: SourceTree = {root, rootMode: st.mode & 0o7777, rootMtime: seconds(st), entries: [], fileCount: 0, totalBytes: 0, warnings: []}
  visit(tree, root, '', new Set(exclude))
  dropEscapingLinkChains(tree)
  return tree
}

/**
 * Links that each look fine but climb out (or loop) through other links: restore would refuse them, so skip them.
 * Every link found bad against the same set of links goes at once: all the links of a loop alike (dropping one
 * first would leave the others looking fine, to restore as dangling links). Then again with the links left, since
 * a link that resolved through a dropped one now reads differently.
 */
function dropEscapingLinkChains(tree: SourceTree): void {
  for (;;) {
    const links = new Map(tree.entries.flatMap((e) => (e.type === 'symlink' ? [[e.path, e.target] as const] : [])))
    const bad = new Set([...links.keys()].filter((l) => symlinkEscape(l, links) !== undefined))
    if (bad.size === 0) return
    for (const link of bad) {
      tree.warnings.push(`Skipped the symlink ${link} -> ${links.get(link)}: through other links it leads outside the folder (or loops), and restore refuses such links.`)
    }
    tree.entries = tree.entries.filter((e) => !bad.has(e.path))
  }
}

function visit(tree: SourceTree, dirAbs: string, dirRel: string, exclude: ReadonlySet<string>): void {
  let names: string[]
  try {
    names = readdirSync(dirAbs)
  } catch (error) {
    throw fsError(error, 'list the folder', dirAbs)
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (const name of names) {
    const abs = join(dirAbs, name)
    const rel = dirRel === '' ? name : `${dirRel}/${name}`
    if (exclude.has(abs)) {
      tree.warnings.push(`Skipped ${rel}: it is the folder the archive is being written to.`)
      continue
    }
    if (rel === MANIFEST_ENTRY_NAME) {
      tree.warnings.push(`Skipped ${rel}: the name is reserved for the archive's own file list.`)
      continue
    }
    let st: Stats
    try {
      st = lstatSync(abs)
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        tree.warnings.push(`Skipped ${rel}: it disappeared while the folder was being read.`)
        continue
      }
      throw fsError(error, 'read', abs)
    }
    if (st.isDirectory()) {
      tree.entries.push({type: 'directory', path: rel, abs, mode: st.mode & 0o7777, mtime: seconds(st)})
      visit(tree, abs, rel, exclude)
    } else if (st.isFile()) {
      tree.entries.push({type: 'file', path: rel, abs, size: st.size, mode: st.mode & 0o7777, mtime: seconds(st)})
      tree.fileCount++
      tree.totalBytes += st.size
    } else if (st.isSymbolicLink()) {
      const target = readlinkSync(abs)
      if (!symlinkStaysInside(rel, target)) {
        tree.warnings.push(`Skipped the symlink ${rel} -> ${target}: it points outside the folder, and restore refuses such links.`)
        continue
      }
      tree.entries.push({type: 'symlink', path: rel, abs, target, mtime: seconds(st)})
    } else {
      tree.warnings.push(`Skipped ${rel}: it is a special file (socket, FIFO or device), which archives do not hold.`)
    }
  }
}

/** Normalizes a relative POSIX path for comparisons (no `.`, no empty parts). */
export function normalizeRelative(p: string): string {
  return posix.normalize(p).replace(/\/+$/, '')
}
