import {randomUUID} from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type {AddressInfo, Socket} from 'node:net'

import {NodeStreamableHTTPServerTransport, hostHeaderValidation, originValidation, toNodeHandler} from '@modelcontextprotocol/node'
import {
  type AuthInfo,
  bearerAuthChallengeResponse,
  createMcpHandler,
  isInitializeRequest,
  OAuthError,
  OAuthErrorCode,
  type OAuthTokenVerifier,
  verifyBearerToken,
} from '@modelcontextprotocol/server'

import {grantedScopes, type Identity, principalOf} from '../../auth/identity.js'
import {scopeFor, type Scope} from '../../auth/scopes.js'
import {isHatchError} from '../../errors.js'
import type {InvokeContext} from '../invoke.js'
import {buildHatchServer} from '../server.js'
import {ALL_TOOLS, toolsFor} from '../tools/index.js'
import {type AccountServices, allows, type ArchiveServices, type Privilege, type ToolDefinition, type ToolServices} from '../types.js'
import {type ExposurePlan, type ListenAddress, urlHost} from './address.js'
import {metadataPaths, metadataUrl, missingTokenChallenge, protectedResourceMetadata} from './metadata.js'
import {identityOf} from './verifier.js'

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

export interface HttpServeOptions {
  listen: ListenAddress
  exposure: ExposurePlan
  tls?: {cert: Buffer; key: Buffer}
  /**
   * Token checking for this server's resource URL (known once it listens), or `none` (`--no-auth`: every caller is
   * the given identity; loopback only).
   */
  auth: (resource: URL) => {verifier: OAuthTokenVerifier; authorizationServers: string[]} | {none: Identity}
  version: string
  level: Privilege
  tools?: readonly ToolDefinition[]
  /** Shared by every caller; `principal` and `archive` are set per caller. */
  services: ToolServices
  /** Limits and usage (with a token store); admin tools and my_usage need them. */
  accounts?: Omit<AccountServices, 'toolNames'>
  /** The archive services for a user (`--allow-dir …/{user}` makes them per user); undefined: no archive tools. */
  archiveFor?: (user: string) => Promise<ArchiveServices | undefined>
  audit?: InvokeContext['audit']
  report?: InvokeContext['report']
  /** Request bodies over this are refused with 413 before they are parsed. Default 1 MiB. */
  maxBodyBytes?: number
  /** How long shutdown waits for calls in flight. Default 10 s. */
  shutdownGraceMs?: number
  /** An idle session is closed after this. Default 30 min. */
  sessionIdleMs?: number
  /** Sessions open at once, in all; one more is refused with 503. Default 1000. */
  maxSessions?: number
  /**
   * Sessions one caller (one user of one issuer) may hold at once; a new one closes that caller's least recently used
   * session, so a single token can never fill the server for everybody else. Default 32.
   */
  maxSessionsPerCaller?: number
}

export interface RunningHttpServer {
  /** The MCP endpoint as bound (the port filled in when 0 was asked for). */
  url: URL
  /** The resource identifier tokens are bound to (`--public-url`, else `url`). */
  resource: URL
  /** Stops accepting, lets calls in flight finish (bounded), closes every session. Idempotent. */
  close(): Promise<void>
}

interface Session {
  transport: NodeStreamableHTTPServerTransport
  /** Requests of a session must come from the identity that opened it (mcp.md §4 rule 6). */
  binding: string
  /** Who opened it (principalOf): what the per-caller session cap counts. */
  principal: string
  lastSeen: number
}

/** What ties a request to a session: the PAT itself, or a JWT's issuer, subject, role and scopes (JWTs are refreshed). */
function bindingOf(id: Identity): string {
  if (id.method === 'pat') return `pat:${id.tokenId}`
  return `${principalOf(id)}|${id.role ?? ''}|${[...id.scopes].sort().join(' ')}`
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json', 'cache-control': 'no-store', ...headers, 'content-length': String(Buffer.byteLength(text))})
  res.end(text)
}

function jsonRpcError(res: http.ServerResponse, status: number, code: number, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, {jsonrpc: '2.0', id: null, error: {code, message}}, headers)
}

/** Writes a web-standard Response (the SDK's challenge responses) to a Node response. */
async function sendResponse(res: http.ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer())
  res.writeHead(response.status, {...Object.fromEntries(response.headers), 'content-length': String(body.length)})
  res.end(body)
}

type BodyResult = {kind: 'ok'; value: unknown} | {kind: 'too-large'; drained: boolean} | {kind: 'not-json'} | {kind: 'aborted'}

/**
 * How much of a body over the cap is still read (and thrown away) so that the client, still sending, gets its 413
 * instead of a broken pipe. Past it the connection is dropped.
 */
