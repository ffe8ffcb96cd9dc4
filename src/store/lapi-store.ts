// The Local API store (`LapiStore` of ./records.ts) on the Picket LMDB environment (layout: ./lapi-schema.ts).
// Owns: the transactions that write machines, bouncers, alerts and decisions (an alert and its decisions
// commit together; a promise resolves after the commit, so a kill -9 after it loses nothing), id and uuid
// assignment, the decision change log, keeping the in-memory decision index (./decision-index.ts) equal to
// LMDB, alert queries and deletion, usage metrics (kept 7 days), and retention.
//
// Memory <-> LMDB: every decision creation, change and removal, and every alert write and removal, appends
// an entry to `decisionLog` in the same transaction. The decision index and the alert summaries (the
// filterable fields of each alert) are rebuilt from their tables at open and then only ever moved forward by
// replaying the log past the last applied sequence number: after each of this process's commits, and every
// `syncIntervalMs` for writes of other processes (e.g. the `picket` CLI on the same data folder). Reads of
// decisions (`queryDecisions`, `stream`, counts) are synchronous and served by the index alone; they never
// touch LMDB nor wait for a writer. Alert queries filter the summaries and decode only the alerts returned.
// Bouncer and machine reads are direct LMDB reads (lmdb-js renews its read snapshot every event turn, so
// another process's commit is seen at once).
//
// The index keeps every active decision plus those expired within `indexRetentionMs` (default 24 h): that
// bounds the `deleted` list of a stream snapshot (spec §5.1 allows it).
//
// lmdb-js caveat: an exception inside an async `transaction` callback does not roll back the writes it
// already made, so everything that can throw (validation, interval parsing) runs before the transaction.

import crypto from 'node:crypto';
import type { Database, RootDatabase } from 'lmdb';
import type { PicketStore, SubDbName, SubDbs } from './lmdb.js';
import type {
  AlertFilter, AlertRecord, BouncerRecord, DecisionFilter, DecisionRecord, IpRange, LapiStore, MachineRecord,
  NewAlert, RetentionPolicy, StreamResult,
} from './records.js';
import { LogKind, valueKey, type CounterName, type DecisionLogEntry, type StoredDecision } from './lapi-schema.js';
import { DecisionIndex, type AddressIndex } from './decision-index.js';
import { compileDecisionFilter } from './decision-filter.js';
import { alertMatches, sortAlerts, summarizeAlert, type AlertSummary } from './alert-filter.js';
import { parseIpOrRange } from './iprange.js';
import { RadixIndex } from './radix.js';
import { USAGE_METRICS_RETENTION_MS, type NewUsageMetrics, type UsageMetricsRecord } from './usage-metrics.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** CrowdSec's flush defaults (db_config.flush: max_age 7d, max_items 5000) */
export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({ maxAgeMs: 7 * DAY_MS, maxItems: 5000 });
/** how long an expired decision stays in the in-memory index (and so in a stream snapshot's `deleted`) */
export const DEFAULT_INDEX_RETENTION_MS = DAY_MS;
/** how often writes of other processes are picked up from the change log */
export const DEFAULT_SYNC_INTERVAL_MS = 1000;
/** default number of alerts of GET /v1/alerts */
export const DEFAULT_ALERT_LIMIT = 100;
/** records written per transaction by deletions and retention (keeps every write transaction short) */
const WRITE_BATCH = 256;
/** records read per step by retention scans (the event loop runs between steps) */
const SCAN_BATCH = 1000;
const INDEX_EVICT_EVERY_MS = 60_000;
/** orphan decisions cannot arise through this store (deletes cascade): look for them at most hourly */
const ORPHAN_SCAN_EVERY_MS = HOUR_MS;

export interface LapiStoreOptions {
  /** clock stamping creation times (default Date.now); tests inject one */
  clock?: () => number;
  /** expired decisions kept in the in-memory index (default 24 h) */
  indexRetentionMs?: number;
  /** period of the catch-up with other processes' writes (default 1 s; 0 disables the timer) */
  syncIntervalMs?: number;
  /** interval index of Ip/Range decisions (default: a new RadixIndex) */
  addresses?: AddressIndex;
}

