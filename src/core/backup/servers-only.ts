import {findNodeAtLocation, getNodeValue, parseTree} from 'jsonc-parser'

import {HatchError} from '../errors.js'
import type {ConfigFormat} from '../formats/parse.js'
import {removeMember, setMember} from '../install/json-edit.js'

const BOM = '\uFEFF'

/**
 * The current config with only its servers subtree taken from the backup: what restoring a file that also holds
 * the app's other state should change (Claude Code's `~/.claude.json` keeps auth, caches and per-project data; a
 * whole-file restore would roll all of that back, pitfalls.md §9). Every byte outside the servers value stays as it
 * is now; the backup's servers value is copied as text, comments inside it included, in the current line endings.
 * A backup with no servers key removes the current one. Both texts must already have parsed.
 *
 * @throws HatchError INVALID_ARGUMENT for TOML hosts, whose servers are separate tables (not supported yet).
 */
export function spliceServers(current: string, backup: string, format: ConfigFormat, serversPath: readonly string[]): string {
  if (format === 'toml') {
    throw new HatchError('INVALID_ARGUMENT', '--servers-only works for JSON and JSONC hosts; this host keeps its servers in TOML tables.', {
      suggestions: ['Restore the whole file (without --servers-only), or copy the [mcp_servers.*] tables by hand from `--dry-run` output.'],
    })
  }
  const bom = current.startsWith(BOM) ? BOM : ''
  const now = current.slice(bom.length)
  const then = backup.startsWith(BOM) ? backup.slice(BOM.length) : backup
  const eol = now.includes('\r\n') ? '\r\n' : '\n'
  const parent = serversPath.slice(0, -1)
  const key = serversPath.at(-1)!
  const theirs = findNodeAtLocation(parseTree(then, [], {allowTrailingComma: true})!, [...serversPath])
  const ours = findNodeAtLocation(parseTree(now, [], {allowTrailingComma: true})!, [...serversPath])
  if (theirs === undefined) return bom + (ours === undefined ? now : removeMember(now, parent, key))
  // No servers key now: add the backup's value (formatted afresh, so comments inside it are not carried over).
  if (ours === undefined) return bom + setMember(now, parent, key, getNodeValue(theirs))
  const segment = then.slice(theirs.offset, theirs.offset + theirs.length).replace(/\r?\n/g, eol)
  return bom + now.slice(0, ours.offset) + segment + now.slice(ours.offset + ours.length)
}
