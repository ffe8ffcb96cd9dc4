// Picket CIDR index in WebAssembly (AssemblyScript).
// Owns: two path-compressed binary tries (IPv4, IPv6) of address prefixes in linear memory, the id lists
// attached to each prefix, node/block recycling, and the `containing` / `within` walks that write matching
// ids into a result buffer. No GC objects: every node and id block is a 32-byte slot of one pool, addressed
// by index (0 = none); freed slots go to a free list and are reused before the pool grows. The pool is a list
// of fixed 512 KiB chunks (slot i lives in chunk i >> 14), so growing it never copies or doubles memory.
//
// Why a path-compressed binary trie (PATRICIA-style) rather than a multibit trie: entries are arbitrary
// prefixes (single IPs and ranges of any length, IPv6 up to /128) with several ids each, and the index is
// edited on every decision insert/expiry. A path-compressed binary trie holds at most 2 nodes per prefix
// (the entry + one branching node), needs no prefix expansion (a multibit trie must copy a short prefix's
// ids into every expanded slot, which makes removal and `within` costly), keeps `containing` a single
// root-to-leaf walk of at most ~log2(n) + nesting-depth nodes, and makes `within` a subtree walk.
// IPv4 keys are stored left-aligned in the same 128-bit key as IPv6 (max length 32), so one code path
// serves both families.
// A plain binary trie of n keys is ~log2(n) nodes deep (17 at 100k entries), one cache miss each, so the top
// of each family's trie is cut off by bucket tables ("levels"). Level K holds the entries whose length is in
// [K, next K) in 2^8..2^20 small tries, the bucket being a multiplicative hash of the entry's first K bits
// (IPv4: K = 8, 16, 24, 32; IPv6: K = 16, 32, 48, 64 - down to single IPv4 addresses and to provider, site
// and subnet prefixes, so addresses clustered in one network still spread); entries shorter than the first
// K live in one "short" trie per family. `containing` probes, per non-empty level, a bitmap of used buckets
// and walks one bucket trie (a node or two even with 1M entries); `within` walks the bucket of each of the
// query's K-bit prefixes, or the whole table when there are too many of those.
//
// Keys cross the boundary as four u32 words (big-endian order of the address bytes, i.e. network order),
// passed as call arguments, so one call = one boundary crossing and no copy. Results are i32 ids written
// to the result buffer whose address is in the header; the header's generation word changes whenever that
// buffer moves, and the JS side rebuilds its views when the memory buffer was replaced (grown).

// ---- slot layout (32 bytes) ----
const SLOT_SHIFT: i32 = 5;
// node
const N_HI: i32 = 0;     // u64: key bits 0..63 (bit 0 = most significant)
const N_LO: i32 = 8;     // u64: key bits 64..127
const N_LEN: i32 = 16;   // prefix length
const N_C0: i32 = 20;    // child whose bit at position len is 0
const N_C1: i32 = 24;    // child whose bit at position len is 1
const N_IDS: i32 = 28;   // 0: no entry (a branching node); > 0: the single id; < 0: -(index of first id block)
// id block: a chain; the first block holds 1..6 ids, every later block is full
const B_NEXT: i32 = 0;
const B_COUNT: i32 = 4;
const B_IDS: i32 = 8;
const B_MAX: i32 = 6;
// free slot
const F_NEXT: i32 = 0;

// ---- header (i32 words), fixed address ----
const H_SIZE: i32 = 0;     // number of (prefix, id) entries
const H_GEN: i32 = 1;      // bumped whenever the result buffer moves
const H_RESPTR: i32 = 2;
const H_RESCAP: i32 = 3;   // in ids
const H_POOLCAP: i32 = 4;  // slots
const H_LIVE: i32 = 5;     // slots in use (nodes + id blocks)
const H_SHORT4: i32 = 6;   // root of the IPv4 trie of prefixes shorter than the first IPv4 level
const H_SHORT6: i32 = 7;
const H_NODES: i32 = 8;    // slots in use as nodes
const H_WORDS: i32 = 16;