/** lmdb-js keys of these sub-databases are numbers ([string, number] for decisionValues), not strings */
function numberKeyed<K extends SubDbName>(store: PicketStore, name: K): Database<SubDbs[K], number> {
  return store.db(name) as unknown as Database<SubDbs[K], number>;
}

/** LMDB keys are at most 1978 bytes (and a throw inside a transaction callback would keep its earlier writes) */
const MAX_KEY_BYTES = 1024;
function checkKey(what: string, k: unknown): void {
  if (typeof k !== 'string' || k === '' || Buffer.byteLength(k) > MAX_KEY_BYTES) {
    throw new TypeError(`${what} must be a non-empty string of at most ${MAX_KEY_BYTES} bytes`);
  }
}

function rangeOf(scope: string, value: string): IpRange | null {
  return scope === 'Ip' || scope === 'Range' ? parseIpOrRange(value) : null;
}

function decisionRecord(s: StoredDecision): DecisionRecord {
  return {
    id: s.id, uuid: s.uuid, alertId: s.alertId, createdAt: s.createdAt, until: s.until, scenario: s.scenario,
    type: s.type, scope: s.scope, value: s.value, origin: s.origin, simulated: s.simulated, range: rangeOf(s.scope, s.value),
  };
}

function storedDecision(r: DecisionRecord): StoredDecision {
  return {
    id: r.id, uuid: r.uuid, alertId: r.alertId, createdAt: r.createdAt, until: r.until, scenario: r.scenario,
    type: r.type, scope: r.scope, value: r.value, origin: r.origin, simulated: r.simulated,
  };
}

/** records this process just wrote (replaying its own log entries needs no LMDB read) */
interface LocalWrites {
  decisions: Map<number, DecisionRecord>;
  alerts: Map<number, AlertRecord>;
}

interface PreparedDecision {
  until: number; scenario: string; type: string; scope: string; value: string; origin: string; simulated: boolean;
  range: IpRange | null;
}

/** checks what the store itself relies on and parses the decisions' intervals; throws naming the field */
function prepareAlert(a: NewAlert, index: number): PreparedDecision[] {
  const where = `alert ${index}`;
  if (a === null || typeof a !== 'object') throw new TypeError(`${where}: not an object`);
  for (const k of ['machineId', 'scenario', 'startAt', 'stopAt', 'kind'] as const) {
    if (typeof a[k] !== 'string') throw new TypeError(`${where}: ${k} must be a string`);
  }
  if (a.source === null || typeof a.source !== 'object' || typeof a.source.scope !== 'string' || typeof a.source.value !== 'string') {
    throw new TypeError(`${where}: source must be an object with string scope and value`);
  }
  if (a.createdAt !== undefined && !Number.isFinite(a.createdAt)) throw new TypeError(`${where}: createdAt must be a time in ms`);
  if (a.decisions !== undefined && a.decisions !== null && !Array.isArray(a.decisions)) throw new TypeError(`${where}: decisions must be an array`);
  const out: PreparedDecision[] = [];
  const list = a.decisions ?? [];
  for (let j = 0; j < list.length; j++) {
    const d = list[j];
    const where = `alert ${index}, decision ${j}`;
    if (d === null || typeof d !== 'object') throw new TypeError(`${where}: not an object`);
    if (typeof d.until !== 'number' || !Number.isFinite(d.until)) throw new TypeError(`${where}: until must be a finite time in ms`);
    for (const k of ['scenario', 'type', 'scope', 'value', 'origin'] as const) {
      if (typeof d[k] !== 'string') throw new TypeError(`${where}: ${k} must be a string`);
    }
    out.push({
      until: d.until, scenario: d.scenario, type: d.type, scope: d.scope, value: d.value, origin: d.origin,
      simulated: d.simulated === true, range: rangeOf(d.scope, d.value),
    });
  }
  return out;
}

