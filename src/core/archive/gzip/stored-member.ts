import {crc32} from 'node:zlib'

/**
 * A gzip member (RFC 1952) whose deflate data (RFC 1951 §3.2.4) is stored blocks only: header, then for each
 * piece of at most 65,535 bytes a one-byte block header (BFINAL on the last, BTYPE 00), LEN and its complement
 * NLEN, the bytes themselves, and the CRC-32 and size trailer. Built without zlib: for data that does not
 * compress, this costs one CRC pass and no copy (the data buffers are returned as they are, to be written in order).
 */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff])
const MAX_STORED = 65_535

/** `crc` is the data's CRC-32 when already known (computed elsewhere, e.g. in a worker). */
export function storedMember(data: Buffer, crc: number = crc32(data)): Buffer[] {
  const parts: Buffer[] = [HEADER]
  let offset = 0
  do {
    const len = Math.min(MAX_STORED, data.length - offset)
    const last = offset + len >= data.length
    const head = Buffer.allocUnsafe(5)
    head[0] = last ? 0x01 : 0x00
    head.writeUInt16LE(len, 1)
    head.writeUInt16LE(~len & 0xffff, 3)
    parts.push(head)
    if (len > 0) parts.push(data.subarray(offset, offset + len))
    offset += len
  } while (offset < data.length)
  const trailer = Buffer.allocUnsafe(8)
  trailer.writeUInt32LE(crc >>> 0, 0)
  trailer.writeUInt32LE(data.length % 2 ** 32, 4)
  parts.push(trailer)
  return parts
}
