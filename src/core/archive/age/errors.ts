import {HatchError, isHatchError} from '../../errors.js'

/**
 * Every way encrypting or decrypting an age file can fail, one kind per failure a caller may want to tell apart.
 *
 * Header-level:
 * - HEADER_INVALID: not an age v1 file, or the header (or a recipient stanza, or the payload nonce that follows
 *   the header) is malformed or truncated. Also ASCII-armored input, which hatch does not read.
 * - WORK_FACTOR_TOO_HIGH: a passphrase stanza asks for more scrypt work than this reader allows (age's limit,
 *   2^22, by default). Refused before any work is done.
 * - NO_MATCHING_KEY: the header is fine but none of the given identities can unwrap the file key (includes using
 *   a passphrase on a key-encrypted file and vice versa).
 * - WRONG_PASSPHRASE: the file is passphrase-encrypted and the passphrase is wrong.
 * - HEADER_MAC: the file key was unwrapped but the header MAC does not match: the header was altered.
 *
 * Payload-level (the STREAM after the header):
 * - PAYLOAD_TRUNCATED: the payload ends without a final chunk (cut at a chunk boundary, or before the first chunk).
 * - PAYLOAD_TRAILING_DATA: bytes follow the final chunk (a second final chunk, or garbage).
 * - PAYLOAD_EMPTY_CHUNK: an empty final chunk after other chunks (only an empty file may have an empty chunk).
 * - PAYLOAD_AUTH: a chunk fails authentication: the payload is damaged, or cut in the middle of a chunk.
 *
 * Caller mistakes:
 * - INVALID_RECIPIENT / INVALID_IDENTITY: a key or passphrase option that cannot be used.
 */
export type AgeErrorKind =
  | 'HEADER_INVALID'
  | 'WORK_FACTOR_TOO_HIGH'
  | 'NO_MATCHING_KEY'
  | 'WRONG_PASSPHRASE'
  | 'HEADER_MAC'
  | 'PAYLOAD_TRUNCATED'
  | 'PAYLOAD_TRAILING_DATA'
  | 'PAYLOAD_EMPTY_CHUNK'
  | 'PAYLOAD_AUTH'
  | 'INVALID_RECIPIENT'
  | 'INVALID_IDENTITY'

export const AGE_ERROR_KINDS: readonly AgeErrorKind[] = [
  'HEADER_INVALID',
  'WORK_FACTOR_TOO_HIGH',
  'NO_MATCHING_KEY',
  'WRONG_PASSPHRASE',
  'HEADER_MAC',
  'PAYLOAD_TRUNCATED',
  'PAYLOAD_TRAILING_DATA',
  'PAYLOAD_EMPTY_CHUNK',
  'PAYLOAD_AUTH',
  'INVALID_RECIPIENT',
  'INVALID_IDENTITY',
]

/**
 * The one error type the age layer throws. Messages describe the failure only: they never contain passphrases,
 * keys, file keys or any other secret, nor the text of a rejected key string (it might be a secret).
 */
export class AgeError extends Error {
  readonly kind: AgeErrorKind

  constructor(kind: AgeErrorKind, message: string, options?: {cause?: unknown}) {
    super(message, options?.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'AgeError'
    this.kind = kind
  }
}

export function isAgeError(err: unknown, kind?: AgeErrorKind): err is AgeError {
  return err instanceof AgeError && (kind === undefined || err.kind === kind)
}

/** Failures that mean the file's bytes are damaged, truncated or were tampered with. */
const DAMAGE: ReadonlySet<AgeErrorKind> = new Set<AgeErrorKind>([
  'HEADER_INVALID',
  'HEADER_MAC',
  'PAYLOAD_TRUNCATED',
  'PAYLOAD_TRAILING_DATA',
  'PAYLOAD_EMPTY_CHUNK',
  'PAYLOAD_AUTH',
])

/**
 * Maps an age-layer failure onto hatch's error family: wrong key or passphrase → WRONG_KEY (exit 10), any damage
 * → CHECKSUM_MISMATCH (exit 4), unusable keys/options → INVALID_ARGUMENT (exit 2). HatchErrors pass through;
 * anything else becomes INTERNAL. `what` names the file in messages ("the archive backup.tar.gz.age").
 */
export function toHatchError(err: unknown, what = 'the encrypted archive'): HatchError {
  if (isHatchError(err)) return err
  if (!(err instanceof AgeError)) {
    const detail = err instanceof Error ? err.message : String(err)
    return new HatchError('INTERNAL', `Unexpected failure while processing ${what}: ${detail}`, {cause: err})
  }
  if (err.kind === 'NO_MATCHING_KEY') {
    return new HatchError('WRONG_KEY', `Could not decrypt ${what}: ${err.message}`, {
      cause: err,
      suggestions: ['Use the identity file (AGE-SECRET-KEY-1…) whose public key the archive was encrypted to.'],
    })
  }
  if (err.kind === 'WRONG_PASSPHRASE') {
    return new HatchError('WRONG_KEY', `Could not decrypt ${what}: ${err.message}`, {
      cause: err,
      suggestions: ['Check the passphrase and try again.'],
    })
  }
  if (DAMAGE.has(err.kind)) {
    return new HatchError('CHECKSUM_MISMATCH', `${capitalize(what)} is damaged: ${err.message}`, {
      cause: err,
      suggestions: [
        'The file was truncated, corrupted or altered after it was written; nothing from it can be trusted.',
        'Use another copy of the archive.',
      ],
    })
  }
  if (err.kind === 'WORK_FACTOR_TOO_HIGH') {
    return new HatchError('INVALID_ARGUMENT', `Refusing to decrypt ${what}: ${err.message}`, {
      cause: err,
      suggestions: ['The archive was not made by hatch with default settings; decrypt it with the `age` tool if you trust it.'],
    })
  }
  return new HatchError('INVALID_ARGUMENT', err.message, {cause: err})
}

function capitalize(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1)
}
