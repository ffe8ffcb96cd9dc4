// The embedded store of Picket Central: `DIR/central.mdb`, an LMDB environment of its own (the LAPI's
// picket.mdb is untouched), shared by the server and CLI processes (LMDB is multi-process). Sub-databases:
// machines (by login), signals (key [received, seq] so expiry and the replay after a saved state are range scans;
// stores written before `seq` existed have [received, pid, n] keys, never replayed), signalIndex ([value, ...signal
// key] for erasure), signalIds (claimed id -> receive time) and signalIdTimes ([time, id], so expiry is a range
// scan), curated (by value), audit and ops (key [time, random]), state (consensus state chunks, key [generation,
// i]), meta (signal count, the head of the current consensus state).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';
import { PicketError } from '../../core/errors.js';
import type { AuditRecord, CentralOp, CuratedRecord, MachineRecord, StoreStats, StoredSignal } from '../records.js';
import type { CentralStore, SavedState } from './types.js';

export const CENTRAL_STORE_FILE = 'central.mdb';
const CHUNK = 5000;

type SignalKey = [number, number];
/** meta 'stateHead': where the current consensus state's chunks are */
type StateHead = Omit<SavedState, 'chunks'> & { gen: number; chunks: number };

export class LmdbCentralStore implements CentralStore {
  readonly kind = 'lmdb' as const;
  private readonly root: RootDatabase;
  private readonly machines: Database<MachineRecord, string>;
  private readonly signals: Database<StoredSignal, Key>;
  private readonly signalIndex: Database<number, Key>;
  private readonly signalIds: Database<number, string>;
  private readonly signalIdTimes: Database<number, Key>;
  private readonly curated: Database<CuratedRecord, string>;
  private readonly audit: Database<AuditRecord, Key>;
  private readonly ops: Database<CentralOp, Key>;
  private readonly meta: Database<unknown, string>;
  private readonly state: Database<string, Key>;

