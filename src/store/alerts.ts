// The alerts table of the Local API store: an alert and its decisions are written in one transaction (ids and
// UUIDs assigned there, creation times from the store clock, never behind the last one stamped), queries and
// counts over the in-memory alert summaries (./change-log.ts) with only the returned alerts decoded, and
// deletion of alerts with their decisions (WRITE_BATCH alerts per transaction).

import crypto from 'node:crypto';
import { alertMatches, sortAlerts, type AlertSummary } from './alert-filter.js';
import { LogKind, rangeOf } from './lapi-schema.js';
import { counter, slices, StoreRecordError, WRITE_BATCH, type LapiTables } from './lapi-tables.js';
import { logTransaction, type LapiMemory, type LocalWrites, type LogCursor } from './change-log.js';
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

/** checks what the store itself relies on and parses the decisions' intervals; throws naming the field */
function prepareAlert(a: NewAlert, index: number): PreparedDecision[] {
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
  const list = a.decisions ?? [];
  return list.map((d, j) => checkDecision(d, `alert ${index}, decision ${j}`));
}

export class AlertTable {
  constructor(
    private readonly t: LapiTables,
    private readonly memory: LapiMemory,
    private readonly decisions: DecisionTable,
  ) {}

  /** stores alerts with their decisions; `replaceIds`: decisions hard-deleted in the same transaction (a refresh
   *  that bouncers see as a new row, never as a deletion) */
  async add(alerts: NewAlert[], replaceIds: readonly number[] = []): Promise<number[]> {
    if (alerts.length === 0 && replaceIds.length === 0) return [];
    const prepared = alerts.map(prepareAlert);
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
          const a = alerts[i]!;
          const id = ++alertId;
          const decisionIds: number[] = [];
          for (const d of prepared[i]!) {
            const rec: DecisionRecord = {
              id: ++decisionId,
              uuid: crypto.randomUUID(),
              alertId: id,
              createdAt: log.at,
              until: d.until,
              scenario: d.scenario,
              type: d.type,
              scope: d.scope,
              value: d.value,
              origin: d.origin,
              simulated: d.simulated,
              range: d.range,
            };
            insertDecision(t, log, rec);
            local.decisions.set(rec.id, rec);
            decisionIds.push(rec.id);
          }
          const rec: AlertRecord = {
            id,
            uuid: crypto.randomUUID(),
            machineId: a.machineId,
            createdAt: a.createdAt ?? log.at,
            scenario: a.scenario,
            scenarioHash: a.scenarioHash,
            scenarioVersion: a.scenarioVersion,
            message: a.message,
            eventsCount: a.eventsCount,
            startAt: a.startAt,
            stopAt: a.stopAt,
            capacity: a.capacity,
            leakspeed: a.leakspeed,
            simulated: a.simulated,
            remediation: a.remediation,
            kind: a.kind,
            labels: a.labels,
            source: a.source,
            events: a.events,
            meta: a.meta,
            decisionIds,
          };
          t.alerts.put(id, rec);
          log.append(LogKind.AlertPut, id);
          local.alerts.set(id, rec);
          out[i] = id;
        }
        t.counters.put('alert', alertId);
        t.counters.put('decision', decisionId);
        t.counters.put('clock', log.at);
        return out;
      },
      () => Math.max(t.clock(), counter(t, 'clock')),
    );
    this.memory.sync(local);
    return ids;
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

  /** removes alerts and their decisions, WRITE_BATCH alerts per transaction; bouncers are not told */
  async remove(ids: number[]): Promise<{ alerts: number; decisions: number }> {
    let alerts = 0;
    let decisions = 0;
    const t = this.t;
    for (const batch of slices(ids, WRITE_BATCH)) {
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
