// Bucket micro-benchmarks: pours/s of the WASM store vs the plain TypeScript reference store (same maths),
// batched and one-pour-per-call, the full BucketEngine (filter + groupby expressions + store) on both
// stores, and memory per live bucket with 1M live buckets.
// Run: node dist/bench/buckets.bench.js   (add --expose-gc for steadier heap numbers)

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WasmStore } from '../src/buckets/wasmstore.js';
import { RefStore } from '../src/buckets/refstore.js';
import { BucketEngine, loadScenarios } from '../src/buckets/index.js';
import type { BucketStore, StoreScenario } from '../src/buckets/store.js';
import { Event, TIMEMACHINE, newStrMap } from '../src/core/event.js';
import { Benchmark } from './suite.js';

const LEAKY: StoreScenario = { kind: 0, flags: 4 | 8, qmax: 5, capacity: 5, limit: 0.1, durUs: 60e6, bhUs: 60e6 };
const KEYS = 100_000;
const B = 4096;
const gc = (globalThis as { gc?: () => void }).gc;

function mkStore(kind: 'wasm' | 'ts', maxBuckets = 0): BucketStore {
  const s = kind === 'wasm' ? new WasmStore({ maxBuckets, initialCapacity: 1 << 18 }) : new RefStore({ maxBuckets });
  s.setScenarios([LEAKY]);
  return s;
}

/** One batch of n pours over KEYS partitions, time advancing 1 ms per pour; releases dead chains. */
function driver(store: BucketStore, n: number): () => void {
  let seq = 0;
  let t = 1.7e15;
  return () => {
    const io = store.io;
    for (let i = 0; i < n; i++) {
      const k = (seq++ * 2654435761) % KEYS;
      io.scen[i] = 0;
      io.hi[i] = k;
      io.lo[i] = k ^ 0x5bd1e995;
      io.flags[i] = 1;
      io.off[i] = 0;
      io.t[i] = t += 1000;
    }
    const nd = store.pourBatch(n, 0);
    const o = store.io;
    for (let i = 0; i < n; i++) if ((o.code[i]! & 0xff) !== 0) store.freeChain(o.head[i]!);
    for (let d = 0; d < nd; d++) store.freeChain(o.dHead[d]!);
  };
}

function suite(title: string, cases: Array<[string, () => void, number]>): Map<string, number> {
  const res = new Map<string, number>();
  console.log(`\n## ${title}`);
  const s = new Benchmark.Suite();
  const per = new Map<string, number>();
  for (const [name, fn, pours] of cases) {
    s.add(name, fn, { minSamples: 10, maxTime: 3 });
    per.set(name, pours);
  }
  s.on('cycle', (e) => {
    const pps = e.target.hz * per.get(e.target.name)!;
    res.set(e.target.name, pps);
    console.log(
      `${e.target.name.padEnd(44)} ${(pps / 1e6).toFixed(2).padStart(8)} M pours/s  ±${e.target.stats.rme.toFixed(1)}%`,
    );
  });
  s.run({ async: false });
  return res;
}

function storeBench(): void {
  const w = mkStore('wasm'),
    r = mkStore('ts');
  const w1 = mkStore('wasm'),
    r1 = mkStore('ts');
  // warm the tables so every case runs with ~KEYS live partitions
  for (let i = 0; i < 60; i++) {
    driver(w, B)();
    driver(r, B)();
    driver(w1, B)();
    driver(r1, B)();
  }
  const res = suite('store: leaky maths + hash table + queue (100k partitions)', [
    ['wasm  pourBatch(4096)', driver(w, B), B],
    ['ts    pourBatch(4096)', driver(r, B), B],
    [
      'wasm  pourBatch(1) x 256 (one crossing/pour)',
      (() => {
        const d = driver(w1, 1);
        return () => {
          for (let i = 0; i < 256; i++) d();
        };
      })(),
      256,
    ],
    [
      'ts    pourBatch(1) x 256',
      (() => {
        const d = driver(r1, 1);
        return () => {
          for (let i = 0; i < 256; i++) d();
        };
      })(),
      256,
    ],
  ]);
  const a = res.get('wasm  pourBatch(4096)')!,
    b = res.get('ts    pourBatch(4096)')!;
  console.log(`WASM/TS speed-up (batched): x${(a / b).toFixed(2)}`);
}

