import {z} from 'zod'

import {BackupIdArg, HostIdArg} from '../schemas.js'
import {defineTool, READ_ONLY} from '../types.js'

/** The `--json` shape of `hatch mcp backup verify`. */
export const VerifyOutput = z.object({
  ok: z.boolean(),
  checked: z.number().int().nonnegative(),
  damaged: z.number().int().nonnegative(),
  results: z.array(
    z.object({
      host: z.string(),
      id: z.string(),
      path: z.string(),
      status: z.enum(['intact', 'damaged', 'missing', 'unrecorded']),
      expectedSha256: z.string().nullable(),
      actualSha256: z.string().nullable(),
    }),
  ),
})

export const verifyHostConfigBackups = defineTool({
  name: 'verify_host_config_backups',
  title: 'Verify host config backups',
  description: 'Recomputes the SHA-256 of every backup (of one host, or one backup with host and id) and reports each as intact, damaged, missing or unrecorded. Changes nothing.',
  privilege: 'read',
  input: z
    .object({host: HostIdArg.optional(), id: BackupIdArg.optional()})
    .strict()
    .refine((a) => a.id === undefined || a.host !== undefined, {message: 'id needs host', path: ['id']}),
  output: VerifyOutput,
  hints: READ_ONLY,
  async run(args, {store}) {
    const results = store.verify(args.host, args.id)
    const damaged = results.filter((r) => r.status !== 'intact').length
    const summary = damaged === 0 ? `All ${results.length} backups are intact.` : `${damaged} of ${results.length} backups are not intact.`
    return {kind: 'result', structured: {ok: damaged === 0, checked: results.length, damaged, results}, summary}
  },
})
