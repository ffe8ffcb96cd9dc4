// Picket bucket state in WebAssembly (AssemblyScript).
// Owns: the bucket records (64 bytes each, in 1 MiB chunks that never move, ids recycled through a free list) and
// their open-addressing index (8-byte entries: hash of scenario id + 64-bit partition hash, bucket id; load <= 0.7,
// backward-shift deletion, no tombstones; growing it copies 8 bytes per bucket, never the records: linear memory,
// which cannot shrink, ends near 64 B per live bucket instead of the ~2 x 64 B / 0.7 of a table of records that
// doubled through every size), the leaky-bucket (token bucket) maths of scenarios.md
// §5, bucket expiry (lazy in TIMEMACHINE, idle/timed in LIVE), per-partition blackhole records (§6), the
// per-bucket event queue as linked lists of node indices (the JS side stores the Event objects by node index),
// queue drains of refilled buckets, eviction beyond maxBuckets, incremental sweeping, and a batch pour API
// working on shared typed arrays.
// No strings cross the boundary. Times are f64 microseconds since the Unix epoch.
// The TypeScript twin of this file (same maths, object based) is src/buckets/refstore.ts.

// ---- bucket record layout (64 bytes) ----
const SLOT: i32 = 64;
const S_STATE: i32 = 0;   // bits 0-7: 0 empty, 1 live, 2 reused (transient), 3 blackhole record; bit 8: TIMEMACHINE;
                          // bits 16-31: zone offset of First_ts in minutes (i16)
const S_SCEN: i32 = 4;
const S_HI: i32 = 8;
const S_LO: i32 = 12;
const S_TOKENS: i32 = 16; // limiter tokens; the limiter's `last` equals Last_ts while the bucket lives
const S_FIRST: i32 = 24;
const S_LAST: i32 = 32;
const S_BH: i32 = 40;     // blackhole-until (µs), 0 = none
const S_COUNT: i32 = 48;  // Total_count; queue length = min(Total_count, Q+1)
const S_INST: i32 = 52;
const S_QTAIL: i32 = 56;  // queue = circular list through nodes[], tail.next = head; -1 = empty
const S_QLEN: i32 = 60;   // events in the queue (<= Q+1; 0 after a drain)

// @ts-ignore: decorator
@inline function getFOff(p: usize): i32 { return (load<i32>(p + S_STATE) >> 16) * 60; }
// @ts-ignore: decorator
@inline function setFOff(p: usize, off: i32): void {
  store<i32>(p + S_STATE, (load<i32>(p + S_STATE) & 0xffff) | ((off / 60) << 16));
}
/** Turns the circular queue of p into a linear chain and returns its head (-1 when empty). */
function detach(p: usize): i32 {
  const tail = load<i32>(p + S_QTAIL);
  if (tail < 0) return -1;
  const head = load<i32>(nodes + (<usize>tail << 2));
  store<i32>(nodes + (<usize>tail << 2), -1);
  store<i32>(p + S_QTAIL, -1);
  store<i32>(p + S_QLEN, 0);
  return head;
}

const ST_EMPTY: i32 = 0;
const ST_LIVE: i32 = 1;
const ST_TOMB: i32 = 2;
const ST_BH: i32 = 3;
const ST_TM: i32 = 256;

// ---- scenario config (64 bytes) ----
const SC: i32 = 64;
const C_KIND: i32 = 0;    // 0 leaky (limiter), 1 trigger, 2 always-full (capacity -1)
const C_FLAGS: i32 = 4;   // 1 conditional-store, 2 timed, 4 inline blackhole, 8 has blackhole
const C_QMAX: i32 = 8;    // queue bound Q (keeps Q+1), -1 unbounded
const C_CAP: i32 = 16;
const C_LIMIT: i32 = 24;  // tokens per second
const C_DUR: i32 = 32;    // Duration µs (0 = never idles)
const C_BHDUR: i32 = 40;
const C_WMARK: i32 = 48;  // highest overflow time seen by the blackhole hook

const K_LEAKY: i32 = 0;
const K_TRIGGER: i32 = 1;
const F_COND: i32 = 1;
const F_TIMED: i32 = 2;
const F_INLINEBH: i32 = 4;
const F_HASBH: i32 = 8;
const F_DRAIN: i32 = 16;  // plain leaky bucket: its queue only matters for an overflow (see drainable)

// result codes (low byte) and flags
export const R_ALLOWED: i32 = 0;
export const R_OVERFLOW: i32 = 1;
export const R_BLACKHOLED: i32 = 2;
export const R_PENDING: i32 = 3;
export const R_NEW: i32 = 0x100;
export const R_RECREATED: i32 = 0x200;

// death kinds
const D_EXPIRED: i32 = 0;
const D_TIMED: i32 = 1;
const D_EVICTED: i32 = 2;
const D_DRAINED: i32 = 3;  // the bucket lives on; only its queued events are handed back

