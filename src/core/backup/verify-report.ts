import type {VerifyReport, VerifyResult} from './results.js'

/** Sums up verify's per-backup results. */
export function verifyReport(results: VerifyResult[]): VerifyReport {
  const damaged = results.filter((r) => r.status !== 'intact').length
  return {ok: damaged === 0, checked: results.length, damaged, results}
}