const hdr: usize = memory.data(H_WORDS * 4, 16);
// explicit DFS stack for `within`: a path holds at most 129 nodes (lengths strictly increase), the stack
// never holds more than path length + 1 entries
const STACK_MAX: i32 = 256;
const stack: usize = memory.data(STACK_MAX * 4, 16);

// levels 0-3: IPv4, 4-7: IPv6; their K (prefix length of the bucket key), table size (2^bits slots: 2^20 for
// single IPv4 addresses, 2^18 for IPv6 /64-/128, 2^16 or 2^K for the others), tables of trie roots, bitmaps
// of non-empty buckets (probed first: 8-128 KiB stay in cache where a 256 KiB - 4 MiB table does not) and
// entry counts (an empty level is skipped). Untouched table pages cost no RAM.
const N_LEVELS: i32 = 8;
const V6_FIRST_LEVEL: i32 = 4;
const levelK: usize = memory.data<i32>([8, 16, 24, 32, 16, 32, 48, 64]);
const levelBits: usize = memory.data<i32>([8, 16, 16, 20, 16, 16, 16, 18]);
const levelTable: usize = memory.data(N_LEVELS * 4, 16);
const levelBitmap: usize = memory.data(N_LEVELS * 4, 16);
const levelCount: usize = memory.data(N_LEVELS * 4, 16);

const CHUNK_SHIFT: i32 = 14;            // 16384 slots = 512 KiB per chunk
const CHUNK_MASK: i32 = (1 << CHUNK_SHIFT) - 1;
const MAX_CHUNKS: i32 = 8192;            // 2^27 slots: more than a 4 GiB memory can hold
const chunks: usize = memory.data(MAX_CHUNKS * 4, 16);
let nChunks: i32 = 0;         // the pool and the other buffers are taken with memory.grow (runtime stub)
let poolCap: i32 = 0;
let high: i32 = 1;        // slots [high, poolCap) were never used; slot 0 is the "none" index
let freeHead: i32 = 0;
let freeCount: i32 = 0;
let res: usize = 0;
let resCap: i32 = 0;

// @ts-ignore: decorator
@inline function hset(w: i32, v: i32): void { store<i32>(hdr + (<usize>w << 2), v); }
// @ts-ignore: decorator
@inline function hget(w: i32): i32 { return load<i32>(hdr + (<usize>w << 2)); }
// @ts-ignore: decorator
@inline function slot(i: i32): usize {
  return load<usize>(chunks + (<usize>(i >> CHUNK_SHIFT) << 2)) + (<usize>(i & CHUNK_MASK) << SLOT_SHIFT);
}
// @ts-ignore: decorator
@inline function shortLink(fam: i32): usize { return hdr + (<usize>(fam == 4 ? H_SHORT4 : H_SHORT6) << 2); }
// @ts-ignore: decorator
@inline function firstLevel(fam: i32): i32 { return fam == 4 ? 0 : V6_FIRST_LEVEL; }
// @ts-ignore: decorator
@inline function endLevel(fam: i32): i32 { return fam == 4 ? V6_FIRST_LEVEL : N_LEVELS; }
// @ts-ignore: decorator
@inline function kOf(level: i32): i32 { return load<i32>(levelK + (<usize>level << 2)); }
// @ts-ignore: decorator
@inline function bitsOf(level: i32): i32 { return load<i32>(levelBits + (<usize>level << 2)); }
// @ts-ignore: decorator
@inline function bitmapOf(level: i32): usize { return load<usize>(levelBitmap + (<usize>level << 2)); }
// @ts-ignore: decorator
@inline function tableOf(level: i32): usize { return load<usize>(levelTable + (<usize>level << 2)); }
// @ts-ignore: decorator
@inline function countOf(level: i32): i32 { return load<i32>(levelCount + (<usize>level << 2)); }
// @ts-ignore: decorator
@inline function addCount(level: i32, d: i32): void { store<i32>(levelCount + (<usize>level << 2), countOf(level) + d); }

