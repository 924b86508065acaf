import {effectiveScopes, type Scope} from './scopes.js'

/**
 * Who is calling, as established by a verified token (or, with `--no-auth` and over stdio, by the OS user running
 * hatch). Identity comes only from here: no tool takes a user argument.
 */
export interface Identity {
  /** How the caller was authenticated. */
  method: 'pat' | 'jwt' | 'none'
  user: string
  /** The role quotas and limits apply to; null when the token names none. */
  role: string | null
  /** The token's public id (`tok_…`, a JWT's `jti`, or a digest of it); never the token. */
  tokenId: string | null
  /** The hatch scopes the token grants, as granted. */
  scopes: string[]
  /** The JWT issuer (JWT only): a `sub` is unique per issuer. */
  issuer?: string
}

/** What consent tokens are bound to: one minted for a user is refused for anyone else. */
export function principalOf(id: Identity): string {
  return id.method === 'jwt' ? `jwt:${id.issuer ?? ''}#${id.user}` : `${id.method}:${id.user}`
}

/** The scopes this identity may use, implied scopes included. */
export function grantedScopes(id: Identity): ReadonlySet<Scope> {
  return effectiveScopes(id.scopes)
}

/**
 * Folder-safe user names only: `{user}` in `--allow-dir` is replaced by this, so it must be one plain path segment
 * (no separators, no leading dot, nothing a shell or a filesystem treats specially).
 */
export function isFolderSafeUser(user: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._@-]{0,127}$/.test(user)
}
