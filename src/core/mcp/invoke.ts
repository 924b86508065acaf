import {performance} from 'node:perf_hooks'

import type {AuditLog} from '../audit/log.js'
import type {AuditCaller, AuditOutcome} from '../audit/record.js'
import {scopeFor, type Scope} from '../auth/scopes.js'
import {HatchError} from '../errors.js'
import type {QuotaGate} from '../quota/gate.js'
import type {UsageOutcome} from '../store/types.js'
import {toToolError, toolErrorText, type ToolError} from './errors.js'
import {allows, missingRequirement, type Privilege, type ToolRequirement, type ToolCall, type ToolDefinition, type ToolServices} from './types.js'

export interface InvokeContext {
  services: ToolServices
  level: Privilege
  caller: AuditCaller
  audit?: AuditLog
  /** Over HTTP: the scopes the caller's token grants (implied ones included). Absent over stdio: the OS user. */
  scopes?: ReadonlySet<Scope>
  /**
   * Over HTTP with a store: per-user limits checked and counted before the tool runs, and the usage log. Applies only
   * to authenticated callers (`services.identity`).
   */
  quota?: QuotaGate
  /** Diagnostics (stderr in serve): audit write failures and bugs. Never stdout. */
  report?: (message: string, error?: unknown) => void
}

export type InvokeResult =
  | {kind: 'result'; structured: Record<string, unknown>; content: string[]}
  | {kind: 'error'; error: ToolError; content: string[]}
  | {kind: 'confirm'; message: string; state: string}

const REQUIREMENT_FLAGS: Record<ToolRequirement, string> = {
  allowDirs: '--allow-dir DIR',
  encryptionKey: '--recipient age1… (or --passphrase-file / --passphrase-env)',
  decryptionKey: '--identity FILE (or --passphrase-file / --passphrase-env)',
  accounts: '--http with a token store (not --no-auth)',
}

/** How an audit outcome is kept in the usage log: every call that ran is `ok` or `error`; a refusal is `denied`. */
function usageOutcome(outcome: AuditOutcome): UsageOutcome {
  return outcome === 'denied' ? 'denied' : outcome === 'error' || outcome === 'declined' ? 'error' : 'ok'
}

/**
 * Runs one tool call the way every call runs: privilege re-checked (the tool list is not the only guard), the
 * tool's own logic, failures mapped to a stable code and sanitized text, and one audit line with the masked
 * arguments, the outcome and the duration — whatever happened.
 */
export async function invokeTool(def: ToolDefinition, args: Record<string, unknown>, call: ToolCall, ctx: InvokeContext): Promise<InvokeResult> {
  const started = performance.now()
  let outcome = 'error' as AuditOutcome
  let errorCode: string | null = null
  /** Set once the call is for the usage log: admitted (and counted) or refused by the quota gate, or never limited. */
  let logged = false
  const identity = ctx.services.identity
  const accounted = ctx.quota !== undefined && identity !== undefined && identity.method !== 'none'
  try {
    if (!allows(ctx.level, def.privilege)) {
      throw new HatchError('PERMISSION_DENIED', `${def.name} needs hatch mcp serve --allow-${def.privilege}; this server was not started with it.`)
    }
    if (ctx.scopes !== undefined && !ctx.scopes.has(scopeFor(def.privilege))) {
      throw new HatchError('PERMISSION_DENIED', `${def.name} needs the ${scopeFor(def.privilege)} scope, which this token does not grant.`, {
        suggestions: ['Ask the administrator of this hatch server for a token with that scope.'],
      })
    }
    const missing = missingRequirement(def, ctx.services)
    if (missing !== undefined) {
      throw new HatchError('PERMISSION_DENIED', `${def.name} needs hatch mcp serve ${REQUIREMENT_FLAGS[missing]}; this server was not started with it.`)
    }
    if (accounted && def.unmetered !== true) {
      try {
        await ctx.quota!.admit(identity!, def.name)
      } catch (error) {
        if (error instanceof HatchError && error.code === 'QUOTA_EXCEEDED') {
          logged = true
          outcome = 'denied'
        }
        throw error
      }
    }
    logged = accounted
    const out = await def.run(args, ctx.services, call)
    if (out.kind === 'confirm') {
      outcome = 'input-required'
      return out
    }
    outcome = out.outcome ?? 'ok'
    const structured = out.structured as Record<string, unknown>
    return {kind: 'result', structured, content: [out.summary, JSON.stringify(structured)]}
  } catch (error) {
    const mapped = toToolError(error)
    if (mapped.code === 'INTERNAL') ctx.report?.(`hatch mcp: ${def.name} failed unexpectedly`, error)
    if (outcome !== 'denied') outcome = mapped.code === 'CONFIRMATION_DECLINED' ? 'declined' : 'error'
    errorCode = mapped.code
    return {kind: 'error', error: mapped, content: [toolErrorText(mapped)]}
  } finally {
    const durationMs = performance.now() - started
    try {
      ctx.audit?.append({tool: def.name, caller: ctx.caller, arguments: args, outcome, errorCode, durationMs})
    } catch (error) {
      ctx.report?.('hatch mcp: could not write the audit log', error)
    }
    if (logged) {
      ctx.quota!.record(identity!, def.name, usageOutcome(outcome), durationMs)
    }
  }
}
