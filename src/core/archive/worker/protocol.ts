/**
 * Messages between hatch's archive code and its worker thread (archive-worker.ts). A worker has one role, fixed
 * when it starts; every request gets exactly one reply, in order. Buffers travel as transferred ArrayBuffers
 * (moved, not copied), so a block belongs to exactly one thread at a time.
 */
import type {BlockPart} from '../gzip/blocks.js'

export type WorkerData = {role: 'deflate'; level: number} | {role: 'write'}

/**
 * deflate: one block of the tar stream in, its gzip members out (and the block back, for reuse). `hash` lists the
 * ranges of file contents in the block and the ends of files (see RangeHasher); the reply carries the SHA-256 of
 * each file that ended, in order.
 */
export interface DeflateRequest {
  block: Uint8Array
  hash: number[]
}
export interface DeflateReply {
  block: Uint8Array
  parts: BlockPart[]
  digests: string[]
}

/**
 * write: a block of restored file contents and the steps that use it, in order. Each op concerns one file (by id):
 * `path` opens (creates) it, bytes [start, end) of the block are appended, `close` applies mode and mtime and closes
 * it, `abort` closes it as it is. The worker hashes what it writes; the reply carries each closed file's SHA-256
 * and gives the block back.
 */
export interface WriteOp {
  id: number
  path?: string
  start: number
  end: number
  close?: {mode: number; mtime: number}
  abort?: true
}
export interface WriteRequest {
  /** Absent when no op carries bytes. */
  block?: Uint8Array
  ops: WriteOp[]
}
export interface WriteReply {
  block?: Uint8Array
  hashes: Array<[id: number, sha256: string]>
}

/** A failure inside the worker, as plain data (class and prototype do not survive the trip). */
export interface WorkerFailure {
  failure: {name: string; message: string; code?: string; path?: string; syscall?: string; stack?: string}
}

export function describeFailure(error: unknown): WorkerFailure {
  const e = error instanceof Error ? error : new Error(String(error))
  const x = e as Error & {code?: unknown; path?: unknown; syscall?: unknown}
  return {
    failure: {
      name: e.name,
      message: e.message,
      stack: e.stack,
      ...(typeof x.code === 'string' ? {code: x.code} : {}),
      ...(typeof x.path === 'string' ? {path: x.path} : {}),
      ...(typeof x.syscall === 'string' ? {syscall: x.syscall} : {}),
    },
  }
}

/** The failure rebuilt as an Error with the same name, message, errno code and path. */
export function rebuildFailure(f: WorkerFailure['failure']): Error {
  const e = new Error(f.message) as Error & {code?: string; path?: string; syscall?: string}
  e.name = f.name
  if (f.code !== undefined) e.code = f.code
  if (f.path !== undefined) e.path = f.path
  if (f.syscall !== undefined) e.syscall = f.syscall
  if (f.stack !== undefined) e.stack = f.stack
  return e
}