export class LmdbLapiStore implements LapiStore {
  private readonly root: RootDatabase;
  private readonly machines: Database<MachineRecord, string>;
  private readonly bouncers: Database<BouncerRecord, string>;
  private readonly bouncerKeys: Database<string, string>;
  private readonly alerts: Database<AlertRecord, number>;
  private readonly decisions: Database<StoredDecision, number>;
  private readonly decisionValues: Database<number, [string, number]>;
  private readonly log: Database<DecisionLogEntry, number>;
  private readonly counters: Database<number, CounterName>;
  private readonly usageMetrics: Database<UsageMetricsRecord, [number, string]>;
  private readonly index: DecisionIndex;
  /** alert id -> filterable fields, every alert of the table (Map order = id order) */
  private readonly alertSummaries = new Map<number, AlertSummary>();
  private readonly clock: () => number;
  private readonly indexRetentionMs: number;
  private appliedSeq = 0;
  /** change-log entries whose record could not be applied (damaged or foreign data) */
  syncErrors = 0;
  private lastEviction = 0;
  private lastOrphanScan = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(store: PicketStore, opts: LapiStoreOptions = {}) {
    this.root = store.root;
    this.machines = store.db('machines');
    this.bouncers = store.db('bouncers');
    this.bouncerKeys = store.db('bouncerKeys');
    this.alerts = numberKeyed(store, 'alerts');
    this.decisions = numberKeyed(store, 'decisions');
    this.decisionValues = store.db('decisionValues') as unknown as Database<number, [string, number]>;
    this.log = numberKeyed(store, 'decisionLog');
    this.counters = store.db('lapiCounters') as Database<number, CounterName>;
    this.usageMetrics = store.db('usageMetrics') as unknown as Database<UsageMetricsRecord, [number, string]>;
    this.clock = opts.clock ?? Date.now;
    this.indexRetentionMs = opts.indexRetentionMs ?? DEFAULT_INDEX_RETENTION_MS;
    this.index = new DecisionIndex(opts.addresses ?? RadixIndex.load());
    this.rebuild();
    const every = opts.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
    if (every > 0) {
      this.timer = setInterval(() => {
        try { this.sync(); } catch { this.syncErrors++; } // e.g. the environment closed under us: never crash the process
      }, every);
      this.timer.unref();
    }
  }

  // ---- index maintenance ----

  /** reloads the index and the alert summaries from their tables (at open) */
  private rebuild(): void {
    this.index.clear();
    this.alertSummaries.clear();
    // the log position first: entries committed during the scan are replayed again, which is harmless
    // (replay applies the current LMDB state of each decision)
    const seq = this.counter('seq');
    const horizon = this.clock() - this.indexRetentionMs;
    for (const { value } of this.decisions.getRange({})) {
      try {
        if (value.until >= horizon) this.index.upsert(decisionRecord(value), value.createdAt);
      } catch { this.syncErrors++; } // a damaged record is skipped, never fatal
    }
    for (const { key, value } of this.alerts.getRange({})) {
      if (value !== null && typeof value === 'object') this.alertSummaries.set(key, summarizeAlert(value)); else this.syncErrors++;
    }
    this.appliedSeq = seq;
    this.lastEviction = this.clock();
    this.sync();
  }

  /**
   * Replays the change log past the last applied entry into the index and the alert summaries: this
   * process's commits (records written here are taken from `local`) and other processes' writes. Each entry
   * applies the current LMDB state of its record, so replaying an entry twice is harmless. Synchronous:
   * readers see either none or all of a transaction's changes.
   */
  sync(local?: LocalWrites): void {
    if (this.closed) return;
    let seq = this.appliedSeq;
    const now = this.clock();
    for (const { key, value } of this.log.getRange({ start: seq + 1 })) {
      seq = key;
      try { this.apply(value, local, now); } catch {
        this.syncErrors++; // a damaged record never wedges the catch-up: its entry is skipped
      }
    }
    this.appliedSeq = seq;
    if (now - this.lastEviction >= INDEX_EVICT_EVERY_MS) {
      this.lastEviction = now;
      this.index.evictExpired(now - this.indexRetentionMs);
    }
  }

