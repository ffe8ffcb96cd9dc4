// How the Local API records are laid out in LMDB (sub-databases registered in `SubDbs` of ./lmdb.ts). Owns
// the stored shapes that differ from the records of ./records.ts (and the conversions), the decision change-log
// entry, the counter names and the key of the by-value decision index.
//
//   machines          machineId -> MachineRecord
//   bouncers          name -> BouncerRecord
//   bouncerKeys       SHA-512 hex of the API key -> bouncer name
//   alerts            id (number, ascending) -> AlertRecord
//   decisions         id (number, ascending) -> StoredDecision (the interval is re-parsed from `value`)
//   decisionValues    [valueKey(value), id] -> createdAt (counting a value's decisions without a scan)
//   decisionLog       seq (number, ascending) -> DecisionLogEntry: every decision creation, change and
//                     removal and every alert write and removal, in commit order; a process catches up
//                     with other processes' writes from it
//   lapiCounters      'alert' | 'decision' | 'seq' (last used) and 'clock' (last creation time stamped)
//   lapiWrites        first decision id (number) -> WriteIntent: a write in chunks in progress (its reserved
//                     ids and its writer), put by its first transaction and removed by its last one

import crypto from 'node:crypto';
import { parseIpOrRange } from './iprange.js';
import type { DecisionRecord, IpRange } from './records.js';

export type StoredDecision = Omit<DecisionRecord, 'range'>;

export const enum LogKind {
  /** decision created */
  Add = 1,
  /** decision changed (soft delete: until := now) */
  Update = 2,
  /** decision removed (hard delete with its alert, retention) */
  Remove = 3,
  /** alert created or rewritten (its machine deleted) */
  AlertPut = 4,
  /** alert removed */
  AlertRemove = 5,
  /** a write in chunks began (id: the key of its WriteIntent); its ids are held until WriteEnd */
  WriteBegin = 6,
  /** a write in chunks ended, whole or rolled back (id: the key of its WriteIntent) */
  WriteEnd = 7,
}

/** inclusive id interval */
export interface IdInterval {
  from: number;
  to: number;
}

/**
 * A write in chunks in progress (issue 11 §4): the ids it reserved and the process writing it. Until its last
 * transaction removes it, every process keeps the decisions of the interval invisible; a writer that died
 * leaves it behind, and whoever finds it rolls the partial write back (./chunked-writes.ts).
 */
export interface WriteIntent {
  decisions: IdInterval;
  alerts: IdInterval;
  /** the writer's process id, and its identity beyond the pid (./process-owner.ts; null where unknown) */
  pid: number;
  owner: string | null;
  /** store time of the first transaction */
  at: number;
}

export interface DecisionLogEntry {
  k: LogKind;
  /** decision id (alert id for the Alert* kinds, WriteIntent key for the Write* kinds) */
  id: number;
  /** store time of the commit */
  at: number;
}

export type CounterName = 'alert' | 'decision' | 'seq' | 'clock';

/** LMDB keys are at most 1978 bytes: long values are indexed by their SHA-256 */
export function valueKey(value: string): string {
  return value.length <= 256 ? value : '#sha256:' + crypto.createHash('sha256').update(value).digest('hex');
}

/** the interval of an `Ip`/`Range` decision (null for other scopes or a value that is not an address) */
export function rangeOf(scope: string, value: string): IpRange | null {
  return scope === 'Ip' || scope === 'Range' ? parseIpOrRange(value) : null;
}

export function decisionRecord(s: StoredDecision): DecisionRecord {
  return {
    id: s.id,
    uuid: s.uuid,
    alertId: s.alertId,
    createdAt: s.createdAt,
    until: s.until,
    scenario: s.scenario,
    type: s.type,
    scope: s.scope,
    value: s.value,
    origin: s.origin,
    simulated: s.simulated,
    range: rangeOf(s.scope, s.value),
  };
}

export function storedDecision(r: DecisionRecord): StoredDecision {
  return {
    id: r.id,
    uuid: r.uuid,
    alertId: r.alertId,
    createdAt: r.createdAt,
    until: r.until,
    scenario: r.scenario,
    type: r.type,
    scope: r.scope,
    value: r.value,
    origin: r.origin,
    simulated: r.simulated,
  };
}