const DISCARD_BYTES = 16 * 1024 * 1024

/** Reads a JSON body of at most `cap` bytes; never keeps more than `cap` in memory. */
function readJsonBody(req: http.IncomingMessage, cap: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > cap + DISCARD_BYTES) return resolve({kind: 'too-large', drained: false})
    const chunks: Buffer[] = []
    let total = 0
    const onData = (chunk: Buffer): void => {
      total += chunk.length
      if (total <= cap) chunks.push(chunk)
      else if (total > cap + DISCARD_BYTES) {
        req.off('data', onData).pause()
        resolve({kind: 'too-large', drained: false})
      }
    }
    req.on('data', onData)
    req.once('end', () => {
      if (total > cap) return resolve({kind: 'too-large', drained: true})
      try {
        resolve({kind: 'ok', value: JSON.parse(Buffer.concat(chunks, total).toString('utf8'))})
      } catch {
        resolve({kind: 'not-json'})
      }
    })
    req.once('close', () => resolve({kind: 'aborted'}))
  })
}

/** The tools/call names in a JSON-RPC message or batch. */
function calledTools(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body]
  const names: string[] = []
  for (const m of messages) {
    if (m === null || typeof m !== 'object' || (m as {method?: unknown}).method !== 'tools/call') continue
    const name = (m as {params?: {name?: unknown}}).params?.name
    if (typeof name === 'string') names.push(name)
  }
  return names
}

/** Whether an initialize request declares the elicitation capability. */
function canElicit(initialize: unknown): boolean {
  const capabilities = (initialize as {params?: {capabilities?: Record<string, unknown>}}).params?.capabilities
  return capabilities !== undefined && capabilities !== null && typeof capabilities === 'object' && 'elicitation' in capabilities
}

function queryToken(url: URL): string | undefined {
  for (const name of url.searchParams.keys()) if (/^(access_?token|token|api_?key|bearer)$/i.test(name)) return name
  return undefined
}

/**
 * `hatch mcp serve --http`: the same tools, privilege levels and audit log as stdio, over MCP Streamable HTTP at
 * `/mcp`, built from the SDK's pieces:
 * - every request to `/mcp`: `Host` and `Origin` checked (`@modelcontextprotocol/node` guards, 403), tokens in the
 *   query string refused (400), the bearer token verified (`verifyBearerToken` with hatch's `OAuthTokenVerifier`:
 *   401 with a `WWW-Authenticate` challenge pointing at the RFC 9728 metadata), the body capped (413) and parsed
 *   (-32700), a `tools/call` the token's scopes do not cover refused (403 `insufficient_scope`) before any tool
 *   runs;
 * - then a session's `NodeStreamableHTTPServerTransport` (a fresh McpServer per session, offering only the tools the
 *   token's scopes allow, bound to the identity that opened it), or, for a request outside any session (the
 *   2026-07-28 per-request protocol, or a stateless 2025 client), the SDK's `createMcpHandler`;
 * - `GET /healthz` answers `{"status":"ok"}` without auth and says nothing else; the metadata document is public.
 */