/** Bucket of the first K bits of hi (K <= 64) at a level: a hash of exactly those bits. */
// @ts-ignore: decorator
@inline function bucketOf(level: i32, hi: u64): i32 {
  return <i32>(((hi >> <u64>(64 - kOf(level))) * 0x9E3779B97F4A7C15) >> <u64>(64 - bitsOf(level)));
}
// @ts-ignore: decorator
@inline function bucketLink(level: i32, bucket: i32): usize { return tableOf(level) + (<usize>bucket << 2); }
// @ts-ignore: decorator
@inline function bucketUsed(level: i32, bucket: i32): bool {
  return (load<u8>(bitmapOf(level) + (<usize>bucket >> 3)) & (1 << (bucket & 7))) != 0;
}
/** Keeps the bitmap bit of a bucket equal to "its trie is not empty". */
function markBucket(level: i32, bucket: i32): void {
  const at = bitmapOf(level) + (<usize>bucket >> 3);
  const bit: u32 = 1 << <u32>(bucket & 7);
  const byte: u32 = load<u8>(at);
  store<u8>(at, load<i32>(bucketLink(level, bucket)) != 0 ? byte | bit : byte & ~bit);
}
/** Root of the bucket trie holding hi's first K bits at a level, 0 when that bucket is empty. */
// @ts-ignore: decorator
@inline function bucketRoot(level: i32, hi: u64): i32 {
  const bucket = bucketOf(level, hi);
  return bucketUsed(level, bucket) ? load<i32>(bucketLink(level, bucket)) : 0;
}

/** The level an entry of this length belongs to, -1 for the short trie. */
function levelFor(fam: i32, len: i32): i32 {
  let level = -1;
  for (let j = firstLevel(fam), e = endLevel(fam); j < e; j++) if (len >= kOf(j)) level = j;
  return level;
}

// @ts-ignore: decorator
@inline function rootLink(fam: i32, level: i32, hi: u64): usize {
  return level < 0 ? shortLink(fam) : bucketLink(level, bucketOf(level, hi));
}

/** Zeroed memory at the end of the linear memory (never given back; runtime stub, no allocator). */
function grab(bytes: i32): usize {
  const before = memory.grow((bytes + 0xffff) >>> 16);
  if (before < 0) unreachable();
  return <usize>before << 16;
}

/** Sizes the pool (slots to reserve) and the result buffer (ids); call once after instantiation. */
export function init(initialSlots: i32, resultCap: i32): void {
  while (poolCap < initialSlots || nChunks == 0) addChunk();
  resCap = resultCap > 16 ? resultCap : 16;
  res = grab(resCap << 2);
  for (let j = 0; j < N_LEVELS; j++) {
    store<usize>(levelTable + (<usize>j << 2), grab(4 << bitsOf(j)));
    store<usize>(levelBitmap + (<usize>j << 2), grab(1 << (bitsOf(j) - 3)));
  }
  clear();
  hset(H_GEN, 1);
  hset(H_RESPTR, <i32>res);
  hset(H_RESCAP, resCap);
}

/** Drops every entry; the pool keeps its size and is reused. */
export function clear(): void {
  high = 1; freeHead = 0; freeCount = 0;
  hset(H_SIZE, 0); hset(H_LIVE, 0); hset(H_NODES, 0); hset(H_SHORT4, 0); hset(H_SHORT6, 0);
  hset(H_POOLCAP, poolCap);
  for (let j = 0; j < N_LEVELS; j++) {
    if (countOf(j) == 0) continue; // an empty level's table and bitmap are all zero already
    memory.fill(tableOf(j), 0, <usize>4 << bitsOf(j));
    memory.fill(bitmapOf(j), 0, <usize>1 << (bitsOf(j) - 3));
    store<i32>(levelCount + (<usize>j << 2), 0);
  }
}

export function ptrHeader(): usize { return hdr; }

// ---- slot pool ----

/** Adds one chunk of never-used slots (chunks never move: slot addresses stay valid). */
function addChunk(): void {
  if (nChunks == MAX_CHUNKS) unreachable();
  store<usize>(chunks + (<usize>nChunks << 2), grab(1 << (CHUNK_SHIFT + SLOT_SHIFT)));
  nChunks++;
  poolCap += 1 << CHUNK_SHIFT;
  hset(H_POOLCAP, poolCap);
}

