// The Local API store (`LapiStore` of ./records.ts) on the Picket LMDB environment (layout: ./lapi-schema.ts):
// a thin facade over one module per table — ./machines.ts, ./bouncers.ts, ./usage-metrics-table.ts,
// ./alerts.ts, ./decisions.ts —, ./retention.ts and ./change-log.ts (the shared write-transaction and
// sequence-number helper, and the in-memory decision index and alert summaries it keeps equal to LMDB).
// Owns: opening (the memory is rebuilt before `openLapiStore` returns), the periodic catch-up with other
// processes' writes, the closed state, and the lifecycle.
//
// Reads of decisions (`queryDecisions`, `stream`, counts) are synchronous and served by the index alone; they
// never touch LMDB nor wait for a writer. Alert queries filter the summaries and decode only the alerts
// returned. Bouncer and machine reads are direct LMDB reads (lmdb-js renews its read snapshot every event turn,
// so another process's commit is seen at once). The index keeps every active decision plus those expired within
// `indexRetentionMs` (default 24 h): that bounds the `deleted` list of a stream snapshot (spec §5.1 allows it).
// An alert and its decisions commit together; a promise resolves after the commit, so a kill -9 after it loses
// nothing. A large alert written in chunks is held invisible until its last transaction; a writer killed before
// it leaves a WriteIntent that opening (or the catch-up timer, once the writer is gone) rolls back
// (./chunked-writes.ts).

import type { PicketStore } from './lmdb.js';
import type {
  AlertFilter,
  AlertRecord,
  BouncerRecord,
  DecisionFilter,
  DecisionRecord,
  LapiStore,
  MachineRecord,
  NewAlert,
  RetentionPolicy,
  StreamResult,
} from './records.js';
import { DecisionIndex, type AddressIndex } from './decision-index.js';
import { RadixIndex } from './radix.js';
import { openLapiTables, type LapiTables } from './lapi-tables.js';
import { LapiMemory, type LocalWrites } from './change-log.js';
import { MachineTable } from './machines.js';
import { BouncerTable } from './bouncers.js';
import { UsageMetricsTable, type UsageMetricsKey, type UsageMetricsRow } from './usage-metrics-table.js';
import { AlertTable } from './alerts.js';
import { DecisionTable } from './decisions.js';
import { Retention } from './retention.js';
import { recoverDeadWrites, type Recovered } from './chunked-writes.js';
import type { NewUsageMetrics, UsageMetricsRecord } from './usage-metrics.js';

export { DEFAULT_RETENTION } from './retention.js';
export { DEFAULT_ALERT_LIMIT } from './alerts.js';

/** how long an expired decision stays in the in-memory index (and so in a stream snapshot's `deleted`) */
export const DEFAULT_INDEX_RETENTION_MS = 24 * 3_600_000;
/** how often writes of other processes are picked up from the change log */
export const DEFAULT_SYNC_INTERVAL_MS = 1000;

export interface LapiStoreOptions {
  /** clock stamping creation times (default Date.now); tests inject one */
  clock?: () => number;
  /** expired decisions kept in the in-memory index (default 24 h) */
  indexRetentionMs?: number;
  /** period of the catch-up with other processes' writes (default 1 s; 0 disables the timer) */
  syncIntervalMs?: number;
  /** interval index of Ip/Range decisions (default: a new RadixIndex) */
  addresses?: AddressIndex;
  /** where the store reports what it repaired (default: stderr) */
  log?: (line: string) => void;
}

export class LmdbLapiStore implements LapiStore {
  private readonly tables: LapiTables;
  private readonly memory: LapiMemory;
  private readonly machines: MachineTable;
  private readonly bouncers: BouncerTable;
  private readonly usage: UsageMetricsTable;
  private readonly alerts: AlertTable;
  private readonly decisions: DecisionTable;
  private readonly retention: Retention;
  private timer: NodeJS.Timeout | null = null;
  private readonly log: (line: string) => void;
  /** the recovery in progress (./chunked-writes.ts), null when none runs */
  private recovering: Promise<Recovered> | null = null;
  /** writes in chunks rolled back because their writer died (metric picket_lapi_rolled_back_writes_total) */
  rolledBackWrites = 0;

