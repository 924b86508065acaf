import {mkdir} from 'node:fs/promises'

import * as z from 'zod'

import type {Identity, Recipient} from '../archive/age/index.js'
import type {ArchiveEncryption, Sidecar} from '../archive/sidecar.js'
import {isFolderSafeUser} from '../auth/identity.js'
import {errnoCode, fsError, HatchError} from '../errors.js'
import {createPathPolicy} from '../paths/containment.js'
import type {ArchiveServices, ToolServices} from './types.js'

/**
 * The archive side of `hatch mcp serve`: set-up from the server's flags (allowed dirs, keys) and what the archive
 * tools share. The archive core itself (age, tar, gzip) is imported only here and in the tools' run(), never at
 * module load, so a server without `--allow-dir` (and every other command) does not pay for it.
 */

/** The archive core, loaded on first use (the same module the `hatch archive …` commands import lazily). */
export function archiveCore(): Promise<typeof import('../archive/index.js')> {
  return import('../archive/index.js')
}

/** The archive services, or PERMISSION_DENIED when the server was started without `--allow-dir`. */
export function archiveServices(services: ToolServices): ArchiveServices {
  if (services.archive === undefined) {
    throw new HatchError('PERMISSION_DENIED', 'Archive tools need hatch mcp serve --allow-dir DIR; this server was not started with it.')
  }
  return services.archive
}

/** True when `real` (a canonical path) is one of the allowed directories itself, not something inside one. */
export function isAllowedRoot(archive: ArchiveServices, real: string): boolean {
  return archive.policy.roots.some((r) => r.canonical === real || r.given === real)
}

export interface ArchiveServeOptions {
  /** `--allow-dir`, repeatable; at least one. */
  allowDirs: string[]
  passphraseFile?: string
  passphraseEnv?: string
  /** `--recipient age1…`, repeatable: create encrypts to these. */
  recipients?: string[]
  /** `--identity FILE`, repeatable: verify (contents) and restore decrypt with these. */
  identityFiles?: string[]
  /** `--allow-password-argument`: the tools take seed 000's `password` argument (see callKeys). */
  passwordArgument?: boolean
  hatchVersion: string
  /** Diagnostics (stderr); never given a secret. */
  warn?: (message: string) => void
  env?: NodeJS.ProcessEnv
}

/** The name the passphrase is handed to the archive core under (a private snapshot, never process.env). */
const SNAPSHOT_VAR = 'HATCH_MCP_SERVER_PASSPHRASE'

/**
 * Sets up the archive tools once, at start: canonicalizes the allowed dirs (each must exist), reads the secret once
 * (a passphrase file is checked like the CLI checks it: refused when others can read or change it), and turns it
 * into age recipients/identities through the archive core's own key resolution (keys/resolve.ts). Only the derived
 * key objects are kept; nothing here logs or returns the secret, and errors never carry it.
 *
 * Either a passphrase (it encrypts and decrypts) or age keys (`recipients` to create, `identityFiles` to decrypt),
 * not both. With neither, the tools that need a key (create, restore) are not offered; list and verify (sidecar
 * check) still are.
 */
export async function openArchiveServices(o: ArchiveServeOptions): Promise<ArchiveServices> {
  const policy = await createPathPolicy(o.allowDirs)
  return {...(await openArchiveKeys(o)), policy}
}

