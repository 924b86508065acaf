import * as z from 'zod'

import {BACKUP_ID_PATTERN} from '../backup/naming.js'
import {hostIds} from '../hosts/registry.js'

/** A known host id; anything else is rejected by the schema, before any handler runs. */
export const HostIdArg = z.enum(hostIds() as [string, ...string[]]).describe('Host id, e.g. claude-desktop, cursor, vscode (see list_hosts).')

/** A backup id; paths are never accepted (pitfalls.md: address backups by opaque ids). */
export const BackupIdArg = z.string().regex(BACKUP_ID_PATTERN, 'a backup id looks like 20261121_165100_123456').describe('Backup id, e.g. 20261121_165100_123456 (see list_host_config_backups).')

export const ConfirmationTokenArg = z
  .string()
  .max(700)
  .describe('The confirmation_token from this tool\'s preview. Omit it to get the preview; pass it, with exactly the same other arguments, to carry out what the preview showed.')

export const WholeNumberArg = z.number().int().min(1).max(1_000_000)

/**
 * A path for an archive tool. The schema only bounds its size: containment is decided at run time by the server's
 * path policy (inside an `--allow-dir` directory after resolving `..` and symlinks, or refused), mcp.md §5.
 */
export const PathArg = z.string().min(1).max(4096)

/** An archive file, `NAME.tar.gz.age`, inside an allowed directory (see list_backups). */
export const ArchivePathArg = PathArg.regex(/\.tar\.gz\.age$/, 'an archive path ends in .tar.gz.age').describe(
  'Path of a NAME.tar.gz.age archive inside one of the allowed directories (see list_backups); relative paths are taken from the first allowed directory.',
)
