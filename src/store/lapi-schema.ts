// How the Local API records are laid out in LMDB (sub-databases registered in `SubDbs` of ./lmdb.ts). Owns
// the stored shapes that differ from the records of ./records.ts, the decision change-log entry, the
// counter names and the key of the by-value decision index.
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

import crypto from 'node:crypto';
import type { DecisionRecord } from './records.js';

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
}

export interface DecisionLogEntry {
  k: LogKind;
  /** decision id (alert id for the Alert* kinds) */
  id: number;
  /** store time of the commit */
  at: number;
}

export type CounterName = 'alert' | 'decision' | 'seq' | 'clock';

/** LMDB keys are at most 1978 bytes: long values are indexed by their SHA-256 */
export function valueKey(value: string): string {
  return value.length <= 256 ? value : '#sha256:' + crypto.createHash('sha256').update(value).digest('hex');
}
