import {isIP} from 'node:net'

import {HatchError} from '../../errors.js'

/** Where `hatch mcp serve --http` listens. */
export interface ListenAddress {
  /** As given, without brackets: `127.0.0.1`, `::1`, `0.0.0.0`, `localhost`, a name. */
  host: string
  port: number
}

export const DEFAULT_LISTEN = '127.0.0.1:8808'

function usage(value: string, why: string): HatchError {
  return new HatchError('INVALID_ARGUMENT', `--listen ${JSON.stringify(value)} ${why}.`, {
    suggestions: ['Give HOST:PORT, e.g. --listen 127.0.0.1:8808 or --listen [::1]:8808 (a bare port listens on 127.0.0.1).'],
  })
}

/** Parses `--listen`: `HOST:PORT`, `[IPv6]:PORT`, or a bare `PORT` (on 127.0.0.1). Port 0 picks a free port. */
export function parseListen(value: string): ListenAddress {
  const text = value.trim()
  const m = /^(\d{1,5})$/.exec(text) ?? /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^\s:[\]/]+):(\d{1,5})$/.exec(text)
  if (m === null) throw usage(value, 'is not HOST:PORT')
  const [host, portText] = m.length === 2 ? ['127.0.0.1', m[1]!] : [m[1]!, m[2]!]
  if (text.startsWith('[') && isIP(host) !== 6) throw usage(value, 'has brackets around something that is not an IPv6 address')
  const port = Number(portText)
  if (port > 65535) throw usage(value, 'has a port above 65535')
  return {host, port}
}

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8 and ::1. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase()
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1'
}

/** True for the any-address binds (`0.0.0.0`, `::`), which have no name a URL could carry. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::'
}

/** A host as it appears in a URL or a Host header: IPv6 in brackets. */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host
}

export interface ExposurePlan {
  /** The MCP endpoint's public URL: the resource identifier tokens are bound to (RFC 8707). */
  resource: URL | undefined
  /** Host header names (port-agnostic) accepted on every request. */
  allowedHosts: string[]
  /** Origin hostnames accepted from browsers. */
  allowedOrigins: string[]
}

export interface ExposureOptions {
  listen: ListenAddress
  tls: boolean
  behindTlsProxy: boolean
  noAuth: boolean
  publicUrl?: string
  allowedHosts?: string[]
  allowedOrigins?: string[]
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']

/**
 * The rules of exposure, checked before anything listens:
 * - a non-loopback address needs TLS (hatch's own `--tls-cert/--tls-key`) or `--behind-tls-proxy`, since bearer
 *   tokens must never cross a network in clear text;
 * - `--no-auth` only on loopback;
 * - behind a proxy, or on an any-address bind, `--public-url` names the https:// URL clients use (it is also the
 *   audience JWTs must carry).
 * @throws HatchError INVALID_ARGUMENT with what to do instead
 */
export function planExposure(o: ExposureOptions): ExposurePlan {
  const loopback = isLoopback(o.listen.host)
  if (o.noAuth && !loopback) {
    throw new HatchError('INVALID_ARGUMENT', `--no-auth serves every tool to anyone who can reach ${o.listen.host}; hatch allows it only on a loopback address.`, {
      suggestions: ['Listen on 127.0.0.1 (the default), or create tokens with `hatch auth token create` and drop --no-auth.'],
    })
  }
  if (!loopback && !o.tls && !o.behindTlsProxy) {
    throw new HatchError('INVALID_ARGUMENT', `hatch will not listen on ${o.listen.host} without TLS: bearer tokens would cross the network in clear text.`, {
      suggestions: [
        'Serve HTTPS yourself: --tls-cert cert.pem --tls-key key.pem',
        'Or, behind a reverse proxy that terminates TLS: --behind-tls-proxy --public-url https://hatch.example.com/mcp',
        'Or listen on loopback only: --listen 127.0.0.1:8808',
      ],
    })
  }
  if (o.tls && o.behindTlsProxy) {
    throw new HatchError('INVALID_ARGUMENT', '--behind-tls-proxy and --tls-cert/--tls-key exclude each other.', {suggestions: ['Use one: hatch serves TLS itself, or a proxy does.']})
  }
  let resource: URL | undefined
  if (o.publicUrl !== undefined) {
    try {
      resource = new URL(o.publicUrl)
    } catch {
      throw new HatchError('INVALID_ARGUMENT', `--public-url ${JSON.stringify(o.publicUrl)} is not a URL.`, {suggestions: ['For example: --public-url https://hatch.example.com/mcp']})
    }
    if (resource.protocol !== 'https:' && !(resource.protocol === 'http:' && loopback && !o.behindTlsProxy)) {
      throw new HatchError('INVALID_ARGUMENT', `--public-url must be https:// (http:// only for a loopback server); got ${resource.protocol}//.`, {
        suggestions: ['For example: --public-url https://hatch.example.com/mcp'],
      })
    }
    if (resource.search !== '' || resource.hash !== '') {
      throw new HatchError('INVALID_ARGUMENT', '--public-url must not carry a query or fragment.', {suggestions: ['For example: --public-url https://hatch.example.com/mcp']})
    }
  } else if (o.behindTlsProxy || isWildcard(o.listen.host)) {
    throw new HatchError('INVALID_ARGUMENT', `${o.behindTlsProxy ? 'Behind a proxy' : `Listening on ${o.listen.host}`}, hatch cannot tell the URL clients use; name it with --public-url.`, {
      suggestions: ['For example: --public-url https://hatch.example.com/mcp'],
    })
  }
  const names = new Set<string>(loopback ? LOOPBACK_NAMES : [])
  if (!isWildcard(o.listen.host)) names.add(urlHost(o.listen.host).toLowerCase())
  if (resource !== undefined) names.add(resource.hostname.toLowerCase())
  for (const h of o.allowedHosts ?? []) names.add(h.trim().toLowerCase())
  const origins = new Set(names)
  for (const h of o.allowedOrigins ?? []) origins.add(h.trim().toLowerCase())
  return {resource, allowedHosts: [...names], allowedOrigins: [...origins]}
}
