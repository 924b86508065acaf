import {HatchError} from '../errors.js'

export interface CleanCriteria {
  /** Delete only backups older than this many days (a whole number >= 1). */
  olderThanDays?: number
  /** Keep at least the newest N backups (a whole number >= 1). */
  keepCount?: number
  /** Allow deleting the newest backup too; alone, it deletes every backup. */
  all?: boolean
}

/** Which items a clean deletes and keeps; items are backups, or anything else with a creation time. */
export interface CleanPlan<T extends {createdAt: string} = {createdAt: string}> {
  delete: T[]
  keep: T[]
}

const DAY_MS = 86_400_000

/**
 * Parses a clean argument: a whole number >= 1. Negative numbers, zero, fractions and words are refused
 * (Hatch-py read -1 as "delete everything" and 0 as "no filter").
 */
export function parseWholeNumberArgument(flag: string, value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined
  const text = String(value).trim()
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new HatchError('INVALID_ARGUMENT', `${flag} must be a whole number of 1 or more; "${value}" is not.`, {
      suggestions: [`For example: ${flag} 30`],
    })
  }
  // Past 2^53 a number no longer counts exactly (9007199254740993 reads as …992), so hatch says where the limit is.
  if (!Number.isSafeInteger(Number(text))) {
    throw new HatchError('INVALID_ARGUMENT', `${flag} must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}; "${value}" is too large.`, {
      suggestions: [`For example: ${flag} 30`],
    })
  }
  return Number(text)
}

/**
 * Decides which backups a clean deletes. `backups` is one host's list, newest first (archive prune passes its
 * archives: anything with an ISO `createdAt` works).
 * A backup goes when it meets every criterion given (older than N days AND beyond the newest K), so adding a
 * criterion never deletes more. The newest backup always stays unless `all` is set. The same plan is what the
 * preview shows and what is deleted.
 */
export function planClean<T extends {createdAt: string}>(backups: readonly T[], criteria: CleanCriteria, now: Date): CleanPlan<T> {
  const {olderThanDays, keepCount, all = false} = criteria
  if (olderThanDays === undefined && keepCount === undefined && !all) {
    throw new HatchError('INVALID_ARGUMENT', 'Say which backups to clean.', {
      suggestions: ['Use --older-than-days N, --keep N, or --all (which also allows deleting the newest backup).'],
    })
  }
  for (const [flag, n] of [['--older-than-days', olderThanDays], ['--keep', keepCount]] as const) {
    if (n !== undefined) parseWholeNumberArgument(flag, n)
  }
  const cutoff = olderThanDays === undefined ? undefined : now.getTime() - olderThanDays * DAY_MS
  const plan: CleanPlan<T> = {delete: [], keep: []}
  backups.forEach((backup, index) => {
    const protectedNewest = index === 0 && !all
    const oldEnough = cutoff === undefined || Date.parse(backup.createdAt) < cutoff
    const beyondKeep = keepCount === undefined || index >= keepCount
    if (!protectedNewest && oldEnough && beyondKeep) plan.delete.push(backup)
    else plan.keep.push(backup)
  })
  return plan
}
