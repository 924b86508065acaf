/**
 * POSIX.1-2001 (pax) tar headers: a 512-byte ustar header, preceded by a pax extended header ('x') when a name or
 * link target is not plain ASCII or is longer than its field, or a size does not fit in 11 octal digits. Readers
 * without pax support still get a usable (truncated) name. uid/gid are 0 and user/group names empty: a restore
 * never changes ownership.
 */

export const BLOCK = 512
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK)

export interface TarHeader {
  path: string
  type: 'file' | 'directory' | 'symlink'
  size: number
  mode: number
  /** Whole seconds since the epoch. */
  mtime: number
  linkTarget?: string
}

const TYPEFLAG = {file: '0', directory: '5', symlink: '2'} as const
const MAX_OCTAL_SIZE = 8 ** 11 - 1

function writeString(buf: Buffer, text: string, offset: number, length: number): void {
  buf.write(text, offset, length, 'latin1')
}

function writeOctal(buf: Buffer, value: number, offset: number, length: number): void {
  // length-1 digits, zero-padded, then NUL.
  writeString(buf, value.toString(8).padStart(length - 1, '0'), offset, length - 1)
  buf[offset + length - 1] = 0
}

const isPlainAscii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s)

/** One pax record: "LEN key=value\n", where LEN counts the whole record in bytes, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  const bodyBytes = Buffer.byteLength(body, 'utf8')
  let len = bodyBytes + 1
  while (String(len).length + bodyBytes !== len) len = String(len).length + bodyBytes
  return `${len}${body}`
}

function ustar(name: string, type: string, size: number, mode: number, mtime: number, linkname: string): Buffer {
  const buf = Buffer.alloc(BLOCK)
  writeString(buf, name, 0, 100)
  writeOctal(buf, mode & 0o7777, 100, 8)
  writeOctal(buf, 0, 108, 8)
  writeOctal(buf, 0, 116, 8)
  writeOctal(buf, size, 124, 12)
  writeOctal(buf, Math.max(0, Math.min(mtime, MAX_OCTAL_SIZE)), 136, 12)
  buf.fill(0x20, 148, 156) // checksum field counts as spaces
  writeString(buf, type, 156, 1)
  writeString(buf, linkname, 157, 100)
  writeString(buf, 'ustar\x0000', 257, 8)
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += buf[i]!
  writeString(buf, `${sum.toString(8).padStart(6, '0')}\x00 `, 148, 8)
  return buf
}

/** A field-safe fallback: ASCII only, at most `max` bytes (pax readers use the full value from the 'x' header). */
function fallback(text: string, max: number): string {
  return text.replace(/[^\x20-\x7e]/g, '_').slice(-max)
}

/** The header block(s) for one entry. */
export function encodeHeader(h: TarHeader): Buffer {
  const name = h.type === 'directory' ? `${h.path}/` : h.path
  const link = h.linkTarget ?? ''
  const size = h.type === 'file' ? h.size : 0
  const records: string[] = []
  if (!isPlainAscii(name) || Buffer.byteLength(name) > 100) records.push(paxRecord('path', name))
  if (!isPlainAscii(link) || Buffer.byteLength(link) > 100) records.push(paxRecord('linkpath', link))
  if (size > MAX_OCTAL_SIZE) records.push(paxRecord('size', String(size)))
  const main = ustar(fallback(name, 100), TYPEFLAG[h.type], size > MAX_OCTAL_SIZE ? 0 : size, h.mode, h.mtime, fallback(link, 100))
  if (records.length === 0) return main
  const body = Buffer.from(records.join(''), 'utf8')
  const paxName = fallback(`PaxHeaders/${name.replace(/\/$/, '').split('/').pop() ?? 'entry'}`, 100)
  return Buffer.concat([ustar(paxName, 'x', body.length, 0o644, h.mtime, ''), body, padding(body.length), main])
}

/** Zero bytes that round `size` up to a whole block. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest)
}
