import * as z from 'zod'

import {isHatchError} from '../../errors.js'
import {Sidecar} from '../../archive/sidecar.js'
import {archiveCore, archiveServices, percentSaved} from '../archive.js'
import {PathArg} from '../schemas.js'
import {defineTool, READ_ONLY} from '../types.js'
import {count} from '../../text/plural.js'

/** The `--json` shape of `hatch archive list DIR`, plus the directories this server may use and seed 000's fields. */
export const ListArchivesOutput = z.object({
  kind: z.literal('archives'),
  /** The folder listed (canonical path). */
  dir: z.string(),
  /** Newest first, from their sidecars; `path` is the archive file. */
  archives: z.array(Sidecar.extend({path: z.string()})),
  /** Archives in the folder without a sidecar: not listed, never pruned. */
  orphans: z.array(z.string()),
  warnings: z.array(z.string()),
  /** The `--allow-dir` directories (canonical): every archive tool reads and writes only inside these. */
  allowedDirs: z.array(z.string()),
  /** Seed 000's fields: the folder, how many archives, and each one, newest first. */
  backup_directory: z.string(),
  backup_count: z.number().int().nonnegative(),
  backups: z.array(
    z.object({
      name: z.string(),
      created_at: z.string(),
      /** Bytes of the archive file. */
      size: z.number().int().nonnegative(),
      /** Percent saved (see create_secure_backup). */
      compression_ratio: z.number(),
      backup_file: z.string(),
    }),
  ),
})

export const listArchiveBackups = defineTool({
  name: 'list_backups',
  title: 'List encrypted archives',
  description:
    'Lists the encrypted archives (NAME.tar.gz.age) in a folder, newest first, from their plaintext sidecars (NAME.json): no key is needed and nothing is decrypted. ' +
    'Only folders inside the directories the server was started with (--allow-dir) can be listed; the result names them in allowedDirs. Changes nothing.',
  privilege: 'read',
  requires: ['allowDirs'],
  input: z
    .object({
      backup_directory: PathArg.optional().describe('Folder of archives inside an allowed directory. Default: the first allowed directory; relative paths are taken from it.'),
    })
    .strict(),
  output: ListArchivesOutput,
  hints: READ_ONLY,
  async run(args, services) {
    const {policy} = archiveServices(services)
    const dir = await policy.resolveInside(args.backup_directory ?? policy.roots[0]!.given, {mustExist: true})
    const core = await archiveCore()
    const listing = core.listArchives(dir)
    const warnings = [...listing.warnings]
    const archives: Array<z.infer<typeof ListArchivesOutput>['archives'][number]> = []
    for (const {sidecarPath, ...entry} of listing.sidecars) {
      // A sidecar or archive that is a symlink leading out of the allowed dirs is not reported (its content stays unread by the model).
      try {
        await policy.resolveInside(sidecarPath, {mustExist: true})
        await policy.resolveInside(entry.path, {mustExist: true})
      } catch (error) {
        if (!isHatchError(error)) throw error
        warnings.push(`${entry.file} or its sidecar leads outside the allowed directories; not listed.`)
        continue
      }
      archives.push(entry)
    }
    const allowedDirs = policy.roots.map((r) => r.canonical)
    const backups = archives.map((a) => ({name: a.name, created_at: a.createdAt, size: a.archiveSize, compression_ratio: percentSaved(a.originalSize, a.archiveSize), backup_file: a.path}))
    const summary = archives.length === 0 ? `No archives in ${dir}.` : `${count(archives.length, 'archive')} in ${dir}; newest ${archives[0]!.name} (${archives[0]!.createdAt}).`
    return {
      kind: 'result',
      structured: {kind: 'archives' as const, dir, archives, orphans: listing.orphans, warnings, allowedDirs, backup_directory: dir, backup_count: backups.length, backups},
      summary,
    }
  },
})
