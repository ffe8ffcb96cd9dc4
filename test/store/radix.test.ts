import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RadixIndex } from '../../src/store/radix.js';
import { formatIpRange, ipRangeContains, parseIpOrRange } from '../../src/store/iprange.js';
import type { IpRange } from '../../src/store/records.js';
import { rng, zeroHostBits } from './random.js';

function ip(s: string): IpRange {
  const r = parseIpOrRange(s);
  assert.ok(r, s);
  return r;
}

/** Random prefixes that overlap a lot: a few popular networks, mostly single addresses, ranges of any length. */
function randomRange(rand: () => number): IpRange {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: T[]) => xs[int(xs.length)]!;
  if (rand() < 0.5) {
    const b = new Uint8Array([pick([10, 172, 192, 203, int(256)]), pick([0, 1, 168, int(256)]), int(256), int(256)]);
    const prefix = rand() < 0.6 ? 32 : rand() < 0.5 ? pick([0, 8, 16, 24, 31]) : int(33);
    zeroHostBits(b, prefix);
    return { family: 4, bytes: b, prefix };
  }
  const b = new Uint8Array(16);
  const top = pick([
    [0x20, 0x01, 0x0d, 0xb8],
    [0x2a, 0x01, 0x04, 0xf8],
    [0xfe, 0x80, 0, 0],
    [int(256), int(256), int(256), int(256)],
  ]);
  b.set(top, 0);
  for (let i = 4; i < 16; i++) b[i] = rand() < 0.3 ? 0 : int(256);
  const prefix = rand() < 0.6 ? 128 : rand() < 0.5 ? pick([0, 32, 48, 56, 64, 127]) : int(129);
  zeroHostBits(b, prefix);
  return { family: 6, bytes: b, prefix };
}

/** A query near an existing entry: a shorter or longer prefix over the same leading bits. */
function queryNear(rand: () => number, e: IpRange): IpRange {
  const max = e.family === 4 ? 32 : 128;
  const b = e.bytes.slice();
  const prefix = Math.floor(rand() * (max + 1));
  for (let i = e.prefix; i < prefix; i++) if (rand() < 0.5) b[i >> 3] = b[i >> 3]! | (0x80 >> (i & 7));
  zeroHostBits(b, prefix);
  return { family: e.family, bytes: b, prefix };
}

interface Entry {
  id: number;
  r: IpRange;
}

/** The brute-force reference: a flat list scanned per query. */
class Reference {
  entries: Entry[] = [];
  insert(id: number, r: IpRange): void {
    if (!this.entries.some((e) => e.id === id && sameRange(e.r, r))) this.entries.push({ id, r });
  }
  remove(id: number, r: IpRange): boolean {
    const i = this.entries.findIndex((e) => e.id === id && sameRange(e.r, r));
    if (i < 0) return false;
    this.entries[i] = this.entries[this.entries.length - 1]!;
    this.entries.pop();
    return true;
  }
  containing(q: IpRange): number[] {
    return this.entries
      .filter((e) => ipRangeContains(e.r, q))
      .map((e) => e.id)
      .sort(byNum);
  }
  within(q: IpRange): number[] {
    return this.entries
      .filter((e) => ipRangeContains(q, e.r))
      .map((e) => e.id)
      .sort(byNum);
  }
}

function sameRange(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.prefix === b.prefix && a.bytes.every((x, i) => x === b.bytes[i]);
}
const byNum = (a: number, b: number) => a - b;

function query(idx: RadixIndex, kind: 'containing' | 'within', q: IpRange): number[] {
  const out: number[] = [];
  const n = idx[kind](q, out);
  assert.equal(n, out.length, `${kind} returns the number it pushed`);
  return out.sort(byNum);
}

function checkQueries(idx: RadixIndex, ref: Reference, rand: () => number, count: number): void {
  for (let i = 0; i < count; i++) {
    const q =
      ref.entries.length > 0 && rand() < 0.7
        ? queryNear(rand, ref.entries[Math.floor(rand() * ref.entries.length)]!.r)
        : randomRange(rand);
    assert.deepEqual(query(idx, 'containing', q), ref.containing(q), `containing ${formatIpRange(q)}`);
    assert.deepEqual(query(idx, 'within', q), ref.within(q), `within ${formatIpRange(q)}`);
  }
}

