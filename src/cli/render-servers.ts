import type {ServerEditOutput} from '../core/servers/edit.js'
import type {ServerChanges} from '../core/servers/inventory.js'
import {runnable} from './invocation.js'

/** Servers added, removed and changed as lines (`+ name`, `- name`, `~ name: env.KEY, args`); none when null. */
export function renderServerChanges(changes: ServerChanges | null, indent = '  '): string[] {
  if (changes === null) return []
  return [
    ...changes.added.map((n) => `${indent}+ ${n}`),
    ...changes.removed.map((n) => `${indent}- ${n}`),
    ...changes.changed.map((c) => `${indent}~ ${c.name}: ${c.fields.join(', ')}`),
  ]
}

/** The command that puts backup `id` of `host` back, written the way the user can run it here. */
export function undoCommand(host: string, id: string): string {
  return runnable(`hatch mcp backup restore --host ${host} --id ${id}`)
}

/** How add and remove report what they did. */
export function renderEdit(r: ServerEditOutput, displayName: string): string {
  const where = r.scope === 'local' ? `${r.path} (project ${r.project})` : r.path
  if (!r.changed) return `${where} already has this "${r.name}" entry; nothing changed.`
  // A dry run prints the bare diff: say that it is only a preview.
  if (r.dryRun) return `${r.diff.trimEnd()}\nDry run: nothing written.`
  const verb = r.action === 'remove' ? `Removed "${r.name}" from` : `${r.replaced ? 'Replaced' : 'Added'} "${r.name}" in`
  const undo = r.backupId ? `\nThe previous content is backup ${r.backupId}; undo with:\n  ${undoCommand(r.host, r.backupId)}` : ''
  return `${verb} ${displayName}'s config ${where}.${undo}`
}
