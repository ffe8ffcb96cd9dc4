// The LMDB sub-databases of the Local API store (layout: ./lapi-schema.ts), opened once and shared by the
// per-table modules (./machines.ts, ./bouncers.ts, ./usage-metrics.ts, ./alerts.ts, ./decisions.ts,
// ./retention.ts, ./change-log.ts). Owns: the typed handles, the counters, the key check, the batch sizes of
// deletions and scans, and the batched table scan that yields to the event loop.

import type { Database, RootDatabase } from 'lmdb';
import { PicketError } from '../core/errors.js';
import type { PicketStore, SubDbName, SubDbs } from './lmdb.js';
import type { AlertRecord, BouncerRecord, MachineRecord } from './records.js';
import type { CounterName, DecisionLogEntry, StoredDecision, WriteIntent } from './lapi-schema.js';
import type { UsageMetricsRecord } from './usage-metrics.js';

/** records written per transaction by deletions and retention (keeps every write transaction short) */
export const WRITE_BATCH = 256;
/**
 * decisions soft- or hard-deleted per transaction by a deletion of many (DELETE /v1/decisions, /v1/alerts,
 * retention): each transaction and the index replay after it stay a few milliseconds, the event loop runs
 * between them (issue 11 §4)
 */
export const DELETE_CHUNK = 1000;
/** records read per step by retention scans (the event loop runs between steps) */
export const SCAN_BATCH = 1000;

export interface LapiTables {
  root: RootDatabase;
  machines: Database<MachineRecord, string>;
  bouncers: Database<BouncerRecord, string>;
  bouncerKeys: Database<string, string>;
  alerts: Database<AlertRecord, number>;
  decisions: Database<StoredDecision, number>;
  decisionValues: Database<number, [string, number]>;
  log: Database<DecisionLogEntry, number>;
  counters: Database<number, CounterName>;
  /** writes in chunks in progress, by first decision id */
  writes: Database<WriteIntent, number>;
  usageMetrics: Database<UsageMetricsRecord, [number, string]>;
  /** clock stamping creation times */
  clock: () => number;
}

/** lmdb-js keys of these sub-databases are numbers ([string, number] for decisionValues), not strings */
function numberKeyed<K extends SubDbName>(store: PicketStore, name: K): Database<SubDbs[K], number> {
  return store.db(name) as unknown as Database<SubDbs[K], number>;
}

export function openLapiTables(store: PicketStore, clock: () => number): LapiTables {
  return {
    root: store.root,
    machines: store.db('machines'),
    bouncers: store.db('bouncers'),
    bouncerKeys: store.db('bouncerKeys'),
    alerts: numberKeyed(store, 'alerts'),
    decisions: numberKeyed(store, 'decisions'),
    decisionValues: store.db('decisionValues') as unknown as Database<number, [string, number]>,
    log: numberKeyed(store, 'decisionLog'),
    counters: store.db('lapiCounters') as Database<number, CounterName>,
    writes: numberKeyed(store, 'lapiWrites'),
    usageMetrics: store.db('usageMetrics') as unknown as Database<UsageMetricsRecord, [number, string]>,
    clock,
  };
}

/** a counter's value inside or outside a transaction (0 when never set) */
export function counter(t: LapiTables, name: CounterName): number {
  return t.counters.get(name) ?? 0;
}

/** A record the store refuses before writing (code STORE_BAD_RECORD); the message names the field. */
export class StoreRecordError extends PicketError {
  constructor(message: string) {
    super('STORE_BAD_RECORD', message);
  }
}

/** LMDB keys are at most 1978 bytes (and a throw inside a transaction callback would keep its earlier writes) */
const MAX_KEY_BYTES = 1024;
export function checkKey(what: string, k: unknown): void {
  if (typeof k !== 'string' || k === '' || Buffer.byteLength(k) > MAX_KEY_BYTES) {
    throw new StoreRecordError(`${what} must be a non-empty string of at most ${MAX_KEY_BYTES} bytes`);
  }
}

/** values of a number-keyed table in key order, SCAN_BATCH per step with the event loop running between */
export async function* scanTable<V>(db: Database<V, number>): AsyncGenerator<V> {
  let last: number | null = null;
  for (;;) {
    const batch: V[] = [];
    const range: { start?: number; limit: number } =
      last === null ? { limit: SCAN_BATCH } : { start: last, limit: SCAN_BATCH + 1 };
    for (const { key, value } of db.getRange(range) as Iterable<{ key: number; value: V }>) {
      if (key === last) continue;
      last = key;
      batch.push(value);
    }
    if (batch.length === 0) return;
    yield* batch;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * `items` cut into consecutive slices of total weight at most `max` (an item heavier than `max` alone in its
 * slice): the write transactions of a deletion whose items carry many records (an alert and its decisions)
 */
export function weightedSlices<T>(items: readonly T[], weight: (x: T) => number, max: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let w = 0;
  for (const x of items) {
    const wx = weight(x);
    if (cur.length > 0 && w + wx > max) {
      out.push(cur);
      cur = [];
      w = 0;
    }
    cur.push(x);
    w += wx;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** `ids` cut into slices of `size` (the write transactions of a deletion) */
export function slices<T>(ids: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let from = 0; from < ids.length; from += size) out.push(ids.slice(from, from + size));
  return out;
}