test('radix: 10,000 random IPv4/IPv6 prefixes, insert/remove sequences, queries equal the brute-force scan', () => {
  const rand = rng(42);
  const idx = RadixIndex.load();
  const ref = new Reference();
  let nextId = 1;
  for (let i = 0; i < 10_000; i++) {
    const r = randomRange(rand);
    // a tenth of the prefixes get a second decision id
    const ids = rand() < 0.1 ? [nextId++, nextId++] : [nextId++];
    for (const id of ids) {
      idx.insert(id, r);
      ref.insert(id, r);
    }
  }
  assert.equal(idx.size, ref.entries.length);
  checkQueries(idx, ref, rand, 600);

  // random removals (present and absent) interleaved with inserts
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 3000; i++) {
      if (rand() < 0.65 && ref.entries.length > 0) {
        const e = ref.entries[Math.floor(rand() * ref.entries.length)]!;
        assert.equal(idx.remove(e.id, e.r), true, `remove ${e.id} ${formatIpRange(e.r)}`);
        ref.remove(e.id, e.r);
      } else if (rand() < 0.5) {
        const r = randomRange(rand);
        const id = nextId++;
        idx.insert(id, r);
        ref.insert(id, r);
      } else {
        const r = randomRange(rand);
        const id = 1 + Math.floor(rand() * nextId);
        assert.equal(idx.remove(id, r), ref.remove(id, r), `remove (maybe absent) ${id} ${formatIpRange(r)}`);
      }
    }
    assert.equal(idx.size, ref.entries.length);
    checkQueries(idx, ref, rand, 300);
  }

  // drain to empty: every node is given back
  for (const e of [...ref.entries]) assert.equal(idx.remove(e.id, e.r), true);
  assert.equal(idx.size, 0);
  assert.equal(idx.stats().slots, 0, 'no node or id block left in use');
  assert.deepEqual(query(idx, 'within', ip('0.0.0.0/0')), []);
  assert.deepEqual(query(idx, 'within', ip('::/0')), []);
});

test('radix: many ids on one prefix (id blocks), removal in any order', () => {
  const rand = rng(3);
  const idx = RadixIndex.load();
  const r = ip('203.0.113.9');
  const ids = Array.from({ length: 40 }, (_, i) => 1000 + i * 7);
  for (const id of ids) idx.insert(id, r);
  idx.insert(ids[5]!, r); // the same id twice on a prefix is kept once
  idx.insert(1, ip('203.0.113.0/24'));
  assert.equal(idx.size, 41);
  assert.deepEqual(query(idx, 'containing', r), [1, ...ids]);
  const left = new Set(ids);
  while (left.size > 0) {
    const all = [...left];
    const id = all[Math.floor(rand() * all.length)]!;
    assert.equal(idx.remove(id, r), true);
    assert.equal(idx.remove(id, r), false, 'a second removal finds nothing');
    left.delete(id);
    if (left.size === 1) assert.equal(idx.stats().slots, 2, 'a last id goes back inline: two nodes, no id block');
    assert.deepEqual(query(idx, 'containing', r), [1, ...[...left].sort(byNum)]);
    assert.deepEqual(query(idx, 'within', ip('203.0.113.9/32')), [...left].sort(byNum));
  }
  assert.equal(idx.size, 1);
  assert.equal(idx.stats().nodes, 1);
});

test('radix: removing a missing entry returns false and changes nothing', () => {
  const idx = RadixIndex.load();
  idx.insert(5, ip('10.0.0.0/8'));
  idx.insert(6, ip('10.1.2.3'));
  idx.insert(7, ip('2001:db8::/32'));
  assert.equal(idx.remove(99, ip('10.0.0.0/8')), false, 'unknown id on a known prefix');
  assert.equal(idx.remove(5, ip('10.0.0.0/9')), false, 'known id on another prefix');
  assert.equal(idx.remove(5, ip('10.0.0.0/7')), false);
  assert.equal(idx.remove(6, ip('10.1.2.4')), false);
  assert.equal(idx.remove(5, ip('::ffff:0:0/96')), false);
  assert.equal(idx.remove(7, ip('2001:db8::/33')), false);
  assert.equal(idx.remove(7, ip('32.1.13.184/32')), false, 'same bits, other family');
  assert.equal(idx.remove(1, ip('192.0.2.1')), false);
  assert.equal(idx.size, 3);
  assert.deepEqual(query(idx, 'containing', ip('10.1.2.3')), [5, 6]);
  assert.deepEqual(query(idx, 'containing', ip('2001:db8::1')), [7]);
});

