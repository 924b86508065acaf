import {z} from 'zod'

import {HatchError} from '../../errors.js'
import {sidecarPathFor} from '../../archive/sidecar.js'
import {archiveCore, archiveServices} from '../archive.js'
import {ArchivePathArg} from '../schemas.js'
import {defineTool, READ_ONLY} from '../types.js'

/** The `--json` shape of `hatch archive verify`. */
export const VerifyArchiveOutput = z.object({
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

export const verifySecureBackup = defineTool({
  name: 'verify_secure_backup',
  title: 'Verify an encrypted archive',
  description:
    "Checks an archive (NAME.tar.gz.age inside an allowed directory) for damage: its SHA-256 and size against its sidecar; and, when the server holds the key (--identity or a passphrase option), also decrypts everything and re-hashes every file against the list recorded inside it. " +
    'Damage is an error result (CHECKSUM_MISMATCH, UNSAFE_ARCHIVE_ENTRY, WRONG_KEY for a key that does not fit). Nothing is written; the key never appears in arguments or results.',
  privilege: 'read',
  requires: ['allowDirs'],
  input: z
    .object({
      archive: ArchivePathArg,
      checkContents: z.boolean().optional().describe('Decrypt and re-hash every file (needs the server\'s key). Default: true when the server has a key, else false.'),
    })
    .strict(),
  output: VerifyArchiveOutput,
  hints: READ_ONLY,
  async run(args, services) {
    const archive = archiveServices(services)
    const path = await archive.policy.resolveInside(args.archive, {mustExist: true})
    const sidecar = sidecarPathFor(path)
    // The sidecar is read too: it must not lead outside the allowed dirs (a symlink), even though it sits beside the archive.
    if (sidecar !== undefined) await archive.policy.resolveInside(sidecar)
    const checkContents = args.checkContents ?? archive.identities !== undefined
    if (checkContents && archive.identities === undefined) {
      throw new HatchError('INVALID_ARGUMENT', 'This server holds no key to decrypt archives, so only the sidecar check is possible.', {
        suggestions: ['Call verify_secure_backup without checkContents, or start hatch mcp serve with --identity FILE (or a passphrase option).'],
      })
    }
    const core = await archiveCore()
    const result = await core.verifyArchive({archive: path, identities: checkContents ? archive.identities : undefined})
    const summary =
      result.contents === 'ok'
        ? `${path} is intact: decrypted, and all ${result.files} files match their recorded SHA-256.`
        : `${path} matches its sidecar (SHA-256 and size); contents not decrypted.`
    return {kind: 'result', structured: result, summary}
  },
})