// ---- header (i32 words) ----
const H_DEATHS: i32 = 0;
const H_LIVE: i32 = 1;
const H_BHREC: i32 = 2;
const H_EVICT: i32 = 3;
const H_CREATED: i32 = 4;
const H_EXPIRED: i32 = 5;
const H_TABCAP: i32 = 6;
const H_NODECAP: i32 = 7;
const H_NODES: i32 = 8;
const H_USEDNODES: i32 = 9;
const H_TOMBS: i32 = 10;
const H_SLOT: i32 = 11;      // slot returned by lookup
const H_INST: i32 = 12;      // instance of the slot returned by lookup
const H_TIMEDOVF: i32 = 13;
const H_GROWS: i32 = 14;
const H_DRAINED: i32 = 15;
const H_SPAN: i32 = 16;      // bucket ids in use or free (the sweep's pass)
const H_WORDS: i32 = 17;

let hdr: usize = 0;
let table: usize = 0;   // the index: tabCap entries of [u32 hash, i32 bucket id + 1 (0 = empty)]
let tabCap: i32 = 0;
let mask: i32 = 0;
let live: i32 = 0;
let bhrec: i32 = 0;
let tombs: i32 = 0;
let maxBuckets: i32 = 0x7fffffff;
let instCounter: i32 = 0;
let hand: i32 = 0;
let sweepCursor: i32 = 0;

let scen: usize = 0;
let nScen: i32 = 0;

let nodes: usize = 0;
let nodeCap: i32 = 0;
let freeNode: i32 = -1;
let usedNodes: i32 = 0;

// batch io
let B: i32 = 0;
let inScen: usize = 0; let inHi: usize = 0; let inLo: usize = 0; let inFlags: usize = 0; let inOff: usize = 0; let inT: usize = 0;
let outCode: usize = 0; let outNode: usize = 0; let outHead: usize = 0; let outInst: usize = 0; let outCount: usize = 0;
let outFOff: usize = 0; let outFirst: usize = 0; let outLast: usize = 0; let outSlot: usize = 0;
// death log
let D: i32 = 0;
let nDeaths: i32 = 0;
let dIdx: usize = 0; let dKind: usize = 0; let dScen: usize = 0; let dInst: usize = 0; let dHead: usize = 0;
let dCount: usize = 0; let dFOff: usize = 0; let dFirst: usize = 0; let dLast: usize = 0;
// aux out (kill / overflowSlot): i32 head, count, foff, inst ; f64 first, last
let aux: usize = 0;

let evictions: i32 = 0;
let created: i32 = 0;
let expired: i32 = 0;
let timedOvf: i32 = 0;
let grows: i32 = 0;

function alloc0(bytes: i32): usize {
  const p = heap.alloc(<usize>bytes);
  memory.fill(p, 0, <usize>bytes);
  return p;
}

export function init(maxB: i32, initialCap: i32, batchCap: i32, deathCap: i32): void {
  hdr = alloc0(H_WORDS * 4);
  maxBuckets = maxB > 0 ? maxB : 0x7fffffff;
  let cap = 16;
  while (cap < initialCap) cap <<= 1;
  tabCap = cap; mask = cap - 1;
  table = alloc0(cap * IX);
  chunkCap = 64;
  chunks = alloc0(chunkCap * 4);
  nChunks = 0; bucketHigh = 0; freeBucket = -1;
  nodeCap = 1024;
  nodes = alloc0(nodeCap * 4);
  freeNode = -1;
  // thread free list lazily: nodes [usedHigh, nodeCap) are never-used
  nodeHigh = 0;
  B = batchCap;
  inScen = alloc0(B * 4); inHi = alloc0(B * 4); inLo = alloc0(B * 4); inFlags = alloc0(B * 4); inOff = alloc0(B * 4);
  inT = alloc0(B * 8);
  outCode = alloc0(B * 4); outNode = alloc0(B * 4); outHead = alloc0(B * 4); outInst = alloc0(B * 4);
  outCount = alloc0(B * 4); outFOff = alloc0(B * 4); outSlot = alloc0(B * 4);
  outFirst = alloc0(B * 8); outLast = alloc0(B * 8);
  D = deathCap;
  dIdx = alloc0(D * 4); dKind = alloc0(D * 4); dScen = alloc0(D * 4); dInst = alloc0(D * 4); dHead = alloc0(D * 4);
  dCount = alloc0(D * 4); dFOff = alloc0(D * 4); dFirst = alloc0(D * 8); dLast = alloc0(D * 8);
  aux = alloc0(64);
  publish();
}

let nodeHigh: i32 = 0;

export function setScenarioCount(n: i32): void {
  if (scen != 0) heap.free(scen);
  nScen = n;
  scen = alloc0((n > 0 ? n : 1) * SC);
}

