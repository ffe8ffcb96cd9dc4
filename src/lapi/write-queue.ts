// Per-key serialisation of read-modify-write updates (bouncer and machine bookkeeping): each update reads the
// record current at write time, so concurrent requests never overwrite each other's fields. Failures are
// logged, not thrown (bookkeeping must not fail a request that already succeeded).

export class KeyedWriteQueue {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly log: (line: string) => void,
    private readonly what: string,
  ) {}

  /** Runs `write` after every earlier write of `key`; resolves when it is done (never rejects). */
  run(key: string, write: () => Promise<unknown> | undefined): Promise<void> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(write).then(
      () => undefined,
      (e: Error) => {
        this.log(`${this.what} ${key}: update failed: ${e.message}`);
      },
    );
    this.tails.set(key, next);
    void next.then(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves when every queued write has finished. */
  async settle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
