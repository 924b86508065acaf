import {Flags, type Command} from '@oclif/core'

import type {ProgressCallback} from '../core/archive/progress.js'

/** The flags that give an archive's decryption key. Passphrases never come from an argument. */
export const decryptionKeyFlags = {
  identity: Flags.string({char: 'i', description: 'age identity file (AGE-SECRET-KEY-1…) for archives made with --recipient (repeatable).', helpValue: 'FILE', multiple: true}),
  'passphrase-file': Flags.string({description: 'Read the passphrase from the first line of FILE (must not be readable by others).', helpValue: 'FILE'}),
  'passphrase-env': Flags.string({description: 'Read the passphrase from environment variable VAR.', helpValue: 'VAR'}),
}

/** What those flags say, in the archive core's terms. */
export function keyOptions(flags: {identity?: string[]; 'passphrase-file'?: string; 'passphrase-env'?: string}): {identityFiles?: string[]; passphraseFile?: string; passphraseEnv?: string} {
  return {identityFiles: flags.identity, passphraseFile: flags['passphrase-file'], passphraseEnv: flags['passphrase-env']}
}

type ProgressLineClass = new (stream: NodeJS.WriteStream | undefined, label: string) => {update: ProgressCallback; done(): void}

/**
 * Runs long archive work with a progress line on stderr — only in a terminal and without --json — and always
 * clears it, whatever happens.
 */
export async function withProgress<T>(command: Command, ProgressLine: ProgressLineClass, label: string, work: (update: ProgressCallback) => Promise<T>): Promise<T> {
  const progress = new ProgressLine(process.stderr.isTTY && !command.jsonEnabled() ? process.stderr : undefined, label)
  try {
    return await work(progress.update)
  } finally {
    progress.done()
  }
}
