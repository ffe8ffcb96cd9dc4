// The decisions table of the Local API store: stored shape <-> record, reads served by the in-memory index
// (./decision-index.ts, kept by ./change-log.ts), soft deletes (until := now, logged so the next stream delta
// reports them), the bouncer stream, counts by value, and the in-transaction hard delete used with alerts and
// retention.

import { compileDecisionFilter } from './decision-filter.js';
import { decisionRecord, LogKind, storedDecision, valueKey } from './lapi-schema.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DELETE_CHUNK, slices, type LapiTables } from './lapi-tables.js';
import { logTransaction, type LapiMemory, type LocalWrites, type LogCursor } from './change-log.js';
import type { DecisionIndex } from './decision-index.js';
import type { DecisionFilter, DecisionRecord, StreamResult } from './records.js';

/** inside a transaction: writes a new decision and logs it */
export function insertDecision(t: LapiTables, log: LogCursor, rec: DecisionRecord): void {
  t.decisions.put(rec.id, storedDecision(rec));
  t.decisionValues.put([valueKey(rec.value), rec.id], log.at);
  log.append(LogKind.Add, rec.id);
}

/** inside a transaction: deletes a decision and logs it; false if it did not exist */
export function removeDecision(t: LapiTables, log: LogCursor, id: number): boolean {
  const s = t.decisions.get(id);
  if (s === undefined) return false;
  t.decisions.remove(id);
  t.decisionValues.remove([valueKey(s.value), id]);
  log.append(LogKind.Remove, id);
  return true;
}

/**
 * The last startup snapshots by filter: one computed at `at` on index version v is exactly what a later request
 * (now >= at) would compute while the index is still at v and no decision of `new` has expired (now < the
 * earliest until of `new`): the split between `new` and `deleted` is the same. Records are shared, never mutated.
 */
class SnapshotCache {
  private readonly byKey = new Map<string, { version: number; at: number; validUntil: number; r: StreamResult }>();

  get(f: DecisionFilter, dedup: boolean, now: number, index: DecisionIndex): StreamResult {
    const key = JSON.stringify(f) + (dedup ? '' : ' nodedup');
    const hit = this.byKey.get(key);
    if (hit && hit.version === index.version && now >= hit.at && now < hit.validUntil) return hit.r;
    const r = index.startup(compileDecisionFilter(f), now, dedup);
    let validUntil = Infinity;
    for (const d of r.new) if (d.until < validUntil) validUntil = d.until;
    if (this.byKey.size >= SNAPSHOTS_KEPT) this.byKey.delete(this.byKey.keys().next().value!);
    this.byKey.set(key, { version: index.version, at: now, validUntil, r });
    return r;
  }
}
const SNAPSHOTS_KEPT = 8;
/** transactions of a deletion between two replays into the index (see DecisionTable.expireIds) */
const SYNC_CHUNKS = 4;

export class DecisionTable {
  /** startup snapshots shared by the bouncers pulling one at about the same time (issue 11 §4) */
  private readonly snapshots = new SnapshotCache();

  constructor(
    private readonly t: LapiTables,
    private readonly memory: LapiMemory,
  ) {}

  get(id: number): DecisionRecord | undefined {
    const r = this.memory.index.get(id);
    if (r !== undefined) return r;
    if (this.memory.isHeldDecision(id)) return undefined; // part of a write in chunks not ended
    const s = this.t.decisions.get(id);
    return s === undefined ? undefined : decisionRecord(s);
  }

  query(f: DecisionFilter, now: number): DecisionRecord[] {
    return this.memory.index.live(compileDecisionFilter(f), now);
  }

  /** soft delete of the active decisions matching f (see LapiStore.expireDecisions) */
  async expire(f: DecisionFilter, now: number): Promise<number> {
    this.memory.sync();
    return this.expireIds(this.memory.index.activeIds(compileDecisionFilter(f), now), now);
  }

  async expireOne(id: number, now: number): Promise<boolean> {
    this.memory.sync();
    return (await this.expireIds([id], now)) === 1;
  }

  async expireMany(ids: readonly number[], now: number): Promise<number> {
    this.memory.sync();
    return this.expireIds(ids, now);
  }

  /**
   * DELETE_CHUNK per transaction, the event loop running between them; the index replays them every
   * SYNC_CHUNKS transactions and at the end (from the records written here, no LMDB read), so that bouncers see
   * a large deletion in a few steps, each of them in the change log (a later delta carries the rest). A crash
   * keeps the chunks committed: each of their decisions really expired and logged, the others untouched.
   */
  private async expireIds(ids: readonly number[], now: number): Promise<number> {
    let n = 0;
    let local: LocalWrites = { decisions: new Map(), alerts: new Map() };
    const batches = slices(ids, DELETE_CHUNK);
    for (const [k, batch] of batches.entries()) {
      if (k > 0) await nextTurn();
      n += await logTransaction(this.t, (log) => {
        let done = 0;
        for (const id of batch) {
          const s = this.t.decisions.get(id);
          if (s === undefined || !(s.until > now)) continue; // gone or already expired meanwhile
          const next = { ...s, until: now };
          this.t.decisions.put(id, next);
          local.decisions.set(id, decisionRecord(next));
          log.append(LogKind.Update, id);
          done++;
        }
        return done;
      });
      if ((k + 1) % SYNC_CHUNKS !== 0 && k + 1 < batches.length) continue;
      await nextTurn();
      this.memory.sync(local);
      local = { decisions: new Map(), alerts: new Map() };
    }
    return n;
  }

  stream(
    f: DecisionFilter,
    opts: { startup: boolean; lastPull: number | null; dedup: boolean; now: number },
  ): StreamResult {
    const index = this.memory.index;
    if (opts.startup || opts.lastPull === null) return this.snapshots.get(f, opts.dedup, opts.now, index);
    return index.delta(compileDecisionFilter(f), opts.lastPull, opts.now, opts.dedup, JSON.stringify(f));
  }

  activeCount(now: number): number {
    return this.memory.index.activeCount(now);
  }

  /** see LapiStore.countDecisions */
  count(value: string, opts: { activeOnly: boolean; since?: number; now: number }): number {
    if (opts.activeOnly) return this.memory.index.countActiveByValue(value, opts.now, opts.since);
    // from LMDB (expired decisions beyond the index's retention count too), without the decisions of writes in
    // chunks not ended: the log is replayed first so that the held writes are those of what is read here
    this.memory.sync();
    const k = valueKey(value);
    let n = 0;
    for (const { key, value: createdAt } of this.t.decisionValues.getRange({ start: [k], end: [k, Infinity] })) {
      if ((opts.since === undefined || createdAt >= opts.since) && !this.memory.isHeldDecision(key[1])) n++;
    }
    return n;
  }
}
