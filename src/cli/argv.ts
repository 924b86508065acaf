/** The flags oclif acts on only in first place (versionAddition in @oclif/core's main.js): left where they are. */
const FIRST_ONLY = new Set(['--version'])

/**
 * The command line with flags typed before the command moved after it: `--json mcp bakup list` → `mcp bakup list
 * --json`. oclif takes the first word for the command id, so a leading flag became the "command" (`"--json" is not
 * a hatch command`, with no did-you-mean). Flags keep their order and go before a `--`, so nothing moves into the
 * arguments of a command run by `hatch mcp guard -- …`. A flag's value given as its own word (`--host x mcp …`)
 * cannot be told from a command word; `--host=x` moves whole.
 */
export function commandFirst(argv: readonly string[]): string[] {
  let i = 0
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '--' && !FIRST_ONLY.has(argv[i]!)) i++
  if (i === 0 || i === argv.length || argv[i] === '--' || FIRST_ONLY.has(argv[i]!)) return [...argv]
  const flags = argv.slice(0, i)
  const rest = argv.slice(i)
  const end = rest.indexOf('--')
  return end === -1 ? [...rest, ...flags] : [...rest.slice(0, end), ...flags, ...rest.slice(end)]
}
