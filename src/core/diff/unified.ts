import {structuredPatch} from 'diff'

import {MASK_PREFIX} from '../redact/token.js'

export interface DiffOptions {
  /** Applied to every printed line after diffing, so a changed secret still shows as changed but not its value. */
  maskLine?: (line: string) => string
  context?: number
}

const VALUE_CHANGED = ' (value changed)'

/**
 * Marks an added line whose masked text is the same as a removed one's: only a masked value differs, which would
 * otherwise read as the same line removed and added. The note goes after the line's last mask token
 * (`"[REDACTED:github-token] (value changed)"`), or at its end.
 */
function markValueChanged(line: string): string {
  const token = line.lastIndexOf(MASK_PREFIX)
  const end = token === -1 ? -1 : line.indexOf(']', token)
  return end === -1 ? `${line}${VALUE_CHANGED}` : `${line.slice(0, end + 1)}${VALUE_CHANGED}${line.slice(end + 1)}`
}

/**
 * A hunk's lines, masked. Within each change (a run of removed lines and the added lines after it), an added line
 * that masks to the same text as a removed line, though the two differ, gets marked as a changed value.
 */
function maskHunk(lines: string[], mask: (line: string) => string): string[] {
  const out: string[] = []
  let removed: {raw: string; masked: string; used: boolean}[] = []
  for (const line of lines) {
    const masked = mask(line.replace(/\r$/, '␍'))
    if (line.startsWith('-')) removed.push({raw: line.slice(1), masked: masked.slice(1), used: false})
    else if (line.startsWith('+')) {
      const twin = removed.find((r) => !r.used && r.masked === masked.slice(1) && r.raw !== line.slice(1))
      if (twin) twin.used = true
      out.push(twin ? markValueChanged(masked) : masked)
      continue
    } else removed = []
    out.push(masked)
  }
  return out
}

/**
 * A unified diff (`---`/`+++`/`@@` hunks) from `oldText` to `newText`; an empty string when they are equal.
 * Line endings are compared as they are, so a CRLF-only change shows up.
 */
export function unifiedDiff(oldText: string, newText: string, oldLabel: string, newLabel: string, options: DiffOptions = {}): string {
  if (oldText === newText) return ''
  const patch = structuredPatch(oldLabel, newLabel, oldText, newText, '', '', {context: options.context ?? 3, stripTrailingCr: false})
  const mask = options.maskLine ?? ((line: string) => line)
  const out = [`--- ${oldLabel}`, `+++ ${newLabel}`]
  for (const hunk of patch.hunks) {
    out.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`)
    out.push(...maskHunk(hunk.lines, mask))
  }
  return `${out.join('\n')}\n`
}
