// The alerts table of the Local API store: an alert and its decisions are written in one transaction (ids and
// UUIDs assigned there, creation times from the store clock, never behind the last one stamped) or, when large,
// in chunks of transactions that every reader sees at once and that a crash rolls back (issue 11 §4,
// ./chunked-writes.ts), queries and
// counts over the in-memory alert summaries (./change-log.ts) with only the returned alerts decoded, and
// deletion of alerts with their decisions (about DELETE_CHUNK records per transaction).

import crypto from 'node:crypto';
import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { alertMatches, sortAlerts, type AlertSummary } from './alert-filter.js';
import { LogKind, rangeOf } from './lapi-schema.js';
import { counter, DELETE_CHUNK, StoreRecordError, weightedSlices, type LapiTables } from './lapi-tables.js';
import { logTransaction, type LapiMemory, type LocalWrites, type LogCursor } from './change-log.js';
import { beginWrite, checkWrite, endWrite, rollBackWrite } from './chunked-writes.js';
import { insertDecision, removeDecision, type DecisionTable } from './decisions.js';
import type { AlertFilter, AlertRecord, DecisionRecord, IpRange, NewAlert } from './records.js';

/** default number of alerts of GET /v1/alerts */
export const DEFAULT_ALERT_LIMIT = 100;

interface PreparedDecision {
  until: number;
  scenario: string;
  type: string;
  scope: string;
  value: string;
  origin: string;
  simulated: boolean;
  range: IpRange | null;
}

function checkDecision(d: unknown, where: string): PreparedDecision {
  if (d === null || typeof d !== 'object') throw new StoreRecordError(`${where}: not an object`);
  const x = d as Record<string, unknown>;
  if (typeof x.until !== 'number' || !Number.isFinite(x.until)) {
    throw new StoreRecordError(`${where}: until must be a finite time in ms`);
  }
  for (const k of ['scenario', 'type', 'scope', 'value', 'origin'] as const) {
    if (typeof x[k] !== 'string') throw new StoreRecordError(`${where}: ${k} must be a string`);
  }
  const v = x as unknown as PreparedDecision;
  return {
    until: v.until,
    scenario: v.scenario,
    type: v.type,
    scope: v.scope,
    value: v.value,
    origin: v.origin,
    simulated: x.simulated === true,
    range: rangeOf(v.scope, v.value),
  };
}

/** checks what the store itself relies on (the alert's own fields); returns its decisions; throws naming the field */
function checkAlert(a: NewAlert, index: number): unknown[] {
  const where = `alert ${index}`;
  if (a === null || typeof a !== 'object') throw new StoreRecordError(`${where}: not an object`);
  for (const k of ['machineId', 'scenario', 'startAt', 'stopAt', 'kind'] as const) {
    if (typeof a[k] !== 'string') throw new StoreRecordError(`${where}: ${k} must be a string`);
  }
  const src = a.source;
  if (src === null || typeof src !== 'object' || typeof src.scope !== 'string' || typeof src.value !== 'string') {
    throw new StoreRecordError(`${where}: source must be an object with string scope and value`);
  }
  if (a.createdAt !== undefined && !Number.isFinite(a.createdAt)) {
    throw new StoreRecordError(`${where}: createdAt must be a time in ms`);
  }
  if (a.decisions !== undefined && a.decisions !== null && !Array.isArray(a.decisions)) {
    throw new StoreRecordError(`${where}: decisions must be an array`);
  }
  return a.decisions ?? [];
}

/** every alert checked and its decisions' intervals parsed, before any write; pauses every ADD_CHUNK decisions */
async function prepareAlerts(alerts: NewAlert[]): Promise<PreparedDecision[][]> {
  const out: PreparedDecision[][] = [];
  let since = 0;
  for (let i = 0; i < alerts.length; i++) {
    const list = checkAlert(alerts[i]!, i);
    const prepared = new Array<PreparedDecision>(list.length);
    for (let j = 0; j < list.length; j++) {
      prepared[j] = checkDecision(list[j], `alert ${i}, decision ${j}`);
      if (++since >= ADD_CHUNK) {
        since = 0;
        await nextTurn();
      }
    }
    out.push(prepared);
  }
  return out;
}

function decisionRecord(d: PreparedDecision, id: number, alertId: number, at: number): DecisionRecord {
  return {
    id,
    uuid: crypto.randomUUID(),
    alertId,
    createdAt: at,
    until: d.until,
    scenario: d.scenario,
    type: d.type,
    scope: d.scope,
    value: d.value,
    origin: d.origin,
    simulated: d.simulated,
    range: d.range,
  };
}

function alertRecord(a: NewAlert, id: number, at: number, decisionIds: number[]): AlertRecord {
  const { decisions, createdAt, ...fields } = a; // a NewAlert is an AlertRecord without ids, with its decisions
  void decisions;
  return { id, uuid: crypto.randomUUID(), ...fields, createdAt: createdAt ?? at, decisionIds };
}

/**
 * decisions written per transaction by a large add: each transaction (and each step of checking) takes a few
 * tens of milliseconds at most, other requests run between them (issue 11 §4)
 */
