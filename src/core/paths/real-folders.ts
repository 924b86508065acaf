import * as fs from 'node:fs'

import {HatchError, errnoCode, fsError} from '../errors.js'

/** The one call the check makes (node:fs, or a store's own fs in tests). */
export type LstatSync = (path: string, options: {throwIfNoEntry: false}) => {isSymbolicLink(): boolean} | undefined

export interface RealFolderCheck {
  /** hatch's home (`~/.hatch`) when HATCH_HOME did not name it: a link there is refused. Named, it is the user's choice. */
  home?: string
  /** hatch's own folders below it, refused as links whatever chose the home. */
  folders: readonly string[]
  /** What hatch keeps there, for the message: "backups", "its audit log". */
  keeps: string
  /** What failed, should the check itself fail: "check the backup folder". */
  action: string
  lstat?: LstatSync
}

/**
 * Refuses hatch's private folders reached through a symbolic link: hatch does not follow a link it did not make, nor
 * change its target's permissions. The home is checked first, then each folder; one lstat each. A folder that does
 * not exist yet is fine (hatch makes it).
 * @throws HatchError PERMISSION_DENIED, saying how to keep a linked home (name it in HATCH_HOME) or replace the link.
 */
export function refuseLinkedFolders(check: RealFolderCheck): void {
  const lstat = check.lstat ?? ((path, options) => fs.lstatSync(path, options))
  for (const d of [...(check.home === undefined ? [] : [check.home]), ...check.folders]) {
    if (!isLink(d, lstat, check.action)) continue
    throw new HatchError('PERMISSION_DENIED', `${d} is a symbolic link; hatch keeps ${check.keeps} only in real folders, so it does not follow it (nor change its target's permissions).`, {
      suggestions:
        d === check.home
          ? [`To keep hatch's files where the link points, name that folder explicitly: HATCH_HOME=${d}`, `Or replace the link with a folder of its own: rm ${d}`]
          : [`Replace the link with a real folder (move what it points to into its place).`],
    })
  }
}

/**
 * Whether `path` is a symbolic link. Below a regular file (ENOTDIR) nothing is, as where nothing exists: the mkdir or
 * readdir that uses the folder then says what is wrong, as it would without this check.
 */
function isLink(path: string, lstat: LstatSync, action: string): boolean {
  try {
    return lstat(path, {throwIfNoEntry: false})?.isSymbolicLink() === true
  } catch (error) {
    if (errnoCode(error) === 'ENOTDIR') return false
    throw fsError(error, action, path)
  }
}
