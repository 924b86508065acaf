import {Args} from '@oclif/core'

import {decryptionKeyFlags, keyOptions, withProgress} from '../../cli/archive.js'
import {HatchCommand} from '../../cli/base-command.js'
import {formatBytes} from '../../cli/table.js'
import {count} from '../../core/text/plural.js'
import type {VerifyResult} from '../../core/archive/index.js'

export default class ArchiveVerify extends HatchCommand<VerifyResult> {
  static override summary = 'Check an archive for damage.'
  static override description = `Without a key: checks the archive's SHA-256 and size against its sidecar (NAME.json).
With a key (--identity, --passphrase-file or --passphrase-env): also decrypts everything and re-hashes every file against the list recorded inside the archive, like \`restic check --read-data\`. Nothing is written.
Exit codes: 0 intact, 2 bad arguments, 3 archive or sidecar missing, 4 damaged or unsafe, 10 wrong passphrase or key.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> /backup/projects-20250101-120000.tar.gz.age',
    '<%= config.bin %> <%= command.id %> /backup/projects-20250101-120000.tar.gz.age --identity key.txt --json',
  ]

  static override args = {
    archive: Args.string({description: 'The NAME.tar.gz.age file.', required: true}),
  }

  static override flags = {
    ...decryptionKeyFlags,
  }

  async run(): Promise<VerifyResult> {
    const {args, flags} = await this.parse(ArchiveVerify)
    const archive = await import('../../core/archive/index.js')
    const keys = keyOptions(flags)
    const identities = archive.hasKeyOption(keys) ? await archive.decryptionKeys({...keys, warn: (m) => this.logToStderr(`Warning: ${m}`)}) : undefined
    const result = await withProgress(this, archive.ProgressLine, 'Verifying', (onProgress) => archive.verifyArchive({archive: args.archive, identities, onProgress}))
    const lines = [`OK: ${result.archive} (${formatBytes(result.size)})`]
    lines.push(result.sidecar === 'ok' ? '  SHA-256 matches its sidecar.' : '  No sidecar to compare with.')
    lines.push(result.contents === 'ok' ? `  Decrypted; ${result.files === 1 ? 'its one file' : `all ${count(result.files ?? 0, 'file')}`} (${formatBytes(result.bytes ?? 0)}) ${result.files === 1 ? 'matches its' : 'match their'} recorded SHA-256.` : '  Contents not checked (give a key to decrypt and re-hash every file).')
    this.out(lines.join('\n'))
    return result
  }
}
