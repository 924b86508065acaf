import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'

import {confirmOrRefuse} from '../../src/cli/confirm.js'

function terminal(answer: string | null, isTTY = true) {
  const input = Object.assign(new PassThrough(), {isTTY})
  const output = new PassThrough()
  let shown = ''
  output.on('data', (d: Buffer) => (shown += d.toString()))
  if (answer === null) input.end()
  else input.end(`${answer}\n`)
  return {input, output, shown: () => shown}
}

describe('confirmOrRefuse', () => {
  it('--yes confirms without asking', async () => {
    const t = terminal(null, false)
    await expect(confirmOrRefuse('Go?', {yes: true, action: 'go', ...t})).resolves.toBeUndefined()
    expect(t.shown()).toBe('')
  })

  it('refuses without a terminal: silence is never consent', async () => {
    const t = terminal('y', false)
    await expect(confirmOrRefuse('Go?', {yes: false, action: 'restore x', ...t})).rejects.toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      exitCode: 6,
      message: expect.stringContaining('Refusing to restore x'),
    })
  })

  it.each(['y', 'Y', 'yes', ' YES '])('asks in a terminal and accepts %j', async (answer) => {
    const t = terminal(answer)
    await confirmOrRefuse('Go?', {yes: false, action: 'go', ...t})
    expect(t.shown()).toContain('Go? [y/N]')
  })

  it.each(['', 'n', 'no', 'yep', 'sure'])('treats %j as no', async (answer) => {
    await expect(confirmOrRefuse('Go?', {yes: false, action: 'go', ...terminal(answer)})).rejects.toMatchObject({code: 'CONFIRMATION_DECLINED', exitCode: 6})
  })

  it('treats end of input at the prompt as no', async () => {
    await expect(confirmOrRefuse('Go?', {yes: false, action: 'go', ...terminal(null)})).rejects.toMatchObject({exitCode: 6})
  })
})
