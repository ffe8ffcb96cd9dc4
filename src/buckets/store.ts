// Bucket state store interface shared by the WASM store (wasmstore.ts, the default) and the plain
// TypeScript reference store (refstore.ts, test oracle and benchmark baseline).
// Owns: the numeric contract between the engine and a store: batch input/output arrays, result codes,
// death log, per-scenario numeric parameters. Times are f64 microseconds since the Unix epoch.

export const R_ALLOWED = 0;
export const R_OVERFLOW = 1;
export const R_BLACKHOLED = 2;
export const R_PENDING = 3;
export const R_NEW = 0x100;
export const R_RECREATED = 0x200;

export const K_LEAKY = 0;
export const K_TRIGGER = 1;
export const K_ALWAYS = 2;

export const F_COND = 1;
export const F_TIMED = 2;
export const F_INLINEBH = 4;
export const F_HASBH = 8;
/** plain leaky bucket: its queued events may be handed back once its limiter is full again (drain) */
export const F_DRAIN = 16;

export const D_EXPIRED = 0;
export const D_TIMED = 1;
export const D_EVICTED = 2;
/** not a death: a live bucket's queue was handed back (F_DRAIN); the bucket lives on */
export const D_DRAINED = 3;

/** Numeric parameters of one scenario, as the store needs them. */
export interface StoreScenario {
  kind: number; // K_*
  flags: number; // F_*
  qmax: number; // queue bound Q (keeps Q+1 events), -1 = unbounded
  capacity: number;
  limit: number; // tokens per second (1 / leakspeed seconds), 0 when no leakspeed
  durUs: number; // bucket Duration in µs (0 = never idles)
  bhUs: number; // blackhole duration in µs
}

export interface StoreIO {
  // inputs
  scen: Int32Array;
  hi: Int32Array;
  lo: Int32Array;
  flags: Int32Array;
  off: Int32Array;
  t: Float64Array;
  // outputs
  code: Int32Array;
  node: Int32Array;
  head: Int32Array;
  inst: Int32Array;
  count: Int32Array;
  fOff: Int32Array;
  first: Float64Array;
  last: Float64Array;
  slot: Int32Array;
  // death log
  dIdx: Int32Array;
  dKind: Int32Array;
  dScen: Int32Array;
  dInst: Int32Array;
  dHead: Int32Array;
  dCount: Int32Array;
  dFOff: Int32Array;
  dFirst: Float64Array;
  dLast: Float64Array;
  // aux out of kill / overflowSlot: [head, count, fOff, inst] and [first, last]
  auxI: Int32Array;
  auxF: Float64Array;
}

export interface StoreStats {
  liveBuckets: number;
  blackholeRecords: number;
  created: number;
  evictions: number;
  expired: number;
  timedOverflows: number;
  queuedEvents: number;
  tableSlots: number;
  /** entries one sweep pass visits (WASM: bucket ids handed out; TS: the map's size) */
  sweepSpan: number;
  tableGrowths: number;
  /** queues handed back by sweeps (F_DRAIN) */
  drained: number;
}

export interface BucketStore {
  readonly name: string;
  readonly batchCap: number;
  readonly deathCap: number;
  /** Current views (may be replaced after calls that grow memory: read them after each call). */
  io: StoreIO;
  /** next[node] = following node of a queue chain, -1 at the end. */
  next: Int32Array;
  setScenarios(list: StoreScenario[]): void;
  /** Pours inputs [0,n). Returns the number of death-log entries written (log reset per call). */
  pourBatch(n: number, wallNowUs: number): number;
  /** Live slot for the key (after expiry at t) or 0. Deaths in the log (count returned by deaths()). */
  lookup(s: number, hi: number, lo: number, t: number, tm: number, wallNowUs: number): number;
  /** Instance id of the slot returned by the last lookup. */
  lookupInst(): number;
  deaths(): number;
  kill(slot: number): void;
  overflowSlot(slot: number, t: number): number;
  blackhole(s: number, hi: number, lo: number, t: number, tm: number): boolean;
  freeChain(head: number): void;
  /** Incremental sweep of up to `budget` slots; returns the number of slots visited. TIMEMACHINE queues are
   *  drained (F_DRAIN) when refilled at drainTmUs (default latestTmUs); a store may not drain at all. */
  sweep(wallNowUs: number, latestTmUs: number, budget: number, drainTmUs?: number): number;
  reset(): void;
  stats(): StoreStats;
  /** Bytes of store memory (WASM linear memory, or an estimate for the reference store). */
  memoryBytes(): number;
}
