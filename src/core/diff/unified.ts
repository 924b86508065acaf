import {structuredPatch} from 'diff'

export interface DiffOptions {
  /** Applied to every printed line after diffing, so a changed secret still shows as changed but not its value. */
  maskLine?: (line: string) => string
  context?: number
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
    for (const line of hunk.lines) out.push(mask(line.replace(/\r$/, '␍')))
  }
  return `${out.join('\n')}\n`
}
