// Queues of plain scenarios keep their events packed (src/buckets/queue-store.ts): a live bucket holding one event
// costs a few dozen bytes of JS memory, not the event's object graph; an alert built from packed events is the one
// built from whole events (times with zones and fractions, IPv4, canonical and other IPv6 texts, Meta in any key
// order, absent GeoIP values, LIVE events without MarshaledTime); templates go with their last node; value ids
// and templates stay bounded when every event carries new Meta values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BucketEngine } from '../../src/buckets/index.js';
import { Event, LIVE, TIMEMACHINE, newStrMap } from '../../src/core/event.js';
import { GoTime } from '../../src/core/gotime.js';
import { QueueStore } from '../../src/buckets/queue-store.js';
import { load } from './helpers.js';

const leaky = (name: string, capacity: number, extra = ''): string =>
  `{type: leaky, name: ${name}, description: d, filter: "true", groupby: evt.Meta.source_ip, capacity: ${capacity}, ` +
  `leakspeed: 10s, blackhole: 1m${extra}}`;

const GEO: Array<Record<string, string>> = [
  { IsoCode: 'US', ASNumber: '749', ASNNumber: '749', ASNOrg: 'DoD', Latitude: '39.981899', Longitude: '-82.9048' },
  { IsoCode: 'FR', ASNumber: '3215', ASNNumber: '3215', ASNOrg: 'Orange', Latitude: '48.85', Longitude: '2.35' },
  { IsoCode: 'DE' }, // no AS, no coordinates
  {},
];

/** A parsed-looking sshd event: fresh strings per event (as grok captures are), Meta and Enriched as the
 *  parsers and enrichers fill them, the raw line. */
function sshEvent(i: number, ip: string, mode: number, marshaled: string, order = 0): Event {
  const e = new Event({ Raw: `Mar 10 00:00:00 web01 sshd[${i}]: Failed password for root from ${ip} port 22 ssh2` });
  e.ExpectMode = mode;
  e.Process = true;
  e.MarshaledTime = marshaled;
  const geo = GEO[i % GEO.length]!;
  const meta: Record<string, string> = {
    machine: `web0${i % 2}`,
    datasource_path: '/var/log/auth.log',
    datasource_type: 'file',
    log_type: 'ssh_failed-auth',
    target_user: ['root', 'admin', 'test'][i % 3]!.slice(0),
    service: 'ssh',
    source_ip: ip,
    ...(marshaled !== '' ? { timestamp: marshaled } : {}),
    ...geo,
    ...(i % 5 === 0 ? {} : { SourceRange: ip.includes(':') ? '2a01::/16' : '11.0.0.0/10' }),
  };
  const keys = Object.keys(meta);
  if (order === 1) keys.reverse();
  e.Meta = newStrMap();
  for (const k of keys) e.Meta[k] = meta[k]!;
  e.Enriched = newStrMap({ MarshaledTime: marshaled, IsInEU: 'false', ...geo });
  e.Parsed = newStrMap({ user: 'root', pid: String(i), program: 'sshd', message: e.Line.Raw.slice(30) });
  return e;
}

