import * as z from 'zod'

/**
 * The results backup commands return: the `--json` shapes of `hatch mcp backup verify|clean|restore`, and the
 * base of the MCP tools' output schemas (which add a status and a confirmation token). docs/cli.md documents them.
 */

export const VerifyStatus = z.enum(['intact', 'damaged', 'missing', 'unrecorded'])
export type VerifyStatus = z.infer<typeof VerifyStatus>

/** One backup as verify found it. */
export const VerifyResult = z.object({
  host: z.string(),
  id: z.string(),
  path: z.string(),
  status: VerifyStatus,
  expectedSha256: z.string().nullable(),
  actualSha256: z.string().nullable(),
})
export type VerifyResult = z.infer<typeof VerifyResult>

export const VerifyReport = z.object({
  /** Every backup checked is intact. */
  ok: z.boolean(),
  checked: z.number().int().nonnegative(),
  /** How many are not intact (damaged, missing or unrecorded). */
  damaged: z.number().int().nonnegative(),
  results: z.array(VerifyResult),
  /** What to do about the backups that are not intact, one step per entry; empty when all are. */
  nextSteps: z.array(z.string()),
})
export type VerifyReport = z.infer<typeof VerifyReport>

export const CleanReport = z.object({
  host: z.string(),
  /** True when nothing was deleted because only a preview was asked for; `deleted` then lists what would go. */
  dryRun: z.boolean(),
  deleted: z.array(z.string()),
  kept: z.array(z.string()),
})
export type CleanReport = z.infer<typeof CleanReport>

export const RestoreResult = z.object({
  host: z.string(),
  id: z.string(),
  /** The path restored (as named; a symlink stays one). */
  restoredPath: z.string(),
  /** Where the bytes landed: the symlink's target, or the path itself. */
  realPath: z.string(),
  sha256: z.string(),
  /** The backup of what was there before, so the restore can be undone; null when there was no file. */
  preRestoreBackupId: z.string().nullable(),
  changed: z.boolean(),
})
export type RestoreResult = z.infer<typeof RestoreResult>

/** What `restore --dry-run` returns: the diff it would apply, secrets masked. */
export const RestorePreview = z.object({
  host: z.string(),
  id: z.string(),
  restoredPath: z.string(),
  changed: z.boolean(),
  diff: z.string(),
})
export type RestorePreview = z.infer<typeof RestorePreview>
