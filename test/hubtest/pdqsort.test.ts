// Go's sort.Sort (pdqsort) port: hand-traced permutations, stability up to 12 elements, random
// inputs (correct + deterministic), and the authelia-bf hub test whose 28 alerts contain ties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  bitsLen,
  breakPatterns,
  choosePivot,
  goSort,
  goSortSlice,
  goStringCompare,
  heapSort,
  nextPowerOfTwo,
  partition,
  pdqsort,
  Xorshift,
  type SortInterface,
} from '../../src/hubtest/pdqsort.js';
import { alertSortKey, runHubTest, sortAlertsLikeHubtest } from '../../src/hubtest/runner.js';
import type { ResultAlert } from '../../src/hubtest/expect.js';
import { sharedPath, skipUnless } from '../shared-data.js';

interface El {
  k: number;
  id: number;
}
const mk = (keys: number[]): El[] => keys.map((k, id) => ({ k, id }));
const ids = (a: El[]) => a.map((e) => e.id);
const lessK = (x: El, y: El) => x.k < y.k;
const iface = (arr: El[]): SortInterface => ({
  len: () => arr.length,
  less: (i, j) => arr[i]!.k < arr[j]!.k,
  swap: (i, j) => {
    const t = arr[i]!;
    arr[i] = arr[j]!;
    arr[j] = t;
  },
});

/** Small deterministic PRNG for test inputs. */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

test('helpers: bits.Len, nextPowerOfTwo, xorshift sequence', () => {
  assert.deepEqual([0, 1, 2, 3, 8, 12, 13, 28].map(bitsLen), [0, 1, 2, 2, 4, 4, 4, 5]);
  assert.equal(nextPowerOfTwo(13), 16);
  assert.equal(nextPowerOfTwo(16), 32); // 1 << bits.Len(16) = 1 << 5
  const r = new Xorshift(8);
  assert.equal(r.next(), 8658158088n);
  assert.equal(r.next(), 9223943990670303756n);
  assert.equal(new Xorshift(8, 'go1.19').next(), 2162952n); // Go <= 1.23 constants (13, 17, 5)
});

test('n <= 12: insertion sort, stable', () => {
  const a = mk([2, 1, 2, 0, 1, 2]);
  goSortSlice(a, lessK);
  assert.deepEqual(ids(a), [3, 1, 4, 0, 2, 5]);
  const rnd = prng(7);
  for (let n = 0; n <= 12; n++) {
    for (let t = 0; t < 50; t++) {
      const arr = mk(Array.from({ length: n }, () => rnd() % 3));
      const want = [...arr].sort((x, y) => x.k - y.k || x.id - y.id);
      goSortSlice(arr, lessK);
      assert.deepEqual(ids(arr), ids(want));
    }
  }
});

