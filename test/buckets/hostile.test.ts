// Hostile input: millions of partitions, bounded memory, eviction, sweeping of idle buckets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BucketEngine, WasmStore } from '../../src/buckets/index.js';
import { Event, TIMEMACHINE, newStrMap } from '../../src/core/event.js';
import { load } from './helpers.js';

const SCEN = `type: leaky
name: h/flood
description: d
filter: "true"
groupby: evt.Meta.source_ip
capacity: 5
leakspeed: 10s
blackhole: 1m
`;

function mkEvents(n: number, start: number, t0: number, stepMs: number): Event[] {
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    const e = new Event();
    e.ExpectMode = TIMEMACHINE;
    e.MarshaledTime = new Date(t0 + (start + i) * stepMs).toISOString();
    const k = start + i;
    e.Meta = newStrMap({ source_ip: `${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}.1` });
    out.push(e);
  }
  return out;
}

test('a groupby yielding a million distinct keys: live buckets capped, evictions counted, memory bounded', () => {
  const eng = new BucketEngine(load(SCEN), { maxBuckets: 20000 });
  const t0 = Date.UTC(2026, 0, 10);
  const total = 1_000_000;
  let memAt200k = 0;
  for (let i = 0; i < total; i += 10000) {
    eng.pourMany(mkEvents(10000, i, t0, 0));
    if (i === 200000) memAt200k = eng.stats().storeBytes;
  }
  const st = eng.stats();
  assert.ok(st.liveBuckets <= 20000, String(st.liveBuckets));
  assert.equal(st.created, total);
  assert.equal(st.evictions, total - 20000);
  assert.ok(st.queuedEvents <= 20000, `queued events released with evicted buckets (${st.queuedEvents})`);
  assert.ok(st.storeBytes <= memAt200k, `WASM memory stops growing (${memAt200k} -> ${st.storeBytes})`);
  assert.ok(st.storeBytes <= 32 * 1024 * 1024, `WASM memory ${st.storeBytes}`);
});

test('idle buckets are swept in TIMEMACHINE (no pile-up of underflowed buckets)', () => {
  const eng = new BucketEngine(load(SCEN), { sweepEvery: 1000, sweepBudget: 1 << 16 });
  const t0 = Date.UTC(2026, 0, 10);
  for (let i = 0; i < 200000; i += 10000) eng.pourMany(mkEvents(10000, i, t0, 1)); // 1 ms apart, 200 s total
  const st = eng.stats();
  // Duration = 60 s: only the last ~60000 keys can still be alive (plus sweep lag)
  assert.ok(st.liveBuckets < 60000 + 70000, String(st.liveBuckets));
  assert.ok(st.underflows > 50000, String(st.underflows));
  // one late event far in the future + tick: everything idle is freed
  const late = mkEvents(1, 5_000_000, t0, 1);
  eng.pourMany(late);
  eng.tick(Date.now());
  const st2 = eng.stats();
  assert.equal(st2.liveBuckets, 1);
  assert.ok(st2.queuedEvents <= 1);
});

test('WASM table grows and shrinks back', () => {
  const store = new WasmStore({ initialCapacity: 16 });
  store.setScenarios([{ kind: 0, flags: 0, qmax: 1, capacity: 1, limit: 1, durUs: 2e6, bhUs: 0 }]);
  const io = store.io;
  for (let i = 0; i < 100000; i++) {
    const k = i % store.batchCap;
    store.io.scen[k] = 0;
    store.io.hi[k] = i;
    store.io.lo[k] = i * 7;
    store.io.flags[k] = 1;
    store.io.t[k] = 1e15;
    store.io.off[k] = 0;
    if (k === store.batchCap - 1) store.pourBatch(store.batchCap, 0);
  }
  void io;
  assert.equal(store.stats().liveBuckets, 98304);
  assert.ok(store.stats().tableSlots >= 131072);
  for (let g = 0; g < 40; g++) {
    store.sweep(0, 1e15 + 10e6, 1 << 20);
    for (let d = 0; d < store.deaths(); d++) store.freeChain(store.io.dHead[d]!);
  }
  assert.equal(store.stats().liveBuckets, 0);
  assert.ok(store.stats().tableSlots <= 2048, String(store.stats().tableSlots));
});
