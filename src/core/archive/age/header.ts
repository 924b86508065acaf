/**
 * The age v1 header: strict parsing and canonical encoding.
 *
 *   age-encryption.org/v1
 *   -> TYPE ARG...            one line per stanza: "-> " and space-separated arguments of VCHARs (0x21-0x7E)
 *   BODY                      the stanza body, unpadded base64, full lines of exactly 64 columns, then one
 *                             shorter (possibly empty) line that ends the stanza
 *   --- MAC                   43 columns of unpadded base64: HMAC-SHA256 over everything up to and including "---"
 *
 * Lines end in LF only. Anything else (CR, padding, non-canonical base64, empty arguments, long lines) is rejected
 * rather than repaired, so the bytes the MAC covers are the bytes that were parsed.
 */
import {createHmac, timingSafeEqual} from 'node:crypto'

import {AgeError} from './errors.js'
import {b64decodeStrict, b64encode, hkdf} from './primitives.js'

export const VERSION_LINE = 'age-encryption.org/v1'
const VERSION_PREFIX = 'age-encryption.org/'
const COLUMNS = 64
const MAC_SIZE = 32
const MAC_COLUMNS = 43

/** Headers larger than this are refused (about 9,000 X25519 recipients); it bounds what a reader buffers. */
export const MAX_HEADER_SIZE = 1024 * 1024

export interface Stanza {
  /** The first argument of the stanza line, e.g. "X25519" or "scrypt". */
  type: string
  /** The remaining arguments. */
  args: string[]
  body: Uint8Array
}

export interface ParsedHeader {
  stanzas: Stanza[]
  /** The MAC the file claims. */
  mac: Buffer
  /** The bytes the MAC covers: the header through "---". */
  macInput: Buffer
  /** Size of the whole header in bytes, including the MAC line and its newline. */
  length: number
}

const ARG = /^[\x21-\x7E]+$/

function invalid(detail: string): AgeError {
  return new AgeError('HEADER_INVALID', `Invalid age header: ${detail}.`)
}

/**
 * Parses the header at the start of `buf`. Returns undefined if `buf` ends before the header does (more input is
 * needed); throws HEADER_INVALID as soon as the bytes seen cannot start a valid header. `final` says no more bytes
 * will come, so an incomplete header is an error.
 */
export function parseHeader(buf: Buffer, final = false): ParsedHeader | undefined {
  let pos = 0
  const nextLine = (): string | undefined => {
    const nl = buf.indexOf(10, pos)
    if (nl === -1) return undefined
    const line = buf.toString('latin1', pos, nl)
    pos = nl + 1
    return line
  }
  const needMore = (): undefined => {
    if (final) throw invalid(buf.length === 0 ? 'the file is empty' : 'the file ends inside the header')
    if (buf.length > MAX_HEADER_SIZE) throw invalid(`the header is larger than ${MAX_HEADER_SIZE} bytes`)
    return undefined
  }

  const version = nextLine()
  if (version === undefined) {
    checkVersionPrefix(buf.toString('latin1', 0, Math.min(buf.length, VERSION_LINE.length)), false)
    return needMore()
  }
  checkVersionPrefix(version, true)

  const stanzas: Stanza[] = []
  for (;;) {
    const lineStart = pos
    const line = nextLine()
    if (line === undefined) return needMore()
    if (line.startsWith('---')) {
      const m = line.length === 4 + MAC_COLUMNS && line.startsWith('--- ') ? line.slice(4) : undefined
      const mac = m === undefined ? undefined : b64decodeStrict(m)
      if (mac === undefined || mac.length !== MAC_SIZE) throw invalid('the MAC line is malformed')
      if (stanzas.length === 0) throw invalid('there are no recipient stanzas')
      return {stanzas, mac, macInput: buf.subarray(0, lineStart + 3), length: pos}
    }
    if (!line.startsWith('-> ')) throw invalid('expected a stanza ("-> ") or the MAC line ("---")')
    const args = line.slice(3).split(' ')
    for (const arg of args) {
      if (!ARG.test(arg)) throw invalid('a stanza argument is empty or contains characters other than printable ASCII')
    }
    const bodyParts: Buffer[] = []
    for (;;) {
      const bodyLine = nextLine()
      if (bodyLine === undefined) return needMore()
      if (bodyLine.length > COLUMNS) throw invalid('a stanza body line is longer than 64 columns')
      const part = b64decodeStrict(bodyLine)
      if (part === undefined) throw invalid('a stanza body is not canonical unpadded base64')
      bodyParts.push(part)
      if (bodyLine.length < COLUMNS) break
    }
    stanzas.push({type: args[0]!, args: args.slice(1), body: Buffer.concat(bodyParts)})
  }
}

/** Checks the first line (or, when `complete` is false, the first bytes of it) of what should be an age file. */
function checkVersionPrefix(text: string, complete: boolean): void {
  if (complete && text === VERSION_LINE) return
  if (!complete && (VERSION_LINE.startsWith(text) || text.startsWith(VERSION_PREFIX))) return
  if (text.startsWith('-----BEGIN')) {
    throw invalid('the file is ASCII-armored (PEM-style); hatch reads only binary age files, decode it with `age -d` first')
  }
  if (!complete && '-----BEGIN'.startsWith(text)) return
  if (text.startsWith(VERSION_PREFIX)) throw invalid('unsupported age format version')
  throw invalid('this is not an age-encrypted file')
}

/** Encodes a stanza: its line and its body wrapped at 64 columns, always ending with a short (maybe empty) line. */
export function encodeStanza(stanza: Stanza): string {
  for (const arg of [stanza.type, ...stanza.args]) {
    if (!ARG.test(arg)) throw new AgeError('INVALID_RECIPIENT', 'A stanza argument is empty or not printable ASCII.')
  }
  const b64 = b64encode(stanza.body)
  let out = `-> ${[stanza.type, ...stanza.args].join(' ')}\n`
  let i = 0
  for (; i + COLUMNS <= b64.length; i += COLUMNS) out += b64.slice(i, i + COLUMNS) + '\n'
  return out + b64.slice(i) + '\n'
}

function headerMac(fileKey: Uint8Array, macInput: Uint8Array): Buffer {
  return createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(macInput).digest()
}

/** The full header (through the MAC line's newline) for these stanzas, authenticated with `fileKey`. */
export function encodeHeader(stanzas: readonly Stanza[], fileKey: Uint8Array): Buffer {
  const macInput = Buffer.from(VERSION_LINE + '\n' + stanzas.map((s) => encodeStanza(s)).join('') + '---', 'latin1')
  const mac = headerMac(fileKey, macInput)
  return Buffer.concat([macInput, Buffer.from(` ${b64encode(mac)}\n`, 'latin1')])
}

/** Throws HEADER_MAC unless the header's MAC verifies under `fileKey`. */
export function verifyHeaderMac(header: ParsedHeader, fileKey: Uint8Array): void {
  const expected = headerMac(fileKey, header.macInput)
  if (!timingSafeEqual(expected, header.mac)) {
    throw new AgeError('HEADER_MAC', 'The header MAC does not match: the header was altered or damaged.')
  }
}