test('radix: /0 prefixes, family separation, containment of ranges', () => {
  const idx = RadixIndex.load();
  idx.insert(1, ip('0.0.0.0/0'));
  idx.insert(2, ip('::/0'));
  idx.insert(3, ip('198.51.100.0/24'));
  idx.insert(4, ip('198.51.100.7'));
  idx.insert(5, ip('2001:db8::/32'));
  idx.insert(6, ip('::ffff:198.51.100.8')); // stored as IPv4
  idx.insert(7, ip('::'));
  idx.insert(8, ip('0.0.0.0'));
  assert.deepEqual(query(idx, 'containing', ip('198.51.100.7')), [1, 3, 4]);
  assert.deepEqual(query(idx, 'containing', ip('198.51.100.8')), [1, 3, 6]);
  assert.deepEqual(query(idx, 'containing', ip('198.51.100.0/25')), [1, 3]);
  assert.deepEqual(query(idx, 'containing', ip('0.0.0.0/0')), [1]);
  assert.deepEqual(query(idx, 'containing', ip('0.0.0.0')), [1, 8]);
  assert.deepEqual(query(idx, 'containing', ip('2001:db8::1')), [2, 5]);
  assert.deepEqual(query(idx, 'containing', ip('::')), [2, 7]);
  assert.deepEqual(query(idx, 'containing', ip('::/0')), [2]);
  assert.deepEqual(query(idx, 'within', ip('0.0.0.0/0')), [1, 3, 4, 6, 8]);
  assert.deepEqual(query(idx, 'within', ip('::/0')), [2, 5, 7]);
  assert.deepEqual(query(idx, 'within', ip('198.51.0.0/16')), [3, 4, 6]);
  assert.deepEqual(query(idx, 'within', ip('198.51.100.7')), [4]);
  assert.deepEqual(query(idx, 'within', ip('2001:db8::/31')), [5]);
  assert.deepEqual(query(idx, 'within', ip('2001:db8::/33')), []);
  assert.deepEqual(query(idx, 'containing', ip('203.0.113.1')), [1]);
  assert.equal(idx.remove(1, ip('0.0.0.0/0')), true);
  assert.deepEqual(query(idx, 'containing', ip('203.0.113.1')), []);
  assert.deepEqual(query(idx, 'containing', ip('198.51.100.7')), [3, 4]);
});

test('radix: size, clear, independent indexes, bad input', () => {
  const a = RadixIndex.load();
  const b = RadixIndex.load();
  assert.equal(a.size, 0);
  a.insert(1, ip('1.2.3.4'));
  a.insert(2, ip('1.2.3.4'));
  a.insert(3, ip('2001:db8::1'));
  assert.equal(a.size, 3);
  assert.equal(b.size, 0, 'each load() is a separate index');
  assert.deepEqual(query(b, 'containing', ip('1.2.3.4')), []);
  a.clear();
  assert.equal(a.size, 0);
  assert.deepEqual(query(a, 'containing', ip('1.2.3.4')), []);
  assert.deepEqual(query(a, 'within', ip('::/0')), []);
  a.insert(4, ip('1.2.3.4'));
  assert.deepEqual(query(a, 'containing', ip('1.2.3.4')), [4]);
  assert.throws(() => a.insert(0, ip('1.2.3.4')), RangeError);
  assert.throws(() => a.insert(2 ** 31, ip('1.2.3.4')), RangeError);
  assert.throws(() => a.insert(1.5, ip('1.2.3.4')), RangeError);
  assert.throws(() => a.insert(1, { family: 4, bytes: new Uint8Array(4), prefix: 33 }), RangeError);
  assert.throws(() => a.insert(1, { family: 6, bytes: new Uint8Array(4), prefix: 64 }), RangeError);
  assert.throws(() => a.containing({ family: 4, bytes: new Uint8Array(4), prefix: 40 }, []), RangeError);
  assert.equal(a.size, 1);
});

test('radix: results larger than the result buffer (grows) are all returned', () => {
  const idx = RadixIndex.load();
  for (let i = 0; i < 5000; i++)
    idx.insert(i + 1, { family: 4, bytes: new Uint8Array([10, 0, i >> 8, i & 0xff]), prefix: 32 });
  for (let i = 0; i < 3000; i++) idx.insert(10_000 + i, ip('10.0.0.0/8'));
  const w = query(idx, 'within', ip('10.0.0.0/8'));
  assert.equal(w.length, 8000);
  assert.deepEqual(w.slice(0, 3), [1, 2, 3]);
  const c = query(idx, 'containing', ip('10.0.1.1'));
  assert.equal(c.length, 3001);
  assert.equal(c[0], 258);
  const out = [-1];
  assert.equal(idx.containing(ip('10.0.0.5'), out), 3001);
  assert.equal(out.length, 3002, 'ids are pushed after what out already holds');
  assert.equal(out[0], -1);
});

