import {Args, Flags} from '@oclif/core'

import {decryptionKeyFlags, keyOptions, withProgress} from '../../cli/archive.js'
import {HatchCommand} from '../../cli/base-command.js'
import {formatBytes} from '../../cli/table.js'
import {count} from '../../core/text/plural.js'
import type {RestoreResult} from '../../core/archive/index.js'

export default class ArchiveRestore extends HatchCommand<RestoreResult> {
  static override summary = 'Restore an archive into a folder, checking every file first.'
  static override description = `Decrypts the archive into a temporary folder beside DIR and checks every file against the SHA-256 recorded inside it; only then is the tree moved into DIR. A wrong key, a damaged or truncated archive, or any mismatch leaves DIR exactly as it was.
Entries that could write outside DIR (absolute paths, "..", escaping symlinks, hard links, devices) make hatch refuse the whole archive.
DIR must be missing or empty unless --overwrite is given (then the archive's files replace same-named ones and other files stay).
Exit codes: 0 ok, 2 bad arguments, 3 archive missing, 4 damaged or unsafe archive, 5 DIR not empty or in the way, 8 I/O error, 10 wrong passphrase or key.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> /backup/projects-20250101-120000.tar.gz.age --to ~/projects-restored --identity ~/.config/hatch/archive-key.txt',
    '<%= config.bin %> <%= command.id %> /backup/docs.tar.gz.age --to ~/Documents --file notes/todo.txt --overwrite --passphrase-file ~/.hatch-pass',
  ]

  static override args = {
    archive: Args.string({description: 'The NAME.tar.gz.age file.', required: true}),
  }

  static override flags = {
    to: Flags.string({description: 'Folder to restore into (created if missing).', helpValue: 'DIR', required: true}),
    overwrite: Flags.boolean({default: false, description: 'Restore into a non-empty DIR, replacing files the archive also holds.'}),
    file: Flags.string({description: 'Restore only this path from the archive (a file, link, or folder with its contents).', helpValue: 'PATH'}),
    ...decryptionKeyFlags,
  }

  async run(): Promise<RestoreResult> {
    const {args, flags} = await this.parse(ArchiveRestore)
    const archive = await import('../../core/archive/index.js')
    const identities = await archive.decryptionKeys({
      ...keyOptions(flags),
      prompt: process.stdin.isTTY ? (q) => archive.promptSecret(q) : undefined,
      warn: (m) => this.logToStderr(`Warning: ${m}`),
    })
    const result = await withProgress(this, archive.ProgressLine, 'Restoring', (onProgress) =>
      archive.restoreArchive({archive: args.archive, to: flags.to, identities, overwrite: flags.overwrite, file: flags.file, onProgress}),
    )
    for (const w of result.warnings) this.logToStderr(`Warning: ${w}`)
    this.out(
      `Restored ${count(result.files, 'file')} (${formatBytes(result.bytes)}), ${count(result.directories, 'folder')} and ${count(result.symlinks, 'symlink')} into ${result.to}` +
        (result.verified ? '\nEvery file matched its recorded SHA-256.' : ''),
    )
    return result
  }
}
