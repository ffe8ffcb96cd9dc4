// Batched signal ingest: POST /signals only validates and queues (the response never waits for the store); the
// queue is written as one store transaction and handed to the consensus every 200 ms or every 2,000 signals.
// A full queue (the store is behind by more than 100,000 signals) answers 503 so clients back off.

import type { Consensus, SignalInput } from './consensus/types.js';
import type { StoredSignal } from './records.js';
import type { CentralStore } from './store/types.js';

const FLUSH_MS = 200;
const FLUSH_ROWS = 2000;
const MAX_QUEUED = 100_000;

export class IngestQueue {
  private rows: StoredSignal[] = [];
  /** exact receive times (rows keep the minute only) */
  private times: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private failures = 0;
  ingested = 0;

  constructor(
    private readonly store: CentralStore,
    private readonly consensus: Consensus,
    private readonly onError: (e: unknown) => void,
  ) {}

  get full(): boolean {
    return this.rows.length >= MAX_QUEUED;
  }
  get writeFailures(): number {
    return this.failures;
  }

  push(batch: readonly StoredSignal[], received: number): void {
    for (const r of batch) {
      this.rows.push(r);
      this.times.push(received);
    }
    if (this.rows.length >= FLUSH_ROWS) this.flushSoon(0);
    else this.flushSoon(FLUSH_MS);
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  /** write what is queued; resolves when written */
  flush(): Promise<void> {
    const rows = this.rows,
      times = this.times;
    this.rows = [];
    this.times = [];
    if (rows.length === 0) return this.writing;
    for (let i = 0; i < rows.length; i++) {
      const s: SignalInput = { ...rows[i]!, received: times[i]! };
      this.consensus.ingest(s);
    }
    this.ingested += rows.length;
    this.writing = this.writing
      .then(() => this.store.addSignals(rows))
      .catch((e: unknown) => {
        this.failures++;
        this.onError(e);
      });
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.flush();
  }
}