test('radix: 1M entries inserted then removed leave size 0, and inserting again reuses the memory', () => {
  const idx = RadixIndex.load();
  const rand = rng(1);
  const n = 1_000_000;
  const ranges: IpRange[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (i % 4 === 3) {
      const b = new Uint8Array(16);
      b[0] = 0x20;
      b[1] = 0x01;
      b[2] = 0x0d;
      b[3] = 0xb8;
      for (let k = 4; k < 16; k++) b[k] = Math.floor(rand() * 256);
      ranges[i] = { family: 6, bytes: b, prefix: i % 3 === 0 ? 64 : 128 };
      zeroHostBits(b, ranges[i]!.prefix);
    } else {
      const v = Math.floor(rand() * 2 ** 32);
      const b = new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
      const prefix = i % 10 === 0 ? 24 : 32;
      zeroHostBits(b, prefix);
      ranges[i] = { family: 4, bytes: b, prefix };
    }
  }
  for (let i = 0; i < n; i++) idx.insert(i + 1, ranges[i]!);
  assert.equal(idx.size, n);
  const full = idx.stats();
  assert.ok(full.nodes < 2 * n, `at most two nodes per entry (${full.nodes})`);
  const probe = ranges[123_457]!;
  assert.ok(query(idx, 'containing', probe).includes(123_458));
  for (let i = n - 1; i >= 0; i--) assert.equal(idx.remove(i + 1, ranges[i]!), true);
  assert.equal(idx.size, 0);
  assert.equal(idx.stats().slots, 0);
  const memory = idx.stats().memoryBytes;
  const capacity = idx.stats().slotCapacity;
  // same entries in another order: the trie shape is the same, the freed slots are enough
  for (let i = 0; i < n; i++) {
    const j = (i * 7919) % n;
    idx.insert(j + 1, ranges[j]!);
  }
  assert.equal(idx.size, n);
  assert.equal(idx.stats().memoryBytes, memory, 'no memory growth');
  assert.equal(idx.stats().slotCapacity, capacity);
  assert.equal(idx.stats().nodes, full.nodes);
  assert.ok(query(idx, 'containing', probe).includes(123_458));
  idx.clear();
  assert.equal(idx.size, 0);
  for (let i = 0; i < n; i++) idx.insert(i + 1, ranges[i]!);
  assert.equal(idx.stats().memoryBytes, memory, 'clear keeps the pool for reuse');
});

test('radix: within a short prefix over thousands of buckets returns every id exactly once', () => {
  const idx = RadixIndex.load();
  const expected4: number[] = [];
  const expected6: number[] = [];
  // one address in each /24 of 10.0.0.0/12, one in each /64 of 2001:db8:0:f000::/52
  for (let i = 0; i < 4096; i++) {
    idx.insert(i + 1, { family: 4, bytes: new Uint8Array([10, i >> 8, i & 0xff, 7]), prefix: 32 });
    expected4.push(i + 1);
    const b = new Uint8Array(16);
    b.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0xf0 | (i >> 8), i & 0xff], 0);
    b[15] = 1;
    idx.insert(10_000 + i, { family: 6, bytes: b, prefix: 128 });
    expected6.push(10_000 + i);
  }
  idx.insert(20_000, ip('10.8.0.0/13')); // level /8: inside every query below
  idx.insert(20_001, ip('11.0.0.1'));
  for (const q of ['10.0.0.0/12', '10.0.0.0/11', '10.0.0.0/8', '0.0.0.0/0']) {
    const got = query(idx, 'within', ip(q));
    const want = [...expected4, 20_000, ...(q === '0.0.0.0/0' ? [20_001] : [])];
    assert.deepEqual(got, want.sort(byNum), q);
  }
  for (const q of ['2001:db8:0:f000::/52', '2001:db8::/48', '2001:db8::/40', '::/0']) {
    assert.deepEqual(query(idx, 'within', ip(q)), expected6, q);
  }
  assert.deepEqual(query(idx, 'within', ip('2001:db8:0:f000::/53')), expected6.slice(0, 2048));
});
