import {Flags} from '@oclif/core'

import {HatchCommand} from '../../cli/base-command.js'
import type {KeygenResult} from '../../core/archive/index.js'

export default class ArchiveKeygen extends HatchCommand<KeygenResult> {
  static override summary = 'Create a key pair for public-key archives.'
  static override description = `Writes a new age identity (secret key) to FILE with mode 0600 (never replacing an existing file) and prints its public key (age1…). Pass the public key to \`hatch archive create --recipient\`; keep FILE safe and offline: it is the only way to restore those archives. The file works with the stock tool too: age -d -i FILE NAME.tar.gz.age | tar xz
Exit codes: 0 ok, 5 FILE exists, 8 I/O error.`

  static override examples = ['<%= config.bin %> <%= command.id %> --output ~/.config/hatch/archive-key.txt']

  static override flags = {
    output: Flags.string({char: 'o', description: 'Where to write the identity file.', helpValue: 'FILE', required: true}),
  }

  async run(): Promise<KeygenResult> {
    const {flags} = await this.parse(ArchiveKeygen)
    const {writeNewIdentity} = await import('../../core/archive/keygen.js')
    const result = writeNewIdentity(flags.output)
    this.out(`Wrote the secret key to ${result.path} (mode 600). Keep it safe: without it, archives made for it cannot be restored.\nPublic key: ${result.recipient}`)
    return result
  }
}
