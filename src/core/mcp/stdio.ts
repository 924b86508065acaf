import {INVALID_REQUEST, PARSE_ERROR, parseJSONRPCMessage, type JSONRPCMessage} from '@modelcontextprotocol/server'
import {serveStdio, StdioServerTransport} from '@modelcontextprotocol/server/stdio'

import {handleSignalsGracefully} from '../process/shutdown.js'
import {createServerFactory, type HatchServerOptions} from './server.js'

/** The largest message hatch reads (the SDK's own stdio limit). */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024
/** How far into an oversized message hatch looks for its id, so the error can answer the request it belongs to. */
const ID_SCAN_BYTES = 64 * 1024

type MessageId = string | number | null

/**
 * The id of a JSON-RPC message from the start of its text: the value of the top-level `"id"` member, if it is a
 * number or a string and lies in `head`; otherwise null (the id JSON-RPC gives an error it cannot tie to a request).
 */
export function scanMessageId(head: string): MessageId {
  let depth = 0
  let i = 0
  const skipSpace = (): void => {
    while (i < head.length && ' \t\r\n'.includes(head[i]!)) i++
  }
  /** Reads the JSON string starting at `i` (a quote); undefined when it does not end within `head`. */
  const readString = (): string | undefined => {
    const start = i
    for (i++; i < head.length; i++) {
      if (head[i] === '\\') i++
      else if (head[i] === '"') {
        i++
        try {
          return JSON.parse(head.slice(start, i)) as string
        } catch {
          return undefined
        }
      }
    }
    return undefined
  }
  skipSpace()
  if (head[i] !== '{') return null
  while (i < head.length) {
    const c = head[i]!
    if (c === '"') {
      const key = readString()
      if (key === undefined) return null
      const afterKey = i
      skipSpace()
      if (depth === 1 && key === 'id' && head[i] === ':') {
        i++
        skipSpace()
        if (head[i] === '"') return readString() ?? null
        const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?(?=\s*[,}])/.exec(head.slice(i, i + 40))
        return number === null ? null : Number(number[0])
      }
      i = afterKey
      continue
    }
    if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') depth--
    i++
  }
  return null
}

/**
 * The SDK's stdio transport, with hatch's own framing of what comes in. The SDK's gives up on the whole connection
 * when one message passes 10 MiB (the client sees the pipe close) and drops a line that is not JSON without an
 * answer; this one answers both with a JSON-RPC error and keeps serving:
 * - a line longer than MAX_MESSAGE_BYTES: its bytes are dropped as they come (never held), and the error
 *   (-32600, invalid request) carries the message's id when its first 64 KiB show it, so the client's request
 *   fails at once instead of waiting for a timeout;
 * - a line that is not JSON: -32700 (parse error), id null;
 * - JSON that is not a JSON-RPC message: -32600, with its id if it has a usable one.
 * Sending, closing and the end of stdin stay the SDK's (`_ondata` is the one listener the transport attaches to
 * stdin's data; it is public in the SDK's typings).
 */
export class HatchStdioTransport extends StdioServerTransport {
  private pending: Buffer[] = []
  private pendingBytes = 0
  /** Bytes of the current line dropped so far (it is too long); 0 when not dropping. */
  private dropped = 0
  private droppedHead = ''

  override _ondata = (chunk: Buffer): void => {
    let start = 0
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.take(chunk.subarray(start, nl))
      this.endLine()
      start = nl + 1
    }
    if (start < chunk.length) this.take(chunk.subarray(start))
  }

  /** Adds a piece of the current line, or drops it once the line is too long (keeping its head for the id). */
  private take(piece: Buffer): void {
    if (piece.length === 0) return
    if (this.dropped === 0 && this.pendingBytes + piece.length <= MAX_MESSAGE_BYTES) {
      this.pending.push(piece)
      this.pendingBytes += piece.length
      return
    }
    if (this.dropped === 0) {
      this.droppedHead = Buffer.concat(this.pending).subarray(0, ID_SCAN_BYTES).toString('utf8')
      this.dropped = this.pendingBytes
      this.pending = []
      this.pendingBytes = 0
    }
    if (this.droppedHead.length < ID_SCAN_BYTES) this.droppedHead += piece.subarray(0, ID_SCAN_BYTES).toString('utf8')
    this.dropped += piece.length
  }

  private endLine(): void {
    if (this.dropped > 0) {
      const id = scanMessageId(this.droppedHead)
      this.dropped = 0
      this.droppedHead = ''
      this.reply(id, INVALID_REQUEST, `The message is larger than ${MAX_MESSAGE_BYTES / (1024 * 1024)} MiB, the most hatch reads; it was dropped.`)
      return
    }
    const line = Buffer.concat(this.pending, this.pendingBytes).toString('utf8').replace(/\r$/, '')
    this.pending = []
    this.pendingBytes = 0
    if (line.trim() === '') return
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      this.reply(null, PARSE_ERROR, 'Parse error: the line is not JSON.')
      return
    }
    let message: JSONRPCMessage
    try {
      message = parseJSONRPCMessage(json)
    } catch {
      const id = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as {id?: unknown}).id : undefined
      this.reply(typeof id === 'string' || typeof id === 'number' ? id : null, INVALID_REQUEST, 'Invalid request: not a JSON-RPC 2.0 message.')
      return
    }
    this.onmessage?.(message)
  }

  private reply(id: MessageId, code: number, message: string): void {
    this.send({jsonrpc: '2.0', id, error: {code, message}} as unknown as JSONRPCMessage).catch((error: unknown) => {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)))
    })
  }
}

/**
 * Serves hatch over this process's stdin/stdout until the client closes stdin (or a signal stops it), and resolves
 * then, so the caller's `finally` runs and the process can exit (stack.md §3.8). Nothing but protocol is written to
 * stdout; diagnostics go through `options.report`. SIGINT/SIGTERM/SIGHUP close the connection gracefully
 * (process/shutdown.ts): the process then ends when the command returns, or by the signal if that takes too long.
 */
export async function serveHatchOverStdio(options: HatchServerOptions): Promise<void> {
  const wire = new HatchStdioTransport()
  const handle = serveStdio(createServerFactory(options), {
    transport: wire,
    onerror: (error) => options.report?.('hatch mcp: transport error', error),
  })
  let giveBack = (): void => {}
  await new Promise<void>((resolve) => {
    const inner = wire.onclose
    wire.onclose = () => {
      inner?.()
      resolve()
    }
    giveBack = handleSignalsGracefully(() => handle.close().finally(resolve))
  })
  giveBack()
  await handle.close()
}
