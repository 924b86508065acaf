/** The services a tool test runs against (not a test file itself): a real store and file operations under `dir`. */
import {join} from 'node:path'

import {AtomicFileOperations} from '../../../src/core/backup/atomic-file-operations.js'
import {BackupStore} from '../../../src/core/backup/store.js'
import {createConfirmationIssuer} from '../../../src/core/mcp/confirm-token.js'
import type {InvokeContext} from '../../../src/core/mcp/invoke.js'
import type {ToolServices} from '../../../src/core/mcp/types.js'

/** A destructive-level invoke context whose HOME (and cwd) is `dir`. */
export function toolContext(dir: string): InvokeContext {
  const store = new BackupStore({root: join(dir, '.hatch', 'mcp_host_config_backups'), hatchVersion: 'test'})
  const services = {
    store,
    ops: new AtomicFileOperations(store),
    hostEnvironment: () => ({platform: 'linux', home: dir, env: {}, cwd: dir}),
    issuer: createConfirmationIssuer(),
    confirmTtlMs: 60_000,
    principal: 'os-user:test',
    now: () => new Date(),
  } as unknown as ToolServices
  return {services, level: 'destructive', caller: {transport: 'stdio', user: 'test', uid: 1, client: null}}
}
