import * as z from 'zod'

/**
 * How a tool call ended. `input-required`: the server asked the client for consent (elicitation) and changed nothing
 * yet. `denied`: over a daily or monthly limit, so the tool did not run (HTTP servers with limits).
 */
export const AuditOutcome = z.enum(['ok', 'preview', 'input-required', 'declined', 'error', 'denied'])
export type AuditOutcome = z.infer<typeof AuditOutcome>

/** Over stdio the identity is the OS user running the server (mcp.md §4). */
export const StdioCaller = z.object({
  transport: z.literal('stdio'),
  user: z.string(),
  uid: z.number().int().nullable(),
  /** The client's self-declared name and version (informational; clients can claim anything). */
  client: z.string().nullable(),
})

/** Over HTTP the identity is the verified token's: its user, role and public id (never the token). */
export const HttpCaller = z.object({
  transport: z.literal('http'),
  user: z.string(),
  role: z.string().nullable(),
  /** `pat` (hatch personal access token), `jwt` (the team's authorization server) or `none` (`--no-auth`). */
  auth: z.enum(['pat', 'jwt', 'none']),
  tokenId: z.string().nullable(),
  client: z.string().nullable(),
  /** The peer's address as the server saw it (a proxy's, behind one). */
  remote: z.string().nullable(),
})

export const AuditCaller = z.discriminatedUnion('transport', [StdioCaller, HttpCaller])
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