function take(): i32 {
  let i: i32;
  if (freeHead != 0) {
    i = freeHead;
    freeHead = load<i32>(slot(i) + F_NEXT);
    freeCount--;
  } else {
    if (high == poolCap) addChunk();
    i = high++;
  }
  hset(H_LIVE, hget(H_LIVE) + 1);
  return i;
}

function release(i: i32): void {
  store<i32>(slot(i) + F_NEXT, freeHead);
  freeHead = i;
  freeCount++;
  hset(H_LIVE, hget(H_LIVE) - 1);
}

function newNode(hi: u64, lo: u64, len: i32, ids: i32): i32 {
  const i = take();
  const p = slot(i);
  store<u64>(p + N_HI, hi);
  store<u64>(p + N_LO, lo);
  store<i32>(p + N_LEN, len);
  store<i32>(p + N_C0, 0);
  store<i32>(p + N_C1, 0);
  store<i32>(p + N_IDS, ids);
  hset(H_NODES, hget(H_NODES) + 1);
  return i;
}

function releaseNode(i: i32): void {
  release(i);
  hset(H_NODES, hget(H_NODES) - 1);
}

// ---- 128-bit key helpers (bit 0 = most significant bit of hi) ----

// @ts-ignore: decorator
@inline function keyHi(a: u32, b: u32): u64 { return (<u64>a << 32) | <u64>b; }

/** Bit at position pos (0..127). */
// @ts-ignore: decorator
@inline function bitAt(hi: u64, lo: u64, pos: i32): i32 {
  return pos < 64 ? <i32>((hi >> <u64>(63 - pos)) & 1) : <i32>((lo >> <u64>(127 - pos)) & 1);
}

/** True when the first len bits of the two keys are equal. */
// @ts-ignore: decorator
@inline function sameBits(h1: u64, l1: u64, h2: u64, l2: u64, len: i32): bool {
  if (len <= 64) return len == 0 || ((h1 ^ h2) >> <u64>(64 - len)) == 0;
  return h1 == h2 && ((l1 ^ l2) >> <u64>(128 - len)) == 0;
}

/** Length of the common leading bits of two keys (128 when equal). */
// @ts-ignore: decorator
@inline function commonBits(h1: u64, l1: u64, h2: u64, l2: u64): i32 {
  const x = h1 ^ h2;
  return x != 0 ? <i32>clz(x) : 64 + <i32>clz(l1 ^ l2);
}

// @ts-ignore: decorator
@inline function maskHi(hi: u64, len: i32): u64 {
  return len >= 64 ? hi : len == 0 ? 0 : hi & (~(<u64>0) << <u64>(64 - len));
}
// @ts-ignore: decorator
@inline function maskLo(lo: u64, len: i32): u64 {
  return len >= 128 ? lo : len <= 64 ? 0 : lo & (~(<u64>0) << <u64>(128 - len));
}

// @ts-ignore: decorator
@inline function childLink(n: i32, bit: i32): usize { return slot(n) + <usize>(bit != 0 ? N_C1 : N_C0); }

// ---- id lists ----

/** Adds id to node n's list; 0 when it is already there. */
function addId(n: i32, id: i32): i32 {
  const p = slot(n);
  const ids = load<i32>(p + N_IDS);
  if (ids == 0) { store<i32>(p + N_IDS, id); return 1; }
  if (ids > 0) {
    if (ids == id) return 0;
    const b = take();
    const q = slot(b);
    store<i32>(q + B_NEXT, 0);
    store<i32>(q + B_COUNT, 2);
    store<i32>(q + B_IDS, ids);
    store<i32>(q + B_IDS + 4, id);
    store<i32>(p + N_IDS, -b);
    return 1;
  }
  const head = -ids;
  for (let b = head; b != 0; b = load<i32>(slot(b) + B_NEXT)) {
    const q = slot(b);
    const c = load<i32>(q + B_COUNT);
    for (let k = 0; k < c; k++) if (load<i32>(q + B_IDS + (k << 2)) == id) return 0;
  }
  const hq = slot(head);
  const hc = load<i32>(hq + B_COUNT);
  if (hc < B_MAX) {
    store<i32>(hq + B_IDS + (hc << 2), id);
    store<i32>(hq + B_COUNT, hc + 1);
  } else {
    const b = take();
    const q = slot(b);
    store<i32>(q + B_NEXT, head);
    store<i32>(q + B_COUNT, 1);
    store<i32>(q + B_IDS, id);
    store<i32>(p + N_IDS, -b);
  }
  return 1;
}

