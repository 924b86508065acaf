/**
 * `n` and the noun in the number that fits: `count(1, 'backup')` is "1 backup", `count(2, 'backup')` "2 backups",
 * `count(1, 'entry', 'entries')` "1 entry". Numbers are written with thousands separators (10,000).
 */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`
}
