// WASM bucket store: loads build/buckets.wasm (compiled from wasm/buckets.ts) with @assemblyscript/loader
// and exposes it as a BucketStore. Owns: module loading, typed-array views over linear memory (rebuilt
// when memory grows or the node pool moves), the numeric calls.

import { readFileSync } from 'node:fs';
import * as loader from '@assemblyscript/loader';
import type { BucketStore, StoreIO, StoreScenario, StoreStats } from './store.js';

interface Exports {
  memory: WebAssembly.Memory;
  init(maxB: number, initialCap: number, batchCap: number, deathCap: number): void;
  setScenarioCount(n: number): void;
  setScenario(
    id: number,
    kind: number,
    flags: number,
    qmax: number,
    capacity: number,
    limit: number,
    durUs: number,
    bhUs: number,
  ): void;
  pourBatch(n: number, wallNow: number): number;
  lookup(s: number, hi: number, lo: number, t: number, tm: number, wallNow: number): number;
  kill(p: number): void;
  overflowSlot(p: number, t: number): number;
  blackhole(s: number, hi: number, lo: number, t: number, tm: number): number;
  freeChain(head: number): void;
  sweep(wallNow: number, latestTm: number, budget: number, drainTm: number): number;
  reset(): void;
  [k: string]: unknown;
}

const H_DEATHS = 0,
  H_LIVE = 1,
  H_BHREC = 2,
  H_EVICT = 3,
  H_CREATED = 4,
  H_EXPIRED = 5,
  H_TABCAP = 6,
  H_NODECAP = 7,
  H_NODES = 8,
  H_USEDNODES = 9,
  H_INST = 12,
  H_TIMEDOVF = 13,
  H_GROWS = 14,
  H_DRAINED = 15,
  H_SPAN = 16;

let cachedModule: WebAssembly.Module | null = null;
function wasmModule(): WebAssembly.Module {
  if (!cachedModule) {
    const bytes = readFileSync(new URL('../../../build/buckets.wasm', import.meta.url));
    cachedModule = new WebAssembly.Module(bytes);
  }
  return cachedModule;
}

export interface WasmStoreOptions {
  maxBuckets?: number;
  initialCapacity?: number;
  batchCap?: number;
  deathCap?: number;
}

export class WasmStore implements BucketStore {
  readonly name = 'wasm';
  readonly batchCap: number;
  readonly deathCap: number;
  io!: StoreIO;
  next!: Int32Array;
  private x: Exports;
  private buf: ArrayBuffer | null = null;
  private hdr!: Int32Array;
  private nodesPtr = -1;
  private nodeCap = -1;
  private p: Record<string, number> = {};

  constructor(opts: WasmStoreOptions = {}) {
    this.batchCap = opts.batchCap ?? 4096;
    this.deathCap = opts.deathCap ?? 3 * this.batchCap + 64;
    const inst = loader.instantiateSync<Record<string, unknown>>(wasmModule(), {});
    this.x = inst.exports as unknown as Exports;
    this.x.init(opts.maxBuckets ?? 0, opts.initialCapacity ?? 1024, this.batchCap, this.deathCap);
    for (const k of [
      'Header',
      'InScen',
      'InHi',
      'InLo',
      'InFlags',
      'InOff',
      'InT',
      'OutCode',
      'OutNode',
      'OutHead',
      'OutInst',
      'OutCount',
      'OutFOff',
      'OutFirst',
      'OutLast',
      'OutSlot',
      'DIdx',
      'DKind',
      'DScen',
      'DInst',
      'DHead',
      'DCount',
      'DFOff',
      'DFirst',
      'DLast',
      'Aux',
    ]) {
      this.p[k] = (this.x[`ptr${k}`] as () => number)() >>> 0;
    }
    this.refresh();
  }

