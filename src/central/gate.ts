// The gate every change to Picket Central's consensus passes through (signal ingest, ticks, reporter
// registrations). While the consensus state is being saved a piece at a time the gate is held: changes queue, in
// order, and run when it opens (a few milliseconds of them at a time), so the saved pieces are one consistent
// state. Owns that queue only.

import { TurnClock } from '../core/turn-clock.js';

/** work done between two yields while the queue drains */
const SLICE_MS = 5;

export class ConsensusGate {
  private queue: Array<() => void> | null = null;
  private keys = new Set<string>();

  get held(): boolean {
    return this.queue !== null;
  }
  /** how many changes wait */
  get waiting(): number {
    return this.queue?.length ?? 0;
  }

  /** `f` now, or when the gate opens */
  run(f: () => void): void {
    if (this.queue) this.queue.push(f);
    else f();
  }

  /** as `run`, but queued at most once per `key` while held (a tick: one is enough) */
  runOnce(key: string, f: () => void): void {
    if (!this.queue) return f();
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.queue.push(() => {
      this.keys.delete(key);
      f();
    });
  }

  hold(): void {
    this.queue ??= [];
  }

  /** runs what waited, in order, yielding to the event loop every few milliseconds (changes that arrive meanwhile
   *  queue behind), then opens the gate */
  async release(): Promise<void> {
    const q = this.queue ?? [];
    const turns = new TurnClock(SLICE_MS);
    for (let i = 0; i < q.length; i++) {
      q[i]!();
      if (turns.spent()) await turns.turn();
    }
    this.queue = null;
    this.keys.clear();
  }
}