export function setScenario(id: i32, kind: i32, flags: i32, qmax: i32, capacity: f64, limit: f64, durUs: f64, bhUs: f64): void {
  const c = scen + <usize>(id * SC);
  store<i32>(c + C_KIND, kind);
  store<i32>(c + C_FLAGS, flags);
  store<i32>(c + C_QMAX, qmax);
  store<f64>(c + C_CAP, capacity);
  store<f64>(c + C_LIMIT, limit);
  store<f64>(c + C_DUR, durUs);
  store<f64>(c + C_BHDUR, bhUs);
  store<f64>(c + C_WMARK, -Infinity);
}

// ---- pointers for the JS views ----
export function ptrHeader(): usize { return hdr; }
export function ptrInScen(): usize { return inScen; }
export function ptrInHi(): usize { return inHi; }
export function ptrInLo(): usize { return inLo; }
export function ptrInFlags(): usize { return inFlags; }
export function ptrInOff(): usize { return inOff; }
export function ptrInT(): usize { return inT; }
export function ptrOutCode(): usize { return outCode; }
export function ptrOutNode(): usize { return outNode; }
export function ptrOutHead(): usize { return outHead; }
export function ptrOutInst(): usize { return outInst; }
export function ptrOutCount(): usize { return outCount; }
export function ptrOutFOff(): usize { return outFOff; }
export function ptrOutFirst(): usize { return outFirst; }
export function ptrOutLast(): usize { return outLast; }
export function ptrOutSlot(): usize { return outSlot; }
export function ptrDIdx(): usize { return dIdx; }
export function ptrDKind(): usize { return dKind; }
export function ptrDScen(): usize { return dScen; }
export function ptrDInst(): usize { return dInst; }
export function ptrDHead(): usize { return dHead; }
export function ptrDCount(): usize { return dCount; }
export function ptrDFOff(): usize { return dFOff; }
export function ptrDFirst(): usize { return dFirst; }
export function ptrDLast(): usize { return dLast; }
export function ptrAux(): usize { return aux; }

function publish(): void {
  store<i32>(hdr + (H_DEATHS << 2), nDeaths);
  store<i32>(hdr + (H_LIVE << 2), live);
  store<i32>(hdr + (H_BHREC << 2), bhrec);
  store<i32>(hdr + (H_EVICT << 2), evictions);
  store<i32>(hdr + (H_CREATED << 2), created);
  store<i32>(hdr + (H_EXPIRED << 2), expired);
  store<i32>(hdr + (H_TABCAP << 2), tabCap);
  store<i32>(hdr + (H_NODECAP << 2), nodeCap);
  store<i32>(hdr + (H_NODES << 2), <i32>nodes);
  store<i32>(hdr + (H_USEDNODES << 2), usedNodes);
  store<i32>(hdr + (H_TOMBS << 2), tombs);
  store<i32>(hdr + (H_TIMEDOVF << 2), timedOvf);
  store<i32>(hdr + (H_GROWS << 2), grows);
  store<i32>(hdr + (H_DRAINED << 2), drained);
  store<i32>(hdr + (H_SPAN << 2), bucketHigh);
}

// ---- hashing / table ----
// @ts-ignore: decorator
@inline function hash3(s: i32, hi: i32, lo: i32): u32 {
  let h: u32 = <u32>lo * 0x9E3779B1;
  h ^= <u32>hi;
  h = (h ^ (h >>> 15)) * 0x85EBCA77;
  h ^= <u32>s * 0xC2B2AE3D;
  h ^= h >>> 13;
  h *= 0x27D4EB2F;
  h ^= h >>> 16;
  return h;
}

// ---- bucket records (chunks) and their index ----
const IX: i32 = 8;          // index entry: u32 hash, i32 bucket id + 1
const CH_BITS: i32 = 14;    // 16,384 records (1 MiB) per chunk
const CH_MASK: i32 = (1 << CH_BITS) - 1;
let chunks: usize = 0;      // chunk pointers (u32)
let chunkCap: i32 = 0;
let nChunks: i32 = 0;
let bucketHigh: i32 = 0;    // ids [0, bucketHigh) were handed out (free ones have state ST_EMPTY)
let freeBucket: i32 = -1;   // free ids, linked through S_QTAIL

// @ts-ignore: decorator
@inline function bptr(id: i32): usize {
  return <usize>load<u32>(chunks + (<usize>(id >> CH_BITS) << 2)) + <usize>((id & CH_MASK) * SLOT);
}

function allocBucket(): i32 {
  if (freeBucket >= 0) {
    const id = freeBucket;
    freeBucket = load<i32>(bptr(id) + S_QTAIL);
    return id;
  }
  if ((bucketHigh >> CH_BITS) >= nChunks) {
    if (nChunks >= chunkCap) {
      chunks = heap.realloc(chunks, <usize>(chunkCap << 3));
      chunkCap <<= 1;
    }
    store<u32>(chunks + (<usize>nChunks << 2), <u32>alloc0(SLOT << CH_BITS));
    nChunks++;
  }
  return bucketHigh++;
}

