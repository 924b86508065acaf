import type {z} from 'zod'

import type {Identity, Recipient} from '../archive/age/index.js'
import type {ArchiveEncryption} from '../archive/sidecar.js'
import type {AtomicFileOperations} from '../backup/atomic-file-operations.js'
import type {BackupStore} from '../backup/store.js'
import type {HostEnvironment} from '../hosts/resolve.js'
import type {Identity as Caller} from '../auth/identity.js'
import type {PathPolicy} from '../paths/containment.js'
import type {QuotaGate} from '../quota/gate.js'
import type {HatchStore} from '../store/types.js'
import type {ConfirmationIssuer} from './confirm-token.js'

/**
 * Privilege levels of `hatch mcp serve`, cumulative: `read` (the default) offers tools that change nothing;
 * `write` (--allow-write) adds tools that only add data; `destructive` (--allow-destructive) adds tools that
 * replace or delete data, each behind a preview and an explicit confirmation. `admin` tools (limits and usage of
 * every user) are not a server level: they exist on authenticated HTTP servers and need the `hatch:admin` scope.
 */
export type Privilege = 'read' | 'write' | 'destructive' | 'admin'

/** The levels a server can be started at. */
export type ServerLevel = Exclude<Privilege, 'admin'>

export const PRIVILEGE_RANK: Record<ServerLevel, number> = {read: 0, write: 1, destructive: 2}

/** True when a server started at `level` may offer a tool that needs `needed` (admin tools: see Privilege). */
export function allows(level: Privilege, needed: Privilege): boolean {
  if (needed === 'admin') return true
  return level !== 'admin' && PRIVILEGE_RANK[level] >= PRIVILEGE_RANK[needed]
}

/** MCP tool annotations, all four always set explicitly (hints only; the server enforces privilege itself). */
export interface ToolHints {
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: false
}

/**
 * What the archive tools work with, set up once when the server starts with `--allow-dir` (absent otherwise, and
 * then no archive tool is offered). Keys come from the server's own flags, never from tool arguments (mcp.md §3).
 */
export interface ArchiveServices {
  /** Every path a tool is given goes through it: inside the `--allow-dir` directories or refused. */
  policy: PathPolicy
  /** From `--recipient` or a passphrase option; absent when the server cannot encrypt (no create tool then). */
  encryption?: {recipients: Recipient[]; encryption: ArchiveEncryption}
  /** From `--identity` or a passphrase option; absent when the server cannot decrypt (no restore tool then). */
  identities?: Identity[]
  /** Recorded in new archives' sidecars. */
  hatchVersion: string
  /**
   * `--allow-password-argument`: a call may bring its own passphrase in seed 000's `password` argument (refused
   * otherwise); create and restore are then offered without a server key too.
   */
  passwordArgument: boolean
}

/** What a tool needs besides its privilege level; a server that lacks it does not offer the tool. */
export type ToolRequirement = 'allowDirs' | 'encryptionKey' | 'decryptionKey' | 'accounts'

/** Tokens, limits and usage: on an HTTP server with a store (not --no-auth, not stdio). */
export interface AccountServices {
  store: HatchStore
  quota: QuotaGate
  /** The tools this caller can use (what my_usage reports on). */
  toolNames: readonly string[]
  /** Every tool name hatch knows, for checking the tool of a limit rule. */
  allToolNames: readonly string[]
}

/** What every tool works with: the same core objects the CLI commands use. */
export interface ToolServices {
  store: BackupStore
  ops: AtomicFileOperations
  /** Where host configs are looked for (HOME, XDG, …), read per call like the CLI does per run. */
  hostEnvironment: () => HostEnvironment
  issuer: ConfirmationIssuer
  /** How long a confirmation token stays valid, for the preview's `expires_in_seconds`. */
  confirmTtlMs: number
  /** Binds confirmation tokens to the caller (over stdio: the OS user). */
  principal: string
  now: () => Date
  /** Archive tools only; see ArchiveServices. */
  archive?: ArchiveServices
  /** Over HTTP: who is calling, from the verified token. */
  identity?: Caller
  /** Over HTTP with a store: tokens, limits, usage (my_usage and the admin tools). */
  accounts?: AccountServices
}

/** The client's answer to a confirmation elicitation, when this call is the retry that carries it. */
export interface ConfirmationAnswer {
  action: 'accept' | 'decline' | 'cancel'
  content?: Record<string, unknown>
}

/** Per-call facts from the protocol layer, so tools stay free of SDK types. */
export interface ToolCall {
  /** The client declared form elicitation (consent can be asked through it). */
  elicitation: boolean
  answer?: ConfirmationAnswer
  /** The opaque state echoed back with the answer (a confirmation token minted by us). */
  requestState?: string
}

export type ToolOutcome<O> =
  | {kind: 'result'; structured: O; summary: string; outcome?: 'ok' | 'preview'}
  /** Ask the human through elicitation; `state` is a confirmation token that must come back with the answer. */
  | {kind: 'confirm'; message: string; state: string}

export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string
  title: string
  description: string
  privilege: Privilege
  /** Server set-up the tool cannot work without (archive tools: `--allow-dir`, and a key for create and restore). */
  requires?: readonly ToolRequirement[]
  input: I
  output: O
  hints: ToolHints
  /**
   * Never held to limits nor counted against them (still in the usage log): `my_usage`, so that a caller whose limits
   * are used up can still see where they stand and when each count resets.
   */
  unmetered?: true
  run(args: z.infer<I>, services: ToolServices, call: ToolCall): Promise<ToolOutcome<z.infer<O>>>
}

/** What this server's services provide, for matching against tools' `requires`. */
export function provided(services: {archive?: ArchiveServices; accounts?: unknown} | undefined): Set<ToolRequirement> {
  const have = new Set<ToolRequirement>()
  if (services?.accounts !== undefined) have.add('accounts')
  const archive = services?.archive
  if (archive === undefined) return have
  have.add('allowDirs')
  if (archive.encryption !== undefined || archive.passwordArgument) have.add('encryptionKey')
  if ((archive.identities !== undefined && archive.identities.length > 0) || archive.passwordArgument) have.add('decryptionKey')
  return have
}

/** The first requirement of `def` these services do not meet, or undefined when the tool can run. */
export function missingRequirement(def: Pick<ToolDefinition, 'requires'>, services: {archive?: ArchiveServices; accounts?: unknown} | undefined): ToolRequirement | undefined {
  const have = provided(services)
  return def.requires?.find((r) => !have.has(r))
}

/** Identity helper that keeps a definition's input and output types tied together. */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def
}

export const READ_ONLY: ToolHints = {readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false}
export const ADDITIVE: ToolHints = {readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false}
export const DESTRUCTIVE: ToolHints = {readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false}
