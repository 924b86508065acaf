import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {
  AgeError,
  CHUNK_SIZE,
  decrypt,
  decryptionMachine,
  encrypt,
  encryptionMachine,
  generateIdentity,
  scryptIdentity,
  scryptRecipient,
  type AgeMachine,
} from '../../../../src/core/archive/age/index.js'

const alice = generateIdentity()
const bob = generateIdentity()

/** Runs a machine over `pieces`, awaiting only while it returns Promises; reports which calls were synchronous. */
async function drive(m: AgeMachine, pieces: Buffer[]): Promise<{out: Buffer; syncAfterFirst: boolean}> {
  const out: Buffer[] = []
  let syncAfterFirst = true
  for (const [i, p] of pieces.entries()) {
    const r = m.write(p, out)
    if (r !== undefined) {
      if (i > 1) syncAfterFirst = false
      await r
    }
  }
  const r = m.end(out)
  if (r !== undefined) await r
  return {out: Buffer.concat(out), syncAfterFirst}
}

function cut(data: Buffer, sizes: number[]): Buffer[] {
  const pieces: Buffer[] = []
  let off = 0
  for (let i = 0; off < data.length; i++) {
    const n = sizes[i % sizes.length]!
    pieces.push(data.subarray(off, off + n))
    off += n
  }
  return pieces
}

describe('step-wise age machines', () => {
  it('encryptionMachine: same format as encrypt (decrypts with decrypt), synchronous once the header is out', async () => {
    const plain = randomBytes(5 * CHUNK_SIZE + 123)
    const {out, syncAfterFirst} = await drive(encryptionMachine([alice.recipient, bob.recipient]), [Buffer.alloc(0), ...cut(plain, [1, 70_000, 65_536, 5])])
    expect(syncAfterFirst).toBe(true)
    expect((await decrypt(out, [bob.identity])).equals(plain)).toBe(true)
  })

  it('decryptionMachine: the plaintext of encrypt, fed in odd pieces; empty plaintext too', async () => {
    for (const plain of [randomBytes(3 * CHUNK_SIZE), randomBytes(1000), Buffer.alloc(0)]) {
      const file = await encrypt(plain, [alice.recipient])
      const {out} = await drive(decryptionMachine([alice.identity]), cut(file, [7, 100_000, 3]))
      expect(out.equals(plain)).toBe(true)
    }
  })

  it('decryptionMachine: a wrong key, a passphrase and a flipped byte fail as the streams do', async () => {
    const file = await encrypt(randomBytes(200_000), [alice.recipient])
    await expect(drive(decryptionMachine([bob.identity]), [file])).rejects.toMatchObject({kind: 'NO_MATCHING_KEY'})
    const pass = await encrypt('hello', [scryptRecipient('right', {logN: 17})])
    await expect(drive(decryptionMachine([scryptIdentity('wrong')]), [pass])).rejects.toMatchObject({kind: 'WRONG_PASSPHRASE'})
    const bad = Buffer.from(file)
    bad[bad.length - 100_000]! ^= 1
    const err = await drive(decryptionMachine([alice.identity]), [bad]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AgeError)
    expect((err as AgeError).kind).toBe('PAYLOAD_AUTH')
  })
})
