import * as z from 'zod'

import {readSidecar, sidecarPathFor} from '../../archive/sidecar.js'
import {archiveCore, archiveServices, callKeys, identitiesFor, PasswordArg, percentSaved, SeedArchiveFields, seedFields} from '../archive.js'
import {ArchivePathArg, PathArg} from '../schemas.js'
import {defineTool, READ_ONLY} from '../types.js'
import {count} from '../../text/plural.js'

/** The `--json` shape of `hatch archive verify`, plus seed 000's fields. */
export const VerifyArchiveOutput = z
  .object({
    archive: z.string(),
    /** 'ok': the archive's SHA-256 and size match its sidecar; 'missing': there is none (checked with the key only). */
    sidecar: z.enum(['ok', 'missing']),
    sha256: z.string(),
    size: z.number().int().nonnegative(),
    /** 'ok': decrypted and every file matched its recorded SHA-256; 'not-checked': sidecar check only. */
    contents: z.enum(['ok', 'not-checked']),
    files: z.number().int().nonnegative().optional(),
    bytes: z.number().int().nonnegative().optional(),
  })
  .extend(SeedArchiveFields.shape)
  .extend({
    /** Seed 000's verdict: always true here, since damage is an error result (CHECKSUM_MISMATCH, …), never valid: false. */
    valid: z.literal(true),
    /** Seed 000's message, "Backup integrity verified", and what was checked. */
    message: z.string(),
  })

export const verifySecureBackup = defineTool({
  name: 'verify_secure_backup',
  title: 'Verify an encrypted archive',
  description:
    "Checks an archive (backup_file: NAME.tar.gz.age inside an allowed directory) for damage: its SHA-256 and size against its sidecar (metadata_file, by default NAME.json beside it); and, when the server holds the key (--identity or a passphrase option), also decrypts everything and re-hashes every file against the list recorded inside it. " +
    'An intact archive gives valid: true and a message saying what was checked; damage is an error result (CHECKSUM_MISMATCH, UNSAFE_ARCHIVE_ENTRY, WRONG_KEY for a key that does not fit). Nothing is written; the key never appears in arguments or results.',
  privilege: 'read',
  requires: ['allowDirs'],
  input: z
    .object({
      backup_file: ArchivePathArg,
      metadata_file: PathArg.optional().describe("The archive's sidecar (NAME.json), inside an allowed directory. Default: the one beside the archive."),
      check_contents: z.boolean().optional().describe("Decrypt and re-hash every file (needs the server's key). Default: true when the server has a key, else false."),
      password: PasswordArg.optional(),
    })
    .strict(),
  output: VerifyArchiveOutput,
  hints: READ_ONLY,
  async run(args, services) {
    const archive = archiveServices(services)
    const keys = await callKeys(archive, args.password)
    const path = await archive.policy.resolveInside(args.backup_file, {mustExist: true})
    // The sidecar is read too: it must not lead outside the allowed dirs (a symlink), even when it sits beside the archive.
    const sidecarPath = args.metadata_file === undefined ? sidecarPathFor(path) : await archive.policy.resolveInside(args.metadata_file, {mustExist: true})
    if (sidecarPath !== undefined && args.metadata_file === undefined) await archive.policy.resolveInside(sidecarPath)
    const checkContents = args.check_contents ?? keys.identities !== undefined
    const identities = checkContents ? identitiesFor(keys) : undefined
    const core = await archiveCore()
    const result = await core.verifyArchive({archive: path, sidecarPath: args.metadata_file === undefined ? undefined : sidecarPath, identities})
    const sidecar = result.sidecar === 'ok' && sidecarPath !== undefined ? readSidecar(sidecarPath) : undefined
    const seed = seedFields(path, sidecarPath, sidecar)
    if (sidecar === undefined) {
      // No sidecar: what the decryption found.
      Object.assign(seed, {original_size: result.bytes ?? null, compressed_size: result.size, compression_ratio: result.bytes === undefined ? null : percentSaved(result.bytes, result.size), file_count: result.files ?? null})
    }
    const summary =
      result.contents === 'ok'
        ? `${path} is intact: decrypted, and ${result.files === 1 ? 'its one file matches its' : `all ${count(result.files ?? 0, 'file')} match their`} recorded SHA-256.`
        : `${path} matches its sidecar (SHA-256 and size); contents not decrypted.`
    const message =
      result.contents === 'ok'
        ? 'Backup integrity verified: decrypted, and every file matches its recorded SHA-256.'
        : 'Backup integrity verified: SHA-256 and size match its sidecar (contents not decrypted).'
    return {kind: 'result', structured: {...result, ...seed, valid: true as const, message}, summary}
  },
})
