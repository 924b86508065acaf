import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {makeSandbox, type Sandbox} from '../../helpers/cli.js'
import {auditDir, call, CURSOR_CONFIG, serve, text, writeCursorConfig} from './serve-helpers.js'

let sandbox: Sandbox
let config: string
const CHANGED = '{"mcpServers": {}}\n'

beforeEach(async () => {
  sandbox = await makeSandbox('hatch-serve-confirm-')
  config = await writeCursorConfig(sandbox)
})
afterEach(async () => {
  await sandbox.cleanup()
})

describe('destructive tools: preview, then confirm', () => {
  it('restores only with a valid, unused, unaltered token bound to the same arguments', async () => {
    const served = await serve(sandbox, ['--allow-destructive'])
    try {
      const {tools} = await served.client.listTools()
      expect(tools.map((t) => t.name)).toContain('restore_host_config')
      for (const name of ['restore_host_config', 'clean_host_config_backups']) {
        expect(tools.find((t) => t.name === name)!.annotations).toMatchObject({readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false})
      }
      const id = (await call(served, 'backup_host_config', {host: 'cursor'})).structuredContent!.id as string
      await writeFile(config, CHANGED)

      const preview = await call(served, 'restore_host_config', {host: 'cursor', id})
      expect(preview.isError).toBeFalsy()
      expect(preview.structuredContent).toMatchObject({status: 'preview', dryRun: true, changed: true, id})
      expect(preview.structuredContent!.diff).toContain('+    "files"')
      expect(preview.structuredContent!.diff).not.toContain('sk-abcdef')
      expect(await readFile(config, 'utf8')).toBe(CHANGED) // a preview changes nothing
      const token = preview.structuredContent!.confirmation_token as string

      const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'BB' : 'AA'}`
      const refusedTamper = await call(served, 'restore_host_config', {host: 'cursor', id, confirmation_token: tampered})
      expect(refusedTamper.isError).toBe(true)
      expect(text(refusedTamper)).toMatch(/^CONFIRMATION_REQUIRED: .*not valid/)
      const other = (await call(served, 'list_host_config_backups', {host: 'cursor'})).structuredContent!.backups.length
      expect(other).toBe(1)
      const refusedArgs = await call(served, 'restore_host_config', {host: 'cursor', confirmation_token: token})
      expect(refusedArgs.isError).toBe(true) // the token was issued for {host, id}, not {host}
      expect(await readFile(config, 'utf8')).toBe(CHANGED)

      const done = await call(served, 'restore_host_config', {host: 'cursor', id, confirmation_token: token})
      expect(done.isError).toBeFalsy()
      expect(done.structuredContent).toMatchObject({status: 'restored', dryRun: false, changed: true, id})
      expect(await readFile(config, 'utf8')).toBe(CURSOR_CONFIG)
      expect(done.structuredContent!.preRestoreBackupId).toMatch(/^\d{8}_\d{6}_\d{6}$/)

      // Put the file back as it was at preview time, so only single use can refuse the token.
      await writeFile(config, CHANGED)
      const reused = await call(served, 'restore_host_config', {host: 'cursor', id, confirmation_token: token})
      expect(reused.isError).toBe(true)
      expect(text(reused)).toMatch(/already been used/)
      expect(await readFile(config, 'utf8')).toBe(CHANGED)

      // Clean: the preview is the exact list, and that list is what goes.
      const cleanPreview = await call(served, 'clean_host_config_backups', {host: 'cursor', keep_count: 1})
      expect(cleanPreview.structuredContent).toMatchObject({status: 'preview', dryRun: true, deleted: [id]})
      expect((await call(served, 'list_host_config_backups', {host: 'cursor'})).structuredContent!.total).toBe(2)
      const cleaned = await call(served, 'clean_host_config_backups', {host: 'cursor', keep_count: 1, confirmation_token: cleanPreview.structuredContent!.confirmation_token})
      expect(cleaned.structuredContent).toMatchObject({status: 'deleted', dryRun: false, deleted: [id]})
      expect((await call(served, 'list_host_config_backups', {host: 'cursor'})).structuredContent!.total).toBe(1)
    } finally {
      await served.close()
    }
    const lines = (await readFile(join(auditDir(sandbox), 'mcp-audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l))
    const restores = lines.filter((l) => l.tool === 'restore_host_config')
    expect(restores.map((l) => l.outcome)).toEqual(['preview', 'error', 'error', 'ok', 'error'])
    for (const l of restores.slice(1)) expect(l.arguments.confirmation_token).toBe('[REDACTED:secret]')
  })

  it('refuses an expired token', async () => {
    const served = await serve(sandbox, ['--allow-destructive', '--confirm-ttl-ms', '1'])
    try {
      const id = (await call(served, 'backup_host_config', {host: 'cursor'})).structuredContent!.id as string
      await writeFile(config, CHANGED)
      const preview = await call(served, 'restore_host_config', {host: 'cursor', id})
      await new Promise((r) => setTimeout(r, 20))
      const late = await call(served, 'restore_host_config', {host: 'cursor', id, confirmation_token: preview.structuredContent!.confirmation_token})
      expect(late.isError).toBe(true)
      expect(text(late)).toMatch(/expired/)
      expect(await readFile(config, 'utf8')).toBe(CHANGED)
    } finally {
      await served.close()
    }
  })

  it('asks through elicitation when the client supports it: accept restores, decline changes nothing', async () => {
    const questions: string[] = []
    let answer: 'accept' | 'decline' = 'decline'
    const served = await serve(sandbox, ['--allow-destructive'], {
      elicit: (message) => {
        questions.push(message)
        return answer === 'accept' ? {action: 'accept', content: {confirm: true}} : {action: 'decline'}
      },
    })
    try {
      const id = (await call(served, 'backup_host_config', {host: 'cursor'})).structuredContent!.id as string
      await writeFile(config, CHANGED)
      const declined = await call(served, 'restore_host_config', {host: 'cursor', id})
      expect(declined.isError).toBe(true)
      expect(text(declined)).toMatch(/^CONFIRMATION_DECLINED: /)
      expect(await readFile(config, 'utf8')).toBe(CHANGED)
      expect(questions[0]).toContain(`Restore backup ${id}`)
      expect(questions[0]).not.toContain('sk-abcdef')

      answer = 'accept'
      const accepted = await call(served, 'restore_host_config', {host: 'cursor', id})
      expect(accepted.isError).toBeFalsy()
      expect(accepted.structuredContent).toMatchObject({status: 'restored', changed: true})
      expect(await readFile(config, 'utf8')).toBe(CURSOR_CONFIG)
      expect(questions).toHaveLength(2)
    } finally {
      await served.close()
    }
  })
})
