import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {makeSandbox, startCli, type Sandbox, type StartedCli} from '../../helpers/cli.js'

let sandbox: Sandbox
beforeEach(async () => {
  sandbox = await makeSandbox('hatch-serve-stdio-')
})
afterEach(async () => {
  await sandbox.cleanup()
})

/** `hatch mcp serve` spoken to line by line, as raw JSON-RPC over its stdin and stdout. */
function rawServer(): {run: StartedCli; send(line: string): void; next(): Promise<any>} {
  const run = startCli(['mcp', 'serve'], {env: sandbox.env})
  const lines: string[] = []
  const waiting: Array<(line: string) => void> = []
  let partial = ''
  run.child.stdout.on('data', (chunk: string) => {
    partial += chunk
    for (let at = partial.indexOf('\n'); at !== -1; at = partial.indexOf('\n')) {
      const line = partial.slice(0, at)
      partial = partial.slice(at + 1)
      const waiter = waiting.shift()
      if (waiter) waiter(line)
      else lines.push(line)
    }
  })
  return {
    run,
    send: (line) => run.child.stdin.write(`${line}\n`),
    next: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer; stderr: ${run.stderr()}`)), 10_000)
        const take = (line: string) => {
          clearTimeout(timer)
          resolve(JSON.parse(line))
        }
        const ready = lines.shift()
        if (ready !== undefined) take(ready)
        else waiting.push(take)
      }),
  }
}

describe('hatch mcp serve: stdio framing', {timeout: 60_000}, () => {
  it('answers an oversized message and a line that is not JSON with JSON-RPC errors, and keeps serving', async () => {
    const server = rawServer()
    try {
      server.send(JSON.stringify({jsonrpc: '2.0', id: 1, method: 'initialize', params: {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'raw', version: '1'}}}))
      expect(await server.next()).toMatchObject({id: 1, result: {serverInfo: {name: 'hatch'}}})
      server.send(JSON.stringify({jsonrpc: '2.0', method: 'notifications/initialized'}))

      // 11 MiB in one message: over the 10 MiB limit.
      server.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_hosts","arguments":{"host":"${'x'.repeat(11 * 1024 * 1024)}"}}}`)
      const tooLarge = await server.next()
      expect(tooLarge).toMatchObject({jsonrpc: '2.0', id: 2, error: {code: -32600}})
      expect(tooLarge.error.message).toMatch(/10 MiB/)

      server.send('this is not JSON')
      expect(await server.next()).toMatchObject({jsonrpc: '2.0', id: null, error: {code: -32700}})
      server.send('{"jsonrpc": "2.0", "id": 3, "method": ')
      expect(await server.next()).toMatchObject({id: null, error: {code: -32700}})
      server.send('{"hello": "world"}')
      expect(await server.next()).toMatchObject({id: null, error: {code: -32600}})
      server.send('[1, 2]')
      expect(await server.next()).toMatchObject({id: null, error: {code: -32600}})

      server.send(JSON.stringify({jsonrpc: '2.0', id: 4, method: 'tools/list'}))
      const listed = await server.next()
      expect(listed.id).toBe(4)
      expect(listed.result.tools.map((t: {name: string}) => t.name)).toContain('list_hosts')
    } finally {
      server.run.child.stdin.end()
    }
    const ended = await server.run.result
    expect(ended.code, ended.stderr).toBe(0)
  })

  it('closes gracefully on SIGTERM and ends promptly', async () => {
    const server = rawServer()
    server.send(JSON.stringify({jsonrpc: '2.0', id: 1, method: 'initialize', params: {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'raw', version: '1'}}}))
    expect(await server.next()).toMatchObject({id: 1})
    const sent = Date.now()
    server.run.child.kill('SIGTERM')
    const ended = await server.run.result
    expect(Date.now() - sent).toBeLessThan(5000)
    expect([ended.code, ended.signal]).toEqual([0, null])
  })
})
