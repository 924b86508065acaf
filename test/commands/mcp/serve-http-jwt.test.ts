import {createHmac} from 'node:crypto'
import {writeFile} from 'node:fs/promises'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {exportJWK, exportPKCS8, exportSPKI, generateKeyPair, type JWTPayload, SignJWT} from 'jose'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {readAuditLog} from '../../../src/core/audit/read.js'
import {makeSandbox, runCli, type Sandbox} from '../../helpers/cli.js'
import {connect, createPat, type HttpServed, post, serveHttp, TOOLS_CALL} from './http-helpers.js'
import {auditDir, writeCursorConfig} from './serve-helpers.js'

type Keys = Awaited<ReturnType<typeof generateKeyPair>>

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('hatch mcp serve --http with JWT access tokens from an OAuth server (jose, keys made in the test)', () => {
  let sandbox: Sandbox
  let jwks: http.Server
  let issuer: string
  let served: HttpServed
  let es: Keys
  let rsa: Keys
  let stranger: Keys

  async function sign(claims: JWTPayload, o: {key?: Keys; kid?: string; alg?: string; typ?: string; aud?: string; iss?: string; exp?: number | string} = {}): Promise<string> {
    const alg = o.alg ?? 'ES256'
    return new SignJWT({scope: 'hatch:read', ...claims})
      .setProtectedHeader({alg, kid: o.kid ?? 'k1', typ: o.typ ?? 'at+jwt'})
      .setIssuer(o.iss ?? issuer)
      .setAudience(o.aud ?? served.url.href)
      .setSubject('carol')
      .setIssuedAt()
      .setExpirationTime(o.exp ?? '5m')
      .sign((o.key ?? es).privateKey)
  }

  beforeAll(async () => {
    sandbox = await makeSandbox('hatch-jwt-')
    await writeCursorConfig(sandbox)
    ;[es, rsa, stranger] = await Promise.all([generateKeyPair('ES256', {extractable: true}), generateKeyPair('RS256', {extractable: true}), generateKeyPair('ES256', {extractable: true})])
    const keys = [
      {...(await exportJWK(es.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig'},
      {...(await exportJWK(rsa.publicKey)), kid: 'r1', alg: 'RS256', use: 'sig'},
    ]
    jwks = http.createServer((req, res) => {
      res.writeHead(req.url === '/jwks.json' ? 200 : 404, {'content-type': 'application/json'})
      res.end(JSON.stringify(req.url === '/jwks.json' ? {keys} : {}))
    })
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
    issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/`
    served = await serveHttp(sandbox, ['--allow-write', '--jwt-issuer', issuer, '--jwks-url', `${issuer}jwks.json`, '--jwt-role-claim', 'realm.role'])
  })
  afterAll(async () => {
    await served?.stop()
    await new Promise((resolve) => jwks?.close(resolve))
    await sandbox?.cleanup()
  })

  it('accepts a valid access token: sub is the user, the role comes from the configured claim, scopes from scope', async () => {
    const token = await sign({realm: {role: 'dev'}, jti: 'jwt-1'})
    const client = await connect(served.url, token)
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('backup_host_config')
      expect((await client.callTool({name: 'list_hosts', arguments: {host: 'cursor'}})).isError).toBeFalsy()
    } finally {
      await client.close()
    }
    const writer = await connect(served.url, await sign({scp: ['hatch:write'], jti: 'jwt-2'}, {typ: 'JWT', key: rsa, kid: 'r1', alg: 'RS256'}))
    try {
      expect((await writer.listTools()).tools.map((t) => t.name)).toContain('backup_host_config')
    } finally {
      await writer.close()
    }
    const call = readAuditLog(auditDir(sandbox)).records.find((r) => r.tool === 'list_hosts')!
    expect(call.caller).toMatchObject({transport: 'http', auth: 'jwt', user: 'carol', role: 'dev', tokenId: 'jwt-1'})
    const metadata = (await (await fetch(new URL('/.well-known/oauth-protected-resource/mcp', served.url))).json()) as {authorization_servers?: string[]}
    expect(metadata.authorization_servers).toEqual([issuer])
  })

  it.each([
    ['the wrong audience', async () => sign({}, {aud: 'https://other.example/mcp'}), /aud/],
    ['the wrong issuer', async () => sign({}, {iss: 'https://evil.example/'}), /iss/],
    ['an expired token', async () => sign({}, {exp: Math.floor(Date.now() / 1000) - 600}), /expired/],
    ['a token not valid yet', async () => sign({nbf: Math.floor(Date.now() / 1000) + 600}), /nbf/],
    ['an unknown key id', async () => sign({}, {key: stranger, kid: 'k9'}), /key/],
    ['a known kid signed by another key', async () => sign({}, {key: stranger, kid: 'k1'}), /signature/],
    ['an ID token instead of an access token', async () => sign({}, {typ: 'id_token+jwt'}), /access token/],
    ['alg none', async () => `${b64({alg: 'none', typ: 'at+jwt'})}.${b64({iss: issuer, aud: served.url.href, sub: 'carol', scope: 'hatch:write', exp: Math.floor(Date.now() / 1000) + 300})}.`, /algorithm|JWT/],
    [
      'HS256 signed with the public key as the secret',
      async () => {
        const pem = await exportSPKI(rsa.publicKey)
        const signed = `${b64({alg: 'HS256', kid: 'r1', typ: 'at+jwt'})}.${b64({iss: issuer, aud: served.url.href, sub: 'carol', scope: 'hatch:write', exp: Math.floor(Date.now() / 1000) + 300})}`
        return `${signed}.${createHmac('sha256', pem).update(signed).digest('base64url')}`
      },
      /algorithm/,
    ],
  ])('refuses %s with 401 invalid_token', async (_what, make, why) => {
    const r = await post(served.url, TOOLS_CALL('list_hosts'), {authorization: `Bearer ${await make()}`})
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
    expect(r.json.error_description).toMatch(why)
  })

  it('still accepts hatch personal access tokens beside JWTs', async () => {
    const pat = await createPat(sandbox, 'dave', {scope: 'hatch:write'})
    const r = await post(served.url, TOOLS_CALL('list_hosts', {host: 'cursor'}), {authorization: `Bearer ${pat.token}`})
    expect(r.status).toBe(200)
  })

  it("answers 503 (retry), not 401 (bad token), while the issuer's keys cannot be fetched; the token is never logged", async () => {
    const server = await serveHttp(sandbox, ['--jwt-issuer', issuer, '--jwks-url', `${issuer}gone.json`])
    let token = ''
    try {
      token = await new SignJWT({scope: 'hatch:read'}).setProtectedHeader({alg: 'ES256', kid: 'k1'}).setIssuer(issuer).setAudience(server.url.href).setSubject('carol').setExpirationTime('5m').sign(es.privateKey)
      const r = await post(server.url, TOOLS_CALL('list_hosts', {host: 'cursor'}), {authorization: `Bearer ${token}`})
      expect(r.status).toBe(503)
      expect(r.headers.get('retry-after')).toBe('5')
      expect(r.json.error_description).toMatch(/out of reach/)
    } finally {
      await server.stop()
    }
    const signature = token.split('.')[2]!
    expect(server.stderr()).not.toContain(signature)
    expect(JSON.stringify(readAuditLog(auditDir(sandbox)).records)).not.toContain(signature)
    expect(served.stderr()).not.toMatch(/eyJ[\w-]+\.eyJ/)
  })

  it('verifies with --jwt-public-key FILE, and refuses a private key there at start', async () => {
    const pemFile = join(sandbox.root, 'issuer.pub.pem')
    await writeFile(pemFile, await exportSPKI(rsa.publicKey))
    const server = await serveHttp(sandbox, ['--jwt-issuer', issuer, '--jwt-public-key', pemFile])
    try {
      const token = await new SignJWT({scope: 'hatch:read'})
        .setProtectedHeader({alg: 'RS256'})
        .setIssuer(issuer)
        .setAudience(server.url.href)
        .setSubject('erin')
        .setExpirationTime('5m')
        .sign(rsa.privateKey)
      expect((await post(server.url, TOOLS_CALL('list_hosts', {host: 'cursor'}), {authorization: `Bearer ${token}`})).status).toBe(200)
      // The classic confusion: HS256 keyed with the very PEM file the server verifies with.
      const pem = await exportSPKI(rsa.publicKey)
      const signed = `${b64({alg: 'HS256', typ: 'at+jwt'})}.${b64({iss: issuer, aud: server.url.href, sub: 'erin', scope: 'hatch:write', exp: Math.floor(Date.now() / 1000) + 300})}`
      const forged = await post(server.url, TOOLS_CALL('list_hosts'), {authorization: `Bearer ${signed}.${createHmac('sha256', pem).update(signed).digest('base64url')}`})
      expect(forged.status).toBe(401)
      expect(forged.json.error_description).toMatch(/algorithm/)
    } finally {
      await server.stop()
    }
    const privateFile = join(sandbox.root, 'issuer.key.pem')
    await writeFile(privateFile, await exportPKCS8(rsa.privateKey))
    const refused = await runCli(['mcp', 'serve', '--http', '--listen', '127.0.0.1:0', '--jwt-issuer', issuer, '--jwt-public-key', privateFile], {env: sandbox.env})
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/private key/)
    expect(refused.stderr).not.toMatch(/serving MCP/)
  })
})