/** Removes id from node n's list; 0 when absent. A list left with one id goes back inline. */
function removeId(n: i32, id: i32): i32 {
  const p = slot(n);
  const ids = load<i32>(p + N_IDS);
  if (ids >= 0) {
    if (ids == 0 || ids != id) return 0;
    store<i32>(p + N_IDS, 0);
    return 1;
  }
  const head = -ids;
  let at: usize = 0;
  for (let b = head; b != 0 && at == 0; b = load<i32>(slot(b) + B_NEXT)) {
    const q = slot(b);
    const c = load<i32>(q + B_COUNT);
    for (let k = 0; k < c; k++) {
      if (load<i32>(q + B_IDS + (k << 2)) == id) { at = q + B_IDS + (<usize>k << 2); break; }
    }
  }
  if (at == 0) return 0;
  // move the head block's last id into the hole
  const hq = slot(head);
  const hc = load<i32>(hq + B_COUNT) - 1;
  store<i32>(at, load<i32>(hq + B_IDS + (hc << 2)));
  store<i32>(hq + B_COUNT, hc);
  let first = head;
  if (hc == 0) {
    first = load<i32>(hq + B_NEXT);
    release(head);
    store<i32>(p + N_IDS, -first);
  }
  const fq = slot(first);
  if (load<i32>(fq + B_NEXT) == 0 && load<i32>(fq + B_COUNT) == 1) {
    store<i32>(p + N_IDS, load<i32>(fq + B_IDS));
    release(first);
  }
  return 1;
}

// ---- results ----

/** Doubles the result buffer keeping its first k ids (the old buffer is left unused). */
function growResults(k: i32): void {
  resCap <<= 1;
  const moved = grab(resCap << 2);
  memory.copy(moved, res, <usize>k << 2);
  res = moved;
  hset(H_RESPTR, <i32>res);
  hset(H_RESCAP, resCap);
  hset(H_GEN, hget(H_GEN) + 1);
}

/** Appends node n's ids at result index k; returns the new count. */
function emitIds(ids: i32, k: i32): i32 {
  if (ids > 0) {
    if (k == resCap) growResults(k);
    store<i32>(res + (<usize>k << 2), ids);
    return k + 1;
  }
  for (let b = -ids; b != 0; b = load<i32>(slot(b) + B_NEXT)) {
    const q = slot(b);
    const c = load<i32>(q + B_COUNT);
    for (let j = 0; j < c; j++) {
      if (k == resCap) growResults(k);
      store<i32>(res + (<usize>k << 2), load<i32>(q + B_IDS + (j << 2)));
      k++;
    }
  }
  return k;
}

// ---- operations; a..d are the address as big-endian u32 words (IPv4: a only) ----

// @ts-ignore: decorator
@inline function badLen(fam: i32, len: i32): bool { return len < 0 || len > (fam == 4 ? 32 : 128); }

