// Address spray (issue 11 §1): one event per address. The sweep keeps pace with bucket creation, queues of
// refilled leaky buckets are handed back (without changing any alert), LIVE buckets die by the wall clock, the
// live-bucket ceiling evicts and counts, and the ceiling reaches the engine from the pipeline options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BucketEngine } from '../../src/buckets/index.js';
import { Event, LIVE, TIMEMACHINE, newStrMap } from '../../src/core/event.js';
import { createPipeline } from '../../src/pipeline/pool.js';
import { DEFAULT_MAX_LIVE_BUCKETS, perShardCeiling } from '../../src/buckets/eviction.js';
import { load } from './helpers.js';

// ssh-bf / ssh-slow-bf shaped: Duration 60 s and 660 s, refilled after 10 s and 60 s
const leaky = (name: string, capacity: number, leakspeed: string, blackhole: string): string =>
  `{type: leaky, name: ${name}, description: d, filter: "true", groupby: evt.Meta.source_ip, capacity: ${capacity}, ` +
  `leakspeed: ${leakspeed}, blackhole: ${blackhole}}`;
const SCENS = [leaky('s/fast', 5, '10s', '1m'), leaky('s/slow', 10, '60s', '5m')];

function at(k: number, ms: number): Event {
  const e = new Event();
  e.ExpectMode = TIMEMACHINE;
  e.MarshaledTime = new Date(ms).toISOString();
  e.Meta = newStrMap({ source_ip: ip(k) });
  return e;
}

