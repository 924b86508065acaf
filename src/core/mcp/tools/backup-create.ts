import * as z from 'zod'

import {BackupInfo} from '../../backup/schema.js'
import {resolveConfigPath} from '../../hosts/resolve.js'
import {HostIdArg} from '../schemas.js'
import {ADDITIVE, defineTool} from '../types.js'

export const backupHostConfig = defineTool({
  name: 'backup_host_config',
  title: "Back up a host's config",
  description: "Stores a byte-for-byte, checksummed copy of a host's MCP config file in hatch's private backup store. Only adds a backup; never changes the config.",
  privilege: 'write',
  input: z.object({host: HostIdArg}).strict(),
  output: BackupInfo,
  hints: ADDITIVE,
  async run(args, {store, hostEnvironment}) {
    const target = await resolveConfigPath(args.host, {}, hostEnvironment())
    const backup = await store.create(target.host.id, target.path)
    return {kind: 'result', structured: backup, summary: `Backed up ${backup.sourcePath} as ${backup.id} (${backup.size} bytes).`}
  },
})
