import {createHash, randomBytes} from 'node:crypto'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {AgeError, decryptIterable, type AgeErrorKind, type IdentityLike} from '../../../../src/core/archive/age/index.js'

export const KiB64 = 64 * 1024

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Random bytes, but cheap for large sizes (a random 1 MiB block repeated with a varying prefix per block). */
export function randomData(size: number): Buffer {
  if (size <= 1 << 20) return randomBytes(size)
  const block = randomBytes(1 << 20)
  const out = Buffer.alloc(size)
  for (let off = 0, i = 0; off < size; off += block.length, i++) {
    block.writeUInt32BE(i, 0)
    block.copy(out, off, 0, Math.min(block.length, size - off))
  }
  return out
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'hatch-age-test-'))
  try {
    return await fn(dir)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

export async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size)
}

/** Decrypts through the async-iterable API: what was released, and the AgeError kind it ended with (if any). */
export async function tryDecrypt(
  file: Buffer,
  identities: IdentityLike[],
  feed = file.length || 1,
): Promise<{released: Buffer; kind: AgeErrorKind | undefined; error: unknown}> {
  const parts: Buffer[] = []
  try {
    for await (const part of decryptIterable(chunked(file, feed), identities)) parts.push(part)
    return {released: Buffer.concat(parts), kind: undefined, error: undefined}
  } catch (err) {
    if (!(err instanceof AgeError)) throw err
    return {released: Buffer.concat(parts), kind: err.kind, error: err}
  }
}
