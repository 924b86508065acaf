import {lstat, readdir} from 'node:fs/promises'
import {basename} from 'node:path'

import * as z from 'zod'

import {errnoCode, fsError, HatchError} from '../../errors.js'
import {readSidecar, sidecarPathFor, type Sidecar} from '../../archive/sidecar.js'
import {archiveCore, archiveServices, callKeys, identitiesFor, isAllowedRoot, PasswordArg, SeedArchiveFields, seedFields} from '../archive.js'
import {withConsent} from '../consent.js'
import {ArchivePathArg, ConfirmationTokenArg, PathArg} from '../schemas.js'
import {defineTool, DESTRUCTIVE} from '../types.js'
import {count} from '../../text/plural.js'

/**
 * The `--json` shape of `hatch archive restore` (to, files, directories, symlinks, bytes, verified, warnings), plus
 * the status, for a preview what would be written where and the token, and seed 000's fields.
 */
export const RestoreArchiveOutput = z.object({
  status: z.enum(['preview', 'restored']),
  /** True for a preview: nothing was written. */
  dryRun: z.boolean(),
  /** The archive (canonical path). */
  archive: z.string(),
  /** The folder restored into (canonical path). */
  to: z.string(),
  /** The folder as it is now (preview): missing, empty, or non-empty (then only with overwrite). */
  target: z.enum(['missing', 'empty', 'non-empty']).optional(),
  overwrite: z.boolean(),
  /** Preview: from the sidecar (null when the archive has none); restored: what was written. */
  files: z.number().int().nonnegative().nullable(),
  directories: z.number().int().nonnegative().nullable(),
  symlinks: z.number().int().nonnegative().nullable(),
  bytes: z.number().int().nonnegative().nullable(),
  /** Restored: every file was checked against the SHA-256 recorded in the archive. */
  verified: z.boolean().optional(),
  warnings: z.array(z.string()).optional(),
  /** Preview only: pass it back, with the same arguments, to carry out this restore. Single use. */
  confirmation_token: z.string().optional(),
  expires_in_seconds: z.number().int().optional(),
  /** Seed 000's name for the folder restored into (`to`). */
  restored_to: z.string(),
}).extend(SeedArchiveFields.shape)
type RestoreArchiveOutput = z.infer<typeof RestoreArchiveOutput>

type TargetState = 'missing' | 'empty' | 'non-empty'

/** What the target folder is now (the core checks again, right before it moves anything into place). */
async function targetState(to: string): Promise<TargetState> {
  let isDir: boolean
  try {
    isDir = (await lstat(to)).isDirectory()
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'missing'
    throw fsError(error, 'inspect', to)
  }
  if (!isDir) throw new HatchError('CONFLICT', `${to} exists and is not a folder; nothing was restored.`, {suggestions: ['Choose another folder for output_directory.']})
  return (await readdir(to)).length === 0 ? 'empty' : 'non-empty'
}

function describe(s: Sidecar | undefined): string {
  return s === undefined ? 'an archive without a sidecar (sizes unknown until it is decrypted)' : `${count(s.fileCount, 'file')} (${count(s.originalSize, 'byte')}), ${count(s.directoryCount, 'folder')}, ${count(s.symlinkCount, 'symlink')}`
}

