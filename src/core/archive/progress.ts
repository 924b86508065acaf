/**
 * A one-line progress display for long archive work: bytes and files done, rate, ETA. It only ever draws on a
 * terminal (the caller passes no stream otherwise, and under --json), redraws at most ten times a second, and
 * stays silent for work that finishes within half a second.
 */

import {count} from '../text/plural.js'

export interface ProgressUpdate {
  bytes: number
  totalBytes?: number
  files: number
  totalFiles?: number
}

export type ProgressCallback = (update: ProgressUpdate) => void

const MiB = 1024 * 1024

function mib(n: number): string {
  return (n / MiB).toFixed(1)
}

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?'
  if (seconds < 60) return `${Math.ceil(seconds)}s`
  return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`
}

export function formatProgress(label: string, u: ProgressUpdate, elapsedSeconds: number): string {
  const rate = elapsedSeconds > 0 ? u.bytes / elapsedSeconds : 0
  const parts = [label]
  parts.push(u.totalBytes === undefined ? `${mib(u.bytes)} MiB` : `${mib(u.bytes)}/${mib(u.totalBytes)} MiB`)
  parts.push(u.totalFiles === undefined ? count(u.files, 'file') : `${u.files}/${count(u.totalFiles, 'file')}`)
  parts.push(`${mib(rate)} MiB/s`)
  if (u.totalBytes !== undefined && rate > 0) parts.push(`ETA ${eta((u.totalBytes - u.bytes) / rate)}`)
  return parts.join('  ')
}

export class ProgressLine {
  private readonly started: number
  private lastDraw = 0
  private drawn = false

  constructor(
    private readonly stream: NodeJS.WritableStream | undefined,
    private readonly label: string,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now()
  }

  readonly update: ProgressCallback = (u) => {
    if (this.stream === undefined) return
    const t = this.now()
    if (t - this.started < 500 || t - this.lastDraw < 100) return
    this.lastDraw = t
    this.drawn = true
    this.stream.write(`\r\u001B[2K${formatProgress(this.label, u, (t - this.started) / 1000)}`)
  }

  /** Clears the line (if one was drawn). */
  done(): void {
    if (this.stream !== undefined && this.drawn) this.stream.write('\r\u001B[2K')
    this.drawn = false
  }
}
