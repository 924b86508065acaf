import {execFileSync} from 'node:child_process'
import {chmod, readFile, stat, writeFile} from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {readAuditLog} from '../../../src/core/audit/read.js'
import {runCli} from '../../helpers/cli.js'
import {sandboxPerTest} from '../../helpers/sandbox.js'
import {connect, createPat, post, serveHttp, storePath, TOOLS_CALL} from './http-helpers.js'
import {auditDir, writeCursorConfig} from './serve-helpers.js'

const box = sandboxPerTest('hatch-http-life-')

const serveArgs = (...args: string[]) => ['mcp', 'serve', '--http', ...args]

describe('hatch mcp serve --http: start-up rules, TLS, --no-auth and shutdown', () => {
  it.each([
    [['--listen', '0.0.0.0:0'], /without TLS/],
    [['--listen', '0.0.0.0:0', '--behind-tls-proxy'], /--public-url/],
    [['--listen', '0.0.0.0:0', '--behind-tls-proxy', '--public-url', 'http://hatch.example/mcp'], /https/],
    [['--listen', '0.0.0.0:0', '--behind-tls-proxy', '--public-url', 'https://hatch.example/mcp', '--no-auth'], /loopback/],
    [['--listen', 'nonsense'], /HOST:PORT/],
    [['--tls-cert', 'cert.pem'], /both --tls-cert and --tls-key/],
  ])('refuses to start with %j, says why, and listens nowhere', async (args, why) => {
    const r = await runCli(serveArgs(...args), {env: box.sandbox().env})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(why)
    expect(r.stderr).not.toMatch(/serving MCP/)
  })

  it('refuses HTTP-only flags without --http', async () => {
    const r = await runCli(['mcp', 'serve', '--listen', '127.0.0.1:0'], {env: box.sandbox().env})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--listen is for the HTTP server/)
  })

  it('refuses a damaged store at start and leaves it as it was', async () => {
    const file = storePath(box.sandbox())
    await runCli(['auth', 'token', 'list'], {env: box.sandbox().env}) // creates the store
    const junk = Buffer.alloc(8192, 0x41)
    await writeFile(file, junk)
    const r = await runCli(serveArgs('--listen', '127.0.0.1:0'), {env: box.sandbox().env})
    expect(r.code).toBe(7)
    expect(r.stderr).toMatch(/is not an SQLite database/)
    expect(await readFile(file)).toEqual(junk)
  })

  it('--no-auth serves this machine without tokens, with a warning, and audits the OS user', async () => {
    await writeCursorConfig(box.sandbox())
    const served = await serveHttp(box.sandbox(), ['--no-auth'])
    try {
      expect(served.stderr()).toMatch(/Warning: --no-auth/)
      const client = await connect(served.url, undefined)
      try {
        expect((await client.callTool({name: 'list_hosts', arguments: {host: 'cursor'}})).isError).toBeFalsy()
      } finally {
        await client.close()
      }
    } finally {
      expect(await served.stop()).toBe(0)
    }
    const [record] = readAuditLog(auditDir(box.sandbox())).records
    expect(record!.caller).toMatchObject({transport: 'http', auth: 'none', tokenId: null})
  })

  it('serves HTTPS with --tls-cert/--tls-key, and refuses a key file others can read', async () => {
    const cert = join(box.sandbox().root, 'cert.pem')
    const key = join(box.sandbox().root, 'key.pem')
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {stdio: 'ignore'})
    await chmod(key, 0o644)
    const loose = await runCli(serveArgs('--listen', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key), {env: box.sandbox().env})
    expect(loose.code).toBe(8)
    expect(loose.stderr).toMatch(/chmod 600/)
    await chmod(key, 0o600)
    const {token} = await createPat(box.sandbox(), 'tess')
    const served = await serveHttp(box.sandbox(), ['--tls-cert', cert, '--tls-key', key])
    try {
      expect(served.url.protocol).toBe('https:')
      const ca = await readFile(cert)
      const status = await new Promise<number>((resolve, reject) => {
        const body = JSON.stringify(TOOLS_CALL('list_hosts'))
        const req = https.request(served.url, {method: 'POST', ca, headers: {'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`}}, (res) => {
          res.resume()
          resolve(res.statusCode!)
        })
        req.on('error', reject)
        req.end(body)
      })
      expect(status).toBe(200)
    } finally {
      await served.stop()
    }
  })

  it('on SIGTERM stops accepting, finishes the call in flight, closes the store and exits 0', async () => {
    await writeCursorConfig(box.sandbox())
    const {token} = await createPat(box.sandbox(), 'sam')
    const served = await serveHttp(box.sandbox())
    const body = JSON.stringify(TOOLS_CALL('list_hosts', {host: 'cursor'}))
    const half = Math.floor(body.length / 2)
    let status = 0
    const answered = new Promise<string>((resolve, reject) => {
      const req = http.request(
        served.url,
        {method: 'POST', headers: {'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, 'content-length': String(body.length)}},
        (res) => {
          status = res.statusCode!
          let text = ''
          res.setEncoding('utf8').on('data', (d: string) => (text += d))
          res.on('end', () => resolve(text))
        },
      )
      req.on('error', reject)
      req.write(body.slice(0, half))
      setTimeout(() => {
        served.process.kill('SIGTERM')
        setTimeout(() => req.end(body.slice(half)), 300)
      }, 100)
    })
    expect(await answered).toContain('"structuredContent"')
    expect(status).toBe(200)
    expect(await served.stop()).toBe(0)
    expect(served.stderr()).toMatch(/SIGTERM/)
    await expect(fetch(new URL('/healthz', served.url))).rejects.toThrow()
    // The store was closed cleanly: its write-ahead log was folded back in and removed.
    await expect(stat(`${storePath(box.sandbox())}-wal`)).rejects.toThrow(/ENOENT/)
  })

  it('GET /healthz answers without a token and reveals nothing else; unknown paths are 404', async () => {
    const served = await serveHttp(box.sandbox())
    try {
      const health = await fetch(new URL('/healthz', served.url))
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({status: 'ok'})
      expect((await fetch(new URL('/admin', served.url))).status).toBe(404)
      expect((await post(new URL('/healthz', served.url), {})).status).toBe(405)
    } finally {
      await served.stop()
    }
  })
})
