import {serveStdio, StdioServerTransport} from '@modelcontextprotocol/server/stdio'

import {handleSignalsGracefully} from '../process/shutdown.js'
import {createServerFactory, type HatchServerOptions} from './server.js'

/**
 * Serves hatch over this process's stdin/stdout until the client closes stdin (or a signal stops it), and resolves
 * then, so the caller's `finally` runs and the process can exit (stack.md §3.8). Nothing but protocol is written to
 * stdout; diagnostics go through `options.report`. SIGINT/SIGTERM/SIGHUP close the connection gracefully
 * (process/shutdown.ts): the process then ends when the command returns, or by the signal if that takes too long.
 */
export async function serveHatchOverStdio(options: HatchServerOptions): Promise<void> {
  const wire = new StdioServerTransport()
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