/** The archive keys alone (see openArchiveServices), for servers whose allowed dirs differ per user. */
export async function openArchiveKeys(o: Omit<ArchiveServeOptions, 'allowDirs'>): Promise<Omit<ArchiveServices, 'policy'>> {
  const core = await archiveCore()
  const recipients = o.recipients ?? []
  const identityFiles = o.identityFiles ?? []
  const services: Omit<ArchiveServices, 'policy'> = {hatchVersion: o.hatchVersion, passwordArgument: o.passwordArgument === true}
  if (o.passphraseFile !== undefined && o.passphraseEnv !== undefined) {
    throw new HatchError('INVALID_ARGUMENT', 'Give one passphrase option: --passphrase-file or --passphrase-env.')
  }
  const hasPassphrase = o.passphraseFile !== undefined || o.passphraseEnv !== undefined
  if (hasPassphrase && (recipients.length > 0 || identityFiles.length > 0)) {
    throw new HatchError('INVALID_ARGUMENT', 'Give either a passphrase (--passphrase-file or --passphrase-env) or age keys (--recipient, --identity), not both.')
  }
  if (hasPassphrase) {
    // Read once, here; the core then derives both the scrypt recipient (create) and identity (decrypt) from this
    // snapshot, so the file or variable is not read again (and may be removed once the server is up).
    if (o.passphraseFile !== undefined) {
      const text = core.passphraseFromFileText(core.readSecretFile(o.passphraseFile, 'passphrase file', o.warn))
      if (text === '') throw new HatchError('INVALID_ARGUMENT', 'The passphrase file is empty.', {suggestions: ['Put the passphrase on its first line.']})
      Object.assign(services, await passphraseKeys(SNAPSHOT_VAR, {[SNAPSHOT_VAR]: text}, o.warn))
    } else {
      const name = o.passphraseEnv!
      Object.assign(services, await passphraseKeys(name, {[name]: (o.env ?? process.env)[name]}, o.warn))
    }
    return services
  }
  if (recipients.length > 0) services.encryption = await core.encryptionKeys({recipients, warn: o.warn})
  if (identityFiles.length > 0) services.identities = await core.decryptionKeys({identityFiles, warn: o.warn})
  return services
}

/** The placeholder in `--allow-dir` that each authenticated user's own name replaces. */
export const USER_PLACEHOLDER = '{user}'

/** True when some allowed dir differs per user. */
export function hasUserPlaceholder(dirs: readonly string[]): boolean {
  return dirs.some((d) => d.includes(USER_PLACEHOLDER))
}

/** The allowed dirs of one user: `{user}` replaced by their name (which must be a single, plain path segment). */
export function userDirs(templates: readonly string[], user: string): string[] {
  if (!isFolderSafeUser(user)) {
    throw new HatchError('PERMISSION_DENIED', `The archive tools are confined to a folder per user, and the user name ${JSON.stringify(user.slice(0, 80))} cannot name a folder.`, {
      suggestions: ['Use a user name of letters, digits and . _ - @ (not starting with a dot).'],
    })
  }
  return templates.map((t) => t.split(USER_PLACEHOLDER).join(user))
}

/**
 * Archive services per user for `--allow-dir …/{user}`: the keys are shared (read once at start), the path policy is
 * the user's own. A user's folder is created (mode 0700) on first use when its parent exists; the policies are kept
 * for the server's lifetime (a few hundred bytes per user).
 */
export function archivePerUser(templates: readonly string[], keys: Omit<ArchiveServices, 'policy'>): (user: string) => Promise<ArchiveServices> {
  const cache = new Map<string, Promise<ArchiveServices>>()
  return (user) => {
    let services = cache.get(user)
    if (services === undefined) {
      services = (async () => {
        const dirs = userDirs(templates, user)
        for (const dir of dirs) {
          try {
            await mkdir(dir, {mode: 0o700})
          } catch (error) {
            if (errnoCode(error) !== 'EEXIST') throw fsError(error, 'create the archive folder', dir)
          }
        }
        return {...keys, policy: await createPathPolicy(dirs)}
      })()
      services.catch(() => cache.delete(user))
      cache.set(user, services)
    }
    return services
  }
}

/**
 * Both age keys of the passphrase in `env[name]` (a private snapshot, never process.env), through the archive core's
 * own key resolution (scrypt); only the derived key objects are kept.
 */
async function passphraseKeys(
  name: string,
  env: NodeJS.ProcessEnv,
  warn?: (message: string) => void,
): Promise<{encryption: {recipients: Recipient[]; encryption: ArchiveEncryption}; identities: Identity[]}> {
  const core = await archiveCore()
  return {
    encryption: await core.encryptionKeys({passphraseEnv: name, env, warn}),
    identities: await core.decryptionKeys({passphraseEnv: name, env, warn}),
  }
}

/**
 * Seed 000's `password` argument. A password typed into a conversation lands in its transcript, the client's logs
 * and the model provider's, so it is refused unless the server was started with --allow-password-argument; the
 * refusal says why and how to give the server its own key instead. Never echoed: results, errors and the audit log
 * (masked by its key name) do not carry it.
 */
export const PasswordArg = z
  .string()
  .min(1)
  .max(1024)
  .describe(
    'Passphrase for this archive (age with scrypt). Refused unless the server was started with --allow-password-argument: a password typed into a conversation ends up in its transcript and logs, so prefer the key configured on the server and leave this out.',
  )

