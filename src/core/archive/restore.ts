import * as fs from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'

import type {Identity} from './age/index.js'
import {errnoCode, fsError, HatchError} from '../errors.js'
import {fsyncDirectory} from '../fs/atomic-write.js'
import {onInterrupt} from '../process/shutdown.js'
import {stagingWriter} from './worker-staged-writer.js'
import {safeEntryPath} from './tar/entry-safety.js'
import type {ProgressCallback} from './progress.js'
import {readArchive, type FoundEntry} from './read.js'

export interface RestoreOptions {
  archive: string
  to: string
  identities: Identity[]
  /** Allow restoring into a non-empty DIR (and replacing files there that the archive also holds). */
  overwrite?: boolean
  /** Restore only this path (a file, a symlink, or a folder and everything under it). */
  file?: string
  onProgress?: ProgressCallback
}

export interface RestoreResult {
  to: string
  files: number
  directories: number
  symlinks: number
  bytes: number
  /** True when every file was checked against the SHA-256 recorded in the archive's file list. */
  verified: boolean
  warnings: string[]
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined
    throw fsError(error, 'inspect', p)
  }
}

function conflict(message: string, suggestion: string): HatchError {
  return new HatchError('CONFLICT', message, {suggestions: [suggestion]})
}

/**
 * Restores an archive into DIR. Everything is first written to a temp folder beside DIR (new files only, opened
 * with O_EXCL|O_NOFOLLOW, never inside a symlink); only when the archive decrypted completely, every entry passed
 * the safety rules and every file matched its SHA-256 is anything moved into DIR: by one rename when DIR is
 * missing or empty, else entry by entry (with --overwrite, or for --file). A wrong key, damage, truncation or any
 * mismatch leaves DIR exactly as it was.
 */
