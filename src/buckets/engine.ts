// BucketEngine: pours events into scenarios (scenarios.md §3-§9) on top of a numeric bucket store
// (WASM by default, see wasmstore.ts; the TS reference store for tests and benchmarks).
// Owns: filter / groupby evaluation, partition hashing, TIMEMACHINE / LIVE clocks, batching into the store,
// distinct checks (the sets: distinct.ts), cancel_on, conditional and bayesian evaluation, overflow_filter, which
// events bucket queues hold (stored by node: queue-store.ts), overflow events and their order, sweeping, counters.
// Discarded overflows (blackhole, overflow_filter false, cancelled, alert that cannot be built) produce no
// event: pour() only returns overflows that carry an Alert.

import { createHash } from 'node:crypto';
import { parseRFC3339 } from '../core/rfc3339.js';
import { Event, OVFLW, TIMEMACHINE } from '../core/event.js';
import type { RuntimeAlert } from '../core/event.js';
import { GoTime } from '../core/gotime.js';
import { newAlert, usToGoTime } from './alert.js';
import type { AlertContext } from './context.js';
import type { Scenario, ScenarioSet } from './scenario.js';
import { D_DRAINED, D_TIMED, R_ALLOWED, R_BLACKHOLED, R_NEW, R_PENDING, R_RECREATED } from './store.js';
import type { BucketStore, StoreStats } from './store.js';
import { WasmStore } from './wasmstore.js';
import { RefStore } from './refstore.js';
import { slimQueue } from './queued.js';
import { QueueStore } from './queue-store.js';
import { DistinctSets } from './distinct.js';
import { errorMessage } from '../core/errors.js';

export interface EngineOptions {
  maxBuckets?: number;
  /** 'wasm' (default), 'ts' (reference implementation) or a store instance. */
  store?: 'wasm' | 'ts' | BucketStore;
  /** Wall clock in ms (LIVE mode). Default Date.now. */
  now?: () => number;
  /** Alert context (console/context.yaml + the hub's contexts items, ./context.ts), compiled. */
  context?: AlertContext;
  /** Pours between two incremental sweeps (default 1024). */
  sweepEvery?: number;
  /** Table slots visited per incremental sweep (default 4096). */
  sweepBudget?: number;
  /** Warning sink (runtime errors are counted, never thrown). */
  log?: (msg: string) => void;
  /** A LIVE agent's engine: once LIVE events flow, TIMEMACHINE buckets (a backlog caught up after a restart) age
   *  by the wall clock. Off for replays, whose TIMEMACHINE buckets only age by event time. */
  liveAgent?: boolean;
  /** Scenarios this engine pours into (default all): the worker pool splits per-source and global scenarios
   *  between engines (src/pipeline/global-merge.ts); the others keep their ids and stay empty. */
  active?: (s: Scenario) => boolean;
}

/** The store's counters (minus its internal growth count) plus the engine's own. */
export interface EngineStats extends Omit<StoreStats, 'tableGrowths' | 'sweepSpan'> {
  storeBytes: number;
  distinctSets: number;
  poured: Record<string, number>;
  /** events poured per (acquisition source, datasource type, scenario): cs_bucket_poured_total */
  pouredBySource: Array<{ source: string; type: string; name: string; n: number }>;
  /** per scenario: buckets created, expired empty, cancelled (cs_bucket_instantiation/underflowed/canceled) */
  instantiated: Record<string, number>;
  underflowedBy: Record<string, number>;
  cancelledBy: Record<string, number>;
  overflows: Record<string, number>;
  discarded: Record<string, number>;
  underflows: number;
  cancelled: number;
  filterErrors: number;
  groupbyErrors: number;
  refused: number;
  alertErrors: number;
  exprErrors: number;
}

/** pipeline.Queue as expressions see it. */
export class QueueView {
  constructor(
    public Queue: Event[],
    public L: number,
  ) {}
  GetQueue(): Event[] {
    return this.Queue;
  }
}

// --- helpers -------------------------------------------------------------------------------------

let HHI = 0;
let HLO = 0;
/** 64-bit string hash (two 32-bit lanes, cyrb53-style) into HHI/HLO. */
function hash64(s: string): void {
  let h1 = 0xdeadbeef | 0;
  let h2 = 0x41c6ce57 | 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  HHI = h2 | 0;
  HLO = h1 | 0;
}

