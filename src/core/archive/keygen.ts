import {existsSync, mkdirSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {formatIdentityFile, generateIdentity, parseIdentityFile, toHatchError} from './age/index.js'
import {readSecretFile} from './keys/secret-file.js'
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

export interface IdentityFileInfo {
  path: string
  /** The public key (`age1…`) of each identity in the file, in order: what `create --recipient` takes. */
  recipients: string[]
}

/**
 * The public keys of an identity file (`hatch archive key show FILE`), so a key made earlier can be used for new
 * archives without the secret leaving the file. Read like every secret file: refused when others can read it.
 * @throws HatchError CONFIG_NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT (not an identity file; the error names the
 *   line, never its content).
 */
export function showIdentityFile(path: string, warn?: (message: string) => void): IdentityFileInfo {
  const target = resolve(path)
  const text = readSecretFile(target, 'identity file', warn)
  try {
    return {path: target, recipients: parseIdentityFile(text).map((identity) => identity.recipient.toString())}
  } catch (error) {
    throw toHatchError(error, `the identity file ${target}`)
  }
}
