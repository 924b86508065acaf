import {userInfo} from 'node:os'

import {Command, Flags} from '@oclif/core'

import {auditLogLocation, openFileOperations} from '../../cli/context.js'
import {reportError} from '../../cli/errors.js'
import {AuditLog} from '../../core/audit/log.js'
import {HatchError, isHatchError} from '../../core/errors.js'
import {createConfirmationIssuer} from '../../core/mcp/confirm-token.js'
import {currentHostEnvironment} from '../../core/hosts/resolve.js'
import type {ArchiveServices, Privilege, ToolServices} from '../../core/mcp/types.js'

type ArchiveFlags = {
  'allow-dir'?: string[]
  'allow-password-argument': boolean
  'passphrase-file'?: string
  'passphrase-env'?: string
  recipient?: string[]
  identity?: string[]
}

const HTTP_ONLY = ['listen', 'tls-cert', 'tls-key', 'behind-tls-proxy', 'public-url', 'allowed-host', 'allowed-origin', 'store', 'jwt-issuer', 'jwks-url', 'jwt-public-key', 'jwt-role-claim', 'jwt-algorithm', 'max-body'] as const

export default class McpServe extends Command {
  static override summary = 'Serve hatch as an MCP server: over stdio for this user, or over HTTP for a team (read-only unless you allow more).'
  static override description = `Started plainly it offers only tools that change nothing: list_hosts, list_host_config_backups, verify_host_config_backups, diff_host_config_backup, list_servers.
--allow-write adds backup_host_config (it only adds backups). --allow-destructive also adds restore_host_config, clean_host_config_backups, add_server and remove_server, which always show a preview first and act only after the user confirms (the client's confirmation dialog, or a single-use token from the preview).
Archive tools (list_backups, verify_secure_backup; create_secure_backup with --allow-write; restore_secure_backup with --allow-destructive) are offered only with --allow-dir DIR (repeatable), and read and write only inside those directories: paths are checked component by component after resolving ".." and symlinks, so a sibling like DIR-evil, a symlink leading out, or a dangling link is refused. Without --allow-dir no archive tool is offered at all. A {user} in DIR is replaced by the caller's user name, so each user is confined to a folder of their own.
Archive keys are the server's, not tool arguments: --recipient age1… (create) and --identity FILE (verify contents, restore), or a passphrase read once at start from --passphrase-file FILE (mode 600) or --passphrase-env VAR. create is offered only with a recipient or passphrase, restore only with an identity or passphrase.
The archive tools refuse the password argument of the previous Python server, because a password typed into a conversation lands in its transcript and the client's logs. --allow-password-argument accepts it anyway (age with scrypt; masked in the audit log, never echoed), and then offers create and restore without a server key too.
--http serves the same tools over MCP Streamable HTTP at /mcp (default 127.0.0.1:8808) to callers with a token: personal access tokens from \`hatch auth token create\`, or JWT access tokens from your OAuth server (--jwt-issuer with --jwks-url or --jwt-public-key). Each caller sees and may call only the tools its token's scopes (hatch:read, hatch:write, hatch:destructive, hatch:admin) and this server's --allow-… flags both allow, within its daily and monthly limits (\`hatch auth limit\`). A non-loopback address needs --tls-cert/--tls-key or --behind-tls-proxy. See docs/http.md.
Every tool call is logged, with secrets and personal data masked, to the audit log (see \`hatch mcp audit\`).
Over stdio, stdout carries only MCP messages; diagnostics go to stderr. Add it to a client with \`hatch mcp install --host HOST\` (or --url for an HTTP server).`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --allow-write',
    '<%= config.bin %> <%= command.id %> --allow-destructive',
    '<%= config.bin %> <%= command.id %> --allow-write --allow-dir ~/backups --allow-dir ~/projects --recipient age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
    '<%= config.bin %> <%= command.id %> --allow-destructive --allow-dir ~/backups --identity ~/.config/hatch/archive-key.txt',
    '<%= config.bin %> <%= command.id %> --http --allow-write',
    '<%= config.bin %> <%= command.id %> --http --listen 0.0.0.0:8808 --tls-cert cert.pem --tls-key key.pem --public-url https://hatch.example.com:8808/mcp',
    '<%= config.bin %> <%= command.id %> --http --behind-tls-proxy --listen 10.0.0.5:8808 --public-url https://hatch.example.com/mcp --jwt-issuer https://auth.example.com/ --jwks-url https://auth.example.com/.well-known/jwks.json',
  ]

  static override flags = {
    'allow-write': Flags.boolean({default: false, description: 'Also offer tools that add data (backup_host_config).'}),
    'allow-destructive': Flags.boolean({default: false, description: 'Also offer restore and clean (implies --allow-write); each asks for confirmation.'}),
    'allow-dir': Flags.string({description: 'Offer the archive tools, reading and writing only inside DIR (repeatable; {user} in DIR: one folder per user).', helpValue: 'DIR', multiple: true}),
    'passphrase-file': Flags.string({description: 'Archive passphrase from the first line of FILE (must not be readable by others); read once at start.', helpValue: 'FILE', exclusive: ['passphrase-env', 'recipient', 'identity']}),
    'passphrase-env': Flags.string({description: 'Archive passphrase from environment variable VAR; read once at start.', helpValue: 'VAR', exclusive: ['passphrase-file', 'recipient', 'identity']}),
    recipient: Flags.string({char: 'r', description: 'create_secure_backup encrypts to this age public key (repeatable).', helpValue: 'age1…', multiple: true}),
    identity: Flags.string({char: 'i', description: 'age identity file for verify_secure_backup (contents) and restore_secure_backup (repeatable).', helpValue: 'FILE', multiple: true}),
    'allow-password-argument': Flags.boolean({
      default: false,
      description: "Let the archive tools take a password argument. Risky: a password typed into a conversation lands in its transcript and the client's logs; prefer --passphrase-file.",
    }),
    'confirm-ttl-ms': Flags.integer({hidden: true, min: 1, default: 5 * 60 * 1000, description: 'How long a confirmation token stays valid (tests).'}),
    http: Flags.boolean({default: false, description: 'Serve over MCP Streamable HTTP at /mcp instead of stdio; every caller needs a token.', helpGroup: 'HTTP'}),
    listen: Flags.string({description: 'Address and port to listen on (--http).', helpValue: 'HOST:PORT', default: '127.0.0.1:8808', env: 'HATCH_LISTEN', helpGroup: 'HTTP'}),
    'tls-cert': Flags.string({description: 'Serve HTTPS with this certificate (PEM); with --tls-key.', helpValue: 'FILE', helpGroup: 'HTTP'}),
    'tls-key': Flags.string({description: "The certificate's private key (PEM, not readable by others).", helpValue: 'FILE', helpGroup: 'HTTP'}),
    'behind-tls-proxy': Flags.boolean({default: false, description: 'A reverse proxy terminates TLS in front of hatch (needs --public-url).', helpGroup: 'HTTP'}),
    'public-url': Flags.string({description: 'The https:// URL clients use for /mcp: the resource tokens are issued for.', helpValue: 'URL', env: 'HATCH_PUBLIC_URL', helpGroup: 'HTTP'}),
    'allowed-host': Flags.string({description: 'Also accept this Host header name (repeatable).', helpValue: 'NAME', multiple: true, helpGroup: 'HTTP'}),
    'allowed-origin': Flags.string({description: 'Also accept browser requests from this Origin host name (repeatable).', helpValue: 'NAME', multiple: true, helpGroup: 'HTTP'}),
    auth: Flags.boolean({default: true, allowNo: true, description: '--no-auth: serve every caller without a token (loopback only; a warning is printed).', helpGroup: 'HTTP'}),
    store: Flags.string({description: 'The store of tokens, limits and usage: an SQLite file (default ~/.hatch/hatch.db) or a postgres:// URL; default $HATCH_STORE.', helpValue: 'PATH|URL', helpGroup: 'HTTP'}),
    'jwt-issuer': Flags.string({description: "Also accept JWT access tokens from this OAuth authorization server (its 'iss').", helpValue: 'URL', env: 'HATCH_JWT_ISSUER', helpGroup: 'HTTP'}),
    'jwks-url': Flags.string({description: "The issuer's JWKS (its signing keys).", helpValue: 'URL', exclusive: ['jwt-public-key'], env: 'HATCH_JWKS_URL', helpGroup: 'HTTP'}),
    'jwt-public-key': Flags.string({description: "The issuer's public key: PEM, JWK or JWKS file.", helpValue: 'FILE', helpGroup: 'HTTP'}),
    'jwt-role-claim': Flags.string({description: "The JWT claim that holds the caller's role (a dotted path).", helpValue: 'CLAIM', default: 'role', helpGroup: 'HTTP'}),
    'jwt-algorithm': Flags.string({description: 'Accept only these JWT signature algorithms (repeatable; asymmetric ones only).', helpValue: 'ALG', multiple: true, helpGroup: 'HTTP'}),
    'max-body': Flags.integer({description: 'Largest request body accepted, in bytes (413 above it).', helpValue: 'BYTES', min: 1024, default: 1024 * 1024, helpGroup: 'HTTP'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(McpServe)
    const level: Privilege = flags['allow-destructive'] ? 'destructive' : flags['allow-write'] ? 'write' : 'read'
    const report = (message: string, error?: unknown) => {
      const detail = error === undefined ? '' : `: ${isHatchError(error) ? error.message : error instanceof Error ? error.message : String(error)}`
      process.stderr.write(`${message}${detail}\n`)
      if (process.env.DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
    }
    const user = userInfo()
    if (!flags.http) {
      const given = HTTP_ONLY.filter((f) => (this.argv as string[]).some((a) => a === `--${f}` || a.startsWith(`--${f}=`)))
      if (given.length > 0 || !flags.auth) throw new HatchError('INVALID_ARGUMENT', `--${given[0] ?? 'no-auth'} is for the HTTP server, which needs --http.`)
    }
    const archive = await this.archiveSetUp(flags, flags.http ? undefined : user.username)
    const log = auditLogLocation()
    const audit = AuditLog.open(log.dir, log.options)
    const ops = openFileOperations(this.config.version)
    const services: ToolServices = {
      store: ops.store,
      ops,
      hostEnvironment: currentHostEnvironment,
      issuer: createConfirmationIssuer({ttlMs: flags['confirm-ttl-ms']}),
      confirmTtlMs: flags['confirm-ttl-ms'],
      principal: `os-user:${user.username}`,
      now: () => new Date(),
      archive: archive?.shared,
    }
    if (flags.http) {
      const {serveHatchOverHttp} = await import('../../core/mcp/http/run.js')
      await serveHatchOverHttp(
          {
            listen: flags.listen,
            tlsCert: flags['tls-cert'],
            tlsKey: flags['tls-key'],
            behindTlsProxy: flags['behind-tls-proxy'],
            publicUrl: flags['public-url'],
            allowedHosts: flags['allowed-host'],
            allowedOrigins: flags['allowed-origin'],
            auth: flags.auth,
            store: flags.store,
            jwtIssuer: flags['jwt-issuer'],
            jwksUrl: flags['jwks-url'],
            jwtPublicKey: flags['jwt-public-key'],
            jwtRoleClaim: flags['jwt-role-claim'],
            jwtAlgorithms: flags['jwt-algorithm'],
            maxBodyBytes: flags['max-body'],
          },
          {version: this.config.version, level, services, archiveFor: archive?.perUser, audit, report, localUser: user.username},
      )
      return
    }
    // The SDK is imported here, not at the top: every other command would pay for it at start-up (stack.md §3.7).
    const {serveHatchOverStdio} = await import('../../core/mcp/stdio.js')
    await serveHatchOverStdio({
      version: this.config.version,
      level,
      audit,
      report,
      caller: {transport: 'stdio', user: user.username, uid: user.uid >= 0 ? user.uid : null, client: null},
      services,
    })
  }

  /**
   * The archive tools' set-up, before any protocol starts: allowed dirs canonicalized, the secret read once and turned
   * into keys. The archive core is imported only here, and only with --allow-dir. `{user}` in a dir is the OS user
   * over stdio (`localUser`), and each caller's own name over HTTP (`perUser`).
   */
  private async archiveSetUp(
    flags: ArchiveFlags,
    localUser: string | undefined,
  ): Promise<{shared?: ArchiveServices; perUser?: (user: string) => Promise<ArchiveServices>} | undefined> {
    const keyFlags = (['passphrase-file', 'passphrase-env', 'recipient', 'identity', 'allow-password-argument'] as const).filter((f) => flags[f] !== undefined && flags[f] !== false)
    const dirs = flags['allow-dir'] ?? []
    if (dirs.length === 0) {
      if (keyFlags.length > 0) throw new HatchError('INVALID_ARGUMENT', `--${keyFlags[0]} is for the archive tools, which need --allow-dir DIR.`)
      return undefined
    }
    const {archivePerUser, hasUserPlaceholder, openArchiveKeys, openArchiveServices, userDirs} = await import('../../core/mcp/archive.js')
    const options = {
      passphraseFile: flags['passphrase-file'],
      passphraseEnv: flags['passphrase-env'],
      recipients: flags.recipient,
      identityFiles: flags.identity,
      passwordArgument: flags['allow-password-argument'],
      hatchVersion: this.config.version,
      warn: (m: string) => process.stderr.write(`Warning: ${m}\n`),
    }
    if (!hasUserPlaceholder(dirs)) {
      const shared = await openArchiveServices({...options, allowDirs: dirs})
      return {shared, perUser: async () => shared}
    }
    if (localUser !== undefined) return {shared: await openArchiveServices({...options, allowDirs: userDirs(dirs, localUser)})}
    return {perUser: archivePerUser(dirs, await openArchiveKeys(options))}
  }

  /** Errors before the protocol starts go to stderr as every hatch command reports them (stdout is the protocol's). */
  protected override async catch(err: Error): Promise<unknown> {
    await reportError(err, {json: false, command: {id: this.id, flags: this.ctor.flags, argv: this.argv}})
    return undefined
  }
}