export function mapKey(s: Scenario, groupValue: string): string {
  return createHash('sha1').update(`${s.filterSrc}\u0000${groupValue}\u0000${s.name}`).digest('hex');
}

// --- engine --------------------------------------------------------------------------------------

export class BucketEngine {
  readonly scenarios: Scenario[];
  readonly store: BucketStore;
  private now: () => number;
  private ctx: AlertContext | undefined;
  private log: (msg: string) => void;
  /** Events held by bucket queues, by store node (packed or slim for the scenarios of queued.ts). */
  private evs = new QueueStore();
  /** per scenario: its queue keeps slim copies (queued.ts slimQueue) */
  private readonly slim: boolean[];
  /** per bucket instance: distinct values seen */
  private seen = new DistinctSets();
  /** per bucket instance: bayesian guillotines */
  private guillotines = new Map<number, boolean[]>();
  private env: Record<string, unknown> = { evt: null };
  private benv: Record<string, unknown> = { evt: null, queue: null, leaky: null };
  // batch side arrays (plain scenarios)
  private bEv: Event[] = [];
  private bGb: string[] = [];
  private bS: Scenario[] = [];
  private bOrd: number[] = [];
  private n = 0;
  private out: Array<{ ord: number; ev: Event }> = [];
  private wallUs = 0;
  private latestTm = -Infinity;
  /** twice the furthest behind latestTm an event time has been seen, at least 30 s: TIMEMACHINE queues are
   *  drained only when refilled that long before latestTm, so that late an event still finds the limiter full
   *  (wasm/buckets.ts drainable; LIVE time only moves forward) */
  private lateUs = 30e6;
  /** LIVE events were poured: TIMEMACHINE buckets (a backlog poured by a LIVE agent) then age by the wall clock */
  private sawLive = false;
  private readonly liveAgent: boolean;
  private sinceSweep = 0;
  private createdAtSweep = 0;
  private owner: Scenario[];
  private sweepEvery: number;
  private sweepBudget: number;
  private c = {
    poured: [] as number[],
    overflows: [] as number[],
    discarded: [] as number[],
    underflows: 0,
    cancelled: 0,
    created: [] as number[],
    underflowed: [] as number[],
    cancelledBy: [] as number[],
    filterErrors: 0,
    groupbyErrors: 0,
    refused: 0,
    alertErrors: 0,
    exprErrors: 0,
  };

  /** poured counters per `source\0type` (the current one is this.c.poured: switched per batch, not per event) */
  private readonly pouredBySrc = new Map<string, { source: string; type: string; counts: number[] }>();
  /** highest bucket instance id seen: the store numbers instances in creation order */
  private maxInst = 0;

  /** per scenario: not poured into by this engine (EngineOptions.active), or null when all are */
  private readonly inactive: boolean[] | null;

  constructor(set: ScenarioSet, opts: EngineOptions = {}) {
    this.scenarios = set.scenarios;
    this.log = opts.log ?? (() => undefined);
    const st = opts.store ?? 'wasm';
    if (typeof st === 'object') this.store = st;
    else if (st === 'ts') this.store = new RefStore({ maxBuckets: opts.maxBuckets });
    else {
      try {
        this.store = new WasmStore({ maxBuckets: opts.maxBuckets });
      } catch (e) {
        // build/buckets.wasm missing (npm run build:wasm not run): same behaviour, slower store
        this.log(`buckets: WASM store unavailable (${errorMessage(e)}), using the TypeScript store`);
        this.store = new RefStore({ maxBuckets: opts.maxBuckets });
      }
    }
    this.store.setScenarios(this.scenarios.map((s) => s.store));
    this.now = opts.now ?? Date.now;
    this.ctx = opts.context;
    this.slim = this.scenarios.map((s) => slimQueue(s, this.ctx));
    this.sweepEvery = opts.sweepEvery ?? 1024;
    this.liveAgent = opts.liveAgent === true;
    this.sweepBudget = opts.sweepBudget ?? 4096;
    // CrowdSec keys live buckets globally by Mapkey = sha1(filter, groupby value, name): documents sharing
    // filter and name share their buckets, which behave as configured by the first of them (the creator)
    const first = new Map<string, Scenario>();
    this.owner = this.scenarios.map((s) => {
      const k = `${s.filterSrc}\u0000${s.name}`;
      const o = first.get(k);
      if (o) return o;
      first.set(k, s);
      return s;
    });
    const z = () => this.scenarios.map(() => 0);
    this.c.overflows = z();
    this.c.discarded = z();
    this.c.created = z();
    this.c.underflowed = z();
    this.c.cancelledBy = z();
    this.pourSource('', '');
    const active = opts.active;
    this.inactive = active ? this.scenarios.map((x) => !active(x)) : null;
  }