  /** one change-log entry: the current LMDB state of its record (or this process's copy) into memory */
  private apply(value: DecisionLogEntry, local: LocalWrites | undefined, now: number): void {
    const id = value.id;
    switch (value.k) {
      case LogKind.Remove: this.index.remove(id); break;
      case LogKind.AlertRemove: this.alertSummaries.delete(id); break;
      case LogKind.AlertPut: {
        const a = local?.alerts.get(id) ?? this.alerts.get(id);
        if (a === undefined) this.alertSummaries.delete(id); else this.alertSummaries.set(id, summarizeAlert(a));
        break;
      }
      default: {
        const mine = value.k === LogKind.Add ? local?.decisions.get(id) : undefined;
        if (mine !== undefined) { this.index.upsert(mine, now); break; }
        const s = this.decisions.get(id);
        if (s === undefined) this.index.remove(id); else this.index.upsert(decisionRecord(s), now);
      }
    }
  }


  /** a counter's value inside or outside a transaction (0 when never set) */
  private counter(name: CounterName): number {
    return this.counters.get(name) ?? 0;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('LAPI store is closed');
  }

  // ---- machines ----

  getMachine(machineId: string): MachineRecord | undefined {
    return this.machines.get(machineId);
  }

  async putMachine(m: MachineRecord): Promise<void> {
    this.assertOpen();
    checkKey('machine id', m.machineId);
    await this.machines.put(m.machineId, m);
  }

  /** removes the machine; its alerts keep their place with machineId 'N/A' (CrowdSec's dangling FK) */
  async deleteMachine(machineId: string): Promise<boolean> {
    this.assertOpen();
    const done = await this.root.transaction(() => {
      if (this.machines.get(machineId) === undefined) return false;
      this.machines.remove(machineId);
      let seq = this.counter('seq');
      const t = this.clock();
      for (const { key, value } of this.alerts.getRange({})) {
        if (value.machineId !== machineId) continue;
        this.alerts.put(key, { ...value, machineId: 'N/A' });
        this.log.put(++seq, { k: LogKind.AlertPut, id: key, at: t });
      }
      this.counters.put('seq', seq);
      return true;
    });
    this.sync();
    return done;
  }

  listMachines(): MachineRecord[] {
    return Array.from(this.machines.getRange({}).map((e) => e.value));
  }

  // ---- bouncers ----

  getBouncerByName(name: string): BouncerRecord | undefined {
    return this.bouncers.get(name);
  }

  /** direct LMDB read: sees bouncers added or deleted by another process (the CLI) immediately */
  getBouncerByKeyHash(apiKeyHash: string): BouncerRecord | undefined {
    const name = this.bouncerKeys.get(apiKeyHash);
    if (name === undefined) return undefined;
    const b = this.bouncers.get(name);
    return b !== undefined && b.apiKeyHash === apiKeyHash ? b : undefined;
  }

  /**
   * Bumped by every bouncer write of this process once committed (before the promise resolves): readers that
   * cache bouncer records (src/lapi/auth-apikey.ts) drop them when it changes.
   */
  bouncerWrites = 0;

  async putBouncer(b: BouncerRecord): Promise<void> {
    this.assertOpen();
    checkKey('bouncer name', b.name);
    checkKey('bouncer API key hash', b.apiKeyHash);
    await this.root.transaction(() => {
      const old = this.bouncers.get(b.name);
      if (old !== undefined && old.apiKeyHash !== b.apiKeyHash && this.bouncerKeys.get(old.apiKeyHash) === b.name) {
        this.bouncerKeys.remove(old.apiKeyHash);
      }
      this.bouncers.put(b.name, b);
      this.bouncerKeys.put(b.apiKeyHash, b.name);
    });
    this.bouncerWrites++;
  }

