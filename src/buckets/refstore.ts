// Reference bucket store in plain TypeScript: the same maths as wasm/buckets.ts with one object per
// bucket in a Map. Owns nothing the engine depends on by default: it is the test oracle for the WASM
// store and the baseline of bench/buckets.bench.ts. Same contract as store.ts.

import {
  D_EVICTED,
  D_EXPIRED,
  D_TIMED,
  F_COND,
  F_HASBH,
  F_INLINEBH,
  F_TIMED,
  K_LEAKY,
  K_TRIGGER,
  R_BLACKHOLED,
  R_NEW,
  R_OVERFLOW,
  R_PENDING,
  R_RECREATED,
} from './store.js';
import type { BucketStore, StoreIO, StoreScenario, StoreStats } from './store.js';

interface RefBucket {
  live: boolean;
  tm: boolean;
  s: number;
  key: string;
  tokens: number;
  limLast: number;
  first: number;
  last: number;
  bh: number;
  count: number;
  inst: number;
  qhead: number;
  qtail: number;
  qlen: number;
  fOff: number;
}

// golang.org/x/time/rate (crowdsecurity/time fork), durations in ns
function durFromTokens(tokens: number, limit: number): number {
  return Math.trunc(1e9 * (tokens / limit));
}
function tokensFromDur(d: number, limit: number): number {
  const sec = Math.trunc(d / 1e9);
  return sec * limit + ((d - sec * 1e9) * limit) / 1e9;
}

/** Limiter state of the reference store: exactly rate.Limiter {tokens, last}. */
function allow(b: RefBucket, c: StoreScenario, t: number): boolean {
  // new limiter: tokens 0, last = zero time -> first advance is capped at maxElapsed
  let el = b.limLast === -Infinity ? Infinity : Math.max(0, (t - b.limLast) * 1000);
  const maxEl = durFromTokens(c.capacity - b.tokens, c.limit);
  if (el > maxEl) el = maxEl;
  let tokens = b.tokens + tokensFromDur(el, c.limit);
  if (tokens > c.capacity) tokens = c.capacity;
  tokens -= 1;
  const wait = tokens < 0 ? durFromTokens(-tokens, c.limit) : 0;
  if (wait > 0) return false;
  b.tokens = tokens;
  b.limLast = t;
  return true;
}

export class RefStore implements BucketStore {
  readonly name = 'ts';
  readonly batchCap: number;
  readonly deathCap: number;
  io: StoreIO;
  next: Int32Array;
  private sc: StoreScenario[] = [];
  private wmark: number[] = [];
  private map = new Map<string, RefBucket>();
  private byInst = new Map<number, RefBucket>();
  private instCounter = 0;
  private freeNode = -1;
  private nodeHigh = 0;
  private usedNodes = 0;
  private nDeaths = 0;
  private lastInst = 0;
  private justExpired = false;
  private st = { live: 0, bh: 0, created: 0, evictions: 0, expired: 0, timed: 0 };
  private maxBuckets: number;

  constructor(opts: { maxBuckets?: number; batchCap?: number; deathCap?: number } = {}) {
    this.batchCap = opts.batchCap ?? 4096;
    this.deathCap = opts.deathCap ?? 3 * this.batchCap + 64;
    this.maxBuckets = opts.maxBuckets && opts.maxBuckets > 0 ? opts.maxBuckets : 0x7fffffff;
    const B = this.batchCap,
      D = this.deathCap;
    this.io = {
      scen: new Int32Array(B),
      hi: new Int32Array(B),
      lo: new Int32Array(B),
      flags: new Int32Array(B),
      off: new Int32Array(B),
      t: new Float64Array(B),
      code: new Int32Array(B),
      node: new Int32Array(B),
      head: new Int32Array(B),
      inst: new Int32Array(B),
      count: new Int32Array(B),
      fOff: new Int32Array(B),
      first: new Float64Array(B),
      last: new Float64Array(B),
      slot: new Int32Array(B),
      dIdx: new Int32Array(D),
      dKind: new Int32Array(D),
      dScen: new Int32Array(D),
      dInst: new Int32Array(D),
      dHead: new Int32Array(D),
      dCount: new Int32Array(D),
      dFOff: new Int32Array(D),
      dFirst: new Float64Array(D),
      dLast: new Float64Array(D),
      auxI: new Int32Array(4),
      auxF: new Float64Array(2),
    };
    this.next = new Int32Array(1024);
  }