  /** Counts the next pours under this acquisition source and datasource type (once per batch of one source). */
  pourSource(source: string, type: string): void {
    const k = `${source}\u0000${type}`;
    let e = this.pouredBySrc.get(k);
    if (e === undefined) {
      e = { source, type, counts: this.scenarios.map(() => 0) };
      this.pouredBySrc.set(k, e);
    }
    this.c.poured = e.counts;
  }

  /** Pours one event into every scenario; returns the overflow events produced, in emission order. */
  pour(evt: Event): Event[] {
    return this.pourMany([evt]);
  }

  /** Pours several events in order (plain scenarios cross into the store once per batch). */
  pourMany(events: Event[]): Event[] {
    this.wallUs = this.now() * 1000;
    this.out.length = 0;
    const scen = this.scenarios;
    const stride = 2 * scen.length + 2;
    const env = this.env;
    for (let ei = 0; ei < events.length; ei++) {
      const evt = events[ei]!;
      const tm = evt.ExpectMode === TIMEMACHINE ? 1 : 0;
      let t: number,
        off: number,
        timeOk = true;
      if (tm) {
        const pt = evt.MarshaledTime === '' ? null : parseRFC3339(evt.MarshaledTime);
        timeOk = pt !== null;
        t = pt === null ? 0 : pt.us;
        off = pt === null ? 0 : pt.off;
        if (timeOk) {
          if (t > this.latestTm) this.latestTm = t;
          else if (2 * (this.latestTm - t) > this.lateUs) this.lateUs = 2 * (this.latestTm - t);
        }
      } else {
        t = this.wallUs;
        off = 0;
        this.sawLive = this.liveAgent;
      }
      env.evt = evt;
      const inactive = this.inactive;
      for (let si = 0; si < scen.length; si++) {
        if (inactive !== null && inactive[si]) continue;
        const s = scen[si]!;
        let r: unknown;
        try {
          r = s.filter.run(env);
        } catch (e) {
          this.c.filterErrors++;
          this.log(`scenario ${s.name}: filter runtime error: ${errorMessage(e)}`);
          break;
        }
        if (r !== true) continue;
        let gb = '';
        if (s.groupby) {
          let v: unknown;
          try {
            v = s.groupby.run(env);
          } catch (e) {
            this.c.groupbyErrors++;
            this.log(`scenario ${s.name}: groupby runtime error: ${errorMessage(e)}`);
            break;
          }
          if (typeof v !== 'string') {
            this.c.groupbyErrors++;
            break;
          }
          gb = v;
        }
        let te = t,
          oe = off;
        if (!timeOk) {
          // TIMEMACHINE pour refuses an event without a parsable MarshaledTime; the trigger hook falls
          // back to the wall clock instead
          if (this.owner[si]!.type !== 'trigger') {
            this.c.refused++;
            continue;
          }
          te = this.wallUs;
          oe = 0;
        }
        hash64(gb);
        const ord = ei * stride + 2 * si;
        const b = this.owner[si]!;
        if (!b.complex) {
          const io = this.store.io;
          const k = this.n;
          io.scen[k] = b.id;
          io.hi[k] = HHI;
          io.lo[k] = HLO;
          io.flags[k] = tm;
          io.off[k] = oe;
          io.t[k] = te;
          this.bEv[k] = evt;
          this.bGb[k] = gb;
          this.bS[k] = b;
          this.bOrd[k] = ord;
          this.n = k + 1;
          if (this.n === this.store.batchCap) this.runBatch();
        } else {
          if (this.n > 0) this.runBatch();
          this.pourComplex(b, evt, gb, HHI, HLO, te, oe, tm, ord);
          env.evt = evt;
        }
      }
    }
    env.evt = null;
    if (this.n > 0) this.runBatch();
    this.evs.endBatch(); // the copy stays queued, the event is not held here
    this.sinceSweep += events.length;
    if (this.sinceSweep >= this.sweepEvery) {
      this.sinceSweep = 0;
      this.sweepStep(this.paceBudget(), -1);
    }
    const out = this.out;
    if (out.length === 0) return [];
    if (out.length > 1) out.sort((a, b) => a.ord - b.ord);
    const res = out.map((o) => o.ev);
    out.length = 0;
    return res;
  }