function engineBench(): void {
  const dir = mkdtempSync(join(tmpdir(), 'picket-bench-'));
  const f = join(dir, 'bf.yaml');
  writeFileSync(
    f,
    `type: leaky
name: bench/ssh-bf
description: d
filter: "evt.Meta.log_type == 'ssh_failed-auth'"
groupby: evt.Meta.source_ip
capacity: 5
leakspeed: 10s
blackhole: 1m
labels:
  remediation: true
`,
  );
  const set = loadScenarios([f], { dataDir: dir });
  const t0 = Date.UTC(2026, 0, 10);
  const N = 100_000;
  const events: Event[] = [];
  for (let i = 0; i < N; i++) {
    const e = new Event();
    e.ExpectMode = TIMEMACHINE;
    e.MarshaledTime = new Date(t0 + i).toISOString(); // 1000 events/s of log time
    // 50000 quiet clients (one line every 50 s) + 10 attackers (one line per second each)
    const k = i % 100 === 0 ? 100000 + ((i / 100) % 10) : (i * 7919) % 50000;
    e.Meta = newStrMap({
      log_type: 'ssh_failed-auth',
      source_ip: `10.${(k >> 8) & 255}.${k & 255}.${k >= 100000 ? 66 : 7}`,
    });
    events.push(e);
  }
  const mk = (store: 'wasm' | 'ts') => new BucketEngine(set, { store });
  const ew = mk('wasm'),
    et = mk('ts'),
    ew1 = mk('wasm'),
    et1 = mk('ts');
  const chunk = 1000;
  // on wrap-around the log time would go back: start from empty state again
  const batched = (eng: BucketEngine) => {
    let i = 0;
    return () => {
      eng.pourMany(events.slice(i, i + chunk));
      i += chunk;
      if (i >= N) {
        i = 0;
        eng.flush();
      }
    };
  };
  const single = (eng: BucketEngine) => {
    let i = 0;
    return () => {
      for (let j = 0; j < chunk; j++) {
        eng.pour(events[i]!);
        if (++i >= N) {
          i = 0;
          eng.flush();
        }
      }
    };
  };
  suite('engine: filter + groupby + store + alerts (50010 partitions, 1% attack lines, 1 scenario)', [
    ['engine wasm pourMany(1000)', batched(ew), chunk],
    ['engine ts   pourMany(1000)', batched(et), chunk],
    ['engine wasm pour() x 1000', single(ew1), chunk],
    ['engine ts   pour() x 1000', single(et1), chunk],
  ]);
}

function memBench(): void {
  console.log('\n## memory with 1M live buckets (leaky, 1 queued event each)');
  const LIVE = 1_000_000;
  for (const kind of ['wasm', 'ts'] as const) {
    gc?.();
    const h0 = process.memoryUsage();
    const store = mkStore(kind);
    const evs: unknown[] = [];
    const io0 = store.io;
    let t = 1.7e15;
    for (let base = 0; base < LIVE; base += B) {
      const n = Math.min(B, LIVE - base);
      const io = store.io;
      for (let i = 0; i < n; i++) {
        const k = base + i;
        io.scen[i] = 0;
        io.hi[i] = k;
        io.lo[i] = ~k;
        io.flags[i] = 1;
        io.off[i] = 0;
        io.t[i] = t += 1;
      }
      store.pourBatch(n, 0);
      for (let i = 0; i < n; i++) evs[store.io.node[i]!] = null; // the engine's per-node event slot
    }
    void io0;
    gc?.();
    const h1 = process.memoryUsage();
    const st = store.stats();
    const wasmBytes = kind === 'wasm' ? store.memoryBytes() : 0;
    const heap = h1.heapUsed - h0.heapUsed;
    const ab = h1.arrayBuffers - h0.arrayBuffers;
    const perBucket =
      (kind === 'wasm' ? wasmBytes + Math.max(0, heap) : Math.max(0, heap) + Math.max(0, ab)) / st.liveBuckets;
    console.log(
      `${kind.padEnd(5)} live=${st.liveBuckets} table slots=${st.tableSlots} wasm memory=${(wasmBytes / 1048576).toFixed(1)} MiB ` +
        `JS heap +${(heap / 1048576).toFixed(1)} MiB arrayBuffers +${(ab / 1048576).toFixed(1)} MiB -> ${perBucket.toFixed(0)} bytes/live bucket`,
    );
    evs.length = 0;
  }
}

storeBench();
engineBench();
memBench();