/** Record holding (s,hi,lo) in state live or blackhole record, else 0. */
function find(s: i32, hi: i32, lo: i32): usize {
  const h = hash3(s, hi, lo);
  let i = <i32>(h & <u32>mask);
  while (true) {
    const e = table + <usize>(i * IX);
    const id1 = load<i32>(e + 4);
    if (id1 == 0) return 0;
    if (load<u32>(e) == h) {
      const p = bptr(id1 - 1);
      if ((load<i32>(p + S_STATE) & 0xff) != ST_TOMB && load<i32>(p + S_LO) == lo && load<i32>(p + S_HI) == hi &&
          load<i32>(p + S_SCEN) == s) return p;
    }
    i = (i + 1) & mask;
  }
  return 0;
}

/** A new record indexed under a key known to be absent (the caller writes the key and the fields). */
function insertPos(s: i32, hi: i32, lo: i32): usize {
  const h = hash3(s, hi, lo);
  let i = <i32>(h & <u32>mask);
  while (load<i32>(table + <usize>(i * IX) + 4) != 0) i = (i + 1) & mask;
  const id = allocBucket();
  const e = table + <usize>(i * IX);
  store<u32>(e, h);
  store<i32>(e + 4, id + 1);
  return bptr(id);
}

/**
 * Frees record p: its index entry goes by backward-shift deletion (linear probing without tombstones: an index
 * under churn never fills with dead entries nor needs a same-size rehash), its id to the free list. Records never
 * move, so p holds no other entry afterwards: returns false (the callers' "look at p again" contract).
 */
function removeAt(p: usize): bool {
  const h = hash3(load<i32>(p + S_SCEN), load<i32>(p + S_HI), load<i32>(p + S_LO));
  let i = <i32>(h & <u32>mask);
  let id1 = 0;
  while (true) {
    id1 = load<i32>(table + <usize>(i * IX) + 4);
    if (id1 == 0) return false; // not indexed (cannot happen)
    if (load<u32>(table + <usize>(i * IX)) == h && bptr(id1 - 1) == p) break;
    i = (i + 1) & mask;
  }
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const q = table + <usize>(j * IX);
    if (load<i32>(q + 4) == 0) break;
    const k = <i32>(load<u32>(q) & <u32>mask);
    // q stays where it is when its home k lies cyclically in (i, j]
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
    store<u64>(table + <usize>(i * IX), load<u64>(q));
    i = j;
  }
  store<u64>(table + <usize>(i * IX), 0);
  store<i32>(p + S_STATE, ST_EMPTY);
  store<i32>(p + S_QTAIL, freeBucket);
  freeBucket = id1 - 1;
  return false;
}

function rehash(newCap: i32): void {
  const old = table;
  const oldCap = tabCap;
  table = alloc0(newCap * IX);
  tabCap = newCap; mask = newCap - 1;
  for (let i = 0; i < oldCap; i++) {
    const e = old + <usize>(i * IX);
    if (load<i32>(e + 4) == 0) continue;
    let j = <i32>(load<u32>(e) & <u32>mask);
    while (load<i32>(table + <usize>(j * IX) + 4) != 0) j = (j + 1) & mask;
    store<u64>(table + <usize>(j * IX), load<u64>(e));
  }
  heap.free(old);
  grows++;
}

function ensureRoom(): void {
  // load factor at most 0.7 (linear probing stays short; no tombstones count)
  if ((live + bhrec + 1) * 10 > tabCap * 7) rehash(tabCap << 1);
}

// ---- nodes ----
function allocNode(): i32 {
  let n: i32;
  if (freeNode >= 0) {
    n = freeNode;
    freeNode = load<i32>(nodes + (<usize>n << 2));
  } else {
    if (nodeHigh >= nodeCap) {
      const nc = nodeCap << 1;
      nodes = heap.realloc(nodes, <usize>nc << 2);
      nodeCap = nc;
    }
    n = nodeHigh++;
  }
  usedNodes++;
  store<i32>(nodes + (<usize>n << 2), -1);
  return n;
}

/** Returns a chain (as produced by overflow / death / kill) to the free list. */
export function freeChain(head: i32): void {
  let n = head;
  while (n >= 0) {
    const nx = load<i32>(nodes + (<usize>n << 2));
    store<i32>(nodes + (<usize>n << 2), freeNode);
    freeNode = n;
    usedNodes--;
    n = nx;
  }
  store<i32>(hdr + (H_USEDNODES << 2), usedNodes);
}

// ---- bucket lifecycle ----
function recordDeath(idx: i32, kind: i32, p: usize): void {
  const k = <usize>nDeaths;
  store<i32>(dIdx + (k << 2), idx);
  store<i32>(dKind + (k << 2), kind);
  store<i32>(dScen + (k << 2), load<i32>(p + S_SCEN));
  store<i32>(dInst + (k << 2), load<i32>(p + S_INST));
  store<i32>(dCount + (k << 2), load<i32>(p + S_COUNT));
  store<i32>(dFOff + (k << 2), getFOff(p));
  store<i32>(dHead + (k << 2), detach(p));
  store<f64>(dFirst + (k << 3), load<f64>(p + S_FIRST));
  store<f64>(dLast + (k << 3), load<f64>(p + S_LAST));
  nDeaths++;
}