  /** Drains the batch of plain-scenario pours. */
  private runBatch(): void {
    const n = this.n;
    this.n = 0;
    const store = this.store;
    const nd = store.pourBatch(n, this.wallUs);
    const evs = this.evs;
    let di = 0;
    for (let i = 0; i < n; i++) {
      const io = store.io; // views may be replaced by blackhole() growing memory
      while (di < nd && io.dIdx[di]! <= i) {
        this.death(di, this.bOrd[io.dIdx[di]!]!);
        di++;
      }
      const node = io.node[i]!;
      const evt = this.bEv[i]!;
      const s = this.bS[i]!;
      evs.put(node, evt, this.slim[s.id]!);
      this.c.poured[s.id]!++;
      const inst = io.inst[i]!;
      if (inst > this.maxInst) {
        this.maxInst = inst;
        this.c.created[s.id]!++;
      }
      const outcome = io.code[i]! & 0xff;
      if (outcome !== R_ALLOWED) {
        this.overflow(
          s,
          outcome,
          io.head[i]!,
          io.count[i]!,
          io.first[i]!,
          io.fOff[i]!,
          io.last[i]!,
          io.last[i]!,
          evt,
          this.bGb[i]!,
          io.hi[i]!,
          io.lo[i]!,
          io.flags[i]!,
          io.inst[i]!,
          this.bOrd[i]! + 1,
          evt.ExpectMode === TIMEMACHINE ? io.off[i]! : 0,
        );
      }
      this.bEv[i] = undefined as unknown as Event;
    }
    while (di < nd) {
      this.death(di, -1);
      di++;
    }
  }

  /** Pour into a scenario with distinct / cancel_on / condition / bayesian / overflow_filter. */
  private pourComplex(
    s: Scenario,
    evt: Event,
    gb: string,
    hi: number,
    lo: number,
    t: number,
    off: number,
    tm: number,
    ord: number,
  ): void {
    const store = this.store;
    let dv: string | null = null;
    // the trigger hook runs first and stops processing: distinct / cancel_on never run for triggers
    if (s.type !== 'trigger' && (s.distinct || s.cancelOn)) {
      const slot = store.lookup(s.id, hi, lo, t, tm, this.wallUs);
      const inst = slot ? store.lookupInst() : 0;
      const nd = store.deaths();
      for (let d = 0; d < nd; d++) this.death(d, ord);
      if (s.distinct) {
        let v: unknown;
        try {
          v = s.distinct.run(this.env);
          dv = typeof v === 'string' ? v : '';
        } catch {
          this.c.exprErrors++;
          dv = null;
        }
        if (dv !== null && slot) {
          if (this.seen.has(inst, dv)) return;
        }
      }
      if (s.cancelOn) {
        let r: unknown;
        try {
          r = s.cancelOn.run(this.env);
        } catch {
          this.c.exprErrors++;
          r = false;
        }
        if (r === true) {
          if (slot) {
            store.kill(slot);
            this.release(store.io.auxI[0]!);
            this.forget(s, inst);
            this.c.cancelled++;
            this.c.cancelledBy[s.id]!++;
          }
          return;
        }
      }
    }
    const io = store.io;
    io.scen[0] = s.id;
    io.hi[0] = hi;
    io.lo[0] = lo;
    io.flags[0] = tm;
    io.off[0] = off;
    io.t[0] = t;
    const nd = store.pourBatch(1, this.wallUs);
    const io2 = store.io;
    for (let d = 0; d < nd; d++) this.death(d, ord);
    const node = io2.node[0]!;
    this.evs.put(node, evt, this.slim[s.id]!);
    this.c.poured[s.id]!++;
    const code = io2.code[0]!;
    const inst = io2.inst[0]!;
    if (inst > this.maxInst) {
      this.maxInst = inst;
      this.c.created[s.id]!++;
    }
    if (dv !== null) this.seen.add(inst, dv);
    const outcome = code & 0xff;
    const head = io2.head[0]!,
      count = io2.count[0]!,
      first = io2.first[0]!,
      fOff = io2.fOff[0]!,
      last = io2.last[0]!;
    if (outcome !== R_ALLOWED) {
      this.overflow(s, outcome, head, count, first, fOff, last, last, evt, gb, hi, lo, tm, inst, ord + 1, tm ? off : 0);
      return;
    }
    const slot = io2.slot[0]!;
    let fire = false;
    if (s.type === 'conditional' && s.condition) {
      const b = this.benv;
      b.evt = evt;
      b.queue = this.queueOf(s, head, node);
      b.leaky = this.leakyOf(s, gb, count, first, fOff, last, last, tm, inst, b.queue as QueueView);
      try {
        fire = s.condition.run(b) === true;
      } catch {
        this.c.exprErrors++;
      }
      b.evt = null;
      b.queue = null;
      b.leaky = null;
    } else if (s.type === 'bayesian') {
      fire = this.bayes(s, evt, head, node, gb, count, first, fOff, last, tm, inst);
    }
    if (fire) {
      const oc = store.overflowSlot(slot, last) & 0xff;
      this.overflow(s, oc, head, count, first, fOff, last, last, evt, gb, hi, lo, tm, inst, ord + 1, tm ? off : 0);
    }
    void (code & (R_NEW | R_RECREATED));
  }

