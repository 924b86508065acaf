import {type HttpBase, type HttpFlags, startHatchHttp} from './start.js'

/**
 * Runs `hatch mcp serve --http` until SIGTERM or SIGINT: says on stderr where it listens and how it authenticates,
 * then, on the signal, stops accepting, lets the calls in flight finish (at most `shutdownGraceMs`), closes every
 * session and the store, and resolves (the command then exits 0). A second signal while stopping exits at once.
 */
export async function serveHatchOverHttp(flags: HttpFlags, base: HttpBase): Promise<void> {
  const started = await startHatchHttp(flags, base)
  const {url, resource} = started.server
  const how = !flags.auth ? 'no authentication (--no-auth)' : `personal access tokens${flags.jwtIssuer === undefined ? '' : ` and JWTs from ${flags.jwtIssuer}`}`
  const store = started.store === undefined ? '' : `; store ${started.store.location}`
  base.report(`hatch: serving MCP at ${url.href}${resource.href === url.href ? '' : ` (public URL ${resource.href})`}; ${how}${store}`)
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.once(signal, () => process.exit(130))
      base.report(`hatch: ${signal}: finishing the calls in flight, then stopping`)
      started.stop().then(resolve, (error: unknown) => {
        base.report('hatch: could not stop cleanly', error)
        resolve()
      })
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
}
