import {rmSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {errnoCode, fsError} from '../errors.js'
import {planClean} from '../backup/retention.js'
import {withLock} from '../fs/lock.js'
import {listSidecars, type Sidecar} from './sidecar.js'

export interface PruneCriteria {
  /** Keep the newest N archives (a whole number >= 1). */
  keepCount?: number
  /** Delete only archives older than N days (a whole number >= 1). */
  olderThanDays?: number
  /** Allow deleting the newest archive too. */
  all?: boolean
}

export type ListedArchive = Sidecar & {path: string; sidecarPath: string}

export interface PrunePlan {
  delete: ListedArchive[]
  keep: ListedArchive[]
  /** Archives without a sidecar: never deleted. */
  orphans: string[]
  warnings: string[]
}

/**
 * Decides which archives a prune deletes, by the same rules as `hatch mcp backup clean` (the very same
 * planClean): whole numbers >= 1, every criterion must hold, the newest survives unless `all`. The plan a dry
 * run prints is the plan a real run deletes. Only archives with a valid sidecar are candidates.
 */
export function planPrune(dir: string, criteria: PruneCriteria, now: Date): PrunePlan {
  const listing = listSidecars(resolve(dir))
  const plan = planClean(listing.sidecars, criteria, now)
  return {delete: plan.delete, keep: plan.keep, orphans: listing.orphans, warnings: listing.warnings}
}

/** Deletes the planned archives (archive first, then its sidecar), under the folder's archive lock. */
export async function prunePlanned(dir: string, plan: PrunePlan): Promise<string[]> {
  const root = resolve(dir)
  return withLock(join(root, '.hatch-archive'), async () => {
    const deleted: string[] = []
    for (const a of plan.delete) {
      for (const p of [a.path, a.sidecarPath]) {
        try {
          rmSync(p)
        } catch (error) {
          if (errnoCode(error) !== 'ENOENT') throw fsError(error, 'delete', p)
        }
      }
      deleted.push(a.name)
    }
    return deleted
  })
}