  setScenarios(list: StoreScenario[]): void {
    this.sc = list.slice();
    this.wmark = list.map(() => -Infinity);
  }

  private allocNode(): number {
    let n: number;
    if (this.freeNode >= 0) {
      n = this.freeNode;
      this.freeNode = this.next[n]!;
    } else {
      if (this.nodeHigh >= this.next.length) {
        const nn = new Int32Array(this.next.length * 2);
        nn.set(this.next);
        this.next = nn;
      }
      n = this.nodeHigh++;
    }
    this.usedNodes++;
    this.next[n] = -1;
    return n;
  }

  freeChain(head: number): void {
    let n = head;
    while (n >= 0) {
      const nx = this.next[n]!;
      this.next[n] = this.freeNode;
      this.freeNode = n;
      this.usedNodes--;
      n = nx;
    }
  }

  /** Circular queue -> linear chain; returns the head. */
  private detach(b: RefBucket): number {
    if (b.qtail < 0) return -1;
    const head = this.next[b.qtail]!;
    this.next[b.qtail] = -1;
    b.qtail = -1;
    b.qhead = head;
    return head;
  }

  private death(idx: number, kind: number, b: RefBucket): void {
    const io = this.io,
      k = this.nDeaths++;
    io.dIdx[k] = idx;
    io.dKind[k] = kind;
    io.dScen[k] = b.s;
    io.dInst[k] = b.inst;
    io.dHead[k] = this.detach(b);
    io.dCount[k] = b.count;
    io.dFOff[k] = b.fOff;
    io.dFirst[k] = b.first;
    io.dLast[k] = b.last;
  }

  private unlive(b: RefBucket): void {
    b.live = false;
    this.st.live--;
    this.byInst.delete(b.inst);
    if (b.bh > 0) this.st.bh++;
    else this.map.delete(b.key);
  }

  private isExpired(b: RefBucket, c: StoreScenario, tb: number): boolean {
    if (c.durUs <= 0) return false;
    if (b.tm) return tb > b.last + c.durUs;
    if (c.flags & F_TIMED) return tb >= b.first + c.durUs;
    return tb >= b.last + c.durUs;
  }

  private lookupAt(idx: number, s: number, key: string, t: number, wallNow: number): RefBucket | undefined {
    this.justExpired = false;
    const b = this.map.get(key);
    if (!b || !b.live) return b;
    const c = this.sc[s]!;
    const tb = b.tm ? t : wallNow;
    if (this.isExpired(b, c, tb)) {
      const timed = !b.tm && (c.flags & F_TIMED) !== 0;
      this.death(idx, timed ? D_TIMED : D_EXPIRED, b);
      if (timed) this.st.timed++;
      else this.st.expired++;
      this.unlive(b);
      this.justExpired = true;
    }
    return b;
  }

  lookup(s: number, hi: number, lo: number, t: number, _tm: number, wallNowUs: number): number {
    this.nDeaths = 0;
    const b = this.lookupAt(0, s, `${s}:${hi}:${lo}`, t, wallNowUs);
    this.lastInst = b && b.live ? b.inst : 0;
    return this.lastInst;
  }
  lookupInst(): number {
    return this.lastInst;
  }
  deaths(): number {
    return this.nDeaths;
  }

