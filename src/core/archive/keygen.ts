import {existsSync, mkdirSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {formatIdentityFile, generateIdentity} from './age/index.js'
import {HatchError} from '../errors.js'
import {atomicWriteFileSync} from '../fs/atomic-write.js'

export interface KeygenResult {
  /** Where the identity (secret key) was written, mode 0600. */
  path: string
  /** The public key to pass to `create --recipient`. */
  recipient: string
}

/** Writes a new age identity file (age-keygen's layout, mode 0600), never replacing an existing file. */
export function writeNewIdentity(path: string, now: Date = new Date()): KeygenResult {
  const target = resolve(path)
  if (existsSync(target)) {
    throw new HatchError('CONFLICT', `${target} already exists; hatch never overwrites a key file.`, {
      suggestions: ['Choose another --output path (losing a key loses every archive made for it).'],
    })
  }
  mkdirSync(dirname(target), {recursive: true, mode: 0o700})
  const {identity, recipient} = generateIdentity()
  atomicWriteFileSync(target, Buffer.from(formatIdentityFile(identity, now), 'utf8'), {expectedSha256: null, mode: 0o600})
  return {path: target, recipient}
}
