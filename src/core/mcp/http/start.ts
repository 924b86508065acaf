import * as fs from 'node:fs'

import {readSecretFile} from '../../archive/keys/secret-file.js'
import type {Identity} from '../../auth/identity.js'
import {createJwtVerifier} from '../../auth/jwt.js'
import {fsError, HatchError} from '../../errors.js'
import {openStore} from '../../store/open.js'
import type {HatchStore} from '../../store/types.js'
import {QuotaGate} from '../../quota/gate.js'
import type {InvokeContext} from '../invoke.js'
import {METERED_TOOL_NAMES} from '../tools/index.js'
import type {ArchiveServices, Privilege, ToolDefinition, ToolServices} from '../types.js'
import {parseListen, planExposure} from './address.js'
import {type HttpServeOptions, type RunningHttpServer, startHttpServer} from './server.js'
import {HatchTokenVerifier} from './verifier.js'

/** The `--http` flags of `hatch mcp serve`, as parsed. */
export interface HttpFlags {
  listen: string
  tlsCert?: string
  tlsKey?: string
  behindTlsProxy: boolean
  publicUrl?: string
  allowedHosts?: string[]
  allowedOrigins?: string[]
  /** False with `--no-auth`. */
  auth: boolean
  store?: string
  jwtIssuer?: string
  jwksUrl?: string
  jwtPublicKey?: string
  jwtRoleClaim?: string
  jwtAlgorithms?: string[]
  maxBodyBytes?: number
  shutdownGraceMs?: number
}

export interface HttpBase {
  version: string
  level: Privilege
  tools?: readonly ToolDefinition[]
  services: ToolServices
  archiveFor?: (user: string) => Promise<ArchiveServices | undefined>
  audit?: InvokeContext['audit']
  report: (message: string, error?: unknown) => void
  /** The OS user, who every caller is with `--no-auth`. */
  localUser: string
}

function readTls(flags: HttpFlags, warn: (m: string) => void): {cert: Buffer; key: Buffer} | undefined {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new HatchError('INVALID_ARGUMENT', 'HTTPS needs both --tls-cert and --tls-key.', {suggestions: ['Pass both, e.g. --tls-cert cert.pem --tls-key key.pem']})
  }
  if (flags.tlsCert === undefined) return undefined
  let cert: Buffer
  try {
    cert = fs.readFileSync(flags.tlsCert)
  } catch (error) {
    throw fsError(error, 'read the TLS certificate', flags.tlsCert)
  }
  return {cert, key: Buffer.from(readSecretFile(flags.tlsKey!, 'TLS private key', warn))}
}

export interface StartedHttp {
  server: RunningHttpServer
  store: HatchStore | undefined
  /** Closes the server (letting calls in flight finish), then the store. */
  stop(): Promise<void>
}

/**
 * Checks the flags (exposure rules, TLS files, JWT settings) before anything listens, opens the store, and starts
 * the server. A bad flag is a HatchError with what to do instead; nothing is left listening or open then.
 */
export async function startHatchHttp(flags: HttpFlags, base: HttpBase): Promise<StartedHttp> {
  const listen = parseListen(flags.listen)
  const warn = (m: string) => base.report(`Warning: ${m}`)
  const tls = readTls(flags, warn)
  const exposure = planExposure({
    listen,
    tls: tls !== undefined,
    behindTlsProxy: flags.behindTlsProxy,
    noAuth: !flags.auth,
    publicUrl: flags.publicUrl,
    allowedHosts: flags.allowedHosts,
    allowedOrigins: flags.allowedOrigins,
  })
  const jwtFlags = [flags.jwtIssuer, flags.jwksUrl, flags.jwtPublicKey].filter((f) => f !== undefined)
  if (!flags.auth && (jwtFlags.length > 0 || flags.store !== undefined)) {
    throw new HatchError('INVALID_ARGUMENT', '--no-auth checks no tokens, so --store and the --jwt-… options do not apply.', {suggestions: ['Drop --no-auth, or the token options.']})
  }
  if (jwtFlags.length > 0 && flags.jwtIssuer === undefined) {
    throw new HatchError('INVALID_ARGUMENT', 'JWT access tokens need --jwt-issuer (the authorization server whose tokens are accepted).', {
      suggestions: ['For example: --jwt-issuer https://auth.example.com/ --jwks-url https://auth.example.com/.well-known/jwks.json'],
    })
  }

  let store: HatchStore | undefined
  let accounts: HttpServeOptions['accounts']
  let auth: HttpServeOptions['auth']
  if (!flags.auth) {
    warn(`--no-auth: every tool this server offers is open to any program on this machine, as ${base.localUser}.`)
    const none: Identity = {method: 'none', user: base.localUser, role: null, tokenId: null, scopes: []}
    auth = () => ({none})
  } else {
    const jwtOptions = (audience: string) => ({
      issuer: flags.jwtIssuer!,
      audience,
      jwksUrl: flags.jwksUrl,
      publicKeyFile: flags.jwtPublicKey,
      roleClaim: flags.jwtRoleClaim,
      algorithms: flags.jwtAlgorithms,
    })
    // Checked now, so a bad JWT flag stops the server before it listens; built for real once the URL is known.
    if (flags.jwtIssuer !== undefined) createJwtVerifier(jwtOptions('http://check.invalid/mcp'))
    const opened = await openStore({spec: flags.store, warn})
    store = opened
    accounts = {store: opened, quota: new QuotaGate(opened, {report: base.report}), allToolNames: METERED_TOOL_NAMES}
    auth = (resource) => ({
      verifier: new HatchTokenVerifier({store: opened, resource, jwt: flags.jwtIssuer === undefined ? undefined : createJwtVerifier(jwtOptions(resource.href))}),
      authorizationServers: flags.jwtIssuer === undefined ? [] : [flags.jwtIssuer],
    })
  }

  let server: RunningHttpServer
  try {
    server = await startHttpServer({
      listen,
      exposure,
      tls,
      auth,
      version: base.version,
      level: base.level,
      tools: base.tools,
      services: base.services,
      archiveFor: base.archiveFor,
      accounts,
      audit: base.audit,
      report: base.report,
      maxBodyBytes: flags.maxBodyBytes,
      shutdownGraceMs: flags.shutdownGraceMs,
    })
  } catch (error) {
    await store?.close()
    const code = (error as {code?: unknown}).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges this user lacks' : 'is not an address of this machine'
      throw new HatchError('INVALID_ARGUMENT', `Cannot listen on ${flags.listen}: it ${why}.`, {suggestions: ['Choose another address or port with --listen HOST:PORT.']})
    }
    throw error
  }
  return {
    server,
    store,
    stop: async () => {
      await server.close()
      await accounts?.quota.flush()
      await store?.close()
    },
  }
}