/**
 * A live bucket stops existing: keep the slot as a blackhole record if it carries one, else free it — or, with
 * `reuse`, mark it ST_TOMB for the caller (pourOne) to refill at once. Returns true when p now holds another
 * entry (moved back by the deletion).
 */
function unlive(p: usize, reuse: bool): bool {
  live--;
  const st = load<i32>(p + S_STATE);
  if (load<f64>(p + S_BH) > 0) {
    store<i32>(p + S_STATE, ST_BH | (st & ST_TM));
    bhrec++;
    return false;
  }
  if (reuse) { store<i32>(p + S_STATE, ST_TOMB); return false; }
  return removeAt(p);
}

function dropRecord(p: usize): bool {
  bhrec--;
  return removeAt(p);
}

function evictOne(idx: i32): void {
  // among up to 8 occupied slots from the clock hand, evict the one nearest to its end (src/buckets/eviction.ts):
  // a live bucket's idle deadline (never-idling ones last), a blackhole record's expiry
  let best: usize = 0;
  let bestT: f64 = Infinity;
  let seen = 0;
  for (let k = 0; k < bucketHigh && seen < 8; k++) {
    hand = hand + 1 >= bucketHigh ? 0 : hand + 1;
    const p = bptr(hand);
    const st = load<i32>(p + S_STATE) & 0xff;
    if (st == ST_LIVE || st == ST_BH) {
      seen++;
      let t: f64;
      if (st == ST_BH) t = load<f64>(p + S_BH);
      else {
        const dur = load<f64>(scen + <usize>(load<i32>(p + S_SCEN) * SC) + C_DUR);
        t = dur > 0 ? load<f64>(p + S_LAST) + dur : 1.0e300;
      }
      if (best == 0 || t < bestT) { bestT = t; best = p; }
    }
  }
  if (best == 0) return;
  evictions++;
  if ((load<i32>(best + S_STATE) & 0xff) == ST_LIVE) {
    recordDeath(idx, D_EVICTED, best);
    live--;
    removeAt(best);
  } else {
    dropRecord(best);
  }
}

function freshBucket(p: usize, s: i32, hi: i32, lo: i32, tm: i32, c: usize, t: f64): void {
  store<i32>(p + S_STATE, ST_LIVE | (tm != 0 ? ST_TM : 0));
  store<i32>(p + S_SCEN, s);
  store<i32>(p + S_HI, hi);
  store<i32>(p + S_LO, lo);
  store<f64>(p + S_TOKENS, initialTokens(load<f64>(c + C_CAP), load<f64>(c + C_LIMIT)));
  store<f64>(p + S_FIRST, 0);
  store<f64>(p + S_LAST, t);
  store<i32>(p + S_COUNT, 0);
  store<i32>(p + S_INST, ++instCounter);
  store<i32>(p + S_QTAIL, -1);
  store<i32>(p + S_QLEN, 0);
  live++;
  created++;
}

/** Is the live bucket at p gone at time tb (event time for TIMEMACHINE buckets, wall clock for LIVE)? */
// @ts-ignore: decorator
@inline function isExpired(p: usize, c: usize, tb: f64, isTm: bool): bool {
  const dur = load<f64>(c + C_DUR);
  if (dur <= 0) return false;
  if (isTm) return tb > load<f64>(p + S_LAST) + dur;
  if ((load<i32>(c + C_FLAGS) & F_TIMED) != 0) return tb >= load<f64>(p + S_FIRST) + dur;
  return tb >= load<f64>(p + S_LAST) + dur;
}

/** Lookup with expiry. Returns the live slot or 0; deaths go to the log with batch index idx. */
function lookupAt(idx: i32, s: i32, hi: i32, lo: i32, t: f64, tm: i32, wallNow: f64, reuse: bool): usize {
  justExpired = false;
  const p = find(s, hi, lo);
  if (p == 0) return 0;
  const st = load<i32>(p + S_STATE);
  if ((st & 0xff) != ST_LIVE) return p;
  const c = scen + <usize>(s * SC);
  const isTm = (st & ST_TM) != 0;
  const tb = isTm ? t : wallNow;
  if (isExpired(p, c, tb, isTm)) {
    const timed = !isTm && (load<i32>(c + C_FLAGS) & F_TIMED) != 0;
    recordDeath(idx, timed ? D_TIMED : D_EXPIRED, p);
    if (timed) timedOvf++; else expired++;
    justExpired = true;
    // without reuse the slot may now hold another key: report it gone
    if (!reuse) { unlive(p, false); return 0; }
    unlive(p, true);
  }
  return p;
}

