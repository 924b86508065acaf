import {
  DEFAULT_SCRYPT_LOG_N,
  MAX_SCRYPT_LOG_N,
  MIN_SCRYPT_LOG_N,
  parseIdentityFile,
  parseRecipient,
  scryptIdentity,
  scryptRecipient,
  toHatchError,
  type Identity,
  type Recipient,
} from '../age/index.js'
import {HatchError} from '../../errors.js'
import type {ArchiveEncryption} from '../sidecar.js'
import {passphraseFromFileText, readSecretFile} from './secret-file.js'

/** Where the key comes from. Passphrases never come from a command-line argument. */
export interface KeyOptions {
  passphraseFile?: string
  passphraseEnv?: string
  /** `age1…` public keys (create only). */
  recipients?: string[]
  /** age identity files, `AGE-SECRET-KEY-1…` (restore, verify, list --files). */
  identityFiles?: string[]
  /** Asks for a secret with no echo; present only when stdin is a terminal. */
  prompt?: (question: string) => Promise<string>
  warn?: (message: string) => void
  env?: NodeJS.ProcessEnv
  /** scrypt work factor for new passphrase archives (log2 N). */
  logN?: number
}

function checkOneSource(o: KeyOptions, allowRecipients: boolean): void {
  const given = [o.passphraseFile !== undefined, o.passphraseEnv !== undefined, (o.recipients?.length ?? 0) > 0, (o.identityFiles?.length ?? 0) > 0].filter(Boolean).length
  if (given > 1) {
    throw new HatchError('INVALID_ARGUMENT', `Give one key option: ${allowRecipients ? '--passphrase-file, --passphrase-env or --recipient' : '--passphrase-file, --passphrase-env or --identity'}.`)
  }
}

async function passphrase(o: KeyOptions): Promise<string | undefined> {
  let value: string | undefined
  if (o.passphraseFile !== undefined) value = passphraseFromFileText(readSecretFile(o.passphraseFile, 'passphrase file', o.warn))
  else if (o.passphraseEnv !== undefined) {
    value = (o.env ?? process.env)[o.passphraseEnv]
    if (value === undefined || value === '') {
      throw new HatchError('INVALID_ARGUMENT', `The environment variable ${o.passphraseEnv} is not set or is empty.`, {
        suggestions: ['Export the passphrase in that variable first, or use --passphrase-file FILE.'],
      })
    }
  } else return undefined
  if (value === '') throw new HatchError('INVALID_ARGUMENT', 'The passphrase file is empty.', {suggestions: ['Put the passphrase on its first line.']})
  return value
}

async function prompted(o: KeyOptions, confirm: boolean): Promise<string> {
  if (o.prompt === undefined) {
    throw new HatchError('INVALID_ARGUMENT', 'No key was given, and there is no terminal to ask for a passphrase.', {
      suggestions: ['Use --passphrase-file FILE (mode 600), --passphrase-env VAR, or ' + (confirm ? '--recipient age1….' : '--identity FILE.')],
    })
  }
  const first = await o.prompt('Passphrase: ')
  if (first === '') throw new HatchError('INVALID_ARGUMENT', 'The passphrase is empty.')
  if (confirm && (await o.prompt('Passphrase (again): ')) !== first) {
    throw new HatchError('INVALID_ARGUMENT', 'The two passphrases differ. Nothing was written.')
  }
  return first
}

/** `--work-factor`: log2 of scrypt's N for a new passphrase archive, a whole number in the range age readers accept. */
export function parseWorkFactor(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < MIN_SCRYPT_LOG_N || n > MAX_SCRYPT_LOG_N) {
    throw new HatchError('INVALID_ARGUMENT', `--work-factor must be a whole number from ${MIN_SCRYPT_LOG_N} to ${MAX_SCRYPT_LOG_N} (log2 of scrypt's N); "${value}" is not.`, {
      suggestions: [`The default is ${DEFAULT_SCRYPT_LOG_N}; each step doubles the time and memory a guess costs.`],
    })
  }
  return n
}

/** The recipients to encrypt a new archive to, and how the sidecar describes them. */
export async function encryptionKeys(o: KeyOptions): Promise<{recipients: Recipient[]; encryption: ArchiveEncryption}> {
  checkOneSource(o, true)
  if ((o.identityFiles?.length ?? 0) > 0) throw new HatchError('INVALID_ARGUMENT', 'create encrypts to public keys: use --recipient age1… (see `hatch archive keygen`).')
  if (o.logN !== undefined && (o.recipients?.length ?? 0) > 0) {
    throw new HatchError('INVALID_ARGUMENT', 'The scrypt work factor applies to passphrases; an archive for public keys has none.', {
      suggestions: ['Drop --work-factor, or use a passphrase instead of --recipient.'],
    })
  }
  try {
    if ((o.recipients?.length ?? 0) > 0) {
      const recipients = o.recipients!.map((r) => parseRecipient(r))
      return {recipients, encryption: {kind: 'x25519', recipients: recipients.map((r) => r.toString())}}
    }
    const pass = (await passphrase(o)) ?? (await prompted(o, true))
    const logN = o.logN ?? DEFAULT_SCRYPT_LOG_N
    return {recipients: [scryptRecipient(pass, {logN})], encryption: {kind: 'passphrase', kdf: 'scrypt', logN, r: 8, p: 1}}
  } catch (error) {
    throw toHatchError(error, 'the key options')
  }
}

/** The identities that may decrypt an archive. */
export async function decryptionKeys(o: KeyOptions): Promise<Identity[]> {
  checkOneSource(o, false)
  if ((o.recipients?.length ?? 0) > 0) throw new HatchError('INVALID_ARGUMENT', 'A recipient (age1…) cannot decrypt; use --identity FILE with the matching secret key.')
  try {
    if ((o.identityFiles?.length ?? 0) > 0) {
      return o.identityFiles!.flatMap((f) => parseIdentityFile(readSecretFile(f, 'identity file', o.warn)))
    }
    const pass = (await passphrase(o)) ?? (await prompted(o, false))
    return [scryptIdentity(pass)]
  } catch (error) {
    throw toHatchError(error, 'the key options')
  }
}

/** True when any key option was given (so a command knows it must decrypt). */
export function hasKeyOption(o: KeyOptions): boolean {
  return o.passphraseFile !== undefined || o.passphraseEnv !== undefined || (o.identityFiles?.length ?? 0) > 0
}
