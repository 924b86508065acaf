/**
 * The worker thread of hatch archive create (role 'deflate': compresses blocks of the tar stream into gzip members)
 * and restore (role 'write': writes restored files into the staging folder). Started by client.ts; bundled as
 * dist/workers/archive-worker.js. It never sees a key, a passphrase or unauthenticated plaintext.
 */
import {parentPort, workerData} from 'node:worker_threads'

import {deflateBlockAsync, type BlockPart} from '../gzip/blocks.js'
import {RangeHasher} from './range-hasher.js'
import {describeFailure, type DeflateReply, type DeflateRequest, type WorkerData, type WriteReply, type WriteRequest} from './protocol.js'
import {FileWriter} from './file-writer.js'

const port = parentPort
if (port === null) throw new Error('archive-worker.js runs only as a worker thread')
const data = workerData as WorkerData

if (data.role === 'deflate') {
  // Blocks compress concurrently on the thread pool; replies leave strictly in request order.
  // File contents are hashed here, on arrival, while earlier blocks compress on the thread pool.
  let order: Promise<void> = Promise.resolve()
  const hasher = new RangeHasher()
  port.on('message', (m: DeflateRequest) => {
    let digests: string[] = []
    let job: Promise<BlockPart[]>
    try {
      digests = hasher.run(m.block, m.hash)
      job = deflateBlockAsync(m.block, data.level)
    } catch (error) {
      job = Promise.reject(error)
    }
    job.catch(() => {}) // reported in order below
    order = order.then(async () => {
      try {
        const parts = await job
        const reply: DeflateReply = {block: m.block, parts, digests}
        const transfer = [m.block.buffer as ArrayBuffer]
        for (const p of parts) if (p instanceof Uint8Array) transfer.push(p.buffer as ArrayBuffer)
        port.postMessage(reply, transfer)
      } catch (error) {
        port.postMessage(describeFailure(error))
      }
    })
  })
} else if (data.role === 'write') {
  const writer = new FileWriter()
  port.on('message', (m: WriteRequest) => {
    try {
      const reply: WriteReply = {block: m.block, hashes: writer.handle(m)}
      port.postMessage(reply, m.block === undefined ? [] : [m.block.buffer as ArrayBuffer])
    } catch (error) {
      port.postMessage(describeFailure(error))
    }
  })
}