  private evictOne(idx: number): void {
    // nearest to its end among all (src/buckets/eviction.ts; the WASM store samples 8)
    let best: RefBucket | undefined;
    let bestEnd = Infinity;
    for (const b of this.map.values()) {
      const dur = this.sc[b.s]!.durUs;
      const end = b.live ? (dur > 0 ? b.last + dur : Number.MAX_VALUE) : b.bh;
      if (!best || end < bestEnd) {
        best = b;
        bestEnd = end;
      }
    }
    if (!best) return;
    this.st.evictions++;
    if (best.live) {
      this.death(idx, D_EVICTED, best);
      best.live = false;
      this.st.live--;
      this.byInst.delete(best.inst);
    } else this.st.bh--;
    this.map.delete(best.key);
  }

  private bhDecide(b: RefBucket, s: number, t: number): boolean {
    const c = this.sc[s]!;
    if (!(c.flags & F_HASBH)) return true;
    const w = this.wmark[s]!;
    const blocked = b.bh > t && b.bh > w;
    if (t > w) this.wmark[s] = t;
    if (!blocked) b.bh = t + c.bhUs;
    return !blocked;
  }

  /** Overflowed bucket becomes a blackhole record (or disappears). */
  private overflowed(b: RefBucket, s: number, t: number, inline: boolean): number {
    b.live = false;
    this.st.live--;
    this.byInst.delete(b.inst);
    b.last = t;
    let code = R_PENDING;
    if (inline) code = this.bhDecide(b, s, t) ? R_OVERFLOW : R_BLACKHOLED;
    if (b.bh > 0) this.st.bh++;
    else this.map.delete(b.key);
    return code;
  }

  pourBatch(n: number, wallNow: number): number {
    this.nDeaths = 0;
    const io = this.io;
    for (let i = 0; i < n; i++) {
      const s = io.scen[i]!,
        hi = io.hi[i]!,
        lo = io.lo[i]!,
        tm = io.flags[i]! & 1,
        t = io.t[i]!;
      const c = this.sc[s]!;
      const key = `${s}:${hi}:${lo}`;
      let code = 0;
      let b = this.lookupAt(i, s, key, t, wallNow);
      if (!b || !b.live) {
        if (b) {
          if (this.justExpired) code |= R_RECREATED;
          if (b.bh > 0 && !this.justExpired) this.st.bh--;
          else if (b.bh > 0 && this.justExpired) this.st.bh--;
        } else {
          if (this.st.live + this.st.bh >= this.maxBuckets) this.evictOne(i);
        }
        const tb0 = tm ? t : wallNow;
        void tb0;
        const nb: RefBucket = {
          live: true,
          tm: tm !== 0,
          s,
          key,
          tokens: 0,
          limLast: -Infinity,
          first: 0,
          last: tb0,
          bh: b ? b.bh : 0,
          count: 0,
          inst: ++this.instCounter,
          qhead: -1,
          qtail: -1,
          qlen: 0,
          fOff: 0,
        };
        this.map.set(key, nb);
        this.byInst.set(nb.inst, nb);
        this.st.live++;
        this.st.created++;
        b = nb;
        code |= R_NEW;
      }
      const tb = b.tm ? t : wallNow;
      let overflow = false;
      if (c.kind === K_TRIGGER) {
        b.count = 1;
        b.first = tb;
        b.fOff = io.off[i]!;
        b.last = tb;
        overflow = true;
      } else {
        b.count++;
        if (b.first === 0) {
          b.first = tb;
          b.fOff = io.off[i]!;
        }
        b.last = tb;
        if (c.kind === K_LEAKY && !allow(b, c, tb) && !(c.flags & F_COND)) overflow = true;
      }
      // circular queue, tail.next = head; at Q+1 events the oldest node is reused
      let node: number;
      if (c.qmax >= 0 && b.qlen >= c.qmax + 1) {
        node = this.next[b.qtail]!;
      } else {
        node = this.allocNode();
        if (b.qtail < 0) this.next[node] = node;
        else {
          this.next[node] = this.next[b.qtail]!;
          this.next[b.qtail] = node;
        }
        b.qlen++;
      }
      b.qtail = node;
      io.node[i] = node;
      io.head[i] = this.next[node]!;
      io.inst[i] = b.inst;
      io.count[i] = b.count;
      io.fOff[i] = b.fOff;
      io.first[i] = b.first;
      io.last[i] = b.last;
      if (overflow) {
        this.detach(b);
        code |= this.overflowed(b, s, tb, (c.flags & F_INLINEBH) !== 0);
        io.slot[i] = 0;
      } else io.slot[i] = b.inst;
      io.code[i] = code;
    }
    return this.nDeaths;
  }