type CallKeys = Pick<ArchiveServices, 'encryption' | 'identities' | 'passwordArgument'>

/** The keys one call uses: from its `password` argument when given (and allowed), else the server's own. */
export async function callKeys(archive: ArchiveServices, password: string | undefined): Promise<CallKeys> {
  if (password === undefined) return archive
  if (!archive.passwordArgument) {
    throw new HatchError(
      'PERMISSION_DENIED',
      "This server does not take a password as a tool argument: a password typed into a conversation lands in the conversation's transcript and in the client's logs. Nothing was done.",
      {
        suggestions: [
          // Worded so masking leaves it whole: `password: …` reads as a secret and the rest of the line would be masked.
          'Call the tool again and leave password out; the server uses its own key.',
          'Give the server a key or passphrase when it starts, never in a conversation: hatch mcp serve --passphrase-file FILE (mode 600) or --passphrase-env VAR, or age keys with --recipient age1… and --identity FILE.',
          'To accept passwords in tool arguments despite that, start the server with --allow-password-argument.',
        ],
      },
    )
  }
  return {...(await passphraseKeys(SNAPSHOT_VAR, {[SNAPSHOT_VAR]: password})), passwordArgument: true}
}

/** The recipients a create encrypts to, or the error saying there are none. */
export function encryptionFor(keys: CallKeys): NonNullable<ArchiveServices['encryption']> {
  if (keys.encryption === undefined) throw noKey('encrypt', '--recipient age1…', keys.passwordArgument)
  return keys.encryption
}

/** The identities a restore or a full verify decrypts with, or the error saying there are none. */
export function identitiesFor(keys: CallKeys): Identity[] {
  if (keys.identities === undefined || keys.identities.length === 0) throw noKey('decrypt', '--identity FILE', keys.passwordArgument)
  return keys.identities
}

function noKey(what: string, flag: string, passwordArgument: boolean): HatchError {
  return new HatchError('INVALID_ARGUMENT', `This server holds no key to ${what} archives${passwordArgument ? ', and the call gave no password' : ''}.`, {
    suggestions: [
      `Start hatch mcp serve with ${flag} or a passphrase option (--passphrase-file FILE, --passphrase-env VAR).`,
      ...(passwordArgument ? ['Or give the call a password argument; this server accepts one.'] : []),
    ],
  })
}

/**
 * The result fields of seed 000's archive tools, which hatch's archive tools return beside their own (camelCase)
 * ones, so that clients written for that server read what they expect. Null where hatch does not know the value
 * (an archive without a sidecar).
 */
export const SeedArchiveFields = z.object({
  /** The archive (canonical path). */
  backup_file: z.string(),
  /** Its sidecar, NAME.json (seed 000's `_metadata.json`); null when there is none. */
  metadata_file: z.string().nullable(),
  /** Bytes of the archived files. */
  original_size: z.number().int().nonnegative().nullable(),
  /** Bytes of the archive. */
  compressed_size: z.number().int().nonnegative().nullable(),
  /** Percent saved, seed 000's way: (1 − compressed / original) × 100, one decimal (0 for an archive of empty files). */
  compression_ratio: z.number().nullable(),
  file_count: z.number().int().nonnegative().nullable(),
  created_at: z.string().nullable(),
})
export type SeedArchiveFields = z.infer<typeof SeedArchiveFields>

/** Seed 000's percent saved. */
export function percentSaved(original: number, compressed: number): number {
  return original === 0 ? 0 : Math.round((1 - compressed / original) * 1000) / 10
}

/** Seed 000's fields for an archive, from its sidecar when it has one. */
export function seedFields(archive: string, sidecarPath: string | undefined, sidecar: Sidecar | undefined): SeedArchiveFields {
  if (sidecar === undefined) {
    return {backup_file: archive, metadata_file: null, original_size: null, compressed_size: null, compression_ratio: null, file_count: null, created_at: null}
  }
  return {
    backup_file: archive,
    metadata_file: sidecarPath ?? null,
    original_size: sidecar.originalSize,
    compressed_size: sidecar.archiveSize,
    compression_ratio: percentSaved(sidecar.originalSize, sidecar.archiveSize),
    file_count: sidecar.fileCount,
    created_at: sidecar.createdAt,
  }
}
