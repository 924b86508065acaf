import * as z from 'zod'

/** How a tool call ended. `input-required`: the server asked the client for consent (elicitation) and changed nothing yet. */
export const AuditOutcome = z.enum(['ok', 'preview', 'input-required', 'declined', 'error'])
export type AuditOutcome = z.infer<typeof AuditOutcome>

/** Who called: over stdio the identity is the OS user running the server (mcp.md §4). */
export const AuditCaller = z.object({
  transport: z.literal('stdio'),
  user: z.string(),
  uid: z.number().int().nullable(),
  /** The client's self-declared name and version (informational; clients can claim anything). */
  client: z.string().nullable(),
})
export type AuditCaller = z.infer<typeof AuditCaller>

/**
 * One line of the MCP audit log (docs/mcp.md). Arguments are stored masked (maskValue): secrets and personal data
 * never reach the file. Fields are only ever added.
 */
export const AuditRecord = z.object({
  time: z.string(),
  tool: z.string(),
  caller: AuditCaller,
  arguments: z.unknown(),
  outcome: AuditOutcome,
  /** The stable error code when outcome is `error` or `declined`. */
  errorCode: z.string().nullable(),
  durationMs: z.number().nonnegative(),
})
export type AuditRecord = z.infer<typeof AuditRecord>
