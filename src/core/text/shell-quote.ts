/** Quotes a path for a suggestion the user can paste into their shell (as is when it needs no quotes). */
export function shellQuote(p: string, platform: NodeJS.Platform): string {
  if (/^[\w@%+=:,./\\-]+$/.test(p)) return p
  return platform === 'win32' ? `"${p}"` : `'${p.replaceAll("'", `'\\''`)}'`
}