  constructor(dataDir: string) {
    const dir = path.resolve(dataDir);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new PicketError('CENTRAL_STORE', `data folder ${dir}: cannot create it (${(e as Error).message})`);
    }
    try {
      this.root = open({ path: path.join(dir, CENTRAL_STORE_FILE), maxDbs: 16 });
    } catch (e) {
      throw new PicketError(
        'CENTRAL_STORE',
        `data folder ${dir}: cannot open ${CENTRAL_STORE_FILE} (${(e as Error).message})`,
      );
    }
    this.machines = this.root.openDB('machines', {});
    this.signals = this.root.openDB('signals', {});
    this.signalIndex = this.root.openDB('signalIndex', {});
    this.signalIds = this.root.openDB('signalIds', {});
    this.signalIdTimes = this.root.openDB('signalIdTimes', {});
    this.curated = this.root.openDB('curated', {});
    this.audit = this.root.openDB('audit', {});
    this.ops = this.root.openDB('ops', {});
    this.meta = this.root.openDB('meta', {});
    this.state = this.root.openDB('state', {});
  }

  getMachine(login: string): Promise<MachineRecord | undefined> {
    return Promise.resolve(this.machines.get(login));
  }
  async putMachine(m: MachineRecord): Promise<void> {
    await this.machines.put(m.login, m);
  }
  async deleteMachine(login: string): Promise<boolean> {
    if (this.machines.get(login) === undefined) return false;
    return this.machines.remove(login);
  }
  listMachines(): Promise<MachineRecord[]> {
    return Promise.resolve([...this.machines.getRange({})].map((e) => e.value));
  }

  async addSignals(rows: readonly StoredSignal[]): Promise<void> {
    if (rows.length === 0) return;
    await this.root.transaction(() => {
      for (const r of rows) {
        const key: SignalKey = [r.received, r.seq];
        void this.signals.put(key, r);
        void this.signalIndex.put([r.value, ...key], 1);
      }
      void this.meta.put('signalCount', this.count() + rows.length);
    });
  }

  async claimSignalIds(ids: readonly string[], at: number): Promise<Set<string>> {
    const fresh = new Set<string>();
    if (ids.length === 0) return fresh;
    await this.root.transaction(() => {
      for (const id of ids) {
        if (fresh.has(id) || this.signalIds.get(id) !== undefined) continue;
        fresh.add(id);
        void this.signalIds.put(id, at);
        void this.signalIdTimes.put([at, id], 1);
      }
    });
    return fresh;
  }

  private async expireSignalIds(before: number): Promise<void> {
    for (;;) {
      const keys = [...this.signalIdTimes.getKeys({ end: [before], limit: CHUNK })] as Array<[number, string]>;
      if (keys.length === 0) return;
      await this.root.transaction(() => {
        for (const k of keys) {
          void this.signalIdTimes.remove(k);
          void this.signalIds.remove(k[1]);
        }
      });
    }
  }

  private count(): number {
    return (this.meta.get('signalCount') as number | undefined) ?? 0;
  }

  async expireSignals(before: number): Promise<number> {
    await this.expireSignalIds(before);
    let total = 0;
    for (;;) {
      const batch = [...this.signals.getRange({ end: [before], limit: CHUNK })];
      if (batch.length === 0) return total;
      await this.root.transaction(() => {
        for (const { key, value } of batch) {
          void this.signals.remove(key);
          void this.signalIndex.remove([value.value, ...(key as number[])]);
        }
        void this.meta.put('signalCount', Math.max(0, this.count() - batch.length));
      });
      total += batch.length;
    }
  }

  async eraseSignals(value: string): Promise<number> {
    const keys = [...this.signalIndex.getKeys({ start: [value], end: [value, Infinity] })] as Key[];
    if (keys.length === 0) return 0;
    await this.root.transaction(() => {
      for (const k of keys) {
        void this.signalIndex.remove(k);
        void this.signals.remove((k as unknown[]).slice(1) as Key);
      }
      void this.meta.put('signalCount', Math.max(0, this.count() - keys.length));
    });
    return keys.length;
  }

  signalsFor(value: string): Promise<StoredSignal[]> {
    const out: StoredSignal[] = [];
    for (const k of this.signalIndex.getKeys({ start: [value], end: [value, Infinity] })) {
      const s = this.signals.get((k as unknown[]).slice(1) as Key);
      if (s) out.push(s);
    }
    return Promise.resolve(out);
  }

  async *signalsAfter(after: number, since: number): AsyncIterable<StoredSignal[]> {
    let page: StoredSignal[] = [];
    for (const { key, value } of this.signals.getRange({ start: [since] })) {
      const k = key as number[];
      if (k.length !== 2 || k[1]! <= after) continue; // a row from before `seq`, or reflected by the state
      page.push(value);
      if (page.length >= CHUNK) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
  }

  async putCurated(c: CuratedRecord): Promise<void> {
    await this.curated.put(c.value, c);
  }
  async deleteCurated(value: string): Promise<boolean> {
    if (this.curated.get(value) === undefined) return false;
    return this.curated.remove(value);
  }
  listCurated(): Promise<CuratedRecord[]> {
    return Promise.resolve([...this.curated.getRange({})].map((e) => e.value));
  }

  async addAudit(a: AuditRecord): Promise<void> {
    await this.audit.put([a.at, crypto.randomUUID()], a);
  }
  listAudit(): Promise<AuditRecord[]> {
    return Promise.resolve([...this.audit.getRange({})].map((e) => e.value));
  }

  async pushOp(op: CentralOp): Promise<void> {
    await this.ops.put([Date.now(), crypto.randomUUID()], op);
  }
  pendingOps(): Promise<Array<{ id: string; op: CentralOp }>> {
    return Promise.resolve([...this.ops.getRange({})].map((e) => ({ id: JSON.stringify(e.key), op: e.value })));
  }
  async ackOps(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.root.transaction(() => {
      for (const id of ids) void this.ops.remove(JSON.parse(id) as Key);
    });
  }

  async saveState(st: SavedState): Promise<void> {
    const old = this.meta.get('stateHead') as StateHead | undefined;
    const gen = (old?.gen ?? 0) + 1;
    // one write per chunk, each awaited: the event loop runs between them and a crash keeps the old head
    for (let i = 0; i < st.chunks.length; i++) await this.state.put([gen, i], st.chunks[i]!);
    const stale = [...this.state.getKeys({})].filter((k) => (k as number[])[0] !== gen);
    const head: StateHead = { gen, chunks: st.chunks.length, seq: st.seq, received: st.received, savedAt: st.savedAt };
    await this.root.transaction(() => {
      void this.meta.put('stateHead', head);
      void this.meta.remove('consensusState');
      for (const k of stale) void this.state.remove(k);
    });
  }
  loadState(): Promise<SavedState | undefined> {
    const head = this.meta.get('stateHead') as StateHead | undefined;
    if (head === undefined) {
      const legacy = this.meta.get('consensusState') as string | undefined; // one JSON text, before chunks
      return Promise.resolve(legacy === undefined ? undefined : { chunks: [legacy], seq: 0, received: 0, savedAt: 0 });
    }
    const chunks = [...this.state.getRange({ start: [head.gen, 0], end: [head.gen, Infinity] })].map((e) => e.value);
    if (chunks.length !== head.chunks) {
      const why = `consensus state: ${chunks.length} of ${head.chunks} chunks found`;
      return Promise.reject(new PicketError('CENTRAL_BAD_STATE', why));
    }
    return Promise.resolve({ chunks, seq: head.seq, received: head.received, savedAt: head.savedAt });
  }

  stats(): Promise<StoreStats> {
    return Promise.resolve({
      machines: this.machines.getKeysCount(),
      signals: this.count(),
      curated: this.curated.getKeysCount(),
    });
  }

  async close(): Promise<void> {
    await this.root.flushed;
    await this.root.close();
  }
}