  private aux(b: RefBucket): void {
    this.io.auxI[0] = this.detach(b);
    this.io.auxI[1] = b.count;
    this.io.auxI[2] = b.fOff;
    this.io.auxI[3] = b.inst;
    this.io.auxF[0] = b.first;
    this.io.auxF[1] = b.last;
  }

  kill(slot: number): void {
    const b = this.byInst.get(slot);
    if (!b) return;
    this.aux(b);
    this.unlive(b);
  }

  overflowSlot(slot: number, t: number): number {
    const b = this.byInst.get(slot);
    if (!b) return R_PENDING;
    this.aux(b);
    return this.overflowed(b, b.s, t, (this.sc[b.s]!.flags & F_INLINEBH) !== 0);
  }

  blackhole(s: number, hi: number, lo: number, t: number, tm: number): boolean {
    const c = this.sc[s]!;
    if (!(c.flags & F_HASBH)) return true;
    const key = `${s}:${hi}:${lo}`;
    let b = this.map.get(key);
    if (!b) {
      b = {
        live: false,
        tm: tm !== 0,
        s,
        key,
        tokens: 0,
        limLast: 0,
        first: 0,
        last: t,
        bh: 0,
        count: 0,
        inst: 0,
        qhead: -1,
        qtail: -1,
        qlen: 0,
        fOff: 0,
      };
      this.map.set(key, b);
      this.st.bh++;
    }
    if (!b.live) b.last = t;
    return this.bhDecide(b, s, t);
  }

  private sweepIter: Iterator<RefBucket> | null = null;

  sweep(wallNowUs: number, latestTmUs: number, budget: number): number {
    this.nDeaths = 0;
    let visited = 0;
    if (!this.sweepIter) this.sweepIter = this.map.values();
    while (visited < budget) {
      if (this.nDeaths >= this.deathCap - 2) return visited;
      const r = this.sweepIter.next();
      if (r.done) {
        this.sweepIter = this.map.values();
        visited++;
        if (this.map.size === 0) break;
        continue;
      }
      visited++;
      const b = r.value;
      const c = this.sc[b.s]!;
      if (b.live) {
        if (this.isExpired(b, c, b.tm ? latestTmUs : wallNowUs)) {
          const timed = !b.tm && (c.flags & F_TIMED) !== 0;
          this.death(-1, timed ? D_TIMED : D_EXPIRED, b);
          if (timed) this.st.timed++;
          else this.st.expired++;
          this.unlive(b);
        }
      } else {
        const now = b.tm ? latestTmUs : wallNowUs;
        if (b.bh <= this.wmark[b.s]! || b.bh + c.bhUs <= now) {
          this.map.delete(b.key);
          this.st.bh--;
        }
      }
    }
    return visited;
  }

  reset(): void {
    this.map.clear();
    this.byInst.clear();
    this.sweepIter = null;
    this.freeNode = -1;
    this.nodeHigh = 0;
    this.usedNodes = 0;
    this.st.live = 0;
    this.st.bh = 0;
    this.wmark = this.sc.map(() => -Infinity);
  }

  stats(): StoreStats {
    return {
      liveBuckets: this.st.live,
      blackholeRecords: this.st.bh,
      created: this.st.created,
      evictions: this.st.evictions,
      expired: this.st.expired,
      timedOverflows: this.st.timed,
      queuedEvents: this.usedNodes,
      tableSlots: this.map.size,
      sweepSpan: this.map.size,
      tableGrowths: 0,
      drained: 0,
    };
  }
  memoryBytes(): number {
    return this.next.byteLength;
  }
}
