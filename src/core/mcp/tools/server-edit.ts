import {isAbsolute} from 'node:path'

import * as z from 'zod'

import {sha256} from '../../fs/hash.js'
import {applyServerEdit, planAddServer, planRemoveServer, ServerEditOutput, type PlannedServerEdit} from '../../servers/edit.js'
import {specFromInput} from '../../servers/spec.js'
import {resolveServersTarget} from '../../servers/targets.js'
import {withConsent} from '../consent.js'
import {ConfirmationTokenArg, HostIdArg} from '../schemas.js'
import {defineTool, DESTRUCTIVE, type ToolCall, type ToolOutcome, type ToolServices} from '../types.js'

/** The `--json` shape of `hatch mcp server add|remove`, plus the status and the preview's token. */
export const ServerEditToolOutput = ServerEditOutput.extend({
  status: z.enum(['preview', 'added', 'replaced', 'removed', 'unchanged']),
  confirmation_token: z.string().optional(),
  expires_in_seconds: z.number().int().optional(),
})
type ServerEditToolOutput = z.infer<typeof ServerEditToolOutput>

const ServerNameArg = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ (at most 64)').describe('Name of the server entry.')
const Text = z.string().max(8192)
/** Claude Code's scopes reachable from a tool: a project's .mcp.json is a file path, which tools never take. */
const ScopeArgs = {
  scope: z.enum(['user', 'local']).optional().describe("Claude Code only: user (top-level mcpServers of ~/.claude.json) or local (a project's servers in ~/.claude.json; needs project)."),
  project: z.string().max(4096).refine(isAbsolute, 'an absolute path').optional().describe('Claude Code local scope: the absolute path of the project folder (its key in ~/.claude.json).'),
}

/**
 * The consent every edit goes through: bound to the file's SHA-256 and to where it really is (symlinks resolved), so a
 * changed file, or one swapped for a link elsewhere, voids the token.
 */
async function consentToEdit(
  tool: string,
  args: Record<string, unknown>,
  token: string | undefined,
  edit: PlannedServerEdit,
  services: ToolServices,
  call: ToolCall,
): Promise<ToolOutcome<ServerEditToolOutput>> {
  const {planned, output} = edit
  const done = output.action === 'remove' ? 'removed' : output.replaced ? 'replaced' : 'added'
  if (!planned.changed) {
    return {kind: 'result', structured: {...output, status: 'unchanged', dryRun: false, backupId: null}, summary: `${output.path} already has this "${output.name}" entry; nothing to do.`}
  }
  const verb = output.action === 'remove' ? `Remove server "${output.name}" from` : `${output.replaced ? 'Replace' : 'Add'} server "${output.name}" in`
  return withConsent<ServerEditToolOutput>(
    {
      tool,
      args,
      plan: {sha256: planned.currentSha256, serversPath: planned.target.serversPath, result: sha256(planned.bytes)},
      targets: [planned.target.path],
      token,
      question: `${verb} ${planned.target.host.displayName}'s config ${output.path}?`,
      details: output.diff,
      preview: (previewToken, expiresInSeconds) => ({
        structured: {...output, status: 'preview', dryRun: true, backupId: null, confirmation_token: previewToken, expires_in_seconds: expiresInSeconds},
        summary: `Preview only, nothing changed. To make this change, call ${tool} again with the same arguments and confirmation_token (valid ${expiresInSeconds} s, once).`,
      }),
      execute: async () => {
        const result = await applyServerEdit(services.ops, edit)
        return {
          structured: {...result, status: done},
          summary: `${done[0]!.toUpperCase()}${done.slice(1)} "${result.name}" in ${result.path}.${result.backupId ? ` The previous content is backup ${result.backupId}.` : ''}`,
        }
      },
    },
    services,
    call,
  )
}

const CONSENT =
  "Destructive, so it asks first: the first call returns a preview (the masked diff) and changes nothing; the change happens only after the user confirms, through the client's confirmation dialog, " +
  "or by calling again with the preview's confirmation_token and the same arguments. Only that entry changes (comments and every other entry kept); the file is backed up first."

export const addServerTool = defineTool({
  name: 'add_server',
  title: "Add an MCP server to a host's config",
  description:
    "Adds one MCP server entry to a host's config file in that host's own field names: a stdio server (command, args, env) or a remote one (url, headers, transport). " +
    'An existing server of that name is refused unless replace is true. $VAR references are written as they are, never expanded: prefer them to secret values. ' +
    CONSENT,
  privilege: 'destructive',
  input: z
    .object({
      host: HostIdArg,
      name: ServerNameArg,
      command: Text.optional().describe('Program the host starts (a stdio server).'),
      args: z.array(Text).max(256).optional().describe('Arguments of the command, in order.'),
      env: z.record(z.string().max(256), Text).optional().describe('Environment of the command.'),
      url: Text.optional().describe('URL of a remote server.'),
      headers: z.record(z.string().max(256), Text).optional().describe('Headers sent to the remote server.'),
      transport: z.enum(['http', 'sse']).optional().describe('With url: streamable HTTP (default) or SSE.'),
      replace: z.boolean().optional().describe('Overwrite an existing server of that name.'),
      ...ScopeArgs,
      confirmation_token: ConfirmationTokenArg.optional(),
    })
    .strict(),
  output: ServerEditToolOutput,
  hints: DESTRUCTIVE,
  async run({confirmation_token, ...args}, services, call) {
    const target = await resolveServersTarget(args.host, {scope: args.scope, project: args.project}, services.hostEnvironment())
    const edit = planAddServer(target, args.name, specFromInput(args), args.replace ?? false)
    return consentToEdit('add_server', args, confirmation_token, edit, services, call)
  },
})

export const removeServerTool = defineTool({
  name: 'remove_server',
  title: "Remove an MCP server from a host's config",
  description: "Removes one MCP server entry from a host's config file. A name the file does not have is an error (SERVER_NOT_FOUND). " + CONSENT,
  privilege: 'destructive',
  input: z.object({host: HostIdArg, name: z.string().min(1).max(256).describe('Name of the server entry.'), ...ScopeArgs, confirmation_token: ConfirmationTokenArg.optional()}).strict(),
  output: ServerEditToolOutput,
  hints: DESTRUCTIVE,
  async run({confirmation_token, ...args}, services, call) {
    const target = await resolveServersTarget(args.host, {scope: args.scope, project: args.project}, services.hostEnvironment())
    return consentToEdit('remove_server', args, confirmation_token, planRemoveServer(target, args.name), services, call)
  },
})
