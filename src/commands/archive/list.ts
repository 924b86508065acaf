import {statSync} from 'node:fs'

import {Args, Flags} from '@oclif/core'

import {decryptionKeyFlags, keyOptions, withProgress} from '../../cli/archive.js'
import {HatchCommand} from '../../cli/base-command.js'
import {formatBytes, renderTable} from '../../cli/table.js'
import {count} from '../../core/text/plural.js'
import type {ArchiveFiles, Sidecar} from '../../core/archive/index.js'

export type ArchiveListOutput =
  | {kind: 'archives'; dir: string; archives: Array<Sidecar & {path: string}>; orphans: string[]; warnings: string[]}
  | ({kind: 'files'} & ArchiveFiles)

export default class ArchiveList extends HatchCommand<ArchiveListOutput> {
  static override summary = 'List the archives in a folder, or the files inside one archive.'
  static override description = `\`list DIR\` reads the sidecars (NAME.json) in DIR, newest first; no key is needed and nothing is decrypted.
\`list ARCHIVE\` decrypts the archive and lists the files recorded inside it (needs the key; the whole archive is read and checked).
Exit codes: 0 ok, 2 bad arguments, 3 not found, 4 damaged, 10 wrong passphrase or key.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> /backup',
    '<%= config.bin %> <%= command.id %> /backup/projects-20250101-120000.tar.gz.age --identity key.txt --json',
  ]

  static override args = {
    target: Args.string({description: 'A folder of archives, or one NAME.tar.gz.age.', required: true}),
  }

  static override flags = {
    files: Flags.boolean({default: false, description: 'List the files inside ARCHIVE (what naming a file does anyway; kept for scripts).'}),
    ...decryptionKeyFlags,
  }

  async run(): Promise<ArchiveListOutput> {
    const {args, flags} = await this.parse(ArchiveList)
    const archive = await import('../../core/archive/index.js')
    const {HatchError} = await import('../../core/errors.js')
    let isDir = false
    try {
      isDir = statSync(args.target).isDirectory()
    } catch {
      throw new HatchError('BACKUP_NOT_FOUND', `${args.target} does not exist.`, {suggestions: ['Name a folder of archives, or one NAME.tar.gz.age file.']})
    }
    if (isDir && flags.files) throw new HatchError('INVALID_ARGUMENT', '--files lists one archive: name the NAME.tar.gz.age file, not a folder.')
    if (isDir) {
      const listing = archive.listArchives(args.target)
      for (const w of listing.warnings) this.logToStderr(`Warning: ${w}`)
      const rows = listing.sidecars.map((s) => [s.name, s.createdAt.replace('T', ' ').slice(0, 19), String(s.fileCount), formatBytes(s.archiveSize), `${(s.compressionRatio * 100).toFixed(0)}%`, s.encryption.kind])
      this.out(renderTable(['NAME', 'CREATED (UTC)', 'FILES', 'SIZE', 'RATIO', 'KEY'], rows, `No archives in ${args.target}.`))
      if (listing.orphans.length > 0) this.out(`\n${count(listing.orphans.length, 'archive')} without a sidecar (not listed, never pruned):\n${listing.orphans.map((o) => `  ${o}`).join('\n')}`)
      const archives = listing.sidecars.map(({sidecarPath: _s, ...rest}) => rest)
      return {kind: 'archives', dir: args.target, archives, orphans: listing.orphans, warnings: listing.warnings}
    }
    const identities = await archive.decryptionKeys({
      ...keyOptions(flags),
      prompt: process.stdin.isTTY ? (q) => archive.promptSecret(q) : undefined,
      warn: (m) => this.logToStderr(`Warning: ${m}`),
    })
    const files = await withProgress(this, archive.ProgressLine, 'Reading', (onProgress) => archive.listArchiveFiles(args.target, identities, onProgress))
    const rows = files.entries.map((e) => [
      e.type === 'file' ? 'file' : e.type === 'directory' ? 'dir' : 'link',
      e.type === 'symlink' ? '' : (e.mode & 0o7777).toString(8).padStart(4, '0'),
      e.type === 'file' ? formatBytes(e.size) : '',
      e.type === 'symlink' ? `${e.path} -> ${e.target}` : e.path,
    ])
    this.out(renderTable(['TYPE', 'MODE', 'SIZE', 'PATH'], rows, 'The archive is empty.'))
    return {kind: 'files', ...files}
  }
}
