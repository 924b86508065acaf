import {type AuthInfo, CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, inputRequired, inputResponse, McpServer, type CallToolResult} from '@modelcontextprotocol/server'

import {invokeTool, type InvokeContext} from './invoke.js'
import {toolsFor} from './tools/index.js'
import type {ToolCall, ToolDefinition} from './types.js'

export interface HatchServerOptions extends InvokeContext {
  version: string
  tools?: readonly ToolDefinition[]
}

/** The one-field form a confirmation elicitation asks for. */
const CONFIRM_SCHEMA = {
  type: 'object' as const,
  properties: {confirm: {type: 'boolean' as const, title: 'Confirm', description: 'Check to go ahead; anything else cancels.'}},
  required: ['confirm'],
}

const INSTRUCTIONS =
  'hatch keeps MCP host config files safe. Tools that change nothing are always offered; backup_host_config needs --allow-write; ' +
  'restore and clean need --allow-destructive and the user\'s confirmation (a preview comes first). ' +
  'Archive tools (list_backups, verify_secure_backup, create_secure_backup, restore_secure_backup) are offered only when the server was started with --allow-dir, ' +
  'and read and write only inside those directories (list_backups shows them); passphrases and keys are configured on the server: leave the password argument out. ' +
  'Over HTTP, each caller sees only the tools its token\'s scopes allow.'

/**
 * Builds one McpServer that offers `tools`. Every call goes through invokeTool (privilege and scope re-checked, errors
 * mapped, audited) with the context `contextFor` gives for that call's verified token (over stdio: none). A fresh
 * server is built per connection or HTTP session, never shared between them (GHSA-345p-7cg4-v4c7).
 */
export function buildHatchServer(version: string, tools: readonly ToolDefinition[], contextFor: (authInfo: AuthInfo | undefined) => InvokeContext): McpServer {
  const server = new McpServer({name: 'hatch', version}, {capabilities: {tools: {}}, instructions: INSTRUCTIONS})
  for (const def of tools) {
    server.registerTool(
      def.name,
      {title: def.title, description: def.description, inputSchema: def.input, outputSchema: def.output, annotations: {title: def.title, ...def.hints}},
      async (args: unknown, ctx) => {
        const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined
        const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? server.server.getClientCapabilities()
        const info = (envelope?.[CLIENT_INFO_META_KEY] ?? server.server.getClientVersion()) as {name?: unknown; version?: unknown} | undefined
        const client = typeof info?.name === 'string' ? `${info.name} ${String(info.version ?? '')}`.trim().slice(0, 200) : null
        const answer = inputResponse(ctx.mcpReq.inputResponses, 'confirm')
        const state = ctx.mcpReq.requestState()
        const call: ToolCall = {
          elicitation: typeof capabilities === 'object' && capabilities !== null && 'elicitation' in capabilities,
          answer: answer.kind === 'elicit' ? {action: answer.action, content: answer.content} : undefined,
          requestState: typeof state === 'string' ? state : undefined,
        }
        const context = contextFor(ctx.http?.authInfo)
        const result = await invokeTool(def, (args ?? {}) as Record<string, unknown>, call, {...context, caller: {...context.caller, client}})
        if (result.kind === 'confirm') {
          return inputRequired({
            inputRequests: {confirm: inputRequired.elicit({message: result.message, requestedSchema: CONFIRM_SCHEMA})},
            requestState: result.state,
          }) as unknown as CallToolResult
        }
        const content = result.content.map((text) => ({type: 'text' as const, text}))
        if (result.kind === 'error') return {content, isError: true, _meta: {'dev.hatch/errorCode': result.error.code}}
        return {content, structuredContent: result.structured}
      },
    )
  }
  return server
}

/** A factory of stdio servers: the tools the privilege level allows, every call in the server's one context. */
export function createServerFactory(options: HatchServerOptions): () => McpServer {
  const tools = toolsFor(options.level, options.tools, options.services)
  return () => buildHatchServer(options.version, tools, () => options)
}
