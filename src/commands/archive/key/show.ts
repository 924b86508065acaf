import {Args} from '@oclif/core'

import {HatchCommand} from '../../../cli/base-command.js'
import type {IdentityFileInfo} from '../../../core/archive/index.js'

export default class ArchiveKeyShow extends HatchCommand<IdentityFileInfo> {
  static override summary = "Print the public key (age1…) of an identity file, for archive create --recipient."
  static override description = `Reads FILE (an age identity file, as \`hatch archive keygen\` or age-keygen write it) and prints the public key of each secret key in it; the secret itself is never printed. Like every key file, FILE must not be readable by other users.
Exit codes: 0 ok, 2 not an identity file, 3 FILE missing, 8 FILE readable by others or unreadable.`

  static override examples = ['<%= config.bin %> <%= command.id %> ~/.config/hatch/archive-key.txt']

  static override args = {
    file: Args.string({description: 'The identity file (AGE-SECRET-KEY-1…).', required: true}),
  }

  async run(): Promise<IdentityFileInfo> {
    const {args} = await this.parse(ArchiveKeyShow)
    const {showIdentityFile} = await import('../../../core/archive/keygen.js')
    const info = showIdentityFile(args.file, (m) => this.logToStderr(`Warning: ${m}`))
    this.out(info.recipients.join('\n'))
    return info
  }
}