  /** A bucket instance of scenario s (its owner) is gone: its distinct values and guillotines too. */
  private forget(s: Scenario, inst: number): void {
    if (s.distinct !== null) this.seen.delete(inst);
    if (s.type === 'bayesian') this.guillotines.delete(inst);
  }

  private bayes(
    s: Scenario,
    evt: Event,
    head: number,
    tail: number,
    gb: string,
    count: number,
    first: number,
    fOff: number,
    last: number,
    tm: number,
    inst: number,
  ): boolean {
    let guillotine = this.guillotines.get(inst);
    if (guillotine === undefined) {
      guillotine = s.bayesConditions.map(() => false);
      this.guillotines.set(inst, guillotine);
    }
    const b = this.benv;
    b.evt = evt;
    b.queue = this.queueOf(s, head, tail);
    b.leaky = this.leakyOf(s, gb, count, first, fOff, last, last, tm, inst, b.queue as QueueView);
    const f = Math.fround;
    let p = s.bayesPrior;
    const upd = (prior: number, pe: number, pb: number): number => {
      const num = f(pe * prior);
      const den = f(num + f(pb * f(1 - prior)));
      return f(num / den);
    };
    for (let j = 0; j < s.bayesConditions.length; j++) {
      const bc = s.bayesConditions[j]!;
      if (bc.guillotine && guillotine[j]) {
        p = upd(p, bc.pe, bc.pb);
        continue;
      }
      let r: unknown;
      try {
        r = bc.expr.run(b);
      } catch {
        this.c.exprErrors++;
        continue;
      }
      if (typeof r !== 'boolean') {
        this.c.exprErrors++;
        continue;
      }
      if (r) {
        p = upd(p, bc.pe, bc.pb);
        guillotine[j] = true;
      } else p = upd(p, f(1 - bc.pe), f(1 - bc.pb));
    }
    b.evt = null;
    b.queue = null;
    b.leaky = null;
    return p > s.bayesThreshold;
  }

  /** Queue of a live bucket: circular list from head to tail. */
  private queueOf(s: Scenario, head: number, tail: number): QueueView {
    const q: Event[] = [];
    const next = this.store.next;
    for (let n = head; n >= 0; n = next[n]!) {
      q.push(this.evs.get(n));
      if (n === tail) break;
    }
    return new QueueView(q, s.queueMax);
  }

  private leakyOf(
    s: Scenario,
    gb: string,
    count: number,
    first: number,
    fOff: number,
    last: number,
    ovflw: number,
    tm: number,
    inst: number,
    q: QueueView,
  ): Record<string, unknown> {
    return {
      Name: s.name,
      Mode: tm,
      Capacity: s.capacity,
      CacheSize: s.cacheSize,
      Queue: q,
      Total_count: count,
      First_ts: first ? usToGoTime(first, fOff) : GoTime.zero(),
      Last_ts: usToGoTime(last, tm ? fOff : 0),
      Ovflw_ts: usToGoTime(ovflw, tm ? fOff : 0),
      Mapkey: mapKey(s, gb),
      Uuid: String(inst),
      Duration: s.lifetimeNs,
      Leakspeed: s.leakspeedNs,
      Timedout: false,
      Profiling: false,
    };
  }

