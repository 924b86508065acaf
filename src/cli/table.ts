/** Renders rows as a left-aligned text table with a header row; an empty table prints only `empty`. */
export function renderTable(headers: string[], rows: string[][], empty = '(none)'): string {
  if (rows.length === 0) return empty
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

/** Bytes as a short human figure: 812 B, 4.9 KiB, 1.2 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}