/** Adds (prefix, id); returns 1, 0 when that id is already on that prefix, -1 for a bad length or id. */
export function insert(fam: i32, a: u32, b: u32, c: u32, d: u32, len: i32, id: i32): i32 {
  if (badLen(fam, len) || id <= 0) return -1;
  const hi = maskHi(keyHi(a, fam == 4 ? 0 : b), len);
  const lo = fam == 4 ? 0 : maskLo(keyHi(c, d), len);
  const level = levelFor(fam, len);
  let link = rootLink(fam, level, hi);
  while (true) {
    const n = load<i32>(link);
    if (n == 0) {
      store<i32>(link, newNode(hi, lo, len, id));
      break;
    }
    const p = slot(n);
    const nh = load<u64>(p + N_HI);
    const nlo = load<u64>(p + N_LO);
    const nl = load<i32>(p + N_LEN);
    let cb = commonBits(hi, lo, nh, nlo);
    if (cb > len) cb = len;
    if (cb >= nl) {
      if (nl == len) {
        if (addId(n, id) == 0) return 0;
        break;
      }
      link = childLink(n, bitAt(hi, lo, nl));
      continue;
    }
    // the new prefix leaves n's path at bit cb (< nl)
    if (cb == len) {
      const m = newNode(hi, lo, len, id);
      store<i32>(childLink(m, bitAt(nh, nlo, len)), n);
      store<i32>(link, m);
      break;
    }
    const g = newNode(maskHi(hi, cb), maskLo(lo, cb), cb, 0);
    const m = newNode(hi, lo, len, id);
    const side = bitAt(hi, lo, cb);
    store<i32>(childLink(g, side), m);
    store<i32>(childLink(g, side ^ 1), n);
    store<i32>(link, g);
    break;
  }
  hset(H_SIZE, hget(H_SIZE) + 1);
  if (level >= 0) { addCount(level, 1); markBucket(level, bucketOf(level, hi)); }
  return 1;
}

/** Removes (prefix, id); returns 1, or 0 when it was not there. Frees nodes left without a role. */
export function remove(fam: i32, a: u32, b: u32, c: u32, d: u32, len: i32, id: i32): i32 {
  if (badLen(fam, len) || id <= 0) return 0;
  const hi = maskHi(keyHi(a, fam == 4 ? 0 : b), len);
  const lo = fam == 4 ? 0 : maskLo(keyHi(c, d), len);
  let parentLink: usize = 0;
  let parent: i32 = 0;
  const level = levelFor(fam, len);
  let link = rootLink(fam, level, hi);
  let n = load<i32>(link);
  while (n != 0) {
    const p = slot(n);
    const nl = load<i32>(p + N_LEN);
    if (nl > len || !sameBits(hi, lo, load<u64>(p + N_HI), load<u64>(p + N_LO), nl)) return 0;
    if (nl == len) break;
    parentLink = link;
    parent = n;
    link = childLink(n, bitAt(hi, lo, nl));
    n = load<i32>(link);
  }
  if (n == 0 || removeId(n, id) == 0) return 0;
  hset(H_SIZE, hget(H_SIZE) - 1);
  if (level >= 0) addCount(level, -1);
  const done = unlinkEmpty(n, link, parent, parentLink);
  if (level >= 0) markBucket(level, bucketOf(level, hi));
  return done;
}

/** After n lost an id: a node left without ids and with < 2 children is freed, and so is a branching parent
 *  it leaves with one child; returns 1. */
function unlinkEmpty(n: i32, link: usize, parent: i32, parentLink: usize): i32 {
  const p = slot(n);
  if (load<i32>(p + N_IDS) != 0) return 1;
  const c0 = load<i32>(p + N_C0);
  const c1 = load<i32>(p + N_C1);
  if (c0 != 0 && c1 != 0) return 1; // stays as a branching node
  if ((c0 | c1) != 0) {
    store<i32>(link, c0 | c1);
    releaseNode(n);
    return 1;
  }
  store<i32>(link, 0);
  releaseNode(n);
  // a branching parent left with one child is spliced out
  if (parent != 0) {
    const pp = slot(parent);
    if (load<i32>(pp + N_IDS) == 0) {
      store<i32>(parentLink, load<i32>(pp + N_C0) | load<i32>(pp + N_C1));
      releaseNode(parent);
    }
  }
  return 1;
}