export const ADD_CHUNK = 500;

/**
 * Test hook (crash tests, test/store/lapi-crash.test.ts): with PICKET_TEST_CHUNK_PAUSE=1 in the environment, a
 * write in chunks prints `chunk-pause` on stderr after each chunk but the last and waits
 * there for a line on stdin, so a test can kill the process at a known point. Unset (production): nothing.
 */
const CHUNK_PAUSE = process.env.PICKET_TEST_CHUNK_PAUSE === '1';
async function pauseForTest(more: boolean): Promise<void> {
  if (!CHUNK_PAUSE || !more) return;
  process.stderr.write('chunk-pause\n');
  process.stdin.resume();
  await once(process.stdin, 'data');
  process.stdin.pause(); // stdin keeps the process alive only while it waits
}

export class AlertTable {
  constructor(
    private readonly t: LapiTables,
    private readonly memory: LapiMemory,
    private readonly decisions: DecisionTable,
  ) {}

  /**
   * Stores alerts with their decisions; `replaceIds`: decisions hard-deleted in the same transaction (a refresh
   * that bouncers see as a new row, never as a deletion). Up to ADD_CHUNK decisions: one transaction; more: in
   * chunks (addInChunks), shown to every reader at once all the same, never in part.
   */
  async add(alerts: NewAlert[], replaceIds: readonly number[] = []): Promise<number[]> {
    if (alerts.length === 0 && replaceIds.length === 0) return [];
    const prepared = await prepareAlerts(alerts);
    let total = 0;
    for (const p of prepared) total += p.length;
    if (total > ADD_CHUNK) return this.addInChunks(alerts, prepared, replaceIds, total);
    const local: LocalWrites = { decisions: new Map(), alerts: new Map() };
    const t = this.t;
    const ids = await logTransaction(
      t,
      (log) => {
        let alertId = counter(t, 'alert');
        let decisionId = counter(t, 'decision');
        for (const id of replaceIds) removeDecision(t, log, id);
        const out = new Array<number>(alerts.length);
        for (let i = 0; i < alerts.length; i++) {
          const id = ++alertId;
          const decisionIds: number[] = [];
          for (const d of prepared[i]!) {
            const rec = decisionRecord(d, ++decisionId, id, log.at);
            insertDecision(t, log, rec);
            local.decisions.set(rec.id, rec);
            decisionIds.push(rec.id);
          }
          out[i] = this.putAlert(log, alertRecord(alerts[i]!, id, log.at, decisionIds), local);
        }
        t.counters.put('alert', alertId);
        t.counters.put('decision', decisionId);
        t.counters.put('clock', log.at);
        return out;
      },
      () => this.stamp(),
    );
    this.memory.sync(local);
    return ids;
  }

  /** creation time of a new write: the clock, never behind the last one stamped */
  private stamp(): number {
    return Math.max(this.t.clock(), counter(this.t, 'clock'));
  }

  private putAlert(log: LogCursor, rec: AlertRecord, local: LocalWrites): number {
    this.t.alerts.put(rec.id, rec);
    log.append(LogKind.AlertPut, rec.id);
    local.alerts.set(rec.id, rec);
    return rec.id;
  }

  /**
   * A large add: ids reserved and the write's intent recorded in a first transaction, decisions written
   * ADD_CHUNK per transaction, then the alerts (and the removal of `replaceIds`) with the intent's removal in a
   * last one. Every process holds the reserved ids invisible until that last transaction is applied, then shows
   * all of it at once; a failure, or a crash (recovered by the next process to open the store), rolls the
   * decisions written so far back (./chunked-writes.ts). Test hook: PICKET_TEST_CHUNK_PAUSE (see pauseForTest).
   */
  private async addInChunks(
    alerts: NewAlert[],
    prepared: PreparedDecision[][],
    replaceIds: readonly number[],
    total: number,
  ): Promise<number[]> {
    const t = this.t;
    const base = await logTransaction(
      t,
      (log) => {
        const r = { alert: counter(t, 'alert'), decision: counter(t, 'decision'), at: log.at, key: 0 };
        t.counters.put('alert', r.alert + alerts.length);
        t.counters.put('decision', r.decision + total);
        t.counters.put('clock', log.at);
        const decisions = { from: r.decision + 1, to: r.decision + total };
        r.key = beginWrite(t, log, decisions, { from: r.alert + 1, to: r.alert + alerts.length });
        return r;
      },
      () => this.stamp(),
    );
    this.memory.sync(); // WriteBegin: this process holds the ids from now on
    const local: LocalWrites = { decisions: new Map(), alerts: new Map() };
    try {
      const decisionIds = await this.writeDecisionChunks(prepared, base, local);
      const ids = await logTransaction(
        t,
        (log) => {
          checkWrite(t, base.key); // first, before any write (a throw keeps what was written before it)
          for (const id of replaceIds) removeDecision(t, log, id);
          const out = alerts.map((a, i) =>
            this.putAlert(log, alertRecord(a, base.alert + 1 + i, log.at, decisionIds[i]!), local),
          );
          endWrite(t, log, base.key);
          return out;
        },
        () => base.at,
      );
      this.memory.sync(local); // WriteEnd: everything shown at once
      return ids;
    } catch (e) {
      await rollBackWrite(t, this.memory, base.key).catch(() => undefined); // else: at the next open
      throw e;
    }
  }

