// WASM store vs the TypeScript reference store on a random stream: same alerts, same counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BucketEngine } from '../../src/buckets/index.js';
import { ev, load } from './helpers.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

test('WASM and TS stores produce identical overflows on a random TIMEMACHINE stream', () => {
  const set = load([
    `type: leaky
name: o/leaky
description: d
filter: evt.Meta.k != 'c'
groupby: evt.Meta.source_ip
capacity: 4
leakspeed: 2s
blackhole: 20s
`,
    `type: leaky
name: o/distinct
description: d
filter: "true"
groupby: evt.Meta.source_ip
distinct: evt.Meta.u
capacity: 3
leakspeed: 5s
cache_size: 2
`,
    `type: trigger
name: o/trigger
description: d
filter: evt.Meta.k == 'a'
groupby: evt.Meta.source_ip
blackhole: 30s
`,
    `type: conditional
name: o/cond
description: d
filter: evt.Meta.k == 'b'
groupby: evt.Meta.source_ip
capacity: -1
leakspeed: 10s
condition: len(queue.Queue) >= 3
`,
    `type: counter
name: o/counter
description: d
filter: "true"
capacity: -1
duration: 10s
`,
    `type: leaky
name: o/cancel
description: d
filter: "true"
groupby: evt.Meta.source_ip
cancel_on: evt.Meta.k == 'c'
capacity: 5
leakspeed: 1s
`,
  ]);
  const r = rng(42);
  const events: ReturnType<typeof ev>[] = [];
  let t = Date.UTC(2026, 0, 10, 0, 0, 0);
  for (let i = 0; i < 20000; i++) {
    t += Math.floor(r() * 400);
    if (r() < 0.01) t -= 5000; // some events in the past
    const ip = `10.0.${Math.floor(r() * 2)}.${Math.floor(r() * 6)}`;
    const k = ['a', 'b', 'c', 'd', 'd', 'd'][Math.floor(r() * 6)]!;
    events.push(ev(new Date(t).toISOString(), { source_ip: ip, k, u: `u${Math.floor(r() * 5)}` }));
  }
  const run = (store: 'wasm' | 'ts') => {
    const eng = new BucketEngine(set, { store, sweepEvery: 97 });
    const out: string[] = [];
    // mix single pours and batches
    for (let i = 0; i < events.length;) {
      const n = i % 3 === 0 ? 1 : 1 + Math.floor((i * 7) % 50);
      for (const o of eng.pourMany(events.slice(i, i + n))) {
        const a = o.Overflow!.Alert!;
        out.push(
          [
            a.Scenario,
            o.Overflow!.Mapkey,
            a.EventsCount,
            a.StartAt,
            a.StopAt,
            a.Events.map((e) => e.Timestamp).join(','),
            Object.keys(o.Overflow!.Sources).join('@'),
          ].join('|'),
        );
      }
      i += n;
    }
    const st = eng.stats();
    return { out, poured: st.poured, overflows: st.overflows, discarded: st.discarded };
  };
  const w = run('wasm');
  const s = run('ts');
  assert.ok(w.out.length > 500, `enough overflows (${w.out.length})`);
  for (const name of ['o/leaky', 'o/distinct', 'o/trigger', 'o/cond', 'o/cancel'])
    assert.ok((w.overflows[name] ?? 0) > 0, name);
  assert.equal(w.overflows['o/counter'], 0);
  assert.deepEqual(w.out, s.out);
  assert.deepEqual(w.poured, s.poured);
  assert.deepEqual(w.overflows, s.overflows);
  assert.deepEqual(w.discarded, s.discarded);
});