let justExpired: bool = false;

export function lookup(s: i32, hi: i32, lo: i32, t: f64, tm: i32, wallNow: f64): usize {
  nDeaths = 0;
  const p = lookupAt(0, s, hi, lo, t, tm, wallNow, false);
  let r: usize = 0;
  if (p != 0 && (load<i32>(p + S_STATE) & 0xff) == ST_LIVE) r = p;
  store<i32>(hdr + (H_SLOT << 2), <i32>r);
  store<i32>(hdr + (H_INST << 2), r != 0 ? load<i32>(r + S_INST) : 0);
  publish();
  return r;
}

/** Blackhole hook for an overflow at time t: true = keep. */
function bhDecide(p: usize, c: usize, t: f64): bool {
  if ((load<i32>(c + C_FLAGS) & F_HASBH) == 0) return true;
  const w = load<f64>(c + C_WMARK);
  const until = load<f64>(p + S_BH);
  const blocked = until > t && until > w;
  if (t > w) store<f64>(c + C_WMARK, t);
  if (!blocked) store<f64>(p + S_BH, t + load<f64>(c + C_BHDUR));
  return !blocked;
}

// ---- golang.org/x/time/rate maths (crowdsecurity/time fork), durations in ns as f64 ----
/** durationFromTokens: time.Duration(1e9 * (tokens / limit)), truncated. */
// @ts-ignore: decorator
@inline function durFromTokens(tokens: f64, limit: f64): f64 {
  return Math.trunc(1e9 * (tokens / limit));
}
/** tokensFromDuration: whole seconds and the ns remainder separately. */
// @ts-ignore: decorator
@inline function tokensFromDur(d: f64, limit: f64): f64 {
  const sec = Math.trunc(d / 1e9);
  const nsec = d - sec * 1e9;
  return sec * limit + (nsec * limit) / 1e9;
}
/** Tokens of a new limiter (tokens 0, last = zero time) at its first use: elapsed capped at maxElapsed. */
// @ts-ignore: decorator
@inline function initialTokens(cap: f64, limit: f64): f64 {
  if (limit <= 0) return cap;
  let t = tokensFromDur(durFromTokens(cap, limit), limit);
  if (t > cap) t = cap;
  return t;
}

function pourOne(i: i32, wallNow: f64): void {
  const k = <usize>i;
  const s = load<i32>(inScen + (k << 2));
  const hi = load<i32>(inHi + (k << 2));
  const lo = load<i32>(inLo + (k << 2));
  const tm = load<i32>(inFlags + (k << 2)) & 1;
  const t = load<f64>(inT + (k << 3));
  const c = scen + <usize>(s * SC);
  const kind = load<i32>(c + C_KIND);
  const flags = load<i32>(c + C_FLAGS);
  let code = 0;
  let p = lookupAt(i, s, hi, lo, t, tm, wallNow, true);
  let st = p != 0 ? load<i32>(p + S_STATE) & 0xff : ST_EMPTY;
  if (st != ST_LIVE) {
    if (p != 0 && st != ST_LIVE) {
      // expired just now (recreated) or a blackhole record: reuse the slot, keep its blackhole expiry
      if (justExpired) code |= R_RECREATED;
      if (st == ST_BH) bhrec--;
    } else {
      if (live + bhrec >= maxBuckets) evictOne(i);
      ensureRoom();
      p = insertPos(s, hi, lo);
      store<f64>(p + S_BH, 0);
    }
    const isTmNew = tm != 0;
    freshBucket(p, s, hi, lo, tm, c, isTmNew ? t : wallNow);
    code |= R_NEW;
  }
  const isTm = (load<i32>(p + S_STATE) & ST_TM) != 0;
  const tb = isTm ? t : wallNow;
  const qmax = load<i32>(c + C_QMAX);
  let overflow = false;
  const countBefore = load<i32>(p + S_COUNT);
  if (kind == K_TRIGGER) {
    store<i32>(p + S_COUNT, 1);
    store<f64>(p + S_FIRST, tb);
    setFOff(p, load<i32>(inOff + (k << 2)));
    store<f64>(p + S_LAST, tb);
    overflow = true;
  } else {
    store<i32>(p + S_COUNT, countBefore + 1);
    const lastBefore = load<f64>(p + S_LAST);
    if (load<f64>(p + S_FIRST) == 0) {
      store<f64>(p + S_FIRST, tb);
      setFOff(p, load<i32>(inOff + (k << 2)));
    }
    store<f64>(p + S_LAST, tb);
    if (kind == K_LEAKY) {
      // Limiter.Allow at tb: advance (elapsed capped at maxElapsed), take one token, ok when the
      // resulting wait rounds to 0 ns
      const cap = load<f64>(c + C_CAP);
      const limit = load<f64>(c + C_LIMIT);
      let tokens = load<f64>(p + S_TOKENS);
      let el = (tb - lastBefore) * 1000;
      if (el < 0) el = 0;
      const maxEl = durFromTokens(cap - tokens, limit);
      if (el > maxEl) el = maxEl;
      tokens += tokensFromDur(el, limit);
      if (tokens > cap) tokens = cap;
      tokens -= 1;
      if (tokens >= 0 || durFromTokens(-tokens, limit) <= 0) {
        store<f64>(p + S_TOKENS, tokens);
      } else if ((flags & F_COND) == 0) {
        overflow = true;
      }
    }
  }
  // enqueue into the circular queue (keeps at most Q+1 events: the oldest node is reused)
  let node: i32;
  const tail = load<i32>(p + S_QTAIL);
  const qlen = kind == K_TRIGGER ? 0 : load<i32>(p + S_QLEN);
  if (qmax >= 0 && qlen >= qmax + 1 && tail >= 0) {
    node = load<i32>(nodes + (<usize>tail << 2));
  } else {
    node = allocNode();
    store<i32>(p + S_QLEN, qlen + 1);
    if (tail < 0) store<i32>(nodes + (<usize>node << 2), node);
    else {
      store<i32>(nodes + (<usize>node << 2), load<i32>(nodes + (<usize>tail << 2)));
      store<i32>(nodes + (<usize>tail << 2), node);
    }
  }
  store<i32>(p + S_QTAIL, node);
  store<i32>(outNode + (k << 2), node);
  store<i32>(outHead + (k << 2), load<i32>(nodes + (<usize>node << 2)));
  store<i32>(outInst + (k << 2), load<i32>(p + S_INST));
  store<i32>(outCount + (k << 2), load<i32>(p + S_COUNT));
  store<i32>(outFOff + (k << 2), getFOff(p));
  store<f64>(outFirst + (k << 3), load<f64>(p + S_FIRST));
  store<f64>(outLast + (k << 3), load<f64>(p + S_LAST));
  if (overflow) {
    detach(p);
    unliveOverflow(p, c, flags, tb);
    if ((flags & F_INLINEBH) != 0) code |= bhDecide(p, c, tb) ? R_OVERFLOW : R_BLACKHOLED;
    else code |= R_PENDING;
    fixState(p);
    store<i32>(outSlot + (k << 2), 0);
  } else {
    store<i32>(outSlot + (k << 2), <i32>p);
  }
  store<i32>(outCode + (k << 2), code);
}