const v4 = (k: number): string => `11.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
const v6 = (k: number): string =>
  `2a01:${(k >>> 16).toString(16)}:${(k & 0xffff).toString(16)}::${(k & 0xff).toString(16)}`;

function alertsJSON(out: Event[]): string[] {
  return out.map((o) => JSON.stringify(o.Overflow!.APIAlerts).replace(/"ScenarioHash":"[0-9a-f]+"/g, ''));
}

test('an alert from packed events equals the alert from whole events', () => {
  const now = Date.UTC(2026, 2, 10, 12);
  const packed = new BucketEngine(load([leaky('p/a', 3)]), { now: () => now });
  const whole = new BucketEngine(load([leaky('p/a', 3, ', overflow_filter: "true"')]), { now: () => now });
  const times = [
    '2026-03-10T00:00:01Z',
    '2026-03-10T02:00:01.5+02:00',
    '2026-03-09T23:00:01.123456-01:00',
    '2026-03-10T00:00:01.123456789Z', // ns: not kept exactly in µs -> the slim copy
    '2026-03-10T00:00:01+00:00', // comes back as ...Z from the µs -> the slim copy
  ];
  const ips = ['2a01:0:0::4', '::ffff:11.0.0.1', '2A01::1'];
  for (let k = 0; k < 8; k++) ips.push(v4(k * 7919), v6(k * 104729));
  const events: Event[] = [];
  let i = 0;
  for (const ip of ips)
    for (let r = 0; r < 4; r++) {
      for (const mode of [TIMEMACHINE, LIVE]) {
        const t = times[(i + r) % times.length]!;
        events.push(sshEvent(i++, ip, mode, mode === LIVE && r % 2 === 0 ? '' : t, r % 2));
      }
    }
  // LIVE without MarshaledTime: the alert shows Time (UTC ms: packed; other zones: the slim copy)
  for (const e of events) if (e.MarshaledTime === '') e.Time = r2(e);
  function r2(e: Event): GoTime {
    return e.Meta.target_user === 'admin' ? new GoTime(now - 1500, 0, 3600, 'CET') : new GoTime(now - 1234, 0);
  }
  const a = alertsJSON(packed.pourMany(events));
  const b = alertsJSON(whole.pourMany(events));
  assert.equal(a.length, ips.length, 'one alert per address');
  assert.deepEqual(a, b);
  // the packed engine rebuilt them: its queues held templates, which went with the overflows
  const stats = packed.stats();
  assert.equal(stats.queuedEvents, whole.stats().queuedEvents);
});

test('templates go with the last node that uses them, and come back for new events', () => {
  const q = new QueueStore();
  const evs = [
    sshEvent(1, v4(1), TIMEMACHINE, '2026-03-10T00:00:01Z'),
    sshEvent(4, v6(9), LIVE, '2026-03-10T00:00:02Z'),
  ];
  q.putSlim(0, evs[0]!);
  q.putSlim(1, evs[0]!);
  q.putSlim(2, evs[1]!);
  q.endBatch();
  assert.equal(q.templateCount(), 2);
  assert.equal(q.get(0).Meta.source_ip, v4(1));
  assert.equal(q.get(2).Meta.source_ip, v6(9));
  assert.equal(q.get(2).MarshaledTime, '2026-03-10T00:00:02Z');
  q.clear(0);
  assert.equal(q.templateCount(), 2, 'node 1 still uses the first');
  q.putSlim(1, evs[1]!); // a queue reusing its oldest node
  q.endBatch();
  assert.equal(q.templateCount(), 1);
  assert.equal(q.get(1).Meta.source_ip, v6(9));
  q.clear(1);
  q.clear(2);
  assert.equal(q.templateCount(), 0);
});

test('ever new Meta values: value ids renew, templates stay bounded, alerts unchanged', () => {
  const packed = new BucketEngine(load([leaky('n/a', 1)]));
  const whole = new BucketEngine(load([leaky('n/a', 1, ', overflow_filter: "true"')]));
  let a: string[] = [];
  let b: string[] = [];
  for (let k = 0; k < 80_000; k += 4000) {
    const evs: Event[] = [];
    for (let i = k; i < k + 4000; i++) {
      const e = sshEvent(i, v4(i >>> 1), TIMEMACHINE, `2026-03-10T00:${String((i >>> 11) % 60).padStart(2, '0')}:00Z`);
      e.Meta.http_path = `/p/${i}`; // a new value per event: one template each
      evs.push(e);
    }
    a = a.concat(alertsJSON(packed.pourMany(evs)));
    b = b.concat(alertsJSON(whole.pourMany(evs)));
  }
  assert.ok(a.length >= 30_000, `${a.length} alerts`);
  assert.deepEqual(a, b);
  const q = (packed as unknown as { evs: QueueStore }).evs;
  assert.ok(q.templateCount() <= 8192, `${q.templateCount()} templates`);
});

test('a live bucket holding one event costs a few dozen bytes of JS memory, not the event', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const now = Date.UTC(2026, 2, 10, 12);
  const eng = new BucketEngine(load([leaky('m/slow', 10)]), { now: () => now });
  const N = 100_000;
  const pour = (from: number, to: number): void => {
    const evs: Event[] = [];
    for (let i = from; i < to; i++) {
      const t = `2026-03-10T00:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}:00Z`;
      evs.push(sshEvent(i, i % 5 === 4 ? v6(i) : v4(i), LIVE, t));
    }
    eng.pourMany(evs);
  };
  pour(0, 2000); // compiled code, the store's first tables
  await new Promise((r) => setImmediate(r));
  gc();
  const used = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  for (let i = 2000; i < 2000 + N; i += 5000) pour(i, i + 5000);
  await new Promise((r) => setImmediate(r));
  gc();
  const perBucket = (used() - before) / N;
  const st = eng.stats();
  assert.equal(st.liveBuckets, N + 2000);
  assert.equal(st.queuedEvents, N + 2000, 'each bucket holds its event');
  // packed: ~24 B of columns + the 4-word IPv6 entries + column growth; a slim copy held ~500 B
  assert.ok(perBucket < 100, `${perBucket.toFixed(0)} bytes of JS heap and buffers per live bucket`);
});
