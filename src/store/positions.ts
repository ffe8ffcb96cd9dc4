// Read positions of tailed files kept in the `positions` sub-database of the Picket store, keyed by path.
// Owns: buffering `set()` in memory (the tailer calls it after every chunk: no disk write per chunk) and
// checkpoints that write the buffered positions in one async LMDB transaction.
//
// "A position on disk only covers processed lines": `checkpoint(settled)` snapshots the buffered positions,
// then awaits `settled()` (the pipeline's drain: every line handed over before the snapshot has been
// processed), then writes the snapshot. The tailer calls `set()` only after it handed the chunk's lines to
// the consumer, so a committed position never runs ahead of processed lines. Checkpoints are serialised, so
// an older snapshot never overwrites a newer one.

import type { Database } from 'lmdb';
import type { FilePosition, PositionStore } from '../acquisition/file/tail.js';
import type { PicketStore } from './lmdb.js';

export class LmdbPositionStore implements PositionStore {
  private readonly db: Database<FilePosition, string>;
  /** set since the last snapshot */
  private pending = new Map<string, FilePosition>();
  /** newest value per path not yet committed (pending or in a snapshot being written) */
  private readonly unsaved = new Map<string, FilePosition>();
  private chain: Promise<unknown> = Promise.resolve();
  /** number of checkpoints written (for tests/diagnostics) */
  commits = 0;

  constructor(store: PicketStore) {
    this.db = store.db('positions');
  }

  /** Newest known position: one set in this process (even if not written yet), else the stored one. */
  get(path: string): FilePosition | undefined {
    const u = this.unsaved.get(path);
    if (u) return u;
    const v = this.db.get(path);
    return v && typeof v.ino === 'number' && typeof v.pos === 'number' ? { ino: v.ino, pos: v.pos } : undefined;
  }

  set(path: string, p: FilePosition): void {
    const v = { ino: p.ino, pos: p.pos };
    this.pending.set(path, v);
    this.unsaved.set(path, v);
  }

  /** positions set and not yet written by a checkpoint */
  get dirty(): number {
    return this.pending.size;
  }

  /**
   * Writes the positions set so far, after `settled()` resolved (it must guarantee the lines handed to the
   * consumer before this call are processed). Resolves when the write is committed (visible to a restarted
   * process, survives SIGKILL); `store.flush()` waits for the disk sync. If `settled` rejects, the snapshot
   * is put back and nothing is written. Resolves with the positions written.
   */
  checkpoint(settled?: () => Promise<void> | void): Promise<ReadonlyMap<string, FilePosition>> {
    const snap = this.pending;
    this.pending = new Map();
    const run = async (): Promise<ReadonlyMap<string, FilePosition>> => {
      if (snap.size === 0) return snap;
      try {
        if (settled) await settled();
      } catch (e) {
        // not processed: keep them for the next checkpoint (unless newer values were set meanwhile)
        for (const [k, v] of snap) if (!this.pending.has(k)) this.pending.set(k, v);
        throw e;
      }
      let last: Promise<boolean> | null = null;
      for (const [k, v] of snap) last = this.db.put(k, v); // same event turn: one transaction
      await last;
      this.commits++;
      for (const [k, v] of snap) if (this.unsaved.get(k) === v) this.unsaved.delete(k);
      return snap;
    };
    const p = this.chain.then(run);
    this.chain = p.catch(() => undefined);
    return p;
  }
}
