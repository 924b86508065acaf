import {Args, Flags} from '@oclif/core'

import {decryptionKeyFlags, withProgress} from '../../cli/archive.js'
import {HatchCommand} from '../../cli/base-command.js'
import {formatBytes} from '../../cli/table.js'
import type {Sidecar} from '../../core/archive/index.js'

export interface ArchiveCreateOutput extends Sidecar {
  archive: string
  sidecar: string
  warnings: string[]
}

export default class ArchiveCreate extends HatchCommand<ArchiveCreateOutput> {
  static override summary = 'Archive a folder: tar, gzip, encrypted with age.'
  static override description = `Writes OUTPUT/NAME.tar.gz.age and its sidecar OUTPUT/NAME.json. The list of files with their SHA-256 travels inside the encrypted archive; the sidecar holds only totals and the archive's own SHA-256. The archive appears only when complete.
Encrypt with a passphrase (asked twice in a terminal, or --passphrase-file / --passphrase-env; never as an argument) or to public keys (--recipient age1…, from \`hatch archive keygen\`), so scheduled backups need no secret.
Symlinks are stored as symlinks; links that leave SOURCE and special files are skipped with a warning.
Recover without hatch: age -d [-i key.txt] NAME.tar.gz.age | tar xz
Exit codes: 0 ok, 2 bad arguments, 3 SOURCE missing, 5 archive name taken, 8 I/O error.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> ~/Documents --output /backup --recipient age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
    'HATCH_PASS=… <%= config.bin %> <%= command.id %> ./projects --output /backup --name projects-weekly --passphrase-env HATCH_PASS --json',
  ]

  static override args = {
    source: Args.string({description: 'The folder to archive.', required: true}),
  }

  static override flags = {
    output: Flags.string({char: 'o', description: 'Folder to write the archive and its sidecar into (created if missing).', helpValue: 'DIR', required: true}),
    name: Flags.string({description: 'Archive name (default: SOURCE-YYYYMMDD-HHMMSS, UTC).', helpValue: 'NAME'}),
    recipient: Flags.string({char: 'r', description: 'Encrypt to this age public key (repeatable).', helpValue: 'age1…', multiple: true}),
    'passphrase-file': decryptionKeyFlags['passphrase-file'],
    'passphrase-env': decryptionKeyFlags['passphrase-env'],
    'work-factor': Flags.string({
      description: 'scrypt work factor for a passphrase, as log2 N: 17 to 22 (default 18, about a second here; each step doubles the time and memory, for whoever tries to guess the passphrase too).',
      helpValue: 'LOGN',
    }),
  }

  async run(): Promise<ArchiveCreateOutput> {
    const {args, flags} = await this.parse(ArchiveCreate)
    const archive = await import('../../core/archive/index.js')
    const {recipients, encryption} = await archive.encryptionKeys({
      recipients: flags.recipient,
      passphraseFile: flags['passphrase-file'],
      passphraseEnv: flags['passphrase-env'],
      logN: archive.parseWorkFactor(flags['work-factor']),
      prompt: process.stdin.isTTY ? (q) => archive.promptSecret(q) : undefined,
      warn: (m) => this.logToStderr(`Warning: ${m}`),
    })
    const result = await withProgress(this, archive.ProgressLine, 'Archiving', (onProgress) =>
      archive.createArchive({source: args.source, outputDir: flags.output, name: flags.name, recipients, encryption, hatchVersion: this.config.version, onProgress}),
    )
    for (const w of result.warnings) this.logToStderr(`Warning: ${w}`)
    const i = result.info
    this.out(
      `Archived ${i.source}\n  archive   ${result.archive}\n  sidecar   ${result.sidecar}\n  files     ${i.fileCount} (${formatBytes(i.originalSize)})\n` +
        `  size      ${formatBytes(i.archiveSize)} (${(i.compressionRatio * 100).toFixed(1)}% of the files' size)\n  sha256    ${i.sha256}`,
    )
    return {...i, archive: result.archive, sidecar: result.sidecar, warnings: result.warnings}
  }
}
