import type {VerifyReport, VerifyResult, VerifyStatus} from './results.js'

/** Sums up verify's per-backup results, with what to do about each kind of problem found. */
export function verifyReport(results: VerifyResult[]): VerifyReport {
  const damaged = results.filter((r) => r.status !== 'intact').length
  return {ok: damaged === 0, checked: results.length, damaged, results, nextSteps: nextSteps(results)}
}

function nextSteps(results: VerifyResult[]): string[] {
  const hostsWith = (status: VerifyStatus) => [...new Set(results.filter((r) => r.status === status).map((r) => r.host))]
  const steps: string[] = []
  const damaged = hostsWith('damaged')
  if (damaged.length > 0) {
    const host = damaged[0]!
    steps.push(
      `A DAMAGED backup's bytes changed after hatch wrote them, so restore refuses it. Restore another backup instead: \`hatch mcp backup list --host ${host}\` lists them, newest first, and \`hatch mcp backup verify --host ${host} --id ID\` checks one.`,
      `If ${damaged.length === 1 ? `${host}'s config file is` : 'the config files are'} fine as they are now, back ${damaged.length === 1 ? 'it' : 'them'} up again: \`hatch mcp backup create --host ${host}\`${damaged.length > 1 ? ' (and likewise for the other hosts)' : ''}.`,
      'Backups do not change on their own: check the disk (its kernel log, a file-system check) before trusting the others.',
    )
  }
  if (hostsWith('missing').length > 0) {
    steps.push('A MISSING backup is recorded but its file is gone (deleted outside hatch). It cannot be restored; the other backups are not affected.')
  }
  if (hostsWith('unrecorded').length > 0) {
    steps.push('An UNRECORDED file in a backup folder has no checksum to check it against (a crash during a backup, or a file copied in). Restore it only if you know what it holds, with --force --to PATH.')
  }
  return steps
}
