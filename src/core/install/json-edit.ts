import {applyEdits, modify, parseTree, type Node, type ParseError} from 'jsonc-parser'

/**
 * Surgical edits of a JSON/JSONC document: add or remove one member of an object, touching no other byte —
 * comments, trailing commas, key order, indentation and line endings elsewhere stay exactly as they were.
 * The text must already have parsed (the caller refuses anything else). Removing what `setMember` added gives back
 * the original bytes (the one exception: an object that was `{` newline `}` comes back as `{}`); when `setMember` had
 * to create the object too, `dropEmptiedObject` takes that away again.
 */

interface Layout {
  eol: string
  /** One level of indentation, as the file uses it. */
  unit: string
}

function detectLayout(text: string): Layout {
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const indented = /\n([ \t]+)\S/.exec(text)
  const unit = indented ? (indented[1]!.startsWith('\t') ? '\t' : indented[1]!.length >= 4 && indented[1]!.length % 4 === 0 ? '    ' : '  ') : '  '
  return {eol, unit}
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1
}

function lineEnd(text: string, offset: number): number {
  const n = text.indexOf('\n', offset)
  if (n === -1) return text.length
  return text[n - 1] === '\r' ? n - 1 : n
}

function indentOf(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0]
}

/** JSON for a value at `indent`: objects one member per line, arrays of scalars on one line. */
export function formatValue(value: unknown, indent: string, layout: Layout): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`
    const inner = indent + layout.unit
    return `[${value.map((v) => `${layout.eol}${inner}${formatValue(v, inner, layout)}`).join(',')}${layout.eol}${indent}]`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
    if (entries.length === 0) return '{}'
    const inner = indent + layout.unit
    return `{${entries.map(([k, v]) => `${layout.eol}${inner}${JSON.stringify(k)}: ${formatValue(v, inner, layout)}`).join(',')}${layout.eol}${indent}}`
  }
  return JSON.stringify(value)
}

/** Offset just past the comma that follows `node`, or -1 when the next token is not a comma. */
function commaAfter(text: string, node: Node): number {
  let i = node.offset + node.length
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++
    if (text.startsWith('//', i)) i = lineEnd(text, i)
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i + 2) + 2
    else break
  }
  return text[i] === ',' ? i + 1 : -1
}

function applyInsert(text: string, edits: Array<{at: number; text: string}>): string {
  let out = text
  for (const e of [...edits].sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.at)
  return out
}

/** Inserts member `key: value` as the last member of the object node `obj`. */
function insertMember(text: string, obj: Node, key: string, value: unknown, layout: Layout): string {
  const open = obj.offset
  const close = obj.offset + obj.length - 1
  const props = obj.children ?? []
  const last = props.at(-1)
  const member = (indent: string) => `${JSON.stringify(key)}: ${formatValue(value, indent, layout)}`
  if (last === undefined) {
    const sameLine = !text.slice(open, close).includes('\n')
    if (sameLine) {
      const indent = indentOf(text, open)
      const inner = indent + layout.unit
      return text.slice(0, open + 1) + `${layout.eol}${inner}${member(inner)}${layout.eol}${indent}` + text.slice(close)
    }
    const inner = indentOf(text, open) + layout.unit
    const at = lineEnd(text, open)
    return applyInsert(text, [{at, text: `${layout.eol}${inner}${member(inner)}`}])
  }
  const lastEnd = last.offset + last.length
  const comma = commaAfter(text, last)
  if (!text.slice(lastEnd, close).includes('\n')) {
    // The closing brace is on the last member's line: stay on that line.
    return applyInsert(text, [{at: lastEnd, text: `, ${JSON.stringify(key)}: ${JSON.stringify(value)}`}])
  }
  const indent = indentOf(text, last.offset)
  const at = lineEnd(text, comma === -1 ? lastEnd : comma)
  const edits = [{at, text: `${layout.eol}${indent}${member(indent)}${comma === -1 ? '' : ','}`}]
  if (comma === -1) edits.push({at: lastEnd, text: ','})
  return applyInsert(text, edits)
}

function objectAt(root: Node | undefined, path: readonly string[]): {node: Node; depth: number} | undefined {
  if (root?.type !== 'object') return undefined
  let node: Node = root
  let depth = 0
  for (const key of path) {
    const prop: Node | undefined = node.children?.find((p) => p.children?.[0]?.value === key)
    const value: Node | undefined = prop?.children?.[1]
    if (value?.type !== 'object') break
    node = value
    depth++
  }
  return {node, depth}
}

/** Sets `path` + `name` to `value`: added as the last member, or the existing value replaced in place. */
export function setMember(text: string, path: readonly string[], name: string, value: unknown): string {
  const layout = detectLayout(text)
  const root = parseTree(text, [], {allowTrailingComma: true})
  const found = objectAt(root, path)
  if (!found) throw new Error('the document is not an object')
  if (found.depth === path.length) {
    const existing = found.node.children?.find((p) => p.children?.[0]?.value === name)?.children?.[1]
    if (existing) {
      const indent = indentOf(text, existing.offset)
      return text.slice(0, existing.offset) + formatValue(value, indent, layout) + text.slice(existing.offset + existing.length)
    }
    return insertMember(text, found.node, name, value, layout)
  }
  // Create the missing part of the path: {rest: {name: value}}.
  const rest = path.slice(found.depth + 1)
  let nested: unknown = {[name]: value}
  for (const key of [...rest].reverse()) nested = {[key]: nested}
  return insertMember(text, found.node, path[found.depth]!, nested, layout)
}

/** Removes member `name` of the object at `path`; returns the text unchanged when there is none. */
export function removeMember(text: string, path: readonly string[], name: string): string {
  const root = parseTree(text, [], {allowTrailingComma: true})
  const found = objectAt(root, path)
  if (!found || found.depth !== path.length) return text
  const obj = found.node
  const props = obj.children ?? []
  const index = props.findIndex((p) => p.children?.[0]?.value === name)
  if (index === -1) return text
  const prop = props[index]!
  const prev = props[index - 1]
  const isLast = index === props.length - 1
  const comma = commaAfter(text, prop)
  const end = comma === -1 ? prop.offset + prop.length : comma
  const ownLine = text.slice(lineStart(text, prop.offset), prop.offset).trim() === '' && text.slice(end, lineEnd(text, end)).trim() === ''
  if (!ownLine) {
    // On a shared line: remove ", member" (or "member," when first).
    if (prev !== undefined && isLast) {
      const from = prev.offset + prev.length
      return text.slice(0, from) + text.slice(prop.offset + prop.length)
    }
    if (prev === undefined && props.length === 1) {
      return text.slice(0, obj.offset + 1) + text.slice(obj.offset + obj.length - 1)
    }
    // Anywhere else: let jsonc-parser do it (correct, not necessarily byte-minimal).
    return applyEdits(text, modify(text, [...path, name], undefined, {}))
  }
  // On its own line(s): remove from the end of the previous line through the member (and its comma).
  const from = lineStart(text, prop.offset) - (text[lineStart(text, prop.offset) - 2] === '\r' ? 2 : 1)
  let out = text.slice(0, from) + text.slice(end)
  if (isLast && comma === -1 && prev !== undefined) {
    // The previous member's comma separated it from this one; without this member it would dangle.
    const prevComma = commaAfter(text, prev)
    if (prevComma !== -1) out = out.slice(0, prevComma - 1) + out.slice(prevComma)
  }
  if (props.length === 1) {
    const open = obj.offset
    const closeNow = out.indexOf('}', open)
    if (out.slice(open + 1, closeNow).trim() === '') out = out.slice(0, open + 1) + out.slice(closeNow)
  }
  return out
}

/** An object with no members and nothing else, not even a comment, between its braces. */
function isBare(text: string, obj: Node): boolean {
  return (obj.children ?? []).length === 0 && text.slice(obj.offset + 1, obj.offset + obj.length - 1).trim() === ''
}

/** An object whose only member is `prop`, with nothing else (no comment; a trailing comma at most) around it. */
function holdsOnly(text: string, obj: Node, prop: Node): boolean {
  if ((obj.children ?? []).length !== 1) return false
  const around = text.slice(obj.offset + 1, prop.offset) + text.slice(prop.offset + prop.length, obj.offset + obj.length - 1)
  return /^[\s,]*$/.test(around)
}

/**
 * After a remove has emptied the object at `path`: takes it away too when nothing is left in it (not even a comment)
 * and it is the last member of its parent, which is where `setMember` puts an object it has to create. Enclosing
 * objects on `path` that hold nothing but it (a Claude Code project `setMember` created for it) go with it, if the
 * outermost of them is a last member too; the document itself never goes (it is left as `{}`).
 * Returns the text unchanged otherwise, or when the result would not parse.
 */
export function dropEmptiedObject(text: string, path: readonly string[]): string {
  const root = parseTree(text, [], {allowTrailingComma: true})
  if (root?.type !== 'object' || path.length === 0) return text
  const objects: Node[] = [root]
  const props: Node[] = []
  for (const key of path) {
    const prop = objects.at(-1)!.children?.find((p) => p.children?.[0]?.value === key)
    const value = prop?.children?.[1]
    if (prop === undefined || value?.type !== 'object') return text
    props.push(prop)
    objects.push(value)
  }
  if (!isBare(text, objects.at(-1)!)) return text
  // objects[depth] is the member props[depth - 1] of objects[depth - 1]: go out while the enclosing one holds only it.
  let depth = path.length
  while (depth > 1 && holdsOnly(text, objects[depth - 1]!, props[depth - 1]!)) depth--
  const members = objects[depth - 1]!.children ?? []
  if (members.at(-1) !== props[depth - 1]) return text
  const out = removeMember(text, path.slice(0, depth - 1), path[depth - 1]!)
  const errors: ParseError[] = []
  parseTree(out, errors, {allowTrailingComma: true})
  return errors.length === 0 ? out : text
}