export const restoreSecureBackup = defineTool({
  name: 'restore_secure_backup',
  title: 'Restore an encrypted archive into a folder',
  description:
    'Restores an archive (backup_file: NAME.tar.gz.age) into a folder (output_directory); both must be inside the directories the server was started with (--allow-dir), and the folder must be below one of them, not one itself. ' +
    'The folder must be missing or empty unless overwrite is true (then same-named files are replaced, others stay). Destructive, so it asks first: the first call returns a preview ' +
    '(how many files and bytes would be written, into which folder, and whether it exists and holds anything) and changes nothing; the restore happens only after the user confirms, ' +
    "through the client's confirmation dialog, or by calling again with the preview's confirmation_token and the same arguments. " +
    'Everything is decrypted and checked in a temporary folder first; entries that would escape the folder (absolute paths, "..", escaping symlinks, hard links) make the whole restore fail. The key is configured on the server; leave password out.',
  privilege: 'destructive',
  requires: ['allowDirs', 'decryptionKey'],
  input: z
    .object({
      backup_file: ArchivePathArg,
      output_directory: PathArg.describe('Folder to restore into, inside an allowed directory (created if missing).'),
      overwrite: z.boolean().optional().describe('Restore into a non-empty folder, replacing files the archive also holds.'),
      confirmation_token: ConfirmationTokenArg.optional(),
      password: PasswordArg.optional(),
    })
    .strict(),
  output: RestoreArchiveOutput,
  hints: DESTRUCTIVE,
  // The password is not part of what a token binds (its digest must not travel in the token): the restore is the same.
  async run({confirmation_token, password, ...args}, services, call) {
    const archive = archiveServices(services)
    const identities = identitiesFor(await callKeys(archive, password))
    const path = await archive.policy.resolveInside(args.backup_file, {mustExist: true})
    const to = await archive.policy.resolveInside(args.output_directory, {forWrite: true})
    if (isAllowedRoot(archive, to)) {
      // The core stages beside the target and renames it into place: for an allowed dir itself, that is outside it.
      throw new HatchError('PERMISSION_DENIED', `Restoring into an allowed directory itself is not possible; nothing was restored.`, {
        suggestions: ['Name a folder inside it, e.g. its subfolder "restored".'],
      })
    }
    const sidecarPath = sidecarPathFor(path)
    if (sidecarPath !== undefined) await archive.policy.resolveInside(sidecarPath)
    const sidecar = sidecarPath === undefined ? undefined : readSidecar(sidecarPath)
    const overwrite = args.overwrite === true
    const state = await targetState(to)
    if (state === 'non-empty' && !overwrite) {
      throw new HatchError('CONFLICT', `${to} is not empty; nothing was restored.`, {
        suggestions: ['Restore into a new or empty folder, or pass overwrite: true to replace the files the archive holds.'],
      })
    }
    const archiveStat = await lstat(path)
    const base = {archive: path, to, overwrite, restored_to: to, ...seedFields(path, sidecar === undefined ? undefined : sidecarPath, sidecar)}
    const counts = {files: sidecar?.fileCount ?? null, directories: sidecar?.directoryCount ?? null, symlinks: sidecar?.symlinkCount ?? null, bytes: sidecar?.originalSize ?? null}
    const where = state === 'missing' ? `${to} (new folder)` : state === 'empty' ? `${to} (existing, empty)` : `${to} (existing, NOT empty: same-named files are replaced)`
    return withConsent<RestoreArchiveOutput>(
      {
        tool: 'restore_secure_backup',
        args,
        // Bound to what the preview showed: the archive's bytes (sidecar hash, size, mtime) and the target's state.
        plan: {archive: path, sha256: sidecar?.sha256 ?? null, size: archiveStat.size, mtimeMs: archiveStat.mtimeMs, to, state, overwrite},
        targets: [path, to],
        token: confirmation_token,
        question: `Restore archive ${basename(path)} into ${where}?`,
        details: `Archive: ${path}\nHolds: ${describe(sidecar)}\nInto: ${where}`,
        preview: (token, expiresInSeconds) => ({
          structured: {...base, status: 'preview' as const, dryRun: true, target: state, ...counts, confirmation_token: token, expires_in_seconds: expiresInSeconds},
          summary: `Preview only, nothing written. Restoring ${basename(path)} would write ${describe(sidecar)} into ${where}. To do it, call restore_secure_backup again with the same arguments and confirmation_token (valid ${expiresInSeconds} s, once).`,
        }),
        execute: async () => {
          const core = await archiveCore()
          const result = await core.restoreArchive({archive: path, to, identities, overwrite})
          return {
            structured: {
              ...base,
              status: 'restored' as const,
              dryRun: false,
              to: result.to,
              files: result.files,
              directories: result.directories,
              symlinks: result.symlinks,
              bytes: result.bytes,
              verified: result.verified,
              warnings: result.warnings,
              restored_to: result.to,
              file_count: result.files,
              original_size: result.bytes,
            },
            summary: `Restored ${count(result.files, 'file')} (${count(result.bytes, 'byte')}), ${count(result.directories, 'folder')} and ${count(result.symlinks, 'symlink')} into ${result.to}.${result.verified ? ' Every file matched its recorded SHA-256.' : ''}`,
          }
        },
      },
      services,
      call,
    )
  },
})