  async deleteBouncer(name: string): Promise<boolean> {
    this.assertOpen();
    const done = await this.root.transaction(() => {
      const old = this.bouncers.get(name);
      if (old === undefined) return false;
      this.bouncers.remove(name);
      if (this.bouncerKeys.get(old.apiKeyHash) === name) this.bouncerKeys.remove(old.apiKeyHash);
      return true;
    });
    this.bouncerWrites++;
    return done;
  }

  listBouncers(): BouncerRecord[] {
    return Array.from(this.bouncers.getRange({}).map((e) => e.value));
  }

  // ---- usage metrics ----

  /** stores one accepted POST /v1/usage-metrics body (spec §8.7); key [receivedAt, random id] keeps time order */
  async addUsageMetrics(m: NewUsageMetrics): Promise<void> {
    this.assertOpen();
    if (m.generatedType !== 'RC' && m.generatedType !== 'LP') throw new TypeError('usage metrics generatedType must be RC or LP');
    checkKey('usage metrics generatedBy', m.generatedBy);
    if (!Number.isFinite(m.receivedAt)) throw new TypeError('usage metrics receivedAt must be a time in ms');
    if (typeof m.payload !== 'string') throw new TypeError('usage metrics payload must be a JSON string');
    const rec: UsageMetricsRecord = {
      generatedType: m.generatedType, generatedBy: m.generatedBy, receivedAt: m.receivedAt, pushedAt: null, payload: m.payload,
    };
    await this.usageMetrics.put([m.receivedAt, crypto.randomBytes(8).toString('hex')], rec);
  }

  /** stored usage metrics, oldest first */
  listUsageMetrics(): UsageMetricsRecord[] {
    return Array.from(this.usageMetrics.getRange({}).map((e) => e.value));
  }

