import * as z from 'zod'

import {Sidecar} from '../../archive/sidecar.js'
import {archiveCore, archiveServices, callKeys, encryptionFor, PasswordArg, SeedArchiveFields, seedFields} from '../archive.js'
import {PathArg} from '../schemas.js'
import {ADDITIVE, defineTool} from '../types.js'
import {count} from '../../text/plural.js'

/** The `--json` shape of `hatch archive create`, plus seed 000's fields. */
export const CreateArchiveOutput = Sidecar.extend({
  archive: z.string(),
  sidecar: z.string(),
  /** Things skipped (special files, symlinks leading out of the source), one sentence each. */
  warnings: z.array(z.string()),
}).extend(SeedArchiveFields.shape)

export const createSecureBackup = defineTool({
  name: 'create_secure_backup',
  title: 'Archive a folder, encrypted',
  description:
    'Archives a folder (tar, gzip, encrypted with age to the key the server was started with) into OUTPUT/NAME.tar.gz.age plus a sidecar OUTPUT/NAME.json. ' +
    'Both source_directory and output_directory must be inside the directories the server was started with (--allow-dir). ' +
    'Only adds files: an existing archive is never replaced. Symlinks leading out of the source are skipped. The key or passphrase is configured on the server; leave password out.',
  privilege: 'write',
  requires: ['allowDirs', 'encryptionKey'],
  input: z
    .object({
      source_directory: PathArg.describe('The folder to archive, inside an allowed directory.'),
      output_directory: PathArg.describe('Folder to write the archive and its sidecar into, inside an allowed directory (created if missing).'),
      backup_name: z.string().max(140).optional().describe('Archive name: letters, digits, ".", "_", "-" (default: SOURCE-YYYYMMDD-HHMMSS, UTC).'),
      password: PasswordArg.optional(),
    })
    .strict(),
  output: CreateArchiveOutput,
  hints: ADDITIVE,
  async run(args, services) {
    const archive = archiveServices(services)
    const keys = await callKeys(archive, args.password)
    const source = await archive.policy.resolveInside(args.source_directory, {mustExist: true})
    const outputDir = await archive.policy.resolveInside(args.output_directory, {forWrite: true})
    const core = await archiveCore()
    const {recipients, encryption} = encryptionFor(keys)
    const result = await core.createArchive({source, outputDir, name: args.backup_name, recipients, encryption, hatchVersion: archive.hatchVersion})
    const i = result.info
    return {
      kind: 'result',
      structured: {...i, archive: result.archive, sidecar: result.sidecar, warnings: result.warnings, ...seedFields(result.archive, result.sidecar, i)},
      summary: `Archived ${i.source} as ${result.archive}: ${count(i.fileCount, 'file')}, ${count(i.originalSize, 'byte')} → ${count(i.archiveSize, 'byte')}.${result.warnings.length > 0 ? ` ${count(result.warnings.length, 'warning')}.` : ''}`,
    }
  },
})