  /** Rebuild views if the linear memory was replaced or the node pool moved. */
  private refresh(): void {
    const buf = this.x.memory.buffer;
    if (buf !== this.buf) {
      this.buf = buf;
      const p = this.p;
      const B = this.batchCap,
        D = this.deathCap;
      const i32 = (ptr: number, n: number) => new Int32Array(buf, ptr, n);
      const f64 = (ptr: number, n: number) => new Float64Array(buf, ptr, n);
      this.hdr = i32(p.Header!, 17);
      this.io = {
        scen: i32(p.InScen!, B),
        hi: i32(p.InHi!, B),
        lo: i32(p.InLo!, B),
        flags: i32(p.InFlags!, B),
        off: i32(p.InOff!, B),
        t: f64(p.InT!, B),
        code: i32(p.OutCode!, B),
        node: i32(p.OutNode!, B),
        head: i32(p.OutHead!, B),
        inst: i32(p.OutInst!, B),
        count: i32(p.OutCount!, B),
        fOff: i32(p.OutFOff!, B),
        first: f64(p.OutFirst!, B),
        last: f64(p.OutLast!, B),
        slot: i32(p.OutSlot!, B),
        dIdx: i32(p.DIdx!, D),
        dKind: i32(p.DKind!, D),
        dScen: i32(p.DScen!, D),
        dInst: i32(p.DInst!, D),
        dHead: i32(p.DHead!, D),
        dCount: i32(p.DCount!, D),
        dFOff: i32(p.DFOff!, D),
        dFirst: f64(p.DFirst!, D),
        dLast: f64(p.DLast!, D),
        auxI: i32(p.Aux!, 4),
        auxF: f64(p.Aux! + 16, 2),
      };
      this.nodesPtr = -1;
    }
    const np = this.hdr[H_NODES]! >>> 0;
    const nc = this.hdr[H_NODECAP]!;
    if (np !== this.nodesPtr || nc !== this.nodeCap) {
      this.nodesPtr = np;
      this.nodeCap = nc;
      this.next = new Int32Array(buf, np, nc);
    }
  }

  setScenarios(list: StoreScenario[]): void {
    this.x.setScenarioCount(list.length);
    list.forEach((s, i) => this.x.setScenario(i, s.kind, s.flags, s.qmax, s.capacity, s.limit, s.durUs, s.bhUs));
    this.refresh();
  }

  pourBatch(n: number, wallNowUs: number): number {
    const d = this.x.pourBatch(n, wallNowUs);
    this.refresh();
    return d;
  }

  lookup(s: number, hi: number, lo: number, t: number, tm: number, wallNowUs: number): number {
    const r = this.x.lookup(s, hi, lo, t, tm, wallNowUs) >>> 0;
    return r;
  }
  lookupInst(): number {
    return this.hdr[H_INST]!;
  }
  deaths(): number {
    return this.hdr[H_DEATHS]!;
  }
  kill(slot: number): void {
    this.x.kill(slot);
  }
  overflowSlot(slot: number, t: number): number {
    return this.x.overflowSlot(slot, t);
  }
  blackhole(s: number, hi: number, lo: number, t: number, tm: number): boolean {
    const r = this.x.blackhole(s, hi, lo, t, tm);
    this.refresh();
    return r !== 0;
  }
  freeChain(head: number): void {
    if (head >= 0) this.x.freeChain(head);
  }
  sweep(wallNowUs: number, latestTmUs: number, budget: number, drainTmUs = latestTmUs): number {
    const w = this.x.sweep(wallNowUs, latestTmUs, budget, drainTmUs);
    this.refresh();
    return w;
  }
  reset(): void {
    this.x.reset();
    this.refresh();
  }

  stats(): StoreStats {
    const h = this.hdr;
    return {
      liveBuckets: h[H_LIVE]!,
      blackholeRecords: h[H_BHREC]!,
      created: h[H_CREATED]!,
      evictions: h[H_EVICT]!,
      expired: h[H_EXPIRED]!,
      timedOverflows: h[H_TIMEDOVF]!,
      queuedEvents: h[H_USEDNODES]!,
      tableSlots: h[H_TABCAP]!,
      sweepSpan: h[H_SPAN]!,
      tableGrowths: h[H_GROWS]!,
      drained: h[H_DRAINED]!,
    };
  }
  memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }
}
