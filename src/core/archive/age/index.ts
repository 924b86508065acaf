/**
 * hatch's encryption layer: age v1 (https://age-encryption.org/v1) on Node's built-in crypto. Files it writes
 * decrypt with the stock `age` tool, and it reads files `age` writes (X25519 and passphrase recipients, binary
 * encoding). See docs/archive-format.md.
 */
export {
  createDecryptStream,
  createEncryptStream,
  decrypt,
  decryptionMachine,
  decryptIterable,
  encrypt,
  encryptIterable,
  encryptionMachine,
  type AgeMachine,
  type IdentityLike,
  type RecipientLike,
} from './age.js'
export {AGE_ERROR_KINDS, AgeError, isAgeError, toHatchError, type AgeErrorKind} from './errors.js'
export {encodeHeader, MAX_HEADER_SIZE, parseHeader, type ParsedHeader, type Stanza} from './header.js'
export {
  DEFAULT_SCRYPT_LOG_N,
  formatIdentityFile,
  generateIdentity,
  identityToRecipient,
  MAX_SCRYPT_LOG_N,
  MIN_SCRYPT_LOG_N,
  parseIdentity,
  parseIdentityFile,
  parseRecipient,
  parseRecipientsFile,
  ScryptIdentity,
  scryptIdentity,
  ScryptRecipient,
  scryptRecipient,
  X25519Identity,
  X25519Recipient,
  type Identity,
  type Recipient,
  type ScryptIdentityOptions,
  type ScryptRecipientOptions,
} from './recipients.js'
export {CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, PAYLOAD_NONCE_SIZE, type Sink} from './stream.js'