export async function startHttpServer(o: HttpServeOptions): Promise<RunningHttpServer> {
  const cap = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const idleMs = o.sessionIdleMs ?? 30 * 60_000
  const maxSessions = o.maxSessions ?? 1000
  const maxPerCaller = o.maxSessionsPerCaller ?? 32
  // What the scope gate knows: every tool this server's level allows (whether or not a caller's set-up offers it).
  const offeredByName = new Map((o.tools ?? ALL_TOOLS).filter((t) => allows(o.level, t.privilege)).map((t) => [t.name, t]))
  const sessions = new Map<string, Session>()
  const validateHost = hostHeaderValidation(o.exposure.allowedHosts)
  const validateOrigin = originValidation(o.exposure.allowedOrigins)
  /** Set once the server listens and its resource URL is known; nothing is served before. */
  let auth!: ReturnType<HttpServeOptions['auth']>
  let resource = o.exposure.resource
  let resourceMetadataUrl = ''
  let inFlight = 0
  let draining = false
  let drained: (() => void) | undefined
  const streams = new Set<http.ServerResponse>()

  /** Everything a call runs with, for this caller. */
  const contextFor = (identity: Identity, services: ToolServices, remote: string | null): InvokeContext => ({
    services: {...services, principal: principalOf(identity), identity},
    level: o.level,
    quota: identity.method === 'none' ? undefined : o.accounts?.quota,
    caller: {transport: 'http', user: identity.user, role: identity.role, auth: identity.method, tokenId: identity.tokenId, client: null, remote},
    audit: o.audit,
    report: o.report,
    scopes: identity.method === 'none' ? undefined : grantedScopes(identity),
  })

  const allowedFor = (identity: Identity): ((def: ToolDefinition) => boolean) => {
    if (identity.method === 'none') return () => true
    const scopes = grantedScopes(identity)
    return (def) => scopes.has(scopeFor(def.privilege))
  }

  /** A McpServer for this caller: the server's tools that the caller's scopes allow (and archive tools for their dirs). */
  const serverFor = async (identity: Identity) => {
    let archive: ArchiveServices | undefined
    try {
      archive = await o.archiveFor?.(identity.user)
    } catch (error) {
      // Without their folder the user gets no archive tools; everything else still works.
      o.report?.(`hatch http: no archive tools for ${identity.user}`, error)
    }
    const accounts = identity.method === 'none' ? undefined : o.accounts
    const tools = toolsFor(o.level, o.tools, {archive, accounts}).filter(allowedFor(identity))
    const services: ToolServices = {...o.services, archive, accounts: accounts && {...accounts, toolNames: tools.map((t) => t.name)}}
    return buildHatchServer(o.version, tools, (authInfo) => {
      const current = identityOf(authInfo) ?? identity
      return contextFor(current, services, (authInfo?.extra?.remote as string | undefined) ?? null)
    })
  }

  /** Closes a caller's least recently used sessions until at most `keep` remain. */
  const closeOldestBeyond = (principal: string, keep: number): void => {
    const own = [...sessions].filter(([, s]) => s.principal === principal).sort(([, a], [, b]) => a.lastSeen - b.lastSeen)
    for (const [id, s] of own.slice(0, Math.max(0, own.length - keep))) {
      sessions.delete(id)
      void s.transport.close()
    }
  }

  const stateless = createMcpHandler(
    async (ctx) => {
      const identity = 'none' in auth ? auth.none : identityOf(ctx.authInfo)
      if (identity === undefined) throw new Error('unauthenticated request reached the MCP handler')
      return serverFor(identity)
    },
    {maxRequestBodySize: cap, onerror: (error) => o.report?.('hatch http: request failed', error)},
  )
  const statelessNode = toNodeHandler(stateless, {maxRequestBodySize: cap, onerror: (error) => o.report?.('hatch http: request failed', error)})

  /** 401/403/400 answers for a request whose token is missing, malformed or refused. */
  const authenticate = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<AuthInfo | undefined> => {
    if ('none' in auth) return {token: '', clientId: '', scopes: [], extra: {identity: auth.none}}
    const header = req.headers.authorization
    if (header === undefined || header === '') {
      sendJson(res, 401, {error: 'invalid_request', error_description: 'This server needs a bearer token: send Authorization: Bearer <token>.'}, {'www-authenticate': missingTokenChallenge(resourceMetadataUrl)})
      return undefined
    }
    if (!/^Bearer +[\x21-\x7E]+$/i.test(header)) {
      await sendResponse(res, bearerAuthChallengeResponse(new OAuthError(OAuthErrorCode.InvalidRequest, 'The Authorization header must be "Bearer <token>".'), {resourceMetadataUrl}))
      return undefined
    }
    try {
      return await verifyBearerToken(header.replace(/^Bearer +/i, 'Bearer '), {verifier: auth.verifier, expectedResource: resource, resourceMetadataUrl})
    } catch (error) {
      if (error instanceof OAuthError) {
        await sendResponse(res, bearerAuthChallengeResponse(error, {resourceMetadataUrl}))
        return undefined
      }
      o.report?.('hatch http: could not check a token', error)
      const unavailable = isHatchError(error) && error.code === 'STORE_UNAVAILABLE'
      sendJson(res, unavailable ? 503 : 500, {error: 'server_error', error_description: unavailable ? 'Tokens cannot be checked right now (the token store or the authorization server is out of reach); try again.' : 'The token could not be checked.'}, unavailable ? {'retry-after': '5'} : {})
      return undefined
    }
  }

  const handleMcp = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    if (!validateHost(req, res) || !validateOrigin(req, res)) return
    const leaked = queryToken(url)
    if (leaked !== undefined) {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: `A token in the URL (?${leaked}=…) is refused: URLs end up in logs and browser history. Send it in the Authorization header instead: Authorization: Bearer <token>.`,
      })
      return
    }
    const authInfo = await authenticate(req, res)
    if (authInfo === undefined) return
    const identity = identityOf(authInfo)!
    const info: AuthInfo & {extra: Record<string, unknown>} = {...authInfo, extra: {...authInfo.extra, remote: req.socket.remoteAddress ?? null}}
    const request = req as http.IncomingMessage & {auth?: AuthInfo}
    request.auth = info

    let body: unknown
    if (req.method === 'POST') {
      const read = await readJsonBody(req, cap)
      if (read.kind === 'aborted') return
      if (read.kind === 'too-large') {
        jsonRpcError(res, 413, -32600, `The request body is larger than this server accepts (${cap} bytes).`, {connection: 'close'})
        if (!read.drained) res.once('finish', () => req.socket.destroy())
        return
      }
      if (read.kind === 'not-json') {
        jsonRpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON.')
        return
      }
      body = read.value
      const allowed = allowedFor(identity)
      for (const name of calledTools(body)) {
        const def = offeredByName.get(name)
        if (def !== undefined && !allowed(def)) {
          const scope: Scope = scopeFor(def.privilege)
          await sendResponse(res, bearerAuthChallengeResponse(new OAuthError(OAuthErrorCode.InsufficientScope, `${name} needs the ${scope} scope`), {requiredScopes: [scope], resourceMetadataUrl}))
          return
        }
      }
    }

    const sessionId = req.headers['mcp-session-id']
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId)
      if (session === undefined || session.binding !== bindingOf(identity)) {
        jsonRpcError(res, 404, -32001, 'Session not found: start a new session (initialize again).')
        return
      }
      session.lastSeen = Date.now()
      await session.transport.handleRequest(request, res, body)
      return
    }
    if (req.method === 'POST' && !Array.isArray(body) && isInitializeRequest(body)) {
      const principal = principalOf(identity)
      closeOldestBeyond(principal, maxPerCaller - 1)
      if (sessions.size >= maxSessions) {
        jsonRpcError(res, 503, -32000, 'This server has too many open sessions; try again later.', {'retry-after': '30'})
        return
      }
      const binding = bindingOf(identity)
      const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        // A client that cannot answer elicitations gets plain JSON answers: no SSE stream per call, which it would
        // only need for requests from the server in the middle of a call.
        enableJsonResponse: !canElicit(body),
        onsessioninitialized: (id) => {
          sessions.set(id, {transport, binding, principal, lastSeen: Date.now()})
        },
      })
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
      }
      const server = await serverFor(identity)
      await server.connect(transport)
      await transport.handleRequest(request, res, body)
      return
    }
    await statelessNode(request, res, body)
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://hatch.invalid')
    if (url.pathname === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, {error: 'method not allowed'}, {allow: 'GET, HEAD'})
      return sendJson(res, draining ? 503 : 200, {status: draining ? 'stopping' : 'ok'})
    }
    if (draining) return jsonRpcError(res, 503, -32000, 'This server is shutting down.', {connection: 'close'})
    if (metadataPaths(resource!).includes(url.pathname)) {
      if (!validateHost(req, res) || !validateOrigin(req, res)) return
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, {error: 'method not allowed'}, {allow: 'GET'})
      const servers = 'none' in auth ? [] : auth.authorizationServers
      return sendJson(res, 200, protectedResourceMetadata(resource!, servers), {'access-control-allow-origin': '*'})
    }
    if (url.pathname === '/mcp') return handleMcp(req, res, url)
    sendJson(res, 404, {error: 'not found'})
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const counted = req.method !== 'GET'
    if (counted) inFlight++
    else streams.add(res)
    res.once('close', () => {
      if (counted && --inFlight === 0) drained?.()
      if (!counted) streams.delete(res)
    })
    handle(req, res).catch((error: unknown) => {
      o.report?.('hatch http: request failed', error)
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal error.')
      else res.end()
    })
  }

  const server = o.tls === undefined ? http.createServer(listener) : https.createServer({cert: o.tls.cert, key: o.tls.key}, listener)
  server.headersTimeout = 10_000
  server.requestTimeout = 60_000
  server.keepAliveTimeout = 5_000
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.listen.port, o.listen.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const url = new URL(`${o.tls === undefined ? 'http' : 'https'}://${urlHost(o.listen.host)}:${port}/mcp`)
  resource ??= url
  resourceMetadataUrl = metadataUrl(resource)
  try {
    auth = o.auth(resource)
  } catch (error) {
    await new Promise((resolve) => server.close(resolve))
    throw error
  }

  const sweep = setInterval(() => {
    const cutoff = Date.now() - idleMs
    for (const [id, s] of sessions) {
      if (s.lastSeen < cutoff) {
        sessions.delete(id)
        void s.transport.close()
      }
    }
  }, Math.min(idleMs, 60_000))
  sweep.unref()

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true
      clearInterval(sweep)
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve
          setTimeout(resolve, o.shutdownGraceMs ?? 10_000).unref()
        })
      }
      for (const res of streams) res.end()
      await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()))
      sessions.clear()
      await stateless.close()
      for (const socket of sockets) socket.destroy()
      await stopped
    })()
    return closing
  }

  return {url, resource, close}
}
