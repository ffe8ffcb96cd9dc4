// Writes in chunks made atomic across a crash (issue 11 §4). A large alert write (./alerts.ts addInChunks) runs
// in several LMDB transactions; its first one puts a WriteIntent (./lapi-schema.ts: the reserved decision and
// alert ids, the writer process) and logs WriteBegin, its last one removes the intent and logs WriteEnd. Every
// process keeps the decisions of a held write invisible (./change-log.ts), so nobody ever serves a part of it.
// A write whose writer died (kill -9, power loss) or failed leaves its intent: it is rolled back — the
// decisions written so far deleted through the normal path (logged Remove entries, so every process replaying
// the log drops them too), then the intent removed with a WriteEnd. Owns: the intent's begin and end inside
// the writer's transactions, the rollback, and the recovery of dead writers' intents (at open, and whenever a
// held write's writer is found gone).

import { PicketError } from '../core/errors.js';
import { LogKind, type IdInterval, type WriteIntent } from './lapi-schema.js';
import { WRITE_BATCH, type LapiTables } from './lapi-tables.js';
import { logTransaction, type LapiMemory, type LogCursor } from './change-log.js';
import { removeDecision } from './decisions.js';
import { ownerAlive, ownIdentity } from './process-owner.js';

/** decisions removed per transaction by a rollback */
const ROLLBACK_BATCH = WRITE_BATCH * 4;

let identity: string | null | undefined;

/** inside the write's first transaction: records its intent (key: its first decision id) and logs WriteBegin */
export function beginWrite(t: LapiTables, log: LogCursor, decisions: IdInterval, alerts: IdInterval): number {
  identity ??= ownIdentity();
  const intent: WriteIntent = { decisions, alerts, pid: process.pid, owner: identity, at: log.at };
  t.writes.put(decisions.from, intent);
  log.append(LogKind.WriteBegin, decisions.from);
  return decisions.from;
}

/**
 * A write in chunks was rolled back by another process while it ran (its writer was taken for dead, e.g. seen
 * from another pid namespace); nothing more of it is written (code STORE_WRITE_ROLLED_BACK).
 */
export class WriteRolledBackError extends PicketError {
  constructor(key: number) {
    super('STORE_WRITE_ROLLED_BACK', `a write of decisions from id ${key} was rolled back while it ran`);
  }
}

/** inside each of the write's transactions, before any write: throws when its intent is gone (rolled back) */
export function checkWrite(t: LapiTables, key: number): void {
  if (t.writes.get(key) === undefined) throw new WriteRolledBackError(key);
}

/** inside the write's last transaction (after its alerts): removes its intent and logs WriteEnd */
export function endWrite(t: LapiTables, log: LogCursor, key: number): void {
  if (t.writes.get(key) === undefined) return; // rolled back meanwhile
  t.writes.remove(key);
  log.append(LogKind.WriteEnd, key);
}

/**
 * Rolls back the write `key`: its decisions (ROLLBACK_BATCH per transaction) and any of its alerts, then its
 * intent. Safe to run twice or concurrently (every step checks what is still there). Returns the decisions
 * removed, null when the intent was already gone.
 */
export async function rollBackWrite(t: LapiTables, memory: LapiMemory, key: number): Promise<number | null> {
  const w = t.writes.get(key);
  if (w === undefined) return null;
  let removed = 0;
  for (let from = w.decisions.from; from <= w.decisions.to; from += ROLLBACK_BATCH) {
    const to = Math.min(w.decisions.to, from + ROLLBACK_BATCH - 1);
    removed += await logTransaction(t, (log) => {
      let n = 0;
      for (let id = from; id <= to; id++) if (removeDecision(t, log, id)) n++;
      return n;
    });
    memory.sync();
  }
  await logTransaction(t, (log) => {
    for (let id = w.alerts.from; id <= w.alerts.to; id++) {
      if (t.alerts.get(id) === undefined) continue;
      t.alerts.remove(id);
      log.append(LogKind.AlertRemove, id);
    }
    endWrite(t, log, key);
  });
  memory.sync();
  return removed;
}

/** what a recovery did */
export interface Recovered {
  writes: number;
  decisions: number;
}

/**
 * Rolls back every held write whose writer is gone (another process that died, or an earlier life of this
 * pid), logging one line per write naming its alerts. Writes of live processes (this one included) are left.
 */
export async function recoverDeadWrites(
  t: LapiTables,
  memory: LapiMemory,
  log: (line: string) => void,
): Promise<Recovered> {
  const out: Recovered = { writes: 0, decisions: 0 };
  for (const h of [...memory.heldWrites]) {
    const w = t.writes.get(h.key);
    if (w === undefined || ownerAlive(w.pid, w.owner)) continue;
    const n = await rollBackWrite(t, memory, h.key);
    if (n === null) continue;
    out.writes++;
    out.decisions += n;
    const alerts = w.alerts.from === w.alerts.to ? `alert ${w.alerts.from}` : `alerts ${w.alerts.from}-${w.alerts.to}`;
    log(
      `LAPI store: rolled back an interrupted write of ${alerts} (process ${w.pid} stopped after writing ` +
        `${n} of its ${w.decisions.to - w.decisions.from + 1} decisions)`,
    );
  }
  return out;
}
