import * as z from 'zod'

import {listServers, ServerList} from '../../servers/list.js'
import {HostIdArg} from '../schemas.js'
import {defineTool, READ_ONLY} from '../types.js'

export const listServersTool = defineTool({
  name: 'list_servers',
  title: 'List MCP servers',
  description:
    "Lists the MCP servers configured in each host's config file (every host with one, or the named host): name, scope, transport, command or url, and whether it is on. " +
    'Secrets in arguments and urls are masked; environment and header values are never included, only their names. Changes nothing.',
  privilege: 'read',
  input: z.object({host: HostIdArg.optional()}).strict(),
  output: ServerList,
  hints: READ_ONLY,
  async run(args, {hostEnvironment}) {
    const list = await listServers({hosts: args.host === undefined ? undefined : [args.host]}, hostEnvironment())
    const hosts = [...new Set(list.servers.map((s) => s.host))]
    return {kind: 'result', structured: list, summary: `${list.servers.length} servers in ${hosts.length} hosts${hosts.length > 0 ? `: ${hosts.join(', ')}` : ''}.`}
  },
})