/** Overflowed bucket: mark as a (possibly empty) blackhole record; fixState() settles it afterwards. */
function unliveOverflow(p: usize, c: usize, flags: i32, tb: f64): void {
  live--;
  store<i32>(p + S_STATE, ST_BH | (load<i32>(p + S_STATE) & ST_TM));
  store<f64>(p + S_LAST, tb);
  bhrec++;
}

/** A blackhole record without a blackhole expiry is freed. */
function fixState(p: usize): void {
  if ((load<i32>(p + S_STATE) & 0xff) == ST_BH && load<f64>(p + S_BH) <= 0) dropRecord(p);
}

/** Pours inputs [0, n). Returns the number of death-log entries written. */
export function pourBatch(n: i32, wallNow: f64): i32 {
  nDeaths = 0;
  for (let i = 0; i < n; i++) pourOne(i, wallNow);
  publish();
  return nDeaths;
}

function auxOut(p: usize): void {
  store<i32>(aux + 4, load<i32>(p + S_COUNT));
  store<i32>(aux + 8, getFOff(p));
  store<i32>(aux, detach(p));
  store<i32>(aux + 12, load<i32>(p + S_INST));
  store<f64>(aux + 16, load<f64>(p + S_FIRST));
  store<f64>(aux + 24, load<f64>(p + S_LAST));
}

/** cancel_on: destroy the live bucket at slot p (no overflow). Its chain is in aux[0]. */
export function kill(p: usize): void {
  auxOut(p);
  unlive(p, false);
  publish();
}

/** Overflow requested by JS (condition / bayesian) for the live bucket at p with Ovflw_ts t. */
export function overflowSlot(p: usize, t: f64): i32 {
  auxOut(p);
  const s = load<i32>(p + S_SCEN);
  const c = scen + <usize>(s * SC);
  const flags = load<i32>(c + C_FLAGS);
  unliveOverflow(p, c, flags, t);
  let code: i32;
  if ((flags & F_INLINEBH) != 0) code = bhDecide(p, c, t) ? R_OVERFLOW : R_BLACKHOLED;
  else code = R_PENDING;
  fixState(p);
  publish();
  return code;
}