  constructor(store: PicketStore, opts: LapiStoreOptions = {}) {
    const t = (this.tables = openLapiTables(store, opts.clock ?? Date.now));
    const index = new DecisionIndex(opts.addresses ?? RadixIndex.load());
    const memory = (this.memory = new LapiMemory(t, index, opts.indexRetentionMs ?? DEFAULT_INDEX_RETENTION_MS));
    this.machines = new MachineTable(t, memory);
    this.bouncers = new BouncerTable(t);
    this.usage = new UsageMetricsTable(t);
    this.decisions = new DecisionTable(t, memory);
    this.alerts = new AlertTable(t, memory, this.decisions);
    this.retention = new Retention(t, memory, this.alerts, this.usage);
    this.log = opts.log ?? ((line) => process.stderr.write(`picket: ${line}\n`));
    memory.rebuild();
    this.recovered = this.recover();
    const every = opts.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
    if (every > 0) {
      this.timer = setInterval(() => {
        try {
          memory.sync();
          if (memory.heldWrites.length > 0) void this.recover(); // a writer may have died meanwhile
        } catch {
          memory.syncErrors++;
        } // e.g. the environment closed under us: never crash
      }, every);
      this.timer.unref();
    }
  }

  /**
   * The recovery started at open: writes in chunks left by a writer that died are rolled back (their decisions
   * were never shown: they are held invisible meanwhile). Resolves when done; never rejects.
   */
  readonly recovered: Promise<Recovered>;

  /** rolls back the held writes whose writer is gone (one recovery at a time) */
  private recover(): Promise<Recovered> {
    const none: Recovered = { writes: 0, decisions: 0 };
    if (this.memory.heldWrites.length === 0) return Promise.resolve(none);
    this.recovering ??= recoverDeadWrites(this.tables, this.memory, this.log)
      .then(
        (r) => {
          this.rolledBackWrites += r.writes;
          return r;
        },
        () => {
          this.memory.syncErrors++;
          return none; // tried again by the next catch-up or open
        },
      )
      .finally(() => {
        this.recovering = null;
      });
    return this.recovering;
  }

  /** change-log entries whose record could not be applied (damaged or foreign data) */
  get syncErrors(): number {
    return this.memory.syncErrors;
  }
  /** last change-log sequence number applied to memory */
  get appliedSeq(): number {
    return this.memory.appliedSeq;
  }
  /**
   * Bumped by every bouncer write of this process once committed (before the promise resolves): readers that
   * cache bouncer records (src/lapi/auth-apikey.ts) drop them when it changes.
   */
  get bouncerWrites(): number {
    return this.bouncers.writes;
  }

  /** replays the change log into memory (this process's commits and other processes' writes) */
  sync(local?: LocalWrites): void {
    this.memory.sync(local);
  }

  // ---- machines ----
  getMachine(machineId: string): MachineRecord | undefined {
    return this.machines.get(machineId);
  }
  async putMachine(m: MachineRecord): Promise<void> {
    this.memory.assertOpen();
    await this.machines.put(m);
  }
  /** removes the machine; its alerts keep their place with machineId 'N/A' (CrowdSec's dangling FK) */
  deleteMachine(machineId: string): Promise<boolean> {
    this.memory.assertOpen();
    return this.machines.delete(machineId);
  }
  listMachines(): MachineRecord[] {
    return this.machines.list();
  }

  // ---- bouncers ----
  getBouncerByName(name: string): BouncerRecord | undefined {
    return this.bouncers.getByName(name);
  }
  /** direct LMDB read: sees bouncers added or deleted by another process (the CLI) immediately */
  getBouncerByKeyHash(apiKeyHash: string): BouncerRecord | undefined {
    return this.bouncers.getByKeyHash(apiKeyHash);
  }
  async putBouncer(b: BouncerRecord): Promise<void> {
    this.memory.assertOpen();
    await this.bouncers.put(b);
  }
  deleteBouncer(name: string): Promise<boolean> {
    this.memory.assertOpen();
    return this.bouncers.delete(name);
  }
  listBouncers(): BouncerRecord[] {
    return this.bouncers.list();
  }

  // ---- usage metrics ----
  /** stores one accepted POST /v1/usage-metrics body (spec §8.7) */
  async addUsageMetrics(m: NewUsageMetrics): Promise<void> {
    this.memory.assertOpen();
    await this.usage.add(m);
  }
  /** stored usage metrics, oldest first */
  listUsageMetrics(): UsageMetricsRecord[] {
    return this.usage.list();
  }
  /** usage metrics not forwarded to the central API yet, with their keys */
  listUnpushedUsageMetrics(): UsageMetricsRow[] {
    return this.usage.unpushed();
  }
  /** marks the rows `keys` as forwarded to the central API at `at` */
  markUsageMetricsPushed(keys: readonly UsageMetricsKey[], at: number): Promise<number> {
    this.memory.assertOpen();
    return this.usage.markPushed(keys, at);
  }

