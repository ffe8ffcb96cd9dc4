// Batched signal ingest: POST /signals only validates and queues (the response never waits for the store); the
// queue is written as one store transaction and handed to the consensus every 200 ms or every 2,000 signals.
// A full queue (the store is behind by more than 100,000 signals) answers 503 so clients back off.
// Owns the signal sequence: each signal gets the next `seq` when it leaves the queue, in the order the consensus
// ingests them, and the queue remembers the last one the consensus took (the point a saved state reflects). The
// consensus ingests the stored row itself (receive time rounded to the minute), so a replay of the stored rows
// after a crash gives the consensus what it had.

import type { Consensus, SignalInput } from './consensus/types.js';
import type { ConsensusGate } from './gate.js';
import type { StoredSignal } from './records.js';
import type { CentralStore } from './store/types.js';

const FLUSH_MS = 200;
const FLUSH_ROWS = 2000;
const MAX_QUEUED = 100_000;

/** the last signal the consensus ingested */
export interface IngestPoint {
  seq: number;
  received: number;
}

export class IngestQueue {
  private rows: SignalInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private failures = 0;
  private seq = 0;
  private applied: IngestPoint = { seq: 0, received: 0 };
  ingested = 0;

  constructor(
    private readonly store: CentralStore,
    private readonly consensus: Consensus,
    private readonly gate: ConsensusGate,
    private readonly onError: (e: unknown) => void,
  ) {}

  get full(): boolean {
    return this.rows.length >= MAX_QUEUED;
  }
  get writeFailures(): number {
    return this.failures;
  }
  /** the last signal handed to the consensus */
  get point(): IngestPoint {
    return { ...this.applied };
  }

  /** at start: the consensus reflects every signal up to `p` (restored state and replay); numbering goes on */
  resume(p: IngestPoint): void {
    this.applied = { ...p };
    this.seq = Math.max(this.seq, p.seq);
  }

  push(batch: readonly SignalInput[]): void {
    for (const r of batch) this.rows.push(r);
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
    const queued = this.rows;
    this.rows = [];
    if (queued.length === 0) return this.writing;
    const rows: StoredSignal[] = queued.map((r) => ({ ...r, seq: ++this.seq }));
    this.gate.run(() => {
      for (const r of rows) this.consensus.ingest(r);
      const last = rows[rows.length - 1]!;
      this.applied = { seq: last.seq, received: last.received };
    });
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
