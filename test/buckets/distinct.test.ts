// Distinct values per bucket instance (src/buckets/distinct.ts): the same answers as a Map of Sets under random
// adds and deletes (table growth, shrinking, backward-shift deletion, shared and freed value texts), and a single
// value per instance costs a slot of the table, not a Map entry and a string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DistinctSets } from '../../src/buckets/distinct.js';

test('DistinctSets answers as a Map of Sets', () => {
  const d = new DistinctSets();
  const ref = new Map<number, Set<string>>();
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let step = 0; step < 200_000; step++) {
    const inst = step < 150_000 ? 1 + rnd(40_000) : 1 + rnd(2_000);
    const v = `user-${rnd(step % 3 === 0 ? 50 : 3)}`;
    const op = rnd(10);
    if (op < 6) {
      d.add(inst, v);
      const s = ref.get(inst) ?? new Set<string>();
      s.add(v);
      ref.set(inst, s);
    } else if (op < 9) {
      d.delete(inst);
      ref.delete(inst);
    } else assert.equal(d.has(inst, v), ref.get(inst)?.has(v) ?? false, `step ${step}`);
  }
  assert.equal(d.size, ref.size);
  for (const [inst, s] of ref) for (const v of s) assert.ok(d.has(inst, v), `${inst} ${v}`);
  for (let inst = 1; inst <= 40_000; inst++) if (!ref.has(inst)) assert.equal(d.has(inst, 'user-0'), false);
  d.add(0, 'a'); // instance 0 (a wrapped counter) works too
  assert.ok(d.has(0, 'a') && !d.has(0, 'b'));
  d.clear();
  assert.equal(d.size, 0);
});

test('one value per instance costs a table slot, not a Map entry and a string', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const d = new DistinctSets();
  const N = 200_000;
  const users = ['root', 'admin', 'test', 'ubuntu', 'oracle'];
  await new Promise((r) => setImmediate(r));
  gc();
  const m0 = process.memoryUsage();
  // fresh strings, as grok captures are
  for (let i = 1; i <= N; i++) d.add(i, users[i % 5]!.split('').join(''));
  await new Promise((r) => setImmediate(r));
  gc();
  const m1 = process.memoryUsage();
  const per = (m1.heapUsed + m1.arrayBuffers - m0.heapUsed - m0.arrayBuffers) / N;
  assert.equal(d.size, N);
  // 2^19 slots of 8 bytes for 200k: ~21 B each; a Map<number, string> held ~75 B
  assert.ok(per < 40, `${per.toFixed(1)} bytes per instance`);
});
