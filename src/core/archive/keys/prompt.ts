import {HatchError} from '../../errors.js'

export interface PromptStreams {
  input: NodeJS.ReadStream
  output: NodeJS.WritableStream
}

/**
 * Asks for a secret on a terminal without echoing it: raw mode, one line, Ctrl-C/Ctrl-D abort. The text typed is
 * returned and never written anywhere.
 */
export function promptSecret(question: string, streams: PromptStreams = {input: process.stdin, output: process.stderr}): Promise<string> {
  const {input, output} = streams
  if (!input.isTTY) {
    return Promise.reject(new HatchError('INVALID_ARGUMENT', 'A passphrase is needed and there is no terminal to ask on.', {
      suggestions: ['Use --passphrase-file FILE (mode 600) or --passphrase-env VAR, or --recipient/--identity keys.'],
    }))
  }
  output.write(question)
  return new Promise((resolve, reject) => {
    let text = ''
    const wasRaw = input.isRaw
    input.setRawMode(true)
    input.resume()
    const finish = (err?: Error) => {
      input.setRawMode(wasRaw)
      input.pause()
      input.removeListener('data', onData)
      output.write('\n')
      if (err) reject(err)
      else resolve(text)
    }
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish()
        if (ch === '\u0003' || ch === '\u0004') return finish(new HatchError('CONFIRMATION_DECLINED', 'Cancelled at the passphrase prompt. Nothing was changed.'))
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('')
        else if (ch >= ' ') text += ch
      }
    }
    input.on('data', onData)
  })
}