test('13 equal elements: increasing hint + partialInsertionSort keeps them in place', () => {
  const a = mk(new Array(13).fill(1));
  goSortSlice(a, lessK);
  assert.deepEqual(ids(a), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

test('13 elements, one smaller in the middle: hand-traced partition moves ties', () => {
  // choosePivot(0,13) looks at 3,6,9 -> keys 1,0,1 -> median index 3 (1 swap: unknown hint).
  // partition swaps pos0<->pos3, then pos1<->pos6, then the pivot to pos1; the right part (11 equal
  // elements) is insertion-sorted and stays as is.
  const a = mk([1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]);
  const data = iface([...a]);
  assert.deepEqual(choosePivot(data, 0, 13), [3, 0]);
  goSortSlice(a, lessK);
  assert.deepEqual(ids(a), [6, 3, 2, 0, 4, 5, 1, 7, 8, 9, 10, 11, 12]);
});

test('partition: already partitioned input reports true', () => {
  const a = mk([5, 1, 2, 3, 6, 7, 8]);
  const [mid, already] = partition(iface(a), 0, a.length, 0);
  assert.equal(mid, 3);
  assert.equal(already, true);
  assert.deepEqual(
    a.map((e) => e.k),
    [3, 1, 2, 5, 6, 7, 8],
  );
});

test('heapSort and pdqsort(limit 0) sort correctly', () => {
  const rnd = prng(3);
  const a = mk(Array.from({ length: 40 }, () => rnd() % 10));
  heapSort(iface(a), 0, a.length);
  for (let i = 1; i < a.length; i++) assert.ok(a[i - 1]!.k <= a[i]!.k);
  const b = mk(Array.from({ length: 40 }, () => rnd() % 10));
  pdqsort(iface(b), 0, b.length, 0);
  for (let i = 1; i < b.length; i++) assert.ok(b[i - 1]!.k <= b[i]!.k);
});

test('breakPatterns swaps three middle elements with xorshift-chosen ones, deterministic', () => {
  const a = mk(Array.from({ length: 20 }, (_, i) => i));
  const b = mk(Array.from({ length: 20 }, (_, i) => i));
  breakPatterns(iface(a), 0, 20);
  breakPatterns(iface(b), 0, 20);
  assert.deepEqual(ids(a), ids(b));
  assert.deepEqual(
    [...ids(a)].sort((x, y) => x - y),
    ids(mk(new Array(20).fill(0))),
  );
  const moved = ids(a).filter((v, i) => v !== i).length;
  assert.ok(moved <= 6);
});

test('random inputs: correct, a permutation, deterministic; sizes 13..300 with many ties', () => {
  const rnd = prng(12345);
  for (let t = 0; t < 300; t++) {
    const n = 13 + (rnd() % 288);
    const range = 1 + (rnd() % (t % 3 === 0 ? 4 : 1000));
    const keys = Array.from({ length: n }, () => rnd() % range);
    if (t % 10 === 1) keys.sort((x, y) => x - y);
    if (t % 10 === 2) keys.sort((x, y) => y - x);
    const a = mk(keys);
    const b = mk(keys);
    goSortSlice(a, lessK);
    goSortSlice(b, lessK);
    assert.deepEqual(ids(a), ids(b));
    for (let i = 1; i < n; i++) assert.ok(a[i - 1]!.k <= a[i]!.k, `unsorted at ${i} (n=${n})`);
    assert.deepEqual(
      [...ids(a)].sort((x, y) => x - y),
      Array.from({ length: n }, (_, i) => i),
    );
  }
  // goSort on the interface directly
  const c = mk([3, 2, 1, 0, 5, 4, 9, 8, 7, 6, 12, 11, 10, 13]);
  goSort(iface(c));
  assert.deepEqual(
    c.map((e) => e.k),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
  );
});

test('goStringCompare: byte order', () => {
  assert.equal(goStringCompare('a', 'b'), -1);
  assert.equal(goStringCompare('ab', 'a'), 1);
  assert.equal(goStringCompare('x', 'x'), 0);
  // U+FF01 (EF BC 81) < U+1F600 (F0 9F 98 80) in UTF-8 although UTF-16 says otherwise
  assert.equal(goStringCompare('\uff01', '\u{1f600}'), -1);
});

test('sortAlertsLikeHubtest: descending by scenario + sources, ties in Go order', () => {
  const al = (scenario: string, ip: string, tag: string): ResultAlert =>
    ({
      scenario,
      sources: { [ip]: { ip, range: '', scope: 'Ip', value: ip } },
      message: tag,
    }) as unknown as ResultAlert;
  const list = [al('s/a', '1.1.1.1', 'x'), al('s/b', '1.1.1.1', 'y'), al('s/a', '2.2.2.2', 'z')];
  sortAlertsLikeHubtest(list);
  assert.deepEqual(list.map(alertSortKey), ['s/b1.1.1.1', 's/a2.2.2.2', 's/a1.1.1.1']);
});

const shared = sharedPath('hub-tests', 'authelia-bf');
test('authelia-bf: 28 alerts with ties come out in Go order', { skip: skipUnless(shared) }, async () => {
  const r = await runHubTest({ hubDir: join(shared, '../../hub'), testDir: shared });
  const got = r.alerts.map((a) => `${alertSortKey(a)}:${a.events[0]!.timestamp.slice(0, 4)}`);
  assert.equal(got.length, 28);
  // the 2024 repeat of 4.4.4.x is emitted after the 2022 one but Go's pdqsort puts it first
  assert.deepEqual(got.slice(12, 16), [
    'LePresidente/authelia-bf4.4.4.5:2024',
    'LePresidente/authelia-bf4.4.4.5:2022',
    'LePresidente/authelia-bf4.4.4.4:2024',
    'LePresidente/authelia-bf4.4.4.4:2022',
  ]);
  const emitted = await runHubTest({ hubDir: join(shared, '../../hub'), testDir: shared, alertOrder: 'emission' });
  const i2022 = emitted.alerts.findIndex((a) => alertSortKey(a).endsWith('4.4.4.4'));
  assert.ok(emitted.alerts[i2022]!.events[0]!.timestamp.startsWith('2022'));
});