  /** the decisions of addInChunks, ADD_CHUNK per transaction; returns their ids per alert */
  private async writeDecisionChunks(
    prepared: PreparedDecision[][],
    base: { alert: number; decision: number; at: number; key: number },
    local: LocalWrites,
  ): Promise<number[][]> {
    const t = this.t;
    const decisionIds: number[][] = prepared.map(() => []);
    let next = base.decision;
    let i = 0;
    let j = 0;
    const end = base.decision + prepared.reduce((n, p) => n + p.length, 0);
    while (next < end) {
      await logTransaction(
        t,
        (log) => {
          checkWrite(t, base.key);
          for (let n = 0; n < ADD_CHUNK && i < prepared.length;) {
            const list = prepared[i]!;
            if (j >= list.length) {
              i++;
              j = 0;
              continue;
            }
            const rec = decisionRecord(list[j++]!, ++next, base.alert + 1 + i, log.at);
            insertDecision(t, log, rec);
            local.decisions.set(rec.id, rec);
            decisionIds[i]!.push(rec.id);
            n++;
          }
        },
        () => base.at,
      );
      this.memory.sync(local);
      await pauseForTest(next < end);
    }
    return decisionIds;
  }

  get(id: number): AlertRecord | undefined {
    return this.t.alerts.get(id);
  }

  /** every field of §6.7; DESC by created_at then id unless sort=ASC; limit default 100, 0 = unlimited */
  query(f: AlertFilter, now: number): AlertRecord[] {
    this.memory.sync(); // other processes' alerts (cscli-like tools): a log read, microseconds when nothing is new
    const hits = sortAlerts(this.matching(f, now), f.sort);
    const limit = f.limit ?? DEFAULT_ALERT_LIMIT;
    if (limit > 0 && hits.length > limit) hits.length = limit;
    const out: AlertRecord[] = [];
    for (const h of hits) {
      const a = this.t.alerts.get(h.id);
      if (a !== undefined) out.push(a); // undefined: deleted by another process since the last catch-up
    }
    return out;
  }

  /** alerts matching f (limit ignored) counted by scenario, from memory: what the cs_alerts gauge needs */
  countByScenario(f: AlertFilter, now: number): Map<string, number> {
    this.memory.sync();
    const counts = new Map<string, number>();
    for (const a of this.matching(f, now)) counts.set(a.scenario, (counts.get(a.scenario) ?? 0) + 1);
    return counts;
  }

  private matching(f: AlertFilter, now: number): AlertSummary[] {
    const decisionOf = (id: number): DecisionRecord | undefined => this.decisions.get(id);
    const out: AlertSummary[] = [];
    for (const a of this.memory.alertSummaries.values()) {
      if (alertMatches(f, a, decisionOf, now)) out.push(a);
    }
    return out;
  }

  /** hard delete of every alert matching f (limit and sort ignored), with their decisions */
  async deleteMatching(f: AlertFilter, now: number): Promise<number> {
    this.memory.sync();
    const ids = this.matching(f, now).map((a) => a.id);
    return (await this.remove(ids)).alerts;
  }

  /**
   * removes alerts and their decisions, about DELETE_CHUNK records per transaction (an alert weighs as 4
   * decisions; one with more decisions than that is alone in its transaction), the event loop running between
   * them; bouncers are not told
   */
  async remove(ids: number[]): Promise<{ alerts: number; decisions: number }> {
    let alerts = 0;
    let decisions = 0;
    const t = this.t;
    const weight = (id: number) => 4 + (this.memory.alertSummaries.get(id)?.decisionIds.length ?? 0);
    for (const [k, batch] of weightedSlices(ids, weight, DELETE_CHUNK).entries()) {
      if (k > 0) await nextTurn();
      const done = await logTransaction(t, (log) => {
        let na = 0;
        let nd = 0;
        for (const id of batch) {
          const a = t.alerts.get(id);
          if (a === undefined) continue;
          for (const did of a.decisionIds) if (removeDecision(t, log, did)) nd++;
          t.alerts.remove(id);
          log.append(LogKind.AlertRemove, id);
          na++;
        }
        return [na, nd] as const;
      });
      alerts += done[0];
      decisions += done[1];
      this.memory.sync();
    }
    return { alerts, decisions };
  }
}

/** inside a transaction: the alerts of a deleted machine keep their place with machineId 'N/A' (CrowdSec's
 * dangling foreign key) */
export function orphanMachineAlerts(t: LapiTables, log: LogCursor, machineId: string): void {
  for (const { key, value } of t.alerts.getRange({})) {
    if (value.machineId !== machineId) continue;
    t.alerts.put(key, { ...value, machineId: 'N/A' });
    log.append(LogKind.AlertPut, key);
  }
}
