// The decision change log of the Local API store (`decisionLog`, ./lapi-schema.ts) and the memory it keeps in
// step with LMDB. Owns: the one write-transaction helper that appends log entries under consecutive sequence
// numbers (`logTransaction`), the replay of the log into the in-memory decision index and alert summaries
// (this process's commits and other processes' writes), their rebuild at open, and the log trim.
//
// Memory <-> LMDB: every decision creation, change and removal, and every alert write and removal, appends an
// entry to the log in the same transaction. The index and the summaries are rebuilt from their tables at open
// and then only ever moved forward by replaying the log past the last applied sequence number. Each entry
// applies the current LMDB state of its record, so replaying an entry twice is harmless. A write in chunks
// (./chunked-writes.ts) is held between its WriteBegin and WriteEnd entries (and at rebuild while its
// WriteIntent is stored): its decisions indexed pending, its alerts' summaries aside, all shown at WriteEnd.
//
// lmdb-js caveat: an exception inside an async `transaction` callback does not roll back the writes it already
// made, so everything that can throw (validation, interval parsing) runs before the transaction.

import { PicketError } from '../core/errors.js';
import { counter, WRITE_BATCH, type LapiTables } from './lapi-tables.js';
import { decisionRecord, LogKind, type DecisionLogEntry, type IdInterval } from './lapi-schema.js';
import { summarizeAlert, type AlertSummary } from './alert-filter.js';
import type { DecisionIndex } from './decision-index.js';
import type { AlertRecord, DecisionRecord } from './records.js';

const INDEX_EVICT_EVERY_MS = 60_000;

/** A write transaction's place in the change log: `append` logs one change under the next sequence number. */
export class LogCursor {
  seq: number;
  readonly start: number;

  constructor(
    private readonly tables: LapiTables,
    readonly at: number,
  ) {
    this.seq = this.start = counter(tables, 'seq');
  }

  append(k: LogKind, id: number): void {
    this.tables.log.put(++this.seq, { k, id, at: this.at });
  }
}

/**
 * Runs `body` in one LMDB write transaction with a change-log cursor stamped `at()` (default: the store clock,
 * read inside the transaction); the `seq` counter is written once at the end when entries were appended.
 */
export function logTransaction<T>(tables: LapiTables, body: (log: LogCursor) => T, at?: () => number): Promise<T> {
  return tables.root.transaction(() => {
    const log = new LogCursor(tables, (at ?? tables.clock)());
    const out = body(log);
    if (log.seq !== log.start) tables.counters.put('seq', log.seq);
    return out;
  });
}

function* idRange(from: number, to: number): Generator<number, void> {
  for (let id = from; id <= to; id++) yield id;
}

/** records this process just wrote (replaying its own log entries needs no LMDB read) */
export interface LocalWrites {
  decisions: Map<number, DecisionRecord>;
  alerts: Map<number, AlertRecord>;
}

/** The store was used after close (code STORE_CLOSED). */
export class StoreClosedError extends PicketError {
  constructor() {
    super('STORE_CLOSED', 'LAPI store is closed');
  }
}

/**
 * A write in chunks in progress, as this process's memory holds it (from its WriteIntent, ./lapi-schema.ts): its
 * decisions are indexed pending and its alerts' summaries kept aside until its WriteEnd entry shows them all at
 * once (or its rollback removes them).
 */
export interface HeldWrite {
  /** the WriteIntent key */
  key: number;
  /** decision ids, inclusive */
  decisions: IdInterval;
  /** alert ids, inclusive */
  alerts: IdInterval;
  summaries: Map<number, AlertSummary>;
}

/** The decision index and the alert summaries, moved forward from the change log. */
export class LapiMemory {
  /** alert id -> filterable fields, every alert of the table (Map order = id order) */
  readonly alertSummaries = new Map<number, AlertSummary>();
  appliedSeq = 0;
  /** change-log entries whose record could not be applied (damaged or foreign data) */
  syncErrors = 0;
  closed = false;
  private lastEviction = 0;
  /** writes in chunks in progress (see HeldWrite) */
  private readonly held: HeldWrite[] = [];

  constructor(
    private readonly tables: LapiTables,
    readonly index: DecisionIndex,
    readonly indexRetentionMs: number,
  ) {}

  assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  /** reloads the index and the alert summaries from their tables (at open) */
  rebuild(): void {
    const t = this.tables;
    this.index.clear();
    this.alertSummaries.clear();
    // the log position first: entries committed during the scan are replayed again, which is harmless
    // (replay applies the current LMDB state of each decision)
    const seq = counter(t, 'seq');
    this.held.length = 0;
    for (const { key } of t.writes.getRange({})) this.holdWrite(key); // writes in chunks in progress (or dead)
    const horizon = t.clock() - this.indexRetentionMs;
    for (const { value } of t.decisions.getRange({})) {
      try {
        const pending = this.held.length > 0 && this.heldWrite(value.id, false) !== undefined;
        if (value.until >= horizon) this.index.upsert(decisionRecord(value), value.createdAt, pending);
      } catch {
        this.syncErrors++;
      } // a damaged record is skipped, never fatal
    }
    for (const { key, value } of t.alerts.getRange({})) {
      if (value === null || typeof value !== 'object') this.syncErrors++;
      else (this.heldWrite(key, true)?.summaries ?? this.alertSummaries).set(key, summarizeAlert(value));
    }
    this.appliedSeq = seq;
    this.lastEviction = t.clock();
    this.sync();
  }

