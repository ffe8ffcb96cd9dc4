// CIDR index benchmark: `containing` lookups/s of one IPv4 and one IPv6 address in the WASM RadixIndex with
// 100,000 and 1,000,000 entries (single IPs and ranges mixed), against two plain TypeScript references
// (a Map of exact IPs + a linear scan of the ranges; one Map per prefix length), insert/remove rates, and
// memory per entry. Run: node --expose-gc dist/bench/radix.bench.js [--sizes 100000,1000000]

import { cpus, loadavg } from 'node:os';
import { RadixIndex } from '../src/store/radix.js';
import { formatIpRange, ipRangeContains, parseIpOrRange } from '../src/store/iprange.js';
import type { IpRange } from '../src/store/records.js';
import { randomPrefix, rng, zeroHostBits } from '../test/store/random.js';
import { Benchmark } from './suite.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** The operations both the WASM index and the references offer. */
interface PrefixIndex {
  insert(id: number, r: IpRange): void;
  containing(r: IpRange, out: number[]): number;
}

// ---- reference 1: Map of exact addresses + linear scan of ranges ----
function exactKey(r: IpRange): number | string {
  const b = r.bytes;
  if (r.family === 4) return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  let s = '';
  for (let i = 0; i < 16; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  return s;
}

class MapScanIndex implements PrefixIndex {
  private exact = new Map<number | string, number[]>();
  private ranges: Array<{ id: number; r: IpRange }> = [];
  insert(id: number, r: IpRange): void {
    if (r.prefix !== (r.family === 4 ? 32 : 128)) {
      this.ranges.push({ id, r });
      return;
    }
    const k = exactKey(r);
    const list = this.exact.get(k);
    if (list) list.push(id);
    else this.exact.set(k, [id]);
  }
  containing(q: IpRange, out: number[]): number {
    let n = 0;
    if (q.prefix === (q.family === 4 ? 32 : 128)) {
      const list = this.exact.get(exactKey(q));
      if (list)
        for (const id of list) {
          out.push(id);
          n++;
        }
    }
    for (const e of this.ranges)
      if (ipRangeContains(e.r, q)) {
        out.push(e.id);
        n++;
      }
    return n;
  }
}

// ---- reference 2: one Map per prefix length, probed from /32 (/128) down ----
class PerLengthIndex implements PrefixIndex {
  private v4 = new Map<number, Map<number, number[]>>();
  private v6 = new Map<number, Map<string, number[]>>();
  private lengths4: number[] = [];
  private lengths6: number[] = [];
  private static key6(b: Uint8Array, len: number): string {
    let s = '';
    for (let i = 0; i < 16; i += 2) {
      const bits = Math.max(0, Math.min(16, len - i * 8));
      const mask = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
      s += String.fromCharCode(((b[i]! << 8) | b[i + 1]!) & mask);
    }
    return s;
  }
  insert(id: number, r: IpRange): void {
    if (r.family === 4) {
      let m = this.v4.get(r.prefix);
      if (!m) {
        this.v4.set(r.prefix, (m = new Map()));
        this.lengths4 = [...this.v4.keys()].sort((a, b) => b - a);
      }
      const k = exactKey(r) as number;
      const list = m.get(k);
      if (list) list.push(id);
      else m.set(k, [id]);
    } else {
      let m = this.v6.get(r.prefix);
      if (!m) {
        this.v6.set(r.prefix, (m = new Map()));
        this.lengths6 = [...this.v6.keys()].sort((a, b) => b - a);
      }
      const k = PerLengthIndex.key6(r.bytes, r.prefix);
      const list = m.get(k);
      if (list) list.push(id);
      else m.set(k, [id]);
    }
  }
  containing(q: IpRange, out: number[]): number {
    let n = 0;
    if (q.family === 4) {
      const x = exactKey(q) as number;
      for (const len of this.lengths4) {
        if (len > q.prefix) continue;
        const list = this.v4.get(len)!.get(len === 0 ? 0 : (x & (-1 << (32 - len))) >>> 0);
        if (list)
          for (const id of list) {
            out.push(id);
            n++;
          }
      }
    } else {
      for (const len of this.lengths6) {
        if (len > q.prefix) continue;
        const list = this.v6.get(len)!.get(PerLengthIndex.key6(q.bytes, len));
        if (list)
          for (const id of list) {
            out.push(id);
            n++;
          }
      }
    }
    return n;
  }
}

// ---- data: mixed single IPs and ranges, like a decision set (blocklists + local bans) ----
function entry(rand: () => number): IpRange {
  const x = rand();
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  if (x < 0.75) {
    // IPv4: 88% single addresses (a third of them in a few cloud /16s), 10% /24, 2% /16-/23, 0.01% /8-/15
    // (ranges anywhere: no network is banned hundreds of times over)
    const y = rand();
    const prefix =
      y < 0.88 ? 32 : y < 0.98 ? 24 : y < 0.9999 ? 16 + Math.floor(rand() * 8) : 8 + Math.floor(rand() * 8);
    const r = randomPrefix(rand, 4, 32);
    if (prefix === 32 && rand() < 0.33) {
      r.bytes[0] = pick([34, 52, 104, 159, 185]);
      r.bytes[1] = pick([64, 100, 200, 16]);
    }
    zeroHostBits(r.bytes, prefix);
    return { family: 4, bytes: r.bytes, prefix };
  }
  // IPv6: 80% /128, 15% /64, 4% /48-/56, 1% /32; 70% of the /128 and /64 inside a few provider /32s
  const y = rand();
  const prefix = y < 0.8 ? 128 : y < 0.95 ? 64 : y < 0.99 ? pick([48, 56]) : 32;
  const r = randomPrefix(rand, 6, 128);
  const providers = [
    [0x2a, 0x01, 0x04, 0xf8],
    [0x20, 0x01, 0x41, 0xd0],
    [0x26, 0x00, 0x1f, 0x18],
    [0x24, 0x0e, 0x00, 0x03],
  ];
  if (prefix >= 64 && rand() < 0.7) r.bytes.set(pick(providers), 0);
  zeroHostBits(r.bytes, prefix);
  return { family: 6, bytes: r.bytes, prefix };
}

/** Single-address queries of one family: half inside a stored entry, half random. */
function queries(rand: () => number, entries: IpRange[], family: 4 | 6, count: number): IpRange[] {
  const same = entries.filter((e) => e.family === family);
  const qs: IpRange[] = [];
  const max = family === 4 ? 32 : 128;
  for (let i = 0; i < count; i++) {
    const q = randomPrefix(rand, family, max);
    if (i % 2 === 0) {
      const e = same[Math.floor(rand() * same.length)]!;
      for (let bit = 0; bit < e.prefix; bit++) {
        const m = 0x80 >> (bit & 7);
        q.bytes[bit >> 3] = (q.bytes[bit >> 3]! & ~m) | (e.bytes[bit >> 3]! & m);
      }
    }
    qs.push(q);
  }
  return qs;
}

const BATCH = 1024;
/**
 * `batch` lookups per call over the query addresses. As in a request handler, the query record is fresh (in
 * cache): one record whose bytes are overwritten from a flat array, so that what is measured is the index,
 * not cache misses on 65536 scattered query objects.
 */
function lookups(index: PrefixIndex, qs: IpRange[], batch: number): () => void {
  const width = qs[0]!.bytes.length;
  const flat = new Uint8Array(qs.length * width);
  qs.forEach((q, i) => flat.set(q.bytes, i * width));
  const q: IpRange = { family: qs[0]!.family, bytes: new Uint8Array(width), prefix: qs[0]!.prefix };
  const qb = q.bytes;
  let i = 0;
  const out: number[] = [];
  return () => {
    for (let k = 0; k < batch; k++) {
      const at = i * width;
      for (let j = 0; j < width; j++) qb[j] = flat[at + j]!;
      index.containing(q, out);
      if (++i === qs.length) i = 0;
    }
    if (out.length > 4096) out.length = 0;
  };
}

/** The whole per-request path: parse the address text, then look it up. */
function parseAndLookup(index: RadixIndex, texts: string[], batch: number): () => void {
  let i = 0;
  const out: number[] = [];
  return () => {
    for (let k = 0; k < batch; k++) {
      index.containing(parseIpOrRange(texts[i]!)!, out);
      if (++i === texts.length) i = 0;
    }
    if (out.length > 4096) out.length = 0;
  };
}

function heapBytes(): number {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function run(size: number): void {
  const rand = rng(size);
  const entries: IpRange[] = [];
  for (let i = 0; i < size; i++) entries.push(entry(rand));
  const q4 = queries(rand, entries, 4, 1 << 16);
  const q6 = queries(rand, entries, 6, 1 << 16);
  const v4 = entries.filter((e) => e.family === 4).length;
  const ranges = entries.filter((e) => e.prefix !== (e.family === 4 ? 32 : 128)).length;
  console.log(`\n## ${size} entries (${v4} IPv4, ${size - v4} IPv6; ${ranges} ranges)`);

  const h0 = heapBytes();
  const wasm = RadixIndex.load();
  const m0 = wasm.stats().memoryBytes;
  let t = performance.now();
  for (let i = 0; i < size; i++) wasm.insert(i + 1, entries[i]!);
  const insertMs = performance.now() - t;
  const st = wasm.stats();
  console.log(
    `wasm insert: ${(size / insertMs / 1000).toFixed(2)} M/s; ${st.nodes} nodes, ${st.slots} slots; ` +
      `linear memory ${(st.memoryBytes / 1048576).toFixed(1)} MiB (+${((st.memoryBytes - m0) / 1048576).toFixed(1)} MiB) = ` +
      `${((st.memoryBytes - m0) / size).toFixed(1)} bytes/entry (slots in use: ${((st.slots * RadixIndex.slotBytes) / size).toFixed(1)} bytes/entry)`,
  );

  const h1 = heapBytes();
  const perLength = new PerLengthIndex();
  for (let i = 0; i < size; i++) perLength.insert(i + 1, entries[i]!);
  const h2 = heapBytes();
  const mapScan = new MapScanIndex();
  for (let i = 0; i < size; i++) mapScan.insert(i + 1, entries[i]!);
  const h3 = heapBytes();
  console.log(
    `ts per-length maps: ${((h2 - h1) / size).toFixed(1)} bytes/entry of JS heap; ` +
      `ts map+scan: ${((h3 - h2) / size).toFixed(1)} bytes/entry (${((h1 - h0) / 1048576).toFixed(1)} MiB JS heap moved during the wasm load)`,
  );

  // sanity: the references agree with the index on a sample; mean ids per lookup
  let matched = 0;
  for (let i = 0; i < 200; i++) {
    for (const q of [q4[i]!, q6[i]!]) {
      const a: number[] = [],
        b: number[] = [],
        c: number[] = [];
      matched += wasm.containing(q, a);
      perLength.containing(q, b);
      if (i < 20) mapScan.containing(q, c);
      const key = (x: number[]) => x.sort((p, s) => p - s).join(',');
      if (key(a) !== key(b) || (i < 20 && key(a) !== key(c))) throw new Error(`reference mismatch on query ${i}`);
    }
  }
  console.log(`queries: half inside a stored entry, half random; ${(matched / 400).toFixed(2)} ids per lookup`);

  const res = new Map<string, number>();
  const s = new Benchmark.Suite();
  const per = new Map<string, number>();
  const cases: Array<[string, () => void, number]> = [
    ['wasm radix   containing(IPv4)', lookups(wasm, q4, BATCH), BATCH],
    ['wasm radix   containing(IPv6)', lookups(wasm, q6, BATCH), BATCH],
    ['wasm radix   parse + containing(IPv4)', parseAndLookup(wasm, q4.map(formatIpRange), BATCH), BATCH],
    ['wasm radix   parse + containing(IPv6)', parseAndLookup(wasm, q6.map(formatIpRange), BATCH), BATCH],
    ['ts per-len   containing(IPv4)', lookups(perLength, q4, BATCH), BATCH],
    ['ts per-len   containing(IPv6)', lookups(perLength, q6, BATCH), BATCH],
    ['ts map+scan  containing(IPv4)', lookups(mapScan, q4, 4), 4],
    ['ts map+scan  containing(IPv6)', lookups(mapScan, q6, 4), 4],
  ];
  for (const [name, fn, n] of cases) {
    s.add(name, fn, { minSamples: 5, maxTime: 2 });
    per.set(name, n);
  }
  s.on('cycle', (e) => {
    const ops = e.target.hz * per.get(e.target.name)!;
    res.set(e.target.name, ops);
    const rate = ops >= 1e5 ? `${(ops / 1e6).toFixed(2)} M` : `${(ops / 1e3).toFixed(2)} k`;
    console.log(`${e.target.name.padEnd(40)} ${rate.padStart(10)} lookups/s  ±${e.target.stats.rme.toFixed(1)}%`);
  });
  s.run({ async: false });
  for (const fam of ['IPv4', 'IPv6']) {
    const w = res.get(`wasm radix   containing(${fam})`)!,
      p = res.get(`ts per-len   containing(${fam})`)!;
    console.log(`wasm / ts per-length (${fam}): x${(w / p).toFixed(2)}`);
  }

  t = performance.now();
  for (let i = 0; i < size; i++) wasm.remove(i + 1, entries[i]!);
  const removeMs = performance.now() - t;
  console.log(
    `wasm remove: ${(size / removeMs / 1000).toFixed(2)} M/s; size after: ${wasm.size}, slots in use: ${wasm.stats().slots}`,
  );
}

/**
 * A fixed pure-JS loop (1e7 multiply-adds; ~10 ms on an idle 3 GHz core): printed with the load average so
 * that numbers from a busy machine can be read for what they are.
 */
function calibrate(): string {
  const t = performance.now();
  let h = 0;
  for (let i = 0; i < 1e7; i++) h = (h * 31 + i) | 0;
  const ms = performance.now() - t;
  return (
    `calibration loop ${ms.toFixed(1)} ms (${h & 1}), load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}, ` + `${cpus().length} cores (${cpus()[0]?.model ?? '?'})`
  );
}

const arg = process.argv.indexOf('--sizes');
const sizes = arg > 0 ? process.argv[arg + 1]!.split(',').map(Number) : [100_000, 1_000_000];
console.log(`# radix bench, node ${process.version}; ${calibrate()}`);
for (const size of sizes) run(size);
console.log(`\n# after: ${calibrate()}`);