  /** Returns a queue chain to the store and drops the event references. */
  private release(head: number): void {
    if (head < 0) return;
    const next = this.store.next;
    const evs = this.evs;
    for (let n = head; n >= 0; n = next[n]!) evs.clear(n);
    this.store.freeChain(head);
  }

  /** An overflow left the store: build the alert, run overflow_filter / blackhole, emit. */
  private overflow(
    s: Scenario,
    outcome: number,
    head: number,
    count: number,
    first: number,
    fOff: number,
    last: number,
    ovflw: number,
    evt: Event | null,
    gb: string,
    hi: number,
    lo: number,
    tm: number,
    inst: number,
    ord: number,
    lastOff: number,
  ): void {
    this.forget(s, inst);
    if (outcome === R_BLACKHOLED) {
      this.c.discarded[s.id]!++;
      this.release(head);
      return;
    }
    const queue: Event[] = [];
    const next = this.store.next;
    for (let n = head; n >= 0; n = next[n]!) queue.push(this.evs.get(n));
    const mk = mapKey(s, gb);
    const times = {
      first: usToGoTime(first, tm ? fOff : 0),
      last: usToGoTime(last, tm ? lastOff : 0),
      ovflw: usToGoTime(ovflw, tm ? lastOff : 0),
    };
    const { ra, error } = newAlert(s, mk, queue, count, times, this.ctx);
    if (error) {
      this.c.alertErrors++;
      this.log(error);
    }
    if (outcome === R_PENDING) {
      let keep = true;
      if (s.overflowFilter) {
        const q = new QueueView(queue, s.queueMax);
        const env = {
          queue: q,
          signal: ra,
          evt: null,
          leaky: this.leakyOf(s, gb, count, first, fOff, last, ovflw, tm, inst, q),
        };
        try {
          keep = s.overflowFilter.run(env) !== false;
        } catch {
          this.c.exprErrors++;
          keep = true;
        }
      }
      if (keep) keep = this.store.blackhole(s.id, hi, lo, ovflw, tm);
      if (!keep) {
        this.c.discarded[s.id]!++;
        this.release(head);
        return;
      }
    }
    this.release(head);
    this.c.overflows[s.id]!++;
    if (!ra.Alert) {
      this.c.discarded[s.id]!++;
      return;
    }
    this.emit(ra, times.ovflw, ord);
    void evt;
  }

  private emit(ra: RuntimeAlert, ovflw: GoTime, ord: number): void {
    const ev = new Event();
    ev.Type = OVFLW;
    ev.Overflow = ra;
    ev.MarshaledTime = ovflw.toRFC3339Nano();
    ev.Time = ovflw;
    this.out.push({ ord, ev });
  }

  /** Death-log entry d of the last store call. */
  private death(d: number, ord: number): void {
    const io = this.store.io;
    const head = io.dHead[d]!;
    const inst = io.dInst[d]!;
    if (io.dKind[d] === D_DRAINED) {
      this.release(head);
      return;
    }
    this.forget(this.scenarios[io.dScen[d]!]!, inst);
    if (io.dKind[d] === D_TIMED) {
      const s = this.scenarios[io.dScen[d]!]!;
      // timed (counter) overflow, LIVE: Ovflw_ts = now; partition value from the queued events
      let gb = '';
      const first = head >= 0 ? this.evs.get(head) : undefined;
      if (s.groupby && first) {
        try {
          const v = s.groupby.run({ evt: first });
          gb = typeof v === 'string' ? v : '';
        } catch {
          /* keep "" */
        }
      }
      hash64(gb);
      const wall = this.wallUs;
      this.overflow(
        s,
        R_PENDING,
        head,
        io.dCount[d]!,
        io.dFirst[d]!,
        0,
        io.dLast[d]!,
        wall,
        null,
        gb,
        HHI,
        HLO,
        0,
        inst,
        ord,
        0,
      );
      return;
    }
    this.c.underflows++;
    this.c.underflowed[io.dScen[d]!]!++;
    this.release(head);
  }

