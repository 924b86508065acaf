import {getOAuthProtectedResourceMetadataUrl} from '@modelcontextprotocol/server'

import {SCOPES} from '../../auth/scopes.js'

/** The RFC 9728 Protected Resource Metadata document hatch serves for its MCP endpoint. */
export interface ProtectedResourceMetadata {
  resource: string
  authorization_servers?: string[]
  scopes_supported: string[]
  bearer_methods_supported: ['header']
  resource_name: string
}

export function protectedResourceMetadata(resource: URL, authorizationServers: string[]): ProtectedResourceMetadata {
  return {
    resource: resource.href,
    ...(authorizationServers.length > 0 ? {authorization_servers: authorizationServers} : {}),
    scopes_supported: [...SCOPES],
    bearer_methods_supported: ['header'],
    resource_name: 'hatch',
  }
}

/** `…/.well-known/oauth-protected-resource/mcp` for `…/mcp` (the path-suffixed form clients look for first). */
export function metadataUrl(resource: URL): string {
  return getOAuthProtectedResourceMetadataUrl(resource)
}

/** The paths under which the metadata document is served: the root form and the path-suffixed forms. */
export function metadataPaths(resource: URL): string[] {
  const root = '/.well-known/oauth-protected-resource'
  const suffixed = resource.pathname === '/' ? root : `${root}${resource.pathname.replace(/\/$/, '')}`
  return [...new Set([root, suffixed, `${root}/mcp`])]
}

/**
 * The challenge for a request that carried no token at all (RFC 6750 §3.1: no error code then), naming where the
 * metadata is and the scope to start with.
 */
export function missingTokenChallenge(resourceMetadataUrl: string): string {
  return `Bearer resource_metadata="${resourceMetadataUrl}", scope="hatch:read"`
}
