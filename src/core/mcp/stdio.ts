import {serveStdio, StdioServerTransport} from '@modelcontextprotocol/server/stdio'

import {createServerFactory, type HatchServerOptions} from './server.js'

/**
 * Serves hatch over this process's stdin/stdout until the client closes stdin (or SIGINT/SIGTERM), and resolves
 * then, so the caller's `finally` runs and the process can exit (stack.md §3.8). Nothing but protocol is written to
 * stdout; diagnostics go through `options.report`.
 */
export async function serveHatchOverStdio(options: HatchServerOptions): Promise<void> {
  const wire = new StdioServerTransport()
  const handle = serveStdio(createServerFactory(options), {
    transport: wire,
    onerror: (error) => options.report?.('hatch mcp: transport error', error),
  })
  await new Promise<void>((resolve) => {
    const inner = wire.onclose
    wire.onclose = () => {
      inner?.()
      resolve()
    }
    const stop = () => {
      handle.close().finally(resolve)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await handle.close()
}
