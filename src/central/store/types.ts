// The storage contract of Picket Central, implemented by the embedded store (./lmdb-store.ts, the default) and by
// PostgreSQL (./pg-store.ts, `--db postgres://…`). The server and the CLI only see this interface. Writes that
// come from the HTTP path are batched by the caller (signal ingest, pull times); every method is safe to call
// from a CLI process while a server runs on the same store.

import type { AuditRecord, CentralOp, CuratedRecord, MachineRecord, StoreStats, StoredSignal } from '../records.js';

/** A saved consensus state: its JSON chunks in order and the last raw signal it reflects. */
export interface SavedState {
  chunks: string[];
  /** `seq` of the last signal the consensus had ingested when the state was taken (0: none) */
  seq: number;
  /** that signal's receive time (ms; 0: none): signals stored after it are received at or after it */
  received: number;
  savedAt: number;
}

export interface CentralStore {
  readonly kind: 'lmdb' | 'postgres';
  getMachine(login: string): Promise<MachineRecord | undefined>;
  putMachine(m: MachineRecord): Promise<void>;
  /** true when it existed */
  deleteMachine(login: string): Promise<boolean>;
  listMachines(): Promise<MachineRecord[]>;

  /** one batch of minimised signals (one transaction) */
  addSignals(rows: readonly StoredSignal[]): Promise<void>;
  /** claims signal ids (a keyed hash of reporter and alert UUID) received at `at` (ms); returns the ids that were
   *  not claimed before, atomically (a resent signal is then counted once; ids expire with the signals) */
  claimSignalIds(ids: readonly string[], at: number): Promise<Set<string>>;
  /** drop raw signals (and claimed signal ids) received before `before` (ms); returns how many signals went */
  expireSignals(before: number): Promise<number>;
  /** every signal about `value` (an address or a CIDR, exact text); returns how many went */
  eraseSignals(value: string): Promise<number>;
  /** signals about `value` (tests, erase checks) */
  signalsFor(value: string): Promise<StoredSignal[]>;
  /** signals with `seq` > `after` received at or after `since` (ms), by receive time then seq, in pages (the
   *  replay at start of what a saved state does not reflect) */
  signalsAfter(after: number, since: number): AsyncIterable<StoredSignal[]>;

  putCurated(c: CuratedRecord): Promise<void>;
  deleteCurated(value: string): Promise<boolean>;
  listCurated(): Promise<CuratedRecord[]>;

  addAudit(a: AuditRecord): Promise<void>;
  listAudit(): Promise<AuditRecord[]>;

  /** queue an operator operation for the running server */
  pushOp(op: CentralOp): Promise<void>;
  /** queued operations with their ids, oldest first */
  pendingOps(): Promise<Array<{ id: string; op: CentralOp }>>;
  /** drop applied operations */
  ackOps(ids: readonly string[]): Promise<void>;

  /** the consensus state: its chunks are written one at a time, then it replaces the previous state at once (a
   *  crash in between leaves the previous one) */
  saveState(state: SavedState): Promise<void>;
  /** the last saved state (a state saved before chunks existed comes back as one chunk with seq 0) */
  loadState(): Promise<SavedState | undefined>;

  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}
