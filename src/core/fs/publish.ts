import * as nodeFs from 'node:fs'

import {errnoCode} from '../errors.js'
import type {SyncFs} from './atomic-write.js'

type PublishFs = Pick<SyncFs, 'closeSync' | 'openSync' | 'renameSync' | 'unlinkSync'> & Pick<typeof nodeFs, 'linkSync'>

// link(2) errors meaning "this file system has no hard links" (FAT/exFAT drives, some network shares).
const NO_HARD_LINKS = ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']

/**
 * Gives the written temp file `tmp` the name `final` without ever replacing a file already there: link(2), which
 * fails rather than replace, then unlink of the temp name. Where the file system has no hard links, the name is
 * claimed with an exclusive create (which fails rather than replace too) and the temp file renamed over that empty
 * placeholder, which is ours. Neither way needs a lock. Returns false (and leaves `tmp` as it is) when `final` exists.
 */
export function publishWithoutReplacing(tmp: string, final: string, fs: PublishFs = nodeFs): boolean {
  try {
    fs.linkSync(tmp, final)
    fs.unlinkSync(tmp)
    return true
  } catch (error) {
    const code = errnoCode(error)
    if (code === 'EEXIST') return false
    if (!NO_HARD_LINKS.includes(code ?? '')) throw error
  }
  try {
    fs.closeSync(fs.openSync(final, 'wx', 0o600))
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false
    throw error
  }
  try {
    fs.renameSync(tmp, final)
  } catch (error) {
    fs.unlinkSync(final)
    throw error
  }
  return true
}
