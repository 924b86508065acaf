import * as z from 'zod'

/** Why hatch makes a backup. Records may hold other reasons (a newer hatch may add some): readers take any string. */
export const BackupReason = z.enum(['manual', 'pre-restore', 'pre-write', 'guard'])
export type BackupReason = z.infer<typeof BackupReason>

/**
 * One line of a host's `index.jsonl`: everything `list` shows, so listing never reads backup content.
 * This is the on-disk record (docs/backup-store.md); fields are only ever added.
 */
export const BackupRecord = z.object({
  id: z.string(),
  host: z.string(),
  fileName: z.string(),
  createdAt: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  /** The config path as the host (or --config) named it; restore writes here, through symlinks. */
  sourcePath: z.string(),
  /** Where that path led when the backup was made (differs when it is a symlink). */
  sourceRealPath: z.string(),
  /** Permission bits of the source, used when restoring a file that no longer exists. */
  sourceMode: z.number().int().nonnegative(),
  /** A BackupReason when this hatch wrote it; any string is read, so backups made by a newer hatch still list. */
  reason: z.string(),
  hatchVersion: z.string(),
})
export type BackupRecord = z.infer<typeof BackupRecord>

/** A backup as commands and tools return it (the `--json` shape of create and list). */
export const BackupInfo = BackupRecord.extend({
  /** Absolute path of the backup file. */
  path: z.string(),
  /** False for a backup file found in the folder with no index record (e.g. after a crash): it has no recorded checksum. */
  indexed: z.boolean(),
})
export type BackupInfo = z.infer<typeof BackupInfo>