export async function restoreArchive(o: RestoreOptions): Promise<RestoreResult> {
  // A DIR that is itself a symlink is used through its canonical path (the user named it); nothing inside is followed.
  const to = fs.existsSync(resolve(o.to)) ? fs.realpathSync(resolve(o.to)) : resolve(o.to)
  const only = o.file === undefined ? undefined : safeSelection(o.file)
  const select = only === undefined ? undefined : (p: string) => p === only || p.startsWith(`${only}/`)
  const state = destinationState(to)
  if (only === undefined && state === 'non-empty' && !o.overwrite) {
    throw conflict(`${to} is not empty; nothing was restored.`, 'Restore into a new or empty folder, or pass --overwrite to replace the files the archive holds.')
  }
  if (only !== undefined && !o.overwrite && lstatOrUndefined(join(to, only)) !== undefined) {
    throw conflict(`${join(to, only)} already exists; nothing was restored.`, 'Pass --overwrite to replace it.')
  }
  const parent = dirname(to)
  try {
    fs.mkdirSync(parent, {recursive: true})
  } catch (error) {
    throw fsError(error, 'create the folder', parent)
  }
  let stage: string
  try {
    stage = await mkdtemp(join(parent, `.${basename(to)}.hatch-restore-`))
  } catch (error) {
    throw fsError(error, 'create a temporary folder beside', to)
  }
  const warnings: string[] = []
  const writer = stagingWriter()
  // Interrupted by a signal, the staged tree goes; DIR is as it was (unless the merge had begun moving entries).
  const forget = onInterrupt(() => fs.rmSync(stage, {recursive: true, force: true}))
  try {
    const staged: FoundEntry[] = []
    const result = await readArchive(o.archive, {
      identities: o.identities,
      select,
      onProgress: o.onProgress,
      handler: {
        directory(e) {
          fs.mkdirSync(join(stage, e.path), {recursive: true, mode: 0o700})
          staged.push(e)
        },
        symlink(e) {
          fs.mkdirSync(dirname(join(stage, e.path)), {recursive: true, mode: 0o700})
          fs.symlinkSync(e.target, join(stage, e.path))
          staged.push(e)
        },
        file(e) {
          return writer.file(join(stage, e.path), (found) => staged.push(found))
        },
      },
    })
    await writer.finish()
    if (result.manifest === undefined) {
      warnings.push('The archive has no hatch file list (it was not made by hatch): its bytes were authenticated by age, but there were no recorded SHA-256 sums to check files against.')
    }
    if (only !== undefined && staged.length === 0) {
      throw new HatchError('BACKUP_NOT_FOUND', `The archive holds nothing at ${JSON.stringify(only)}; nothing was restored.`, {
        suggestions: ['List its files with `hatch archive list ARCHIVE --files`.'],
      })
    }
    const dirs = staged.filter((e): e is FoundEntry & {type: 'directory'} => e.type === 'directory')
    if (only === undefined && state !== 'non-empty') {
      // Fast path: the staged tree becomes DIR in one rename (over an empty DIR, which rename(2) allows).
      applyDirectoryAttributes(stage, dirs)
      const root = result.manifest?.root
      if (root !== undefined) {
        fs.chmodSync(stage, root.mode & 0o777)
        fs.utimesSync(stage, root.mtime, root.mtime)
      } else fs.chmodSync(stage, 0o755 & ~process.umask())
      if (destinationState(to) !== state) throw conflict(`${to} changed while the archive was being restored; nothing was restored.`, 'Run the command again.')
      try {
        fs.renameSync(stage, to)
      } catch (error) {
        if (['ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(errnoCode(error) ?? '')) {
          throw conflict(`${to} changed while the archive was being restored; nothing was restored.`, 'Run the command again.')
        }
        throw fsError(error, 'move the restored folder into place at', to)
      }
      fsyncDirectory(parent, fs)
    } else {
      mergeInto(stage, to, staged, Boolean(o.overwrite))
    }
    const counts = {files: 0, directories: 0, symlinks: 0, bytes: 0}
    for (const e of staged) {
      if (e.type === 'file') {
        counts.files++
        counts.bytes += e.size
      } else if (e.type === 'directory') counts.directories++
      else counts.symlinks++
    }
    return {to, ...counts, verified: result.manifest !== undefined, warnings}
  } finally {
    await writer.settle()
    await rm(stage, {recursive: true, force: true}).catch(() => {})
    forget()
  }
}

/** `--file`, as an entry path. A path that could not be inside an archive is the user's mistake, not the archive's. */
function safeSelection(file: string): string {
  const path = safeEntryPath(file.replace(/\\/g, '/'), process.platform, (name, why) => badSelection(`--file ${JSON.stringify(name)} ${why}`))
  if (path === '') throw badSelection('--file names the archive\'s root, not a path inside it')
  return path
}

function badSelection(problem: string): HatchError {
  return new HatchError('INVALID_ARGUMENT', `${problem}; it must name a path inside the archive, as \`hatch archive list ARCHIVE --files\` shows them.`, {
    suggestions: ['For example: --file notes/todo.txt'],
  })
}

function destinationState(to: string): 'missing' | 'empty' | 'non-empty' {
  const st = lstatOrUndefined(to)
  if (st === undefined) return 'missing'
  if (!st.isDirectory()) throw conflict(`${to} exists and is not a folder; nothing was restored.`, 'Choose another --to folder.')
  return fs.readdirSync(to).length === 0 ? 'empty' : 'non-empty'
}

/** Deepest first, so a read-only folder is closed only after everything inside it is in place. */
function applyDirectoryAttributes(base: string, dirs: ReadonlyArray<FoundEntry & {type: 'directory'}>): void {
  for (const d of [...dirs].sort((a, b) => b.path.length - a.path.length)) {
    const p = join(base, d.path)
    fs.chmodSync(p, d.mode)
    fs.utimesSync(p, d.mtime, d.mtime)
  }
}

/**
 * Moves staged entries into an existing DIR one by one. Planned completely first: every folder on the way must be
 * a real folder (never a symlink, which would carry the write elsewhere), and nothing may be replaced unless
 * `overwrite`; only then is anything renamed. Files and links replace atomically (rename).
 */
function mergeInto(stage: string, to: string, staged: readonly FoundEntry[], overwrite: boolean): void {
  fs.mkdirSync(to, {recursive: true})
  const wanted = new Map<string, FoundEntry['type'] | 'parent'>()
  for (const e of staged) {
    const parts = e.path.split('/')
    for (let i = 1; i < parts.length; i++) if (!wanted.has(parts.slice(0, i).join('/'))) wanted.set(parts.slice(0, i).join('/'), 'parent')
    wanted.set(e.path, e.type)
  }
  const created: string[] = []
  for (const [path, type] of [...wanted].sort(([a], [b]) => a.split('/').length - b.split('/').length)) {
    const st = lstatOrUndefined(join(to, path))
    if (st === undefined) continue
    if (type === 'directory' || type === 'parent') {
      if (!st.isDirectory()) throw conflict(`${join(to, path)} exists and is not a folder (or is a symlink); nothing was restored.`, 'Move it away and run the command again.')
    } else {
      if (st.isDirectory()) throw conflict(`${join(to, path)} is a folder, but the archive holds a ${type} there; nothing was restored.`, 'Move it away and run the command again.')
      if (!overwrite) {
        throw conflict(`${join(to, path)} already exists; nothing was restored.`, 'Pass --overwrite to replace it.')
      }
    }
  }
  for (const [path, type] of [...wanted].sort(([a], [b]) => a.split('/').length - b.split('/').length)) {
    const target = join(to, path)
    if (type === 'directory' || type === 'parent') {
      if (lstatOrUndefined(target) === undefined) {
        fs.mkdirSync(target, {mode: 0o700})
        if (type === 'directory') created.push(path)
      }
    } else {
      fs.renameSync(join(stage, path), target)
    }
  }
  const dirs = staged.filter((e): e is FoundEntry & {type: 'directory'} => e.type === 'directory' && created.includes(e.path))
  applyDirectoryAttributes(to, dirs)
}
