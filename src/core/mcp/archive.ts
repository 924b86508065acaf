import {mkdir} from 'node:fs/promises'

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
  const services: Omit<ArchiveServices, 'policy'> = {hatchVersion: o.hatchVersion}
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
    let snapshot: NodeJS.ProcessEnv
    let name: string
    if (o.passphraseFile !== undefined) {
      const text = core.passphraseFromFileText(core.readSecretFile(o.passphraseFile, 'passphrase file', o.warn))
      if (text === '') throw new HatchError('INVALID_ARGUMENT', 'The passphrase file is empty.', {suggestions: ['Put the passphrase on its first line.']})
      name = SNAPSHOT_VAR
      snapshot = {[SNAPSHOT_VAR]: text}
    } else {
      name = o.passphraseEnv!
      snapshot = {[name]: (o.env ?? process.env)[name]}
    }
    services.encryption = await core.encryptionKeys({passphraseEnv: name, env: snapshot, warn: o.warn})
    services.identities = await core.decryptionKeys({passphraseEnv: name, env: snapshot, warn: o.warn})
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
