// Bucket engine behaviour: each bucket type and field, the verified cases of scenarios.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BucketEngine, mapKey } from '../../src/buckets/index.js';
import type { Event } from '../../src/core/event.js';
import { OVFLW } from '../../src/core/event.js';
import { at, ev, file, liveEv, load } from './helpers.js';

const LEAKY = (extra = '') => `type: leaky
name: test/leaky
description: leaky test
filter: evt.Meta.log_type == 'x'
groupby: evt.Meta.source_ip
capacity: 3
leakspeed: 10s
labels:
  remediation: true
${extra}`;

function pourAll(eng: BucketEngine, events: Event[]): Array<{ i: number; o: Event }> {
  const res: Array<{ i: number; o: Event }> = [];
  events.forEach((e, i) => {
    for (const o of eng.pour(e)) res.push({ i, o });
  });
  return res;
}

const X = (sec: number, ip = '1.2.3.4', more: Record<string, string> = {}) =>
  ev(at(sec), { log_type: 'x', source_ip: ip, ...more });

for (const store of ['wasm', 'ts'] as const) {
  test(`[${store}] leaky §5: capacity 3 / 10s, events at 0,1,2,3 s overflow at the 4th with every alert field`, () => {
    const set = load(LEAKY());
    const eng = new BucketEngine(set, { store });
    const out = pourAll(
      eng,
      [0, 1, 2, 3].map((s) => X(s)),
    );
    assert.equal(out.length, 1);
    assert.equal(out[0]!.i, 3);
    const o = out[0]!.o;
    assert.equal(o.Type, OVFLW);
    const ra = o.Overflow!;
    const a = ra.Alert!;
    assert.equal(a.Scenario, 'test/leaky');
    assert.equal(a.ScenarioHash, createHash('sha256').update(readFileSync(set.scenarios[0]!.file)).digest('hex'));
    assert.equal(a.ScenarioVersion, '?');
    assert.equal(a.Capacity, 3);
    assert.equal(a.Leakspeed, '10s');
    assert.equal(a.EventsCount, 4);
    assert.equal(a.StartAt, '2026-01-10T10:00:00Z');
    assert.equal(a.StopAt, '2026-01-10T10:00:03Z');
    assert.equal(a.Simulated, false);
    assert.equal(a.Remediation, true);
    assert.equal(a.Kind, 'crowdsec');
    assert.equal(a.Message, "Ip 1.2.3.4 performed 'test/leaky' (4 events over 3s) at 2026-01-10 10:00:03 +0000 UTC");
    assert.equal(a.Events.length, 4);
    assert.equal(a.Events[0]!.Timestamp, '2026-01-10T10:00:00Z');
    assert.deepEqual(
      a.Events[0]!.Meta.map((m) => m.Key),
      ['log_type', 'source_ip'],
    );
    assert.equal(a.Source!.IP, '1.2.3.4');
    assert.equal(a.Source!.Scope, 'Ip');
    assert.equal(a.Source!.Value, '1.2.3.4');
    assert.deepEqual(Object.keys(ra.Sources), ['1.2.3.4']);
    assert.equal(ra.APIAlerts.length, 1);
    assert.equal(ra.APIAlerts[0], a);
    assert.equal(ra.Sources['1.2.3.4'], a.Source, 'APIAlerts share the Source objects');
    assert.equal(
      ra.Mapkey,
      createHash('sha1').update("evt.Meta.log_type == 'x'\u00001.2.3.4\u0000test/leaky").digest('hex'),
    );
    assert.equal(ra.Mapkey, mapKey(set.scenarios[0]!, '1.2.3.4'));
    assert.equal(ra.Reprocess, false);
    assert.equal(o.MarshaledTime, '2026-01-10T10:00:03Z');
    // after the overflow the key starts a fresh full bucket
    assert.equal(eng.pour(X(4)).length, 0);
  });

  test(`[${store}] §5 idle expiry: 0,1,2,45,46,47,48 -> overflow at 48 s, count 4, start 45 s`, () => {
    const eng = new BucketEngine(load(LEAKY()), { store });
    const out = pourAll(
      eng,
      [0, 1, 2, 45, 46, 47, 48].map((s) => X(s)),
    );
    assert.equal(out.length, 1);
    assert.equal(out[0]!.i, 6);
    const a = out[0]!.o.Overflow!.Alert!;
    assert.equal(a.EventsCount, 4);
    assert.equal(a.StartAt, at(45));
    assert.equal(a.StopAt, at(48));
  });

  test(`[${store}] §5 no expiry within Duration: 0,1,2,35,36,37,38 -> count 7, queue trimmed to capacity+1`, () => {
    const eng = new BucketEngine(load(LEAKY()), { store });
    const out = pourAll(
      eng,
      [0, 1, 2, 35, 36, 37, 38].map((s) => X(s)),
    );
    assert.equal(out.length, 1);
    assert.equal(out[0]!.i, 6);
    const a = out[0]!.o.Overflow!.Alert!;
    assert.equal(a.EventsCount, 7);
    assert.equal(a.StartAt, at(0));
    assert.equal(a.Events.length, 4);
    assert.deepEqual(
      a.Events.map((e) => e.Timestamp),
      [at(35), at(36), at(37), at(38)],
    );
    assert.equal(a.Message, "Ip 1.2.3.4 performed 'test/leaky' (7 events over 38s) at 2026-01-10 10:00:38 +0000 UTC");
  });

  test(`[${store}] §4 cancel_on: F,F,cancel,F,F,F,F with capacity 3 overflows on the 7th, count 4, start = 4th`, () => {
    const eng = new BucketEngine(load(LEAKY(`cancel_on: evt.Meta.cancel == 'yes'`)), { store });
    const evs = [0, 1, 2, 3, 4, 5, 6].map((s) => X(s, '1.2.3.4', { cancel: s === 2 ? 'yes' : 'no' }));
    const out = pourAll(eng, evs);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.i, 6);
    const a = out[0]!.o.Overflow!.Alert!;
    assert.equal(a.EventsCount, 4);
    assert.equal(a.StartAt, at(3));
    assert.equal(eng.stats().cancelled, 1);
  });

  test(`[${store}] §6 blackhole 1m on a trigger: kept at 10:00:00, 10:01:00, 10:02:10`, () => {
    const eng = new BucketEngine(
      load(`type: trigger
name: test/trig
description: t
filter: "true"
blackhole: 1m
`),
      { store },
    );
    const out = pourAll(
      eng,
      [0, 30, 60, 61, 130].map((s) => X(s)),
    );
    assert.deepEqual(
      out.map((o) => o.o.Overflow!.Alert!.StopAt),
      [at(0), at(60), at(130)],
    );
    assert.equal(eng.stats().discarded['test/trig'], 2);
    // blackhole is per partition: without groupby it is global (all sources)
    const out2 = pourAll(eng, [X(131, '5.6.7.8')]);
    assert.equal(out2.length, 0);
  });

  test(`[${store}] blackhole per partition with groupby`, () => {
    const eng = new BucketEngine(
      load(`type: trigger
name: test/trig-gb
description: t
filter: "true"
groupby: evt.Meta.source_ip
blackhole: 1m
`),
      { store },
    );
    const out = pourAll(eng, [
      X(0, '10.0.0.1'),
      X(1, '10.0.0.2'),
      X(2, '10.0.0.1'),
      X(3, '10.0.0.2'),
      X(61, '10.0.0.1'),
    ]);
    assert.deepEqual(
      out.map((o) => o.i),
      [0, 1, 4],
    );
  });

  test(`[${store}] trigger: every event overflows with count 1, capacity 0, leakspeed 0s, one event`, () => {
    const eng = new BucketEngine(
      load(`type: trigger
name: test/trigger
description: t
filter: evt.Meta.log_type == 'x'
`),
      { store },
    );
    const out = pourAll(eng, [X(0), X(0), X(5)]);
    assert.equal(out.length, 3);
    for (const { o } of out) {
      const a = o.Overflow!.Alert!;
      assert.equal(a.EventsCount, 1);
      assert.equal(a.Capacity, 0);
      assert.equal(a.Leakspeed, '0s');
      assert.equal(a.Events.length, 1);
      assert.equal(a.StartAt, a.StopAt);
      assert.equal(a.Remediation, false);
    }
    assert.equal(eng.stats().liveBuckets, 0);
  });

  test(`[${store}] counter: never overflows in replay, overflows by wall clock in LIVE via tick()`, () => {
    const yaml = `type: counter
name: test/counter
description: c
filter: "true"
groupby: evt.Meta.source_ip
capacity: -1
duration: 10s
cache_size: 2
`;
    const eng = new BucketEngine(load(yaml), { store });
    const out = pourAll(
      eng,
      [0, 1, 2, 3, 4, 5, 20, 40].map((s) => X(s)),
    );
    assert.equal(out.length, 0);
    let now = Date.UTC(2026, 0, 10, 12, 0, 0);
    const live = new BucketEngine(load(yaml), { store, now: () => now });
    for (let i = 0; i < 5; i++) {
      assert.equal(live.pour(liveEv({ source_ip: '1.1.1.1' })).length, 0);
      now += 1000;
    }
    assert.equal(live.tick(now).length, 0);
    now = Date.UTC(2026, 0, 10, 12, 0, 10);
    const t = live.tick(now);
    assert.equal(t.length, 1);
    const a = t[0]!.Overflow!.Alert!;
    assert.equal(a.EventsCount, 5);
    assert.equal(a.Capacity, -1);
    assert.equal(a.Events.length, 3, 'cache_size 2 keeps 3 events');
    assert.equal(a.StopAt, '2026-01-10T12:00:10Z');
    assert.equal(a.StartAt, '2026-01-10T12:00:00Z');
    assert.equal(live.stats().liveBuckets, 0);
  });

  test(`[${store}] LIVE leaky: wall clock times and underflow by tick()`, () => {
    let now = Date.UTC(2026, 0, 10, 12, 0, 0);
    const eng = new BucketEngine(load(LEAKY()), { store, now: () => now });
    eng.pour(liveEv({ log_type: 'x', source_ip: '9.9.9.9' }));
    assert.equal(eng.stats().liveBuckets, 1);
    now += 39_000;
    eng.tick(now);
    assert.equal(eng.stats().liveBuckets, 1);
    now += 1_000; // (capacity+1) * leakspeed = 40s
    eng.tick(now);
    assert.equal(eng.stats().liveBuckets, 0);
    assert.equal(eng.stats().underflows, 1);
    for (let i = 0; i < 3; i++) eng.pour(liveEv({ log_type: 'x', source_ip: '9.9.9.9' }));
    const o = eng.pour(liveEv({ log_type: 'x', source_ip: '9.9.9.9' }));
    assert.equal(o.length, 1);
    assert.equal(o[0]!.Overflow!.Alert!.StopAt, new Date(now).toISOString().replace('.000Z', 'Z'));
  });

  test(`[${store}] conditional: condition on the queue after each pour, whole queue in the alert`, () => {
    const eng = new BucketEngine(
      load(`type: conditional
name: test/cond
description: c
filter: "true"
groupby: evt.Meta.source_ip
capacity: -1
leakspeed: 1m
condition: len(queue.Queue) >= 3 && leaky.Total_count >= 3
`),
      { store },
    );
    const out = pourAll(
      eng,
      [0, 10, 20, 30].map((s) => X(s)),
    );
    assert.equal(out.length, 1);
    assert.equal(out[0]!.i, 2);
    const a = out[0]!.o.Overflow!.Alert!;
    assert.equal(a.EventsCount, 3);
    assert.equal(a.Events.length, 3);
    assert.equal(a.StopAt, at(20));
    assert.equal(a.Capacity, -1);
    assert.equal(a.Leakspeed, '1m0s');
  });

  test(`[${store}] conditional idle lifetime is leakspeed`, () => {
    const eng = new BucketEngine(
      load(`type: conditional
name: test/cond2
description: c
filter: "true"
capacity: -1
leakspeed: 10s
condition: len(queue.Queue) >= 2
`),
      { store },
    );
    const out = pourAll(
      eng,
      [0, 11, 30, 35].map((s) => X(s)),
    );
    assert.deepEqual(
      out.map((o) => o.i),
      [3],
    );
  });

  test(`[${store}] bayesian: float32 posterior, strict threshold, guillotine`, () => {
    const eng = new BucketEngine(
      load(`type: bayesian
name: test/bayes
description: b
filter: "true"
groupby: evt.Meta.source_ip
capacity: -1
leakspeed: 1m
bayesian_prior: 0.5
bayesian_threshold: 0.8
bayesian_conditions:
  - condition: evt.Meta.kind == 'evil'
    prob_given_evil: 0.8
    prob_given_benign: 0.2
    guillotine: true
  - condition: evt.Meta.kind == 'bad'
    prob_given_evil: 0.6
    prob_given_benign: 0.5
`),
      { store },
    );
    // event 1 evil: p = 0.8 (not > 0.8) then bad false: 0.4*0.8/(0.4*0.8+0.5*0.2) = 0.7619 -> no
    // event 2 (kind other): guillotine keeps evil true: 0.8, bad false -> 0.7619 -> no
    // event 3 bad: 0.8 then 0.6*0.8/(0.6*0.8+0.5*0.2)= 0.8276 -> overflow
    const out = pourAll(eng, [
      X(0, '10.0.0.1', { kind: 'evil' }),
      X(1, '10.0.0.1', { kind: 'other' }),
      X(2, '10.0.0.1', { kind: 'bad' }),
    ]);
    assert.deepEqual(
      out.map((o) => o.i),
      [2],
    );
    assert.equal(out[0]!.o.Overflow!.Alert!.EventsCount, 3);
    // without the guillotine having fired, 'bad' alone is not enough
    const out2 = pourAll(eng, [X(10, '10.0.0.2', { kind: 'bad' }), X(11, '10.0.0.2', { kind: 'bad' })]);
    assert.equal(out2.length, 0);
  });

  test(`[${store}] distinct: already-seen values are dropped and not counted`, () => {
    const eng = new BucketEngine(
      load(`type: leaky
name: test/distinct
description: d
filter: "true"
groupby: evt.Meta.source_ip
distinct: evt.Meta.user
capacity: 2
leakspeed: 10s
`),
      { store },
    );
    const out = pourAll(eng, [
      X(0, '10.0.0.1', { user: 'u1' }),
      X(0, '10.0.0.1', { user: 'u1' }),
      X(0, '10.0.0.1', { user: 'u2' }),
      X(0, '10.0.0.1', { user: 'u2' }),
      X(0, '10.0.0.1', { user: 'u3' }),
    ]);
    assert.deepEqual(
      out.map((o) => o.i),
      [4],
    );
    assert.equal(out[0]!.o.Overflow!.Alert!.EventsCount, 3);
    assert.equal(eng.stats().distinctSets, 0, 'seen-set released with the bucket');
    // seen-set is per bucket instance: after the overflow u1 counts again
    assert.equal(pourAll(eng, [X(1, '10.0.0.1', { user: 'u1' })]).length, 0);
    assert.equal(eng.stats().poured['test/distinct'], 4);
  });

  test(`[${store}] groupby: one bucket per partition`, () => {
    const eng = new BucketEngine(load(LEAKY()), { store });
    const evs: Event[] = [];
    for (let s = 0; s < 4; s++) {
      evs.push(X(s, '1.1.1.1'));
      evs.push(X(s, '2.2.2.2'));
    }
    const out = pourAll(eng, evs);
    assert.deepEqual(
      out.map((o) => Object.keys(o.o.Overflow!.Sources)[0]),
      ['1.1.1.1', '2.2.2.2'],
    );
    assert.notEqual(out[0]!.o.Overflow!.Mapkey, out[1]!.o.Overflow!.Mapkey);
  });

  test(`[${store}] without groupby several sources go in one alert ("N sources")`, () => {
    const eng = new BucketEngine(
      load(`type: leaky
name: test/nogb
description: d
filter: "true"
capacity: 1
leakspeed: 10s
`),
      { store },
    );
    const out = pourAll(eng, [X(0, '1.1.1.1'), X(0, '2.2.2.2')]);
    assert.equal(out.length, 1);
    const ra = out[0]!.o.Overflow!;
    assert.deepEqual(Object.keys(ra.Sources), ['1.1.1.1', '2.2.2.2']);
    assert.equal(ra.APIAlerts.length, 2);
    assert.equal(ra.APIAlerts[1]!.Source, ra.Sources['2.2.2.2']);
    assert.match(ra.Alert!.Message, /^Ip 2 sources performed 'test\/nogb' \(2 events over 0s\)/);
  });

  test(`[${store}] filter runtime error stops pouring the event into the remaining scenarios`, () => {
    const bad = file(
      `type: trigger
name: test/a-bad
description: d
filter: evt.Overflow.Alert.Scenario == 'x'
`,
      'aa-bad.yaml',
    );
    const good = file(
      `type: trigger
name: test/b-good
description: d
filter: "true"
`,
      'bb-good.yaml',
    );
    const { loadScenarios } = awaitLoad;
    const set = loadScenarios([good, bad], { dataDir: '/tmp' });
    assert.deepEqual(
      set.scenarios.map((s) => s.name),
      ['test/a-bad', 'test/b-good'],
    );
    const eng = new BucketEngine(set, { store });
    assert.equal(eng.pour(X(0)).length, 0);
    assert.equal(eng.stats().filterErrors, 1);
    assert.equal(eng.stats().poured['test/b-good'], 0);
  });

  test(`[${store}] overflow_filter: false discards, a throwing filter keeps the overflow`, () => {
    const eng = new BucketEngine(
      load([
        `type: trigger
name: test/of-false
description: d
filter: "true"
overflow_filter: len(queue.Queue) > 5
blackhole: 1m
`,
        `type: trigger
name: test/of-throws
description: d
filter: "true"
overflow_filter: queue.Queue[10].Meta.x == 'y'
`,
        `type: leaky
name: test/of-true
description: d
filter: "true"
capacity: 1
leakspeed: 1s
overflow_filter: signal.Alert.Source.Value == '1.2.3.4' && leaky.Total_count == 2
`,
      ]),
      { store },
    );
    const out = pourAll(eng, [X(0), X(0), X(1)]);
    const names = out.map((o) => o.o.Overflow!.Alert!.Scenario);
    assert.deepEqual(names, ['test/of-throws', 'test/of-throws', 'test/of-true', 'test/of-throws']);
    assert.equal(eng.stats().discarded['test/of-false'], 3, 'filtered out (no blackhole entry added)');
  });

  test(`[${store}] scope Range from Meta.SourceRange, custom scope from expression, invalid IP -> no alert`, () => {
    const eng = new BucketEngine(
      load([
        `type: trigger
name: test/range
description: d
filter: evt.Meta.k == 'r'
scope:
  type: Range
`,
        `type: trigger
name: test/user
description: d
filter: evt.Meta.k == 'u'
scope:
  type: username
  expression: evt.Meta.user
`,
        `type: trigger
name: test/ip
description: d
filter: evt.Meta.k == 'i'
`,
      ]),
      { store },
    );
    const r = eng.pour(
      ev(
        at(0),
        { k: 'r', source_ip: '10.1.2.3', SourceRange: '10.1.2.3/16' },
        { IsoCode: 'FR', ASNumber: '12', ASNOrg: 'org', Latitude: '1.5' },
      ),
    );
    const src = r[0]!.Overflow!.Alert!.Source!;
    assert.equal(src.Scope, 'Range');
    assert.equal(src.Value, '10.1.0.0/16');
    assert.equal(src.Range, '10.1.0.0/16');
    assert.equal(src.IP, '10.1.2.3');
    assert.equal(src.Cn, 'FR');
    assert.equal(src.AsNumber, '12');
    assert.equal(src.AsName, 'org');
    assert.equal(src.Latitude, 1.5);
    const u = eng.pour(ev(at(0), { k: 'u', user: 'bob' }));
    assert.equal(u[0]!.Overflow!.Alert!.Source!.Scope, 'username');
    assert.equal(u[0]!.Overflow!.Alert!.Source!.Value, 'bob');
    assert.match(u[0]!.Overflow!.Alert!.Message, /^username bob performed/);
    assert.equal(eng.pour(ev(at(0), { k: 'i', source_ip: 'not-an-ip' })).length, 0);
    assert.equal(eng.stats().alertErrors, 1);
  });

  test(`[${store}] reprocess flag; an overflow poured again into a Range scenario converts Ip sources`, () => {
    const eng = new BucketEngine(
      load([
        `type: trigger
name: test/first
description: d
filter: evt.Meta.log_type == 'x'
reprocess: true
labels:
  remediation: true
`,
        `type: leaky
name: test/defcon
description: d
filter: evt.GetType() == 'overflow' && evt.Overflow.Alert.Remediation == true
groupby: evt.Overflow.Alert.Source.Range
distinct: evt.Overflow.Alert.Source.IP
capacity: 1
leakspeed: 1m
scope:
  type: Range
`,
      ]),
      { store },
    );
    const o1 = eng.pour(ev(at(0), { log_type: 'x', source_ip: '10.0.0.1', SourceRange: '10.0.0.0/24' }));
    assert.equal(o1.length, 1);
    assert.equal(o1[0]!.Overflow!.Reprocess, true);
    assert.equal(eng.pour(o1[0]!).length, 0);
    const o2 = eng.pour(ev(at(1), { log_type: 'x', source_ip: '10.0.0.2', SourceRange: '10.0.0.0/24' }));
    const out = eng.pour(o2[0]!);
    assert.equal(out.length, 1);
    const a = out[0]!.Overflow!.Alert!;
    assert.equal(a.Scenario, 'test/defcon');
    assert.equal(a.Source!.Scope, 'Range');
    assert.equal(a.Source!.Value, '10.0.0.0/24');
    assert.equal(a.EventsCount, 2);
  });

  test(`[${store}] simulation: simulation XOR exclusions`, () => {
    const y = LEAKY().replace('test/leaky', 'test/sim');
    const s1 = load(y, { simulation: { simulation: true, exclusions: [] } });
    const s2 = load(y, { simulation: { simulation: true, exclusions: ['test/sim'] } });
    const s3 = load(y, { simulation: { simulation: false, exclusions: ['test/sim'] } });
    assert.deepEqual(
      [s1, s2, s3].map((s) => s.scenarios[0]!.simulated),
      [true, false, true],
    );
    const eng = new BucketEngine(s1, { store });
    const out = pourAll(
      eng,
      [0, 0, 0, 0].map((s) => X(s)),
    );
    assert.equal(out[0]!.o.Overflow!.Alert!.Simulated, true);
  });

  test(`[${store}] TIMEMACHINE event without MarshaledTime is refused, not counted`, () => {
    const eng = new BucketEngine(load(LEAKY()), { store });
    const e = X(0);
    e.MarshaledTime = '';
    assert.equal(eng.pour(e).length, 0);
    assert.equal(eng.stats().refused, 1);
    assert.equal(eng.stats().poured['test/leaky'], 0);
  });

  test(`[${store}] cache_size limits the alert events, not the maths`, () => {
    const eng = new BucketEngine(load(LEAKY('cache_size: 1').replace('capacity: 3', 'capacity: 5')), { store });
    const out = pourAll(
      eng,
      [0, 0, 0, 0, 0, 0].map((s) => X(s)),
    );
    assert.equal(out.length, 1);
    assert.equal(out[0]!.i, 5);
    assert.equal(out[0]!.o.Overflow!.Alert!.EventsCount, 6);
    assert.equal(out[0]!.o.Overflow!.Alert!.Events.length, 2);
  });

  test(`[${store}] events in the past add no tokens; offsets keep their zone in messages`, () => {
    const eng = new BucketEngine(load(LEAKY()), { store });
    const mk = (ts: string) => ev(ts, { log_type: 'x', source_ip: '1.2.3.4' });
    const out = pourAll(eng, [
      mk('2026-01-10T12:00:05+02:00'),
      mk('2026-01-10T12:00:00+02:00'),
      mk('2026-01-10T12:00:01+02:00'),
      mk('2026-01-10T12:00:06+02:00'),
    ]);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.i, 3);
    const a = out[0]!.o.Overflow!.Alert!;
    assert.equal(a.StartAt, '2026-01-10T12:00:05+02:00');
    assert.match(a.Message, /at 2026-01-10 12:00:06 \+0200 \+0200$/);
  });

  test(`[${store}] labels: remediation only when boolean true`, () => {
    const set = load(LEAKY().replace('remediation: true', 'remediation: "true"'));
    assert.equal(set.scenarios[0]!.remediation, false);
  });
}

import * as awaitLoad from '../../src/buckets/index.js';

test('MarshaledTime parsing: RFC3339 with fraction and offsets, invalid input refused', async () => {
  const { parseRFC3339: parseTime } = await import('../../src/core/rfc3339.js');
  const cases = [
    '2026-01-10T10:00:03Z',
    '2026-01-10T12:00:05+02:00',
    '2024-03-29T19:50:27.223387Z',
    '2026-01-10T10:00:03.5-05:30',
    '1999-12-31T23:59:59.999Z',
    '2028-02-29T00:00:00Z',
  ];
  for (const s of cases) {
    const r = parseTime(s);
    assert.ok(r, s);
    assert.equal(Math.floor(r.us / 1000), Date.parse(s), s);
  }
  assert.equal(parseTime('2024-03-29T19:50:27.223387Z')!.us % 1000000, 223387);
  assert.equal(parseTime('2026-01-10T12:00:05+02:00')!.off, 7200);
  assert.equal(parseTime('2026-01-10T10:00:03.5-05:30')!.off, -19800);
  for (const bad of ['', 'bad', '2026-13-10T10:00:03Z', '2026-01-10 10:00', '2026-01-10T10:00:03+0'])
    assert.equal(parseTime(bad), null, bad);
});