  // ---- alerts ----
  addAlerts(alerts: NewAlert[]): Promise<number[]> {
    this.memory.assertOpen();
    return this.alerts.add(alerts);
  }
  /**
   * Stores `alerts` and hard-deletes the decisions `replaceIds` in one transaction: a refreshed community or list
   * entry replaces its older row (bouncers see the new row in their next delta, never a deletion).
   */
  replaceDecisions(alerts: NewAlert[], replaceIds: readonly number[]): Promise<number[]> {
    this.memory.assertOpen();
    return this.alerts.add(alerts, replaceIds);
  }
  getAlert(id: number): AlertRecord | undefined {
    return this.alerts.get(id);
  }
  /** every field of §6.7; DESC by created_at then id unless sort=ASC; limit default 100, 0 = unlimited */
  queryAlerts(f: AlertFilter, now: number): AlertRecord[] {
    return this.alerts.query(f, now);
  }
  /** alerts matching f (limit ignored) counted by scenario, from memory: what the cs_alerts gauge needs */
  countAlertsByScenario(f: AlertFilter, now: number): Map<string, number> {
    return this.alerts.countByScenario(f, now);
  }
  /** hard delete of every alert matching f (limit and sort ignored), with their decisions */
  deleteAlerts(f: AlertFilter, now: number): Promise<number> {
    this.memory.assertOpen();
    return this.alerts.deleteMatching(f, now);
  }
  async deleteAlert(id: number): Promise<boolean> {
    this.memory.assertOpen();
    return (await this.alerts.remove([id])).alerts === 1;
  }

  // ---- decisions ----
  getDecision(id: number): DecisionRecord | undefined {
    return this.decisions.get(id);
  }
  queryDecisions(f: DecisionFilter, now: number): DecisionRecord[] {
    return this.decisions.query(f, now);
  }
  /**
   * Soft delete of the active (until > now) decisions matching f: until := now, logged so the next stream
   * delta reports them. No filter field = every active decision. `simulated` keeps its filter meaning
   * (absent/false skips simulated decisions; CrowdSec's DELETE /v1/decisions ignores the flag: pass true).
   */
  expireDecisions(f: DecisionFilter, now: number): Promise<number> {
    this.memory.assertOpen();
    return this.decisions.expire(f, now);
  }
  /** soft delete of these decisions (those still active); returns how many expired */
  expireDecisionIds(ids: readonly number[], now: number): Promise<number> {
    this.memory.assertOpen();
    return this.decisions.expireMany(ids, now);
  }
  expireDecision(id: number, now: number): Promise<boolean> {
    this.memory.assertOpen();
    return this.decisions.expireOne(id, now);
  }
  stream(
    f: DecisionFilter,
    opts: { startup: boolean; lastPull: number | null; dedup: boolean; now: number },
  ): StreamResult {
    return this.decisions.stream(f, opts);
  }
  activeDecisionCount(now: number): number {
    return this.decisions.activeCount(now);
  }
  /**
   * Decisions with this exact value: active ones (until > now) when activeOnly, else every stored one; with
   * `since` (absolute ms) only those created at or after it (profiles' GetDecisionsCount,
   * GetActiveDecisionsCount, GetDecisionsSinceCount).
   */
  countDecisions(value: string, opts: { activeOnly: boolean; since?: number; now: number }): number {
    return this.decisions.count(value, opts);
  }

  // ---- retention ----
  /** one retention pass (./retention.ts) */
  prune(policy: RetentionPolicy, now: number): Promise<{ alerts: number; decisions: number }> {
    this.memory.assertOpen();
    return this.retention.prune(policy, now);
  }

  // ---- lifecycle ----
  async flush(): Promise<void> {
    await this.tables.root.flushed;
  }

  /** stops the catch-up timer and waits for pending writes to be on disk; the PicketStore stays open */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.recovering;
    await this.tables.root.committed;
    await this.tables.root.flushed;
    this.memory.closed = true;
    this.memory.index.clear();
  }

  /** entries of the address (radix) index: Ip/Range decisions held in memory (metrics) */
  radixEntries(): number {
    return this.memory.index.addressEntries;
  }

  /** the indexed decisions, id ascending (diagnostics and tests) */
  indexedDecisions(): DecisionRecord[] {
    return this.memory.index.all();
  }
}

/** Opens the Local API store on an open Picket store (synchronous: the index is rebuilt before it returns). */
export function openLapiStore(store: PicketStore, opts?: LapiStoreOptions): LmdbLapiStore {
  return new LmdbLapiStore(store, opts);
}