/** Blackhole hook for a pending overflow (after overflow_filter kept it). 1 = keep, 0 = discard. */
export function blackhole(s: i32, hi: i32, lo: i32, t: f64, tm: i32): i32 {
  const c = scen + <usize>(s * SC);
  if ((load<i32>(c + C_FLAGS) & F_HASBH) == 0) return 1;
  let p = find(s, hi, lo);
  if (p == 0) {
    ensureRoom();
    p = insertPos(s, hi, lo);
    store<i32>(p + S_STATE, ST_BH | (tm != 0 ? ST_TM : 0));
    store<i32>(p + S_SCEN, s);
    store<i32>(p + S_HI, hi);
    store<i32>(p + S_LO, lo);
    store<f64>(p + S_BH, 0);
    store<i32>(p + S_INST, 0);
    bhrec++;
  }
  if ((load<i32>(p + S_STATE) & 0xff) == ST_BH) store<f64>(p + S_LAST, t);
  const keep = bhDecide(p, c, t);
  publish();
  return keep ? 1 : 0;
}

/**
 * A plain leaky bucket (F_DRAIN: no condition, no bayesian, not timed) whose limiter is back to full at `now`:
 * an overflow needs capacity+1 more pours from here, and the queue keeps at most Q+1 <= capacity+1 events, so
 * none of the events queued now can be part of an alert. They can be handed back while the bucket (its count,
 * First_ts, limiter, blackhole and distinct state) lives on unchanged: a spray of one event per address then
 * keeps a table slot per address until Duration, not its event.
 */
function drainable(p: usize, c: usize, now: f64): bool {
  if ((load<i32>(c + C_FLAGS) & F_DRAIN) == 0 || load<i32>(c + C_KIND) != K_LEAKY) return false;
  const limit = load<f64>(c + C_LIMIT);
  if (limit <= 0) return false;
  // Limiter.Allow would cap the elapsed time at maxEl: the tokens are then capacity, to within 1 ns of refill
  const el = (now - load<f64>(p + S_LAST)) * 1000;
  return el >= durFromTokens(load<f64>(c + C_CAP) - load<f64>(p + S_TOKENS), limit) + 1e9;
}

let drained: i32 = 0;

/**
 * Incremental sweep of up to `budget` slots from the cursor. LIVE buckets use wallNow (timed buckets
 * overflow, others underflow); TIMEMACHINE buckets idle beyond Duration at latestTm are dropped.
 * Blackhole records whose expiry passed are dropped. Returns the number of slots visited (it stops early
 * when the death log is full).
 */
export function sweep(wallNow: f64, latestTm: f64, budget: i32, drainTm: f64): i32 {
  nDeaths = 0;
  let wrapped = 0;
  let k = 0;
  for (; k < budget; k++) {
    if (nDeaths >= D - 2) break;
    if (sweepCursor >= bucketHigh) { sweepCursor = 0; wrapped = 1; if (bucketHigh == 0) break; }
    const p = bptr(sweepCursor);
    const stw = load<i32>(p + S_STATE);
    const st = stw & 0xff;
    const isTm = (stw & ST_TM) != 0;
    let moved = false; // a deletion moved another entry into this slot: look at it again
    if (st == ST_LIVE) {
      const c = scen + <usize>(load<i32>(p + S_SCEN) * SC);
      const now = isTm ? latestTm : wallNow;
      if (isExpired(p, c, now, isTm)) {
        const timed = !isTm && (load<i32>(c + C_FLAGS) & F_TIMED) != 0;
        recordDeath(-1, timed ? D_TIMED : D_EXPIRED, p);
        if (timed) timedOvf++; else expired++;
        moved = unlive(p, false);
      } else if (load<i32>(p + S_QTAIL) >= 0 && drainable(p, c, isTm ? drainTm : wallNow)) {
        recordDeath(-1, D_DRAINED, p);
        drained++;
      }
    } else if (st == ST_BH) {
      const c = scen + <usize>(load<i32>(p + S_SCEN) * SC);
      const until = load<f64>(p + S_BH);
      const now = isTm ? latestTm : wallNow;
      if (until <= load<f64>(c + C_WMARK) || until + load<f64>(c + C_BHDUR) <= now) moved = dropRecord(p);
    }
    // not counted as a visit: each re-examination follows a deletion, so they are bounded by the entries
    if (moved) { k--; continue; }
    sweepCursor++;
  }
  // shrink an index that is mostly empty (records stay: their ids are reused)
  if (wrapped != 0 && tabCap > 1024 && (live + bhrec) * 8 < tabCap) {
    let nc = tabCap;
    while (nc > 1024 && (live + bhrec) * 4 < nc) nc >>= 1;
    rehash(nc);
  }
  publish();
  return k;
}

/** Drop every bucket and record (end of replay / reset). Chains are not reported: the caller resets too. */
export function reset(): void {
  memory.fill(table, 0, <usize>(tabCap * IX));
  bucketHigh = 0; freeBucket = -1; sweepCursor = 0; hand = 0;
  live = 0; bhrec = 0;
  freeNode = -1; nodeHigh = 0; usedNodes = 0;
  for (let i = 0; i < nScen; i++) store<f64>(scen + <usize>(i * SC) + C_WMARK, -Infinity);
  publish();
}
