import * as nodeFs from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'

import {errnoCode, fsError, HatchError} from '../errors.js'

/**
 * Reading only regular files. A config or a backup path can hold a FIFO, a socket or a device instead, and
 * `open(2)` of a FIFO blocks until a writer comes, which may be never: hatch would hang in a system call that no
 * signal handler can interrupt. So every such read opens with O_NONBLOCK (which changes nothing for a regular file,
 * and lets the open of a FIFO return at once) and checks with fstat that it got a regular file before reading a
 * byte. What it is not is refused with a clear error and left alone.
 */

export type ReadFs = Pick<typeof nodeFs, 'closeSync' | 'fstatSync' | 'openSync' | 'readFileSync'>

/** O_RDONLY | O_NONBLOCK (O_NONBLOCK does not exist on Windows, where opening a named pipe does not block). */
const READ_FLAGS = nodeFs.constants.O_RDONLY | (nodeFs.constants.O_NONBLOCK ?? 0)

/** What a non-regular file is, in words. */
function kindOf(st: nodeFs.Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)'
  if (st.isSocket()) return 'a socket'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isDirectory()) return 'a folder'
  return 'a special file'
}

/** The error for a path that is not a regular file. */
export function notRegularFile(path: string, what: string): HatchError {
  return new HatchError('INVALID_ARGUMENT', `${path} is ${what}, not a regular file; hatch reads only regular files, and left it as it is.`, {
    suggestions: ['Name the regular file itself (for a host config: --config PATH), or move this one out of the way.'],
  })
}

/** Throws unless `st` describes a regular file. */
export function assertRegularFile(st: nodeFs.Stats, path: string): void {
  if (!st.isFile()) throw notRegularFile(path, kindOf(st))
}

/**
 * Opens `path` for reading without ever blocking, and returns the descriptor once fstat says it is a regular
 * file. Errors are the open's own (ENOENT, EACCES, …; ENXIO for a socket), or notRegularFile.
 */
export function openRegularFileSync(path: string, fs: Pick<ReadFs, 'closeSync' | 'fstatSync' | 'openSync'> = nodeFs, flags = 0): number {
  let fd: number
  try {
    fd = fs.openSync(path, READ_FLAGS | flags)
  } catch (error) {
    // A socket cannot be opened at all.
    if (errnoCode(error) === 'ENXIO') throw notRegularFile(path, 'a socket or a device without a driver')
    throw error
  }
  try {
    assertRegularFile(fs.fstatSync(fd), path)
    return fd
  } catch (error) {
    fs.closeSync(fd)
    throw error
  }
}

/** A regular file's bytes. Throws the system's own error (ENOENT, EACCES, …) or notRegularFile. */
export function readRegularFileSync(path: string, fs: ReadFs = nodeFs): Buffer {
  const fd = openRegularFileSync(path, fs)
  try {
    return fs.readFileSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** A regular file's bytes, or null when it does not exist. Other failures throw (fsError, or notRegularFile). */
export function readRegularFileIfExists(path: string, fs: ReadFs = nodeFs): Buffer | null {
  try {
    return readRegularFileSync(path, fs)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null
    throw fsError(error, 'read', path)
  }
}

/** openRegularFileSync for the promise API: a FileHandle on a regular file, opened without blocking. */
export async function openRegularFile(path: string): Promise<FileHandle> {
  let handle: FileHandle
  try {
    handle = await open(path, READ_FLAGS)
  } catch (error) {
    if (errnoCode(error) === 'ENXIO') throw notRegularFile(path, 'a socket or a device without a driver')
    throw error
  }
  try {
    assertRegularFile(await handle.stat(), path)
    return handle
  } catch (error) {
    await handle.close()
    throw error
  }
}