  /**
   * The sweep keeps pace with bucket creation: a full pass (sweepSpan entries) while at most an eighth of the live
   * count is created, so expired buckets and their tombstones never pile up faster than they are freed (an address
   * spray creates a bucket per line and per scenario; a fixed budget let the table grow without bound).
   */
  private paceBudget(): number {
    const st = this.store.stats();
    const made = st.created - this.createdAtSweep;
    this.createdAtSweep = st.created;
    const perCreated = (8 * st.sweepSpan) / Math.max(st.liveBuckets, 4096);
    return Math.max(this.sweepBudget, Math.min(st.sweepSpan, Math.ceil(made * perCreated)));
  }

  private sweepStep(budget: number, ord: number): number {
    const tmNow = this.sawLive ? Math.max(this.latestTm, this.wallUs) : this.latestTm;
    const visited = this.store.sweep(this.wallUs, tmNow, budget, tmNow - this.lateUs);
    const nd = this.store.deaths();
    for (let d = 0; d < nd; d++) this.death(d, ord);
    return visited;
  }

  /**
   * LIVE housekeeping at wall-clock time nowMs: timed (counter) buckets past their duration overflow,
   * idle buckets die, expired blackhole records are dropped. Also sweeps TIMEMACHINE buckets idle at the
   * latest event time. Returns the timed overflows.
   */
  tick(nowMs: number): Event[] {
    this.wallUs = nowMs * 1000;
    this.out.length = 0;
    // two full passes worth of slots (sweep() stops early when its death log is full; a shrinking
    // rehash may move unvisited entries behind the cursor)
    let visited = 0;
    let st = this.store.stats();
    for (let guard = 0; guard < 100000 && visited < st.sweepSpan + 1; guard++) {
      const v = this.sweepStep(65536, 0);
      const st2 = this.store.stats();
      if (st2.sweepSpan === 0) break;
      visited = st2.tableGrowths !== st.tableGrowths ? 0 : visited + v; // a rehash restarts the pass
      st = st2;
    }
    const res = this.out.map((o) => o.ev);
    this.out.length = 0;
    return res;
  }

  /** End of input: buckets that did not overflow are discarded (CrowdSec replay). Returns []. */
  flush(): Event[] {
    this.store.reset();
    this.maxInst = 0;
    this.latestTm = -Infinity;
    this.sinceSweep = 0;
    this.evs.reset();
    this.seen.clear();
    this.guillotines.clear();
    return [];
  }

  stats(): EngineStats {
    const st = this.store.stats();
    const by = (arr: number[]) => {
      const o: Record<string, number> = {};
      this.scenarios.forEach((s, i) => {
        o[s.name] = (o[s.name] ?? 0) + arr[i]!;
      });
      return o;
    };
    const poured = this.scenarios.map(() => 0);
    const pouredBySource: EngineStats['pouredBySource'] = [];
    for (const e of this.pouredBySrc.values()) {
      this.scenarios.forEach((s, i) => {
        const n = e.counts[i]!;
        poured[i] = poured[i]! + n;
        if (n > 0) pouredBySource.push({ source: e.source, type: e.type, name: s.name, n });
      });
    }
    const distinctSets = this.seen.size;
    return {
      liveBuckets: st.liveBuckets,
      blackholeRecords: st.blackholeRecords,
      created: st.created,
      evictions: st.evictions,
      expired: st.expired,
      timedOverflows: st.timedOverflows,
      queuedEvents: st.queuedEvents,
      tableSlots: st.tableSlots,
      drained: st.drained,
      storeBytes: this.store.memoryBytes(),
      distinctSets,
      poured: by(poured),
      pouredBySource,
      instantiated: by(this.c.created),
      underflowedBy: by(this.c.underflowed),
      cancelledBy: by(this.c.cancelledBy),
      overflows: by(this.c.overflows),
      discarded: by(this.c.discarded),
      underflows: this.c.underflows,
      cancelled: this.c.cancelled,
      filterErrors: this.c.filterErrors,
      groupbyErrors: this.c.groupbyErrors,
      refused: this.c.refused,
      alertErrors: this.c.alertErrors,
      exprErrors: this.c.exprErrors,
    };
  }
}
