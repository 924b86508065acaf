import {Flags} from '@oclif/core'

import {HatchCommand} from '../../cli/base-command.js'
import {auditLogDir} from '../../cli/context.js'
import {renderTable} from '../../cli/table.js'
import {AUDIT_FILE_NAME} from '../../core/audit/log.js'
import {parseSince, readAuditLog} from '../../core/audit/read.js'
import type {AuditRecord} from '../../core/audit/record.js'
import {join} from 'node:path'
import {count} from '../../core/text/plural.js'

export interface AuditOutput {
  file: string
  since: string | null
  entries: AuditRecord[]
  /** Lines that were not valid records (skipped). */
  skipped: number
}

export default class McpAudit extends HatchCommand<AuditOutput> {
  static override summary = 'Show the log of MCP tool calls made to `hatch mcp serve`.'
  static override description = `One entry per tool call: when, which tool, who called (the OS user, and the client's name), the arguments with secrets and personal data masked, the outcome and how long it took.
The log is ${AUDIT_FILE_NAME} in hatch's log folder: $HATCH_LOG_DIR, else logs/ in hatch's home ($HATCH_HOME, default ~/.hatch).`

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --since 24h', '<%= config.bin %> <%= command.id %> --since 2026-11-01 --json']

  static override flags = {
    since: Flags.string({description: 'Only calls since then: a duration back from now (30m, 12h, 7d) or a date (2026-11-21).', helpValue: 'WHEN'}),
  }

  async run(): Promise<AuditOutput> {
    const {flags} = await this.parse(McpAudit)
    const since = flags.since === undefined ? undefined : parseSince(flags.since)
    const dir = auditLogDir()
    const {records, skipped} = readAuditLog(dir, {since})
    this.out(
      renderTable(
        ['TIME (UTC)', 'TOOL', 'OUTCOME', 'MS', 'CALLER', 'ARGUMENTS'],
        records.map((r) => [
          r.time.replace('T', ' ').slice(0, 19),
          r.tool,
          r.errorCode ? `${r.outcome} ${r.errorCode}` : r.outcome,
          String(r.durationMs),
          callerText(r.caller),
          JSON.stringify(r.arguments),
        ]),
        since ? 'No MCP tool calls in that period.' : 'No MCP tool calls logged yet.',
      ),
    )
    if (skipped > 0) this.logToStderr(`Skipped ${count(skipped, 'line')} of the log that ${skipped === 1 ? 'is not a valid entry' : 'are not valid entries'}.`)
    return {file: join(dir, AUDIT_FILE_NAME), since: since?.toISOString() ?? null, entries: records, skipped}
  }
}

/** `kim (claude-code 2.1.0)` over stdio; `alice via http, tok_… (claude-code 2.1.0)` over HTTP. */
function callerText(c: AuditRecord['caller']): string {
  const who = c.transport === 'http' ? `${c.user} via http${c.tokenId === null ? '' : `, ${c.tokenId}`}` : c.user
  return c.client ? `${who} (${c.client})` : who
}