  /**
   * Replays the change log past the last applied entry into the index and the alert summaries: this
   * process's commits (records written here are taken from `local`) and other processes' writes.
   * Synchronous: readers see either none or all of a transaction's changes.
   */
  sync(local?: LocalWrites): void {
    if (this.closed) return;
    let seq = this.appliedSeq;
    const now = this.tables.clock();
    for (const { key, value } of this.tables.log.getRange({ start: seq + 1 })) {
      seq = key;
      try {
        this.apply(value, local, now);
      } catch {
        this.syncErrors++; // a damaged record never wedges the catch-up: its entry is skipped
      }
    }
    this.appliedSeq = seq;
    if (now - this.lastEviction >= INDEX_EVICT_EVERY_MS) {
      this.lastEviction = now;
      this.index.evictExpired(now - this.indexRetentionMs);
    }
  }

  /** the writes in chunks this memory holds (in progress, or left by a writer that died) */
  get heldWrites(): readonly HeldWrite[] {
    return this.held;
  }

  /** true when decision `id` belongs to a held write (invisible until it ends) */
  isHeldDecision(id: number): boolean {
    return this.held.length > 0 && this.heldWrite(id, false) !== undefined;
  }

  /** WriteBegin: from now on, the log entries of the intent's ids are applied held */
  private holdWrite(key: number): void {
    const w = this.tables.writes.get(key);
    if (w === undefined || this.held.some((h) => h.key === key)) return; // already ended (its WriteEnd follows)
    this.held.push({ key, decisions: w.decisions, alerts: w.alerts, summaries: new Map() });
  }

  /** WriteEnd: shows everything of the write that is still there, at once */
  private endWrite(key: number): void {
    const i = this.held.findIndex((h) => h.key === key);
    if (i < 0) return;
    const [w] = this.held.splice(i, 1);
    const { from, to } = w!.decisions;
    this.index.publish(idRange(from, to), this.tables.clock());
    for (const [id, s] of w!.summaries) this.alertSummaries.set(id, s);
  }

  private heldWrite(id: number, alert: boolean): HeldWrite | undefined {
    for (const w of this.held) {
      const r = alert ? w.alerts : w.decisions;
      if (id >= r.from && id <= r.to) return w;
    }
    return undefined;
  }

  /** one change-log entry: the current LMDB state of its record (or this process's copy) into memory */
  private apply(value: DecisionLogEntry, local: LocalWrites | undefined, now: number): void {
    const id = value.id;
    switch (value.k) {
      case LogKind.WriteBegin:
        this.holdWrite(id);
        break;
      case LogKind.WriteEnd:
        this.endWrite(id);
        break;
      case LogKind.Remove:
        this.index.remove(id);
        break;
      case LogKind.AlertRemove:
        this.alertSummaries.delete(id);
        if (this.held.length > 0) this.heldWrite(id, true)?.summaries.delete(id);
        break;
      case LogKind.AlertPut: {
        const a = local?.alerts.get(id) ?? this.tables.alerts.get(id);
        const w = this.held.length > 0 ? this.heldWrite(id, true) : undefined;
        const summaries = w?.summaries ?? this.alertSummaries;
        if (a === undefined) summaries.delete(id);
        else summaries.set(id, summarizeAlert(a));
        break;
      }
      default: {
        const pending = this.held.length > 0 && this.heldWrite(id, false) !== undefined;
        const mine = value.k === LogKind.Add || value.k === LogKind.Update ? local?.decisions.get(id) : undefined;
        if (mine !== undefined) {
          this.index.upsert(mine, now, pending);
          break;
        }
        const s = this.tables.decisions.get(id);
        if (s === undefined) this.index.remove(id);
        else this.index.upsert(decisionRecord(s), now, pending);
      }
    }
  }

  /** drops change-log entries older than `before` (never one this process has not applied) */
  async trimLog(before: number): Promise<void> {
    const log = this.tables.log;
    for (;;) {
      const keys: number[] = [];
      for (const { key, value } of log.getRange({ limit: WRITE_BATCH })) {
        if (value.at >= before || key > this.appliedSeq) break;
        keys.push(key);
      }
      if (keys.length === 0) return;
      await this.tables.root.transaction(() => {
        for (const k of keys) log.remove(k);
      });
      if (keys.length < WRITE_BATCH) return;
    }
  }
}
