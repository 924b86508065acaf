import {handleSignalsGracefully} from '../../process/shutdown.js'
import {type HttpBase, type HttpFlags, startHatchHttp} from './start.js'

/** How long a stop may take before hatch ends anyway: the grace for calls in flight, and a little more. */
const STOP_GRACE_MS = 15_000

/**
 * Runs `hatch mcp serve --http` until SIGTERM, SIGINT or SIGHUP: says on stderr where it listens and how it
 * authenticates, then, on the signal, stops accepting, lets the calls in flight finish (up to `shutdownGraceMs`),
 * closes every session and the store, and resolves (the command then exits 0). A second signal, or a stop that
 * outlasts its grace, ends hatch at once after its cleanups (src/core/process/shutdown.ts).
 */
export async function serveHatchOverHttp(flags: HttpFlags, base: HttpBase): Promise<void> {
  const started = await startHatchHttp(flags, base)
  const {url, resource} = started.server
  const how = !flags.auth ? 'no authentication (--no-auth)' : `personal access tokens${flags.jwtIssuer === undefined ? '' : ` and JWTs from ${flags.jwtIssuer}`}`
  const store = started.store === undefined ? '' : `; store ${started.store.location}`
  base.report(`hatch: serving MCP at ${url.href}${resource.href === url.href ? '' : ` (public URL ${resource.href})`}; ${how}${store}`)
  let giveBack = () => {}
  await new Promise<void>((resolve) => {
    giveBack = handleSignalsGracefully(
      (signal) => {
        base.report(`hatch: ${signal}: finishing the calls in flight, then stopping`)
        return started.stop().then(resolve, (error: unknown) => {
          base.report('hatch: could not stop cleanly', error)
          resolve()
        })
      },
      {graceMs: STOP_GRACE_MS},
    )
  })
  giveBack()
}
