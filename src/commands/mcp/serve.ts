import {userInfo} from 'node:os'

import {Command, Flags} from '@oclif/core'

import {auditLogDir, openFileOperations} from '../../cli/context.js'
import {AuditLog} from '../../core/audit/log.js'
import {isHatchError} from '../../core/errors.js'
import {createConfirmationIssuer} from '../../core/mcp/confirm-token.js'
import {currentHostEnvironment} from '../../core/hosts/resolve.js'
import type {Privilege} from '../../core/mcp/types.js'

export default class McpServe extends Command {
  static override summary = 'Serve hatch as an MCP server over stdio (read-only unless you allow more).'
  static override description = `Started plainly it offers only tools that change nothing: list_hosts, list_host_config_backups, verify_host_config_backups, diff_host_config_backup.
--allow-write adds backup_host_config (it only adds backups). --allow-destructive also adds restore_host_config and clean_host_config_backups, which always show a preview first and act only after the user confirms (the client's confirmation dialog, or a single-use token from the preview).
Every tool call is logged, with secrets and personal data masked, to the audit log (see \`hatch mcp audit\`).
stdout carries only MCP messages; diagnostics go to stderr. Add it to a client with \`hatch mcp install --host HOST\`.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --allow-write',
    '<%= config.bin %> <%= command.id %> --allow-destructive',
  ]

  static override flags = {
    'allow-write': Flags.boolean({default: false, description: 'Also offer tools that add data (backup_host_config).'}),
    'allow-destructive': Flags.boolean({default: false, description: 'Also offer restore and clean (implies --allow-write); each asks for confirmation.'}),
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
      },
    })
  }
}
