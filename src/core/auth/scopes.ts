import type {Privilege} from '../mcp/types.js'

/**
 * OAuth scopes of hatch's HTTP server. Each tool needs the scope of its privilege level; a scope also grants the
 * levels below it (`hatch:destructive` ⊃ `hatch:write` ⊃ `hatch:read`), and `hatch:admin` adds the administrator's
 * tools to `hatch:read`. Scopes of other resources in a token are ignored.
 */
export const SCOPES = ['hatch:read', 'hatch:write', 'hatch:destructive', 'hatch:admin'] as const
export type Scope = (typeof SCOPES)[number]

const IMPLIES: Record<Scope, readonly Scope[]> = {
  'hatch:read': ['hatch:read'],
  'hatch:write': ['hatch:read', 'hatch:write'],
  'hatch:destructive': ['hatch:read', 'hatch:write', 'hatch:destructive'],
  'hatch:admin': ['hatch:read', 'hatch:admin'],
}

const SCOPE_OF: Record<Privilege, Scope> = {read: 'hatch:read', write: 'hatch:write', destructive: 'hatch:destructive', admin: 'hatch:admin'}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value)
}

/** The scope a tool of this privilege level needs. */
export function scopeFor(privilege: Privilege): Scope {
  return SCOPE_OF[privilege]
}

/** Everything these granted scopes allow, implied scopes included; unknown scopes are dropped. */
export function effectiveScopes(granted: Iterable<string>): ReadonlySet<Scope> {
  const out = new Set<Scope>()
  for (const s of granted) if (isScope(s)) for (const implied of IMPLIES[s]) out.add(implied)
  return out
}

/** The scopes of a token's `scope` claim (space-separated) or `scp` claim (array or string). */
export function scopesFromClaims(claims: {scope?: unknown; scp?: unknown}): string[] {
  const out: string[] = []
  for (const value of [claims.scope, claims.scp]) {
    if (typeof value === 'string') out.push(...value.split(' ').filter((s) => s !== ''))
    else if (Array.isArray(value)) out.push(...value.filter((s): s is string => typeof s === 'string'))
  }
  return [...new Set(out)]
}
