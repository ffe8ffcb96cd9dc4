// Saving and restoring Picket Central's consensus state (docs/CENTRAL.md, "State"). Owns the save a piece at a
// time (the gate held while the consensus produces its chunks, the event loop served between two; the chunks then
// written one by one, and the state names the last signal it reflects) and the restore at start (the saved
// chunks, every known reporter, then the raw signals stored after that signal, replayed in order through the same
// consensus code with a tick at each new minute, as the running server ticked between them).

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Consensus, ListChange } from './consensus/types.js';
import type { ConsensusGate } from './gate.js';
import type { IngestPoint } from './ingest.js';
import type { MachineRecord } from './records.js';
import type { CentralStore } from './store/types.js';

/** Signals stored after a state's point are received no earlier than this before it (a clock stepped back). */
export const REPLAY_MARGIN_MS = 10 * 60_000;

export interface SaveResult {
  chunks: number;
  chars: number;
  /** wall time of the whole save */
  ms: number;
  /** the longest piece of work done without yielding to the event loop while producing the chunks */
  longestStepMs: number;
  /** changes (signal batches, ticks, registrations) that waited for the gate */
  waited: number;
  point: IngestPoint;
}

export async function saveConsensus(o: {
  consensus: Consensus;
  gate: ConsensusGate;
  store: CentralStore;
  point: () => IngestPoint;
  now: number;
}): Promise<SaveResult> {
  const t0 = performance.now();
  const chunks: string[] = [];
  let longest = 0,
    chars = 0,
    waited: number,
    point: IngestPoint;
  o.gate.hold();
  try {
    point = o.point();
    const it = o.consensus.exportStateChunks()[Symbol.iterator]();
    for (;;) {
      const s = performance.now();
      const n = it.next();
      longest = Math.max(longest, performance.now() - s);
      if (n.done) break;
      chunks.push(n.value);
      chars += n.value.length;
      await nextTurn();
    }
  } finally {
    waited = o.gate.waiting;
    await o.gate.release();
  }
  await o.store.saveState({ chunks, seq: point.seq, received: point.received, savedAt: o.now });
  return { chunks: chunks.length, chars, ms: performance.now() - t0, longestStepMs: longest, waited, point };
}

export interface RestoreResult {
  /** a saved state was found */
  restored: boolean;
  /** raw signals replayed on top of it */
  replayed: number;
  /** the last signal the consensus now reflects */
  point: IngestPoint;
}

export async function restoreConsensus(o: {
  consensus: Consensus;
  store: CentralStore;
  machines: readonly MachineRecord[];
  register: (m: MachineRecord) => void;
  /** what the replay's ticks took off the list */
  removed: (changes: ListChange[]) => void;
}): Promise<RestoreResult> {
  const saved = await o.store.loadState();
  if (saved) o.consensus.importStateChunks(saved.chunks);
  for (const m of o.machines) o.register(m); // a reporter registered after the save is known before its signals
  let point: IngestPoint = { seq: saved?.seq ?? 0, received: saved?.received ?? 0 };
  let tickAt = point.received,
    replayed = 0;
  for await (const page of o.store.signalsAfter(point.seq, Math.max(0, point.received - REPLAY_MARGIN_MS))) {
    for (const s of page) {
      if (s.received > tickAt) {
        o.removed(o.consensus.tick(s.received));
        tickAt = s.received;
      }
      o.consensus.ingest(s);
      replayed++;
      if (s.seq > point.seq) point = { seq: s.seq, received: s.received };
    }
  }
  return { restored: saved !== undefined, replayed, point };
}
