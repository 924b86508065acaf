import {readFileSync, statSync} from 'node:fs'

import {errnoCode, fsError, HatchError} from '../../errors.js'

/**
 * Reads a file that holds a secret (a passphrase or an age identity). A file other users can read or write is
 * refused, as ssh refuses such keys: the secret may already have leaked, and a writable one may have been swapped.
 * Group-readable is allowed with a warning. Errors never include the file's content.
 */
export function readSecretFile(path: string, what: string, warn: (message: string) => void = () => {}): string {
  let mode: number
  try {
    mode = statSync(path).mode
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') {
      throw new HatchError('CONFIG_NOT_FOUND', `The ${what} ${path} does not exist.`, {cause: error, suggestions: ['Check the path.']})
    }
    throw fsError(error, `read the ${what}`, path)
  }
  if (process.platform !== 'win32') {
    if ((mode & 0o007) !== 0 || (mode & 0o020) !== 0) {
      throw new HatchError('PERMISSION_DENIED', `The ${what} ${path} can be read or changed by other users (mode ${(mode & 0o777).toString(8)}); hatch will not use it.`, {
        suggestions: [`Restrict it to yourself: chmod 600 ${path}`],
      })
    }
    if ((mode & 0o040) !== 0) warn(`The ${what} ${path} is readable by its group (mode ${(mode & 0o777).toString(8)}); consider chmod 600.`)
  }
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw fsError(error, `read the ${what}`, path)
  }
}

/** A passphrase file's content: the first line, without its line ending. */
export function passphraseFromFileText(text: string): string {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
}