  /** deletes usage metrics received before `before` (WRITE_BATCH per transaction); returns the count */
  private async pruneUsageMetrics(before: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const keys: [number, string][] = [];
      for (const { key } of this.usageMetrics.getRange({ end: [before], limit: WRITE_BATCH })) keys.push(key);
      if (keys.length === 0) return removed;
      await this.root.transaction(() => { for (const k of keys) this.usageMetrics.remove(k); });
      removed += keys.length;
      if (keys.length < WRITE_BATCH) return removed;
    }
  }

  // ---- alerts ----

  async addAlerts(alerts: NewAlert[]): Promise<number[]> {
    this.assertOpen();
    if (alerts.length === 0) return [];
    const prepared = alerts.map(prepareAlert);
    const local: LocalWrites = { decisions: new Map(), alerts: new Map() };
    const ids = await this.root.transaction(() => {
      let alertId = this.counter('alert');
      let decisionId = this.counter('decision');
      let seq = this.counter('seq');
      const t = Math.max(this.clock(), this.counter('clock'));
      const out = new Array<number>(alerts.length);
      for (let i = 0; i < alerts.length; i++) {
        const a = alerts[i];
        const id = ++alertId;
        const decisionIds: number[] = [];
        for (const d of prepared[i]) {
          const rec: DecisionRecord = {
            id: ++decisionId, uuid: crypto.randomUUID(), alertId: id, createdAt: t, until: d.until,
            scenario: d.scenario, type: d.type, scope: d.scope, value: d.value, origin: d.origin,
            simulated: d.simulated, range: d.range,
          };
          this.decisions.put(rec.id, storedDecision(rec));
          this.decisionValues.put([valueKey(rec.value), rec.id], t);
          this.log.put(++seq, { k: LogKind.Add, id: rec.id, at: t });
          local.decisions.set(rec.id, rec);
          decisionIds.push(rec.id);
        }
        const rec: AlertRecord = {
          id, uuid: crypto.randomUUID(), machineId: a.machineId, createdAt: a.createdAt ?? t,
          scenario: a.scenario, scenarioHash: a.scenarioHash, scenarioVersion: a.scenarioVersion,
          message: a.message, eventsCount: a.eventsCount, startAt: a.startAt, stopAt: a.stopAt,
          capacity: a.capacity, leakspeed: a.leakspeed, simulated: a.simulated, remediation: a.remediation,
          kind: a.kind, labels: a.labels, source: a.source, events: a.events, meta: a.meta, decisionIds,
        };
        this.alerts.put(id, rec);
        this.log.put(++seq, { k: LogKind.AlertPut, id, at: t });
        local.alerts.set(id, rec);
        out[i] = id;
      }
      this.counters.put('alert', alertId);
      this.counters.put('decision', decisionId);
      this.counters.put('seq', seq);
      this.counters.put('clock', t);
      return out;
    });
    this.sync(local);
    return ids;
  }

  getAlert(id: number): AlertRecord | undefined {
    return this.alerts.get(id);
  }

  /** every field of §6.7; DESC by created_at then id unless sort=ASC; limit default 100, 0 = unlimited */
  queryAlerts(f: AlertFilter, now: number): AlertRecord[] {
    this.sync(); // other processes' alerts (cscli-like tools): a log read, microseconds when nothing is new
    const hits = sortAlerts(this.matchingAlerts(f, now), f.sort);
    const limit = f.limit ?? DEFAULT_ALERT_LIMIT;
    if (limit > 0 && hits.length > limit) hits.length = limit;
    const out: AlertRecord[] = [];
    for (const h of hits) {
      const a = this.alerts.get(h.id);
      if (a !== undefined) out.push(a); // undefined: deleted by another process since the last catch-up
    }
    return out;
  }

  /** alerts matching f (limit ignored) counted by scenario, from memory: what the cs_alerts gauge needs */
  countAlertsByScenario(f: AlertFilter, now: number): Map<string, number> {
    this.sync();
    const counts = new Map<string, number>();
    for (const a of this.matchingAlerts(f, now)) counts.set(a.scenario, (counts.get(a.scenario) ?? 0) + 1);
    return counts;
  }

  private matchingAlerts(f: AlertFilter, now: number): AlertSummary[] {
    const decisionOf = (id: number): DecisionRecord | undefined => this.getDecision(id);
    const out: AlertSummary[] = [];
    for (const a of this.alertSummaries.values()) {
      if (alertMatches(f, a, decisionOf, now)) out.push(a);
    }
    return out;
  }

  /** hard delete of every alert matching f (limit and sort ignored), with their decisions */
  async deleteAlerts(f: AlertFilter, now: number): Promise<number> {
    this.assertOpen();
    this.sync();
    const ids = this.matchingAlerts(f, now).map((a) => a.id);
    return (await this.removeAlerts(ids)).alerts;
  }

  async deleteAlert(id: number): Promise<boolean> {
    this.assertOpen();
    return (await this.removeAlerts([id])).alerts === 1;
  }

  /** removes alerts and their decisions, WRITE_BATCH alerts per transaction; bouncers are not told */
  private async removeAlerts(ids: number[]): Promise<{ alerts: number; decisions: number }> {
    let alerts = 0;
    let decisions = 0;
    for (let from = 0; from < ids.length; from += WRITE_BATCH) {
      const batch = ids.slice(from, from + WRITE_BATCH);
      const done = await this.root.transaction(() => {
        let seq = this.counter('seq');
        const t = this.clock();
        let na = 0;
        let nd = 0;
        for (const id of batch) {
          const a = this.alerts.get(id);
          if (a === undefined) continue;
          for (const did of a.decisionIds) {
            if (this.removeDecisionInTxn(did, seq + 1, t)) { seq++; nd++; }
          }
          this.alerts.remove(id);
          this.log.put(++seq, { k: LogKind.AlertRemove, id, at: t });
          na++;
        }
        this.counters.put('seq', seq);
        return [na, nd] as const;
      });
      alerts += done[0];
      decisions += done[1];
      this.sync();
    }
    return { alerts, decisions };
  }

  /** inside a transaction: deletes a decision and logs it under `seq`; false if it did not exist */
  private removeDecisionInTxn(id: number, seq: number, at: number): boolean {
    const s = this.decisions.get(id);
    if (s === undefined) return false;
    this.decisions.remove(id);
    this.decisionValues.remove([valueKey(s.value), id]);
    this.log.put(seq, { k: LogKind.Remove, id, at });
    return true;
  }

  // ---- decisions ----

  getDecision(id: number): DecisionRecord | undefined {
    const r = this.index.get(id);
    if (r !== undefined) return r;
    const s = this.decisions.get(id);
    return s === undefined ? undefined : decisionRecord(s);
  }

  queryDecisions(f: DecisionFilter, now: number): DecisionRecord[] {
    return this.index.live(compileDecisionFilter(f), now);
  }

  /**
   * Soft delete of the active (until > now) decisions matching f: until := now, logged so the next stream
   * delta reports them. No filter field = every active decision. `simulated` keeps its filter meaning
   * (absent/false skips simulated decisions; CrowdSec's DELETE /v1/decisions ignores the flag: pass true).
   */
  async expireDecisions(f: DecisionFilter, now: number): Promise<number> {
    this.assertOpen();
    this.sync();
    return this.expireIds(this.index.activeIds(compileDecisionFilter(f), now), now);
  }

  async expireDecision(id: number, now: number): Promise<boolean> {
    this.assertOpen();
    this.sync();
    return (await this.expireIds([id], now)) === 1;
  }

  private async expireIds(ids: number[], now: number): Promise<number> {
    if (ids.length === 0) return 0;
    let n = 0;
    for (let from = 0; from < ids.length; from += WRITE_BATCH * 16) {
      const batch = ids.slice(from, from + WRITE_BATCH * 16);
      n += await this.root.transaction(() => {
        let seq = this.counter('seq');
        const t = this.clock();
        let done = 0;
        for (const id of batch) {
          const s = this.decisions.get(id);
          if (s === undefined || !(s.until > now)) continue; // gone or already expired meanwhile
          this.decisions.put(id, { ...s, until: now });
          this.log.put(++seq, { k: LogKind.Update, id, at: t });
          done++;
        }
        if (done > 0) this.counters.put('seq', seq);
        return done;
      });
      this.sync();
    }
    return n;
  }

  stream(f: DecisionFilter, opts: { startup: boolean; lastPull: number | null; dedup: boolean; now: number }): StreamResult {
    const c = compileDecisionFilter(f);
    return opts.startup || opts.lastPull === null
      ? this.index.startup(c, opts.now, opts.dedup)
      : this.index.delta(c, opts.lastPull, opts.now, opts.dedup);
  }

  activeDecisionCount(now: number): number {
    return this.index.activeCount(now);
  }

  /**
   * Decisions with this exact value: active ones (until > now) when activeOnly, else every stored one; with
   * `since` (absolute ms) only those created at or after it (profiles' GetDecisionsCount,
   * GetActiveDecisionsCount, GetDecisionsSinceCount).
   */
  countDecisions(value: string, opts: { activeOnly: boolean; since?: number; now: number }): number {
    if (opts.activeOnly) return this.index.countActiveByValue(value, opts.now, opts.since);
    const k = valueKey(value);
    let n = 0;
    for (const { value: createdAt } of this.decisionValues.getRange({ start: [k], end: [k, Infinity] })) {
      if (opts.since === undefined || createdAt >= opts.since) n++;
    }
    return n;
  }

  // ---- retention ----

  /**
   * One retention pass: alerts older than maxAgeMs, then the oldest beyond maxItems, are deleted with
   * their decisions — never an alert with an active decision; expired decisions whose alert is gone are
   * deleted (that scan runs on the first pass and then at most hourly); usage metrics older than 7 days are deleted; change-log entries and index entries older than the index retention are dropped. Reads scan
   * in steps of SCAN_BATCH records and writes go in transactions of WRITE_BATCH records, yielding to the
   * event loop between them.
   */
  async prune(policy: RetentionPolicy, now: number): Promise<{ alerts: number; decisions: number }> {
    this.assertOpen();
    this.sync();
    const cutoff = now - policy.maxAgeMs;
    const candidates: { id: number; createdAt: number; active: boolean }[] = [];
    for (const a of this.alertSummaries.values()) {
      let active = false;
      for (const did of a.decisionIds) {
        // every active decision is in the index
        const d = this.index.get(did);
        if (d !== undefined && d.until > now) { active = true; break; }
      }
      candidates.push({ id: a.id, createdAt: a.createdAt, active });
    }
    candidates.sort((x, y) => (x.createdAt - y.createdAt) || (x.id - y.id));
    const doomed: number[] = [];
    let excess = candidates.length - Math.max(0, policy.maxItems);
    for (const c of candidates) {
      if (c.active) continue;
      if (c.createdAt < cutoff || excess > 0) { doomed.push(c.id); excess--; }
    }
    const removed = await this.removeAlerts(doomed);

    // decisions expired longer than the index retention whose alert is gone (deleting an alert deletes its
    // decisions; `picket gdpr erase` detaches the withdrawn decisions of an erased address)
    const orphans: number[] = [];
    if (now - this.lastOrphanScan >= ORPHAN_SCAN_EVERY_MS) {
      this.lastOrphanScan = now;
      for await (const d of this.scan(this.decisions)) {
        // kept while in the stream's deleted window: a bouncer must still learn that it ended (gdpr erase)
        if (d.until <= now - this.indexRetentionMs && !this.alerts.doesExist(d.alertId)) orphans.push(d.id);
      }
    }
    for (let from = 0; from < orphans.length; from += WRITE_BATCH) {
      const batch = orphans.slice(from, from + WRITE_BATCH);
      removed.decisions += await this.root.transaction(() => {
        let seq = this.counter('seq');
        const t = this.clock();
        let n = 0;
        for (const id of batch) if (this.removeDecisionInTxn(id, seq + 1, t)) { seq++; n++; }
        this.counters.put('seq', seq);
        return n;
      });
      this.sync();
    }

    await this.trimLog(now - this.indexRetentionMs);
    this.index.evictExpired(now - this.indexRetentionMs);
    await this.pruneUsageMetrics(now - USAGE_METRICS_RETENTION_MS);
    return removed;
  }

  /** drops change-log entries older than `before` (never one this process has not applied) */
  private async trimLog(before: number): Promise<void> {
    for (;;) {
      const keys: number[] = [];
      for (const { key, value } of this.log.getRange({ limit: WRITE_BATCH })) {
        if (value.at >= before || key > this.appliedSeq) break;
        keys.push(key);
      }
      if (keys.length === 0) return;
      await this.root.transaction(() => { for (const k of keys) this.log.remove(k); });
      if (keys.length < WRITE_BATCH) return;
    }
  }

  /** values of a number-keyed table in key order, SCAN_BATCH per step with the event loop running between */
  private async *scan<V>(db: Database<V, number>): AsyncGenerator<V> {
    let last: number | null = null;
    for (;;) {
      const batch: V[] = [];
      for (const { key, value } of db.getRange(last === null ? { limit: SCAN_BATCH } : { start: last, limit: SCAN_BATCH + 1 })) {
        if (key === last) continue;
        last = key;
        batch.push(value);
      }
      if (batch.length === 0) return;
      yield* batch;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  // ---- lifecycle ----

  async flush(): Promise<void> {
    await this.root.flushed;
  }

  /** stops the catch-up timer and waits for pending writes to be on disk; the PicketStore stays open */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.root.committed;
    await this.root.flushed;
    this.closed = true;
    this.index.clear();
  }

  /** entries of the address (radix) index: Ip/Range decisions held in memory (metrics) */
  radixEntries(): number {
    return this.index.addressEntries;
  }

  /** the indexed decisions, id ascending (diagnostics and tests) */
  indexedDecisions(): DecisionRecord[] {
    return this.index.all();
  }
}

/** Opens the Local API store on an open Picket store (synchronous: the index is rebuilt before it returns). */
export function openLapiStore(store: PicketStore, opts?: LapiStoreOptions): LmdbLapiStore {
  return new LmdbLapiStore(store, opts);
}