function ip(k: number): string {
  return `${11 + ((k >>> 24) & 7)}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
}

/** n events from distinct addresses starting at key `start`, `perSecond` per second of log time from t0 */
function spray(n: number, start: number, t0: number, perSecond: number, mode = TIMEMACHINE): Event[] {
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    const k = start + i;
    const e = new Event();
    e.ExpectMode = mode;
    e.MarshaledTime = new Date(t0 + Math.floor((k * 1000) / perSecond)).toISOString();
    e.Meta = newStrMap({ source_ip: ip(k) });
    out.push(e);
  }
  return out;
}

test('a spray in TIMEMACHINE: the table follows the live set, refilled queues are handed back', () => {
  // default sweep settings: a fixed budget per 1024 events fell behind one new bucket per event and scenario
  const eng = new BucketEngine(load(SCENS));
  const t0 = Date.UTC(2026, 0, 10);
  const total = 400_000; // 1,000 per second: 400 s of log time
  let peakSlots = 0;
  for (let i = 0; i < total; i += 5000) {
    eng.pourMany(spray(5000, i, t0, 1000));
    peakSlots = Math.max(peakSlots, eng.stats().tableSlots);
  }
  const st = eng.stats();
  // live: the last 60 s of s/fast and 400 s of s/slow (< 660 s): 60k + 400k, plus sweep lag
  assert.ok(st.liveBuckets < 60_000 + 400_000 + 60_000, `live ${st.liveBuckets}`);
  assert.ok(st.underflows >= 300_000, `s/fast buckets idle for 60 s are freed (${st.underflows})`);
  assert.ok(peakSlots <= 1 << 20, `table slots ${peakSlots}`);
  // an s/slow bucket keeps its slot for 660 s but its event only until its limiter is full again (60 s + 30 s
  // slack for late events; before: every live bucket held its event, 460k here)
  assert.ok(st.drained > 250_000, `queues handed back: ${st.drained}`);
  assert.ok(st.queuedEvents < 200_000, `queued events ${st.queuedEvents} for ${st.liveBuckets} live buckets`);
  // records in fixed chunks behind an 8-byte index: WASM memory follows the live set (~64 B per bucket, here
  // ~30 MB of records and an 8 MB index); a table of 64-byte slots held 2^20 slots and the smaller tables it grew
  // through (>= 128 MiB)
  assert.ok(
    st.storeBytes < 96 * 2 ** 20,
    `WASM memory ${(st.storeBytes / 2 ** 20).toFixed(0)} MiB for ${st.liveBuckets}`,
  );
});

test('drained queues never change an alert: a key that comes back after its refill overflows as before', () => {
  const run = (store: 'wasm' | 'ts') => {
    const eng = new BucketEngine(load(SCENS), { store, sweepEvery: 64 });
    const t0 = Date.UTC(2026, 0, 10);
    const out: string[] = [];
    // 20 keys: one event each, then 70 s of other addresses, then a burst of 12 from each of the 20
    const evs: Event[] = [];
    for (let k = 0; k < 20; k++) evs.push(at(k, t0 + k));
    for (let j = 0; j < 14_000; j++) evs.push(at(1000 + j, t0 + 1000 + j * 5));
    for (let r = 0; r < 12; r++) for (let k = 0; k < 20; k++) evs.push(at(k, t0 + 71_000 + r * 100 + k));
    for (let i = 0; i < evs.length; i += 500) {
      for (const o of eng.pourMany(evs.slice(i, i + 500))) {
        const a = o.Overflow!.Alert!;
        out.push(`${a.Scenario} ${a.EventsCount} ${a.StartAt} ${a.Events.map((e) => e.Timestamp).join(',')}`);
      }
    }
    return { out, drained: eng.stats().drained };
  };
  const w = run('wasm');
  const t = run('ts'); // the reference store never drains
  assert.ok(w.drained > 0, 'the WASM store drained queues');
  assert.equal(w.out.length, 40); // both scenarios overflow for every key
  assert.deepEqual(w.out, t.out);
  // the s/slow alerts count the first event too (Total_count 12 with First_ts at the first event)
  assert.ok(
    w.out.some((l) => l.startsWith('s/slow 12 2026-01-10T00:00:00')),
    w.out.find((l) => l.startsWith('s/slow')),
  );
});

test('LIVE: idle buckets die by the wall clock, all of them', () => {
  let now = Date.UTC(2026, 0, 10);
  const eng = new BucketEngine(load(SCENS), { now: () => now });
  for (let i = 0; i < 50_000; i += 5000) eng.pourMany(spray(5000, i, now, 1000, LIVE));
  assert.equal(eng.stats().liveBuckets, 100_000);
  now += 61_000;
  eng.tick(now);
  assert.equal(eng.stats().liveBuckets, 50_000, 's/fast gone after its 60 s Duration');
  assert.equal(eng.stats().queuedEvents, 0, 's/slow queues handed back once full again');
  now += 600_000;
  eng.tick(now);
  assert.equal(eng.stats().liveBuckets, 0);
  assert.ok(eng.stats().tableSlots <= 2048, `table shrank back (${eng.stats().tableSlots})`);
});

test('the ceiling evicts the bucket nearest to its end and counts it; never more live buckets', () => {
  let now = Date.UTC(2026, 0, 10);
  const eng = new BucketEngine(load(SCENS), { now: () => now, maxBuckets: 5000 });
  for (let i = 0; i < 40_000; i += 1000) {
    eng.pourMany(spray(1000, i, now, 1000, LIVE));
    now += 1000;
  }
  const st = eng.stats();
  assert.ok(st.liveBuckets <= 5000, `live ${st.liveBuckets}`);
  // nothing idles within 40 s: every bucket created and not live was evicted
  assert.equal(st.evictions, 80_000 - st.liveBuckets);
  // nearest to its end: s/fast buckets (60 s) go before s/slow ones (660 s)
  eng.tick(now + 61_000);
  const slow = eng.stats().liveBuckets;
  assert.ok(slow > 0.9 * st.liveBuckets, `the survivors are mostly s/slow (${slow} of ${st.liveBuckets})`);
});

test('the ceiling reaches every shard of the pipeline', async () => {
  assert.equal(perShardCeiling(DEFAULT_MAX_LIVE_BUCKETS, 2), 500_000);
  assert.equal(perShardCeiling(0, 3), 0);
  assert.equal(perShardCeiling(5, 2), 3);
  const pipe = await createPipeline({
    timeMachine: true,
    workers: 0,
    year: 2026,
    maxBuckets: 300,
    onAlert: () => undefined,
  });
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const ss = String(i % 60).padStart(2, '0');
    lines.push(`Jan 10 00:00:${ss} web01 sshd[1]: Failed password for root from ${ip(i)} port 22 ssh2`);
  }
  pipe.push(lines, { src: 'spray', module: 'file', labels: { type: 'syslog' } });
  const m = await pipe.metrics();
  assert.ok(m.liveBuckets <= 300, `live ${m.liveBuckets}`);
  assert.ok(m.evictions > 0, 'evictions counted');
  await pipe.close();
});
