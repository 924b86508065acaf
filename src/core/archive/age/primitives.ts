/**
 * Thin wrappers over node:crypto for the primitives age v1 uses: canonical unpadded base64, HKDF-SHA256,
 * ChaCha20-Poly1305 for small messages (stanza bodies), X25519 on raw 32-byte keys.
 */
import {createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, type KeyObject} from 'node:crypto'

export const TAG_SIZE = 16
export const FILE_KEY_SIZE = 16

const B64_CHARS = /^[A-Za-z0-9+/]*$/

/** Standard base64 without padding (age's encoding for every header field). */
export function b64encode(bytes: Uint8Array): string {
  const s = toBuffer(bytes).toString('base64')
  let end = s.length
  while (end > 0 && s.charCodeAt(end - 1) === 61 /* = */) end--
  return s.slice(0, end)
}

/**
 * Strict decoding of unpadded standard base64: only the 64 alphabet characters, no padding, no whitespace, and the
 * unused low bits of the last character must be zero (canonical). Returns undefined for anything else.
 */
export function b64decodeStrict(s: string): Buffer | undefined {
  if (s.length % 4 === 1 || !B64_CHARS.test(s)) return undefined
  const bytes = Buffer.from(s, 'base64')
  if (b64encode(bytes) !== s) return undefined
  return bytes
}

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length))
}

const ZERO_NONCE = Buffer.alloc(12)

/** ChaCha20-Poly1305 with an all-zero nonce, as age uses for wrapping file keys (each key is used once). */
export function sealSmall(key: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, ZERO_NONCE, {authTagLength: TAG_SIZE})
  const out = cipher.update(plaintext)
  const fin = cipher.final()
  return Buffer.concat([out, fin, cipher.getAuthTag()])
}

/** Opens what sealSmall made; undefined when the tag does not verify. */
export function openSmall(key: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < TAG_SIZE) return undefined
  const buf = toBuffer(sealed)
  const decipher = createDecipheriv('chacha20-poly1305', key, ZERO_NONCE, {authTagLength: TAG_SIZE})
  decipher.setAuthTag(buf.subarray(buf.length - TAG_SIZE))
  const out = decipher.update(buf.subarray(0, buf.length - TAG_SIZE))
  try {
    return Buffer.concat([out, decipher.final()])
  } catch {
    out.fill(0)
    return undefined
  }
}

// DER prefixes for X25519 keys (RFC 8410): PKCS#8 private key and SubjectPublicKeyInfo, each followed by 32 raw bytes.
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')

export function x25519PrivateKey(raw: Uint8Array): KeyObject {
  return createPrivateKey({key: Buffer.concat([PKCS8_X25519_PREFIX, raw]), format: 'der', type: 'pkcs8'})
}

export function x25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({key: Buffer.concat([SPKI_X25519_PREFIX, raw]), format: 'der', type: 'spki'})
}

/** The raw 32 bytes of an X25519 public key (given the public key object, or the private key object). */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key
  const der = pub.export({format: 'der', type: 'spki'})
  return der.subarray(der.length - 32)
}

/** The raw 32 bytes of an X25519 private key object. */
export function rawPrivateKey(key: KeyObject): Buffer {
  const der = key.export({format: 'der', type: 'pkcs8'})
  return der.subarray(der.length - 32)
}

/**
 * X25519(privateKey, publicKey). Returns undefined when the result is the all-zero value (a low-order or identity
 * point), which age forbids; OpenSSL refuses to derive it in the first place.
 */
export function x25519(privateKey: KeyObject, publicRaw: Uint8Array): Buffer | undefined {
  let shared: Buffer
  try {
    shared = diffieHellman({privateKey, publicKey: x25519PublicKey(publicRaw)})
  } catch {
    return undefined
  }
  let acc = 0
  for (const b of shared) acc |= b
  return acc === 0 ? undefined : shared
}
