import {describe, expect, it} from 'vitest'

import {isLoopback, parseListen, planExposure} from '../../../../src/core/mcp/http/address.js'

describe('--listen', () => {
  it('takes HOST:PORT, [IPv6]:PORT and a bare port', () => {
    expect(parseListen('127.0.0.1:8808')).toEqual({host: '127.0.0.1', port: 8808})
    expect(parseListen('[::1]:9000')).toEqual({host: '::1', port: 9000})
    expect(parseListen('8808')).toEqual({host: '127.0.0.1', port: 8808})
    expect(parseListen('localhost:0')).toEqual({host: 'localhost', port: 0})
    for (const bad of ['', 'host', ':', 'a:b', '1.2.3.4:70000', '[zz]:1', '::1:80', 'http://x:1']) expect(() => parseListen(bad)).toThrow(/--listen/)
  })

  it('knows loopback from the rest', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', '::1', 'localhost']) expect(isLoopback(h)).toBe(true)
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com']) expect(isLoopback(h)).toBe(false)
  })
})

describe('exposure rules', () => {
  const base = {tls: false, behindTlsProxy: false, noAuth: false}
  it('loopback needs nothing more and accepts the loopback names as Host and Origin', () => {
    const plan = planExposure({...base, listen: {host: '127.0.0.1', port: 8808}})
    expect(plan.resource).toBeUndefined()
    expect(plan.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]'])
  })

  it('a network address needs TLS or a TLS proxy; the proxy, and an any-address bind, need --public-url', () => {
    expect(() => planExposure({...base, listen: {host: '10.0.0.5', port: 1}})).toThrow(/without TLS/)
    expect(planExposure({...base, tls: true, listen: {host: '10.0.0.5', port: 1}}).allowedHosts).toEqual(['10.0.0.5'])
    expect(() => planExposure({...base, behindTlsProxy: true, listen: {host: '10.0.0.5', port: 1}})).toThrow(/--public-url/)
    expect(() => planExposure({...base, tls: true, listen: {host: '0.0.0.0', port: 1}})).toThrow(/--public-url/)
    const proxied = planExposure({...base, behindTlsProxy: true, publicUrl: 'https://Hatch.Example.com/mcp', listen: {host: '0.0.0.0', port: 1}, allowedHosts: ['internal.lan']})
    expect(proxied.resource!.href).toBe('https://hatch.example.com/mcp')
    expect(proxied.allowedHosts).toEqual(['hatch.example.com', 'internal.lan'])
  })

  it('--no-auth is loopback only; --public-url must be https (http only for loopback) without query', () => {
    expect(() => planExposure({...base, noAuth: true, tls: true, listen: {host: '10.0.0.5', port: 1}})).toThrow(/loopback/)
    expect(() => planExposure({...base, tls: true, publicUrl: 'http://x.example/mcp', listen: {host: '10.0.0.5', port: 1}})).toThrow(/https/)
    expect(planExposure({...base, publicUrl: 'http://localhost:8808/mcp', listen: {host: '127.0.0.1', port: 8808}}).resource!.href).toBe('http://localhost:8808/mcp')
    expect(() => planExposure({...base, publicUrl: 'https://x.example/mcp?a=1', listen: {host: '127.0.0.1', port: 1}})).toThrow(/query/)
    expect(() => planExposure({...base, tls: true, behindTlsProxy: true, listen: {host: '127.0.0.1', port: 1}})).toThrow(/exclude/)
  })
})