/** Appends, from result index k, the ids of the trie rooted at n whose prefix contains the query. */
function walkContaining(n: i32, hi: u64, lo: u64, len: i32, k: i32): i32 {
  while (n != 0) {
    const p = slot(n);
    const nl = load<i32>(p + N_LEN);
    if (nl > len || !sameBits(hi, lo, load<u64>(p + N_HI), load<u64>(p + N_LO), nl)) break;
    const ids = load<i32>(p + N_IDS);
    if (ids != 0) k = emitIds(ids, k);
    if (nl == len) break;
    n = load<i32>(childLink(n, bitAt(hi, lo, nl)));
  }
  return k;
}

/** Writes the ids of every entry whose prefix contains the query; returns their count (-1: bad length). */
export function containing(fam: i32, a: u32, b: u32, c: u32, d: u32, len: i32): i32 {
  if (badLen(fam, len)) return -1;
  const hi = keyHi(a, fam == 4 ? 0 : b);
  const lo = fam == 4 ? 0 : keyHi(c, d);
  let k = 0;
  const short = load<i32>(shortLink(fam));
  if (short != 0) k = walkContaining(short, hi, lo, len, k);
  for (let j = firstLevel(fam), e = endLevel(fam); j < e; j++) {
    if (len < kOf(j)) break;
    if (countOf(j) != 0) k = walkContaining(bucketRoot(j, hi), hi, lo, len, k);
  }
  return k;
}

/** Appends, from result index k, the ids of the trie rooted at n lying inside the query prefix. */
function walkWithin(n: i32, hi: u64, lo: u64, len: i32, k: i32): i32 {
  while (n != 0) {
    const p = slot(n);
    const nl = load<i32>(p + N_LEN);
    const nh = load<u64>(p + N_HI);
    const nlo = load<u64>(p + N_LO);
    if (nl >= len) {
      if (!sameBits(hi, lo, nh, nlo, len)) return k;
      break;
    }
    if (!sameBits(hi, lo, nh, nlo, nl)) return k;
    n = load<i32>(childLink(n, bitAt(hi, lo, nl)));
  }
  if (n == 0) return k;
  // pre-order walk of n's subtree
  store<i32>(stack, n);
  let sp = 1;
  while (sp > 0) {
    sp--;
    const m = load<i32>(stack + (<usize>sp << 2));
    const p = slot(m);
    const ids = load<i32>(p + N_IDS);
    if (ids != 0) k = emitIds(ids, k);
    const c1 = load<i32>(p + N_C1);
    const c0 = load<i32>(p + N_C0);
    if (c1 != 0) { store<i32>(stack + (<usize>sp << 2), c1); sp++; }
    if (c0 != 0) { store<i32>(stack + (<usize>sp << 2), c0); sp++; }
  }
  return k;
}

/** Writes the ids of every entry lying inside the query prefix; returns their count (-1: bad length). */
export function within(fam: i32, a: u32, b: u32, c: u32, d: u32, len: i32): i32 {
  if (badLen(fam, len)) return -1;
  const hi = keyHi(a, fam == 4 ? 0 : b);
  const lo = fam == 4 ? 0 : keyHi(c, d);
  let k = 0;
  if (len < kOf(firstLevel(fam))) k = walkWithin(load<i32>(shortLink(fam)), hi, lo, len, k);
  for (let j = firstLevel(fam), e = endLevel(fam); j < e; j++) {
    if (countOf(j) == 0 || (j + 1 < e && kOf(j + 1) <= len)) continue; // empty, or all its entries are shorter
    const K = kOf(j);
    if (len >= K) { k = walkWithin(bucketRoot(j, hi), hi, lo, len, k); continue; }
    if (K - len <= bitsOf(j) - 4) {
      // each K-bit prefix under the query: its bucket, filtered by that prefix (no id twice on a shared bucket)
      const step: u64 = <u64>1 << <u64>(64 - K);
      let p = maskHi(hi, len);
      for (let i = 0, n = 1 << (K - len); i < n; i++, p += step) k = walkWithin(bucketRoot(j, p), p, 0, K, k);
    } else {
      const table = tableOf(j);
      for (let i = 0, n = 1 << bitsOf(j); i < n; i++) {
        const root = load<i32>(table + (<usize>i << 2));
        if (root != 0) k = walkWithin(root, hi, lo, len, k);
      }
    }
  }
  return k;
}
