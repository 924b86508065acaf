/** A fixed set of blocks; take() waits for one to come back. */
export class BlockPool {
  private readonly free: Buffer[] = []
  private waiters: Array<{resolve: (b: Buffer) => void; reject: (e: unknown) => void}> = []
  private failure: unknown
  readonly created: number

  constructor(count: number, size: number) {
    for (let i = 0; i < count; i++) this.free.push(Buffer.from(new ArrayBuffer(size)))
    this.created = count
  }

  take(): Promise<Buffer> {
    if (this.failure !== undefined) return Promise.reject(this.failure)
    const b = this.free.pop()
    if (b !== undefined) return Promise.resolve(b)
    return new Promise((resolve, reject) => this.waiters.push({resolve, reject}))
  }

  give(b: Buffer): void {
    const w = this.waiters.shift()
    if (w !== undefined) w.resolve(b)
    else this.free.push(b)
  }

  fail(error: unknown): void {
    this.failure ??= error
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w.reject(error)
  }
}

