import * as z from 'zod'

import {resolveHosts} from '../../hosts/resolve.js'
import {ResolvedHost} from '../../hosts/schemas.js'
import {HostIdArg} from '../schemas.js'
import {defineTool, READ_ONLY} from '../types.js'
import {count} from '../../text/plural.js'

/** The `--json` shape of `hatch mcp hosts`. */
export const HostsOutput = z.object({hosts: z.array(ResolvedHost)})

export const listHosts = defineTool({
  name: 'list_hosts',
  title: 'List MCP hosts',
  description: 'Lists the MCP hosts hatch knows (Claude Desktop, Cursor, VS Code, …), where each keeps its config file, and whether that file exists. Changes nothing.',
  privilege: 'read',
  input: z.object({host: HostIdArg.optional()}).strict(),
  output: HostsOutput,
  hints: READ_ONLY,
  async run(args, services) {
    const hosts = await resolveHosts(services.hostEnvironment(), undefined, args.host === undefined ? undefined : [args.host])
    const present = hosts.filter((h) => h.status === 'present').map((h) => h.id)
    const summary = `${count(hosts.length, 'host')}; config file present for ${present.length}${present.length > 0 ? `: ${present.join(', ')}` : ''}.`
    return {kind: 'result', structured: {hosts}, summary}
  },
})
