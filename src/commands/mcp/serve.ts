import {userInfo} from 'node:os'

import {Command, Flags} from '@oclif/core'

import {auditLogDir, openFileOperations} from '../../cli/context.js'
import {reportError} from '../../cli/errors.js'
import {AuditLog} from '../../core/audit/log.js'
import {HatchError, isHatchError} from '../../core/errors.js'
import {createConfirmationIssuer} from '../../core/mcp/confirm-token.js'
import {currentHostEnvironment} from '../../core/hosts/resolve.js'
import type {ArchiveServices, Privilege} from '../../core/mcp/types.js'

export default class McpServe extends Command {
  static override summary = 'Serve hatch as an MCP server over stdio (read-only unless you allow more).'
  static override description = `Started plainly it offers only tools that change nothing: list_hosts, list_host_config_backups, verify_host_config_backups, diff_host_config_backup, list_servers.
--allow-write adds backup_host_config (it only adds backups). --allow-destructive also adds restore_host_config, clean_host_config_backups, add_server and remove_server, which always show a preview first and act only after the user confirms (the client's confirmation dialog, or a single-use token from the preview).
Archive tools (list_backups, verify_secure_backup; create_secure_backup with --allow-write; restore_secure_backup with --allow-destructive) are offered only with --allow-dir DIR (repeatable), and read and write only inside those directories: paths are checked component by component after resolving ".." and symlinks, so a sibling like DIR-evil, a symlink leading out, or a dangling link is refused. Without --allow-dir no archive tool is offered at all.
Archive keys are the server's, not tool arguments: --recipient age1… (create) and --identity FILE (verify contents, restore), or a passphrase read once at start from --passphrase-file FILE (mode 600) or --passphrase-env VAR. create is offered only with a recipient or passphrase, restore only with an identity or passphrase.
The archive tools refuse the password argument of the previous Python server, because a password typed into a conversation lands in its transcript and the client's logs. --allow-password-argument accepts it anyway (age with scrypt; masked in the audit log, never echoed), and then offers create and restore without a server key too.
Every tool call is logged, with secrets and personal data masked, to the audit log (see \`hatch mcp audit\`).
stdout carries only MCP messages; diagnostics go to stderr. Add it to a client with \`hatch mcp install --host HOST\`.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --allow-write',
    '<%= config.bin %> <%= command.id %> --allow-destructive',
    '<%= config.bin %> <%= command.id %> --allow-write --allow-dir ~/backups --allow-dir ~/projects --recipient age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
    '<%= config.bin %> <%= command.id %> --allow-destructive --allow-dir ~/backups --identity ~/.config/hatch/archive-key.txt',
  ]

  static override flags = {
    'allow-write': Flags.boolean({default: false, description: 'Also offer tools that add data (backup_host_config).'}),
    'allow-destructive': Flags.boolean({default: false, description: 'Also offer restore and clean (implies --allow-write); each asks for confirmation.'}),
    'allow-dir': Flags.string({description: 'Offer the archive tools, reading and writing only inside DIR (repeatable).', helpValue: 'DIR', multiple: true}),
    'passphrase-file': Flags.string({description: 'Archive passphrase from the first line of FILE (must not be readable by others); read once at start.', helpValue: 'FILE', exclusive: ['passphrase-env', 'recipient', 'identity']}),
    'passphrase-env': Flags.string({description: 'Archive passphrase from environment variable VAR; read once at start.', helpValue: 'VAR', exclusive: ['passphrase-file', 'recipient', 'identity']}),
    recipient: Flags.string({char: 'r', description: 'create_secure_backup encrypts to this age public key (repeatable).', helpValue: 'age1…', multiple: true}),
    identity: Flags.string({char: 'i', description: 'age identity file for verify_secure_backup (contents) and restore_secure_backup (repeatable).', helpValue: 'FILE', multiple: true}),
    'allow-password-argument': Flags.boolean({
      default: false,
      description: "Let the archive tools take a password argument. Risky: a password typed into a conversation lands in its transcript and the client's logs; prefer --passphrase-file.",
    }),
    'confirm-ttl-ms': Flags.integer({hidden: true, min: 1, default: 5 * 60 * 1000, description: 'How long a confirmation token stays valid (tests).'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(McpServe)
    const level: Privilege = flags['allow-destructive'] ? 'destructive' : flags['allow-write'] ? 'write' : 'read'
    const report = (message: string, error?: unknown) => {
      const detail = error === undefined ? '' : `: ${isHatchError(error) ? error.message : error instanceof Error ? error.message : String(error)}`
      process.stderr.write(`${message}${detail}\n`)
      if (process.env.DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
    }
    const archive = await this.archiveServices(flags)
    const audit = AuditLog.open(auditLogDir())
    const ops = openFileOperations(this.config.version)
    const user = userInfo()
    // The SDK is imported here, not at the top: every other command would pay for it at start-up (stack.md §3.7).
    const {serveHatchOverStdio} = await import('../../core/mcp/stdio.js')
    await serveHatchOverStdio({
      version: this.config.version,
      level,
      audit,
      report,
      caller: {transport: 'stdio', user: user.username, uid: user.uid >= 0 ? user.uid : null, client: null},
      services: {
        store: ops.store,
        ops,
        hostEnvironment: currentHostEnvironment,
        issuer: createConfirmationIssuer({ttlMs: flags['confirm-ttl-ms']}),
        confirmTtlMs: flags['confirm-ttl-ms'],
        principal: `os-user:${user.username}`,
        now: () => new Date(),
        archive,
      },
    })
  }

  /**
   * The archive tools' set-up, before any protocol starts: allowed dirs canonicalized, the secret read once and turned
   * into keys. The archive core is imported only here, and only with --allow-dir. A bad flag stops the server with
   * its message on stderr (never the secret).
   */
  private async archiveServices(flags: {
    'allow-dir'?: string[]
    'passphrase-file'?: string
    'passphrase-env'?: string
    recipient?: string[]
    identity?: string[]
    'allow-password-argument': boolean
  }): Promise<ArchiveServices | undefined> {
    const keyFlags = (['passphrase-file', 'passphrase-env', 'recipient', 'identity', 'allow-password-argument'] as const).filter((f) => flags[f] !== undefined && flags[f] !== false)
    if ((flags['allow-dir']?.length ?? 0) === 0) {
      if (keyFlags.length > 0) throw new HatchError('INVALID_ARGUMENT', `--${keyFlags[0]} is for the archive tools, which need --allow-dir DIR.`)
      return undefined
    }
    const {openArchiveServices} = await import('../../core/mcp/archive.js')
    return openArchiveServices({
      allowDirs: flags['allow-dir']!,
      passphraseFile: flags['passphrase-file'],
      passphraseEnv: flags['passphrase-env'],
      recipients: flags.recipient,
      identityFiles: flags.identity,
      passwordArgument: flags['allow-password-argument'],
      hatchVersion: this.config.version,
      warn: (m) => process.stderr.write(`Warning: ${m}
`),
    })
  }

  /** Errors before the protocol starts go to stderr as every hatch command reports them (stdout is the protocol's). */
  protected override async catch(err: Error): Promise<unknown> {
    await reportError(err, {json: false, command: {id: this.id, flags: this.ctor.flags, argv: this.argv}})
    return undefined
  }
}
