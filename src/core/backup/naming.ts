import {HatchError} from '../errors.js'

/** A backup id: its UTC creation time to the microsecond, `YYYYMMDD_HHMMSS_ffffff`. */
export const BACKUP_ID_PATTERN = /^\d{8}_\d{6}_\d{6}$/
const HOST_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/

// Wall-clock microseconds: Date.now() anchors a monotonic hrtime clock, so ids from one process never go back.
const anchorWallUs = BigInt(Date.now()) * 1000n
const anchorHr = process.hrtime.bigint()

/** Microseconds since the Unix epoch (UTC). */
export function nowMicros(): bigint {
  return anchorWallUs + (process.hrtime.bigint() - anchorHr) / 1000n
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** The id for a moment: `20261121_165100_123456`. */
export function idFromMicros(us: bigint): string {
  const d = new Date(Number(us / 1000n))
  const micro = Number(us % 1_000_000n)
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}_${pad(micro, 6)}`
}

/** The moment an id names, in microseconds since the epoch; undefined for a malformed id. */
export function microsFromId(id: string): bigint | undefined {
  if (!BACKUP_ID_PATTERN.test(id)) return undefined
  const ms = Date.UTC(+id.slice(0, 4), +id.slice(4, 6) - 1, +id.slice(6, 8), +id.slice(9, 11), +id.slice(11, 13), +id.slice(13, 15))
  if (Number.isNaN(ms)) return undefined
  return BigInt(ms) * 1000n + BigInt(+id.slice(16, 22))
}

/** ISO 8601 with microseconds: `2026-11-21T16:51:00.123456Z`. */
export function isoFromMicros(us: bigint): string {
  const iso = new Date(Number(us / 1000n)).toISOString()
  return `${iso.slice(0, 19)}.${pad(Number(us % 1_000_000n), 6)}Z`
}

/** The file name of a backup: `<config file name>.<host>.<id>`. */
export function backupFileName(configFileName: string, host: string, id: string): string {
  return `${configFileName}.${host}.${id}`
}

/** Splits a backup file name of `host`'s folder into its parts, or returns undefined when it is not one. */
export function parseBackupFileName(fileName: string, host: string): {configFileName: string; id: string} | undefined {
  const suffix = `.${host}.`
  const at = fileName.lastIndexOf(suffix)
  if (at <= 0) return undefined
  const id = fileName.slice(at + suffix.length)
  if (!BACKUP_ID_PATTERN.test(id)) return undefined
  return {configFileName: fileName.slice(0, at), id}
}

/** Refuses a host id that could not be a folder name of the store. */
export function assertHostId(host: string): void {
  if (!HOST_ID_PATTERN.test(host)) {
    throw new HatchError('INVALID_ARGUMENT', `"${host}" is not a valid host id.`, {suggestions: ['Run `hatch mcp hosts` to see the host ids.']})
  }
}

/**
 * Turns what a user typed after --id into a backup id. Accepts the id itself or a backup's full file name;
 * anything that could be a path (a separator, `..`, an absolute path) is refused, never resolved.
 */
export function parseBackupIdArgument(value: string, host: string): string {
  const trimmed = value.trim()
  if (BACKUP_ID_PATTERN.test(trimmed)) return trimmed
  const fromName = /[/\\]/.test(trimmed) || trimmed.includes('..') ? undefined : parseBackupFileName(trimmed, host)
  if (fromName) return fromName.id
  throw new HatchError('INVALID_ARGUMENT', `"${value}" is not a backup id. An id looks like 20261121_165100_123456; paths are never accepted.`, {
    suggestions: [`Run \`hatch mcp backup list --host ${host}\` to see the ids.`],
  })
}
