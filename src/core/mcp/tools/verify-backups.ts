import * as z from 'zod'

import {VerifyReport} from '../../backup/results.js'
import {verifyReport} from '../../backup/verify-report.js'
import {count} from '../../text/plural.js'
import {BackupIdArg, HostIdArg} from '../schemas.js'
import {defineTool, READ_ONLY} from '../types.js'

export const verifyHostConfigBackups = defineTool({
  name: 'verify_host_config_backups',
  title: 'Verify host config backups',
  description: 'Recomputes the SHA-256 of every backup (of one host, or one backup with host and id) and reports each as intact, damaged, missing or unrecorded. Changes nothing.',
  privilege: 'read',
  input: z
    .object({host: HostIdArg.optional(), id: BackupIdArg.optional()})
    .strict()
    .refine((a) => a.id === undefined || a.host !== undefined, {message: 'id needs host', path: ['id']}),
  output: VerifyReport,
  hints: READ_ONLY,
  async run(args, {store}) {
    const report = verifyReport(store.verify(args.host, args.id))
    const summary = report.ok ? `All ${count(report.checked, 'backup')} intact.` : [`${report.damaged} of ${count(report.checked, 'backup')} not intact.`, ...report.nextSteps].join(' ')
    return {kind: 'result', structured: report, summary}
  },
})
