// Bucket queues of plain scenarios keep slim copies of their events (src/buckets/queued.ts): the same alerts as
// with whole events, the whole events are no longer held by the queues, and scenarios whose expressions can read
// any field of a queued event (overflow_filter, conditional, an alert context) still see the whole event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BucketEngine } from '../../src/buckets/index.js';
import { compileContext } from '../../src/buckets/context.js';
import type { Event } from '../../src/core/event.js';
import { at, ev, load } from './helpers.js';

const leaky = (name: string, extra = ''): string =>
  `{type: leaky, name: ${name}, description: d, filter: "true", groupby: evt.Meta.source_ip, capacity: 2, ` +
  `leakspeed: 10s, blackhole: 1m${extra}}`;

function event(sec: number, ip: string): Event {
  const e = ev(
    at(sec),
    { source_ip: ip, log_type: 'ssh_failed-auth', service: 'ssh' },
    {
      ASNumber: '64500',
      ASNNumber: '64500',
      ASNOrg: 'Example',
      IsoCode: 'FR',
      Latitude: '1.5',
      Longitude: '2.5',
      X: 'y',
    },
  );
  e.Line.Raw = `line ${sec} from ${ip} ${'x'.repeat(200)}`;
  e.Parsed.user = 'root';
  e.Meta.SourceRange = '10.0.0.0/8';
  return e;
}

/** the alerts as JSON, without the scenario hash (the files differ by their overflow_filter line) */
function alerts(out: Event[]): string[] {
  return out.map((o) => JSON.stringify(o.Overflow!.APIAlerts).replace(/"ScenarioHash":"[0-9a-f]+"/g, ''));
}

test('slim queue copies give the same alerts as whole events (sources, events, meta, times)', () => {
  const evs: Event[] = [];
  for (let i = 0; i < 40; i++) evs.push(event(i, `10.0.0.${i % 4}`));
  const slim = new BucketEngine(load([leaky('q/a'), leaky('q/b')]));
  // an alert context with no key changes nothing but keeps queues whole
  const whole = new BucketEngine(
    load([leaky('q/a', ', overflow_filter: "true"'), leaky('q/b', ', overflow_filter: "true"')]),
  );
  const a = alerts(slim.pourMany(evs.slice(0, 20)).concat(slim.pourMany(evs.slice(20))));
  const b = alerts(whole.pourMany(evs.slice(0, 20)).concat(whole.pourMany(evs.slice(20))));
  assert.ok(a.length >= 8, `${a.length} alerts`);
  assert.deepEqual(a, b);
});

test('queues of plain scenarios do not hold the whole events; overflow_filter and context queues do', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const held = async (yamls: string[], ctx = false): Promise<number> => {
    const eng = new BucketEngine(load(yamls), {
      context: ctx
        ? compileContext({ keys: [{ key: 'user', exprs: [{ expr: 'evt.Parsed.user', where: 't' }] }] })
        : undefined,
    });
    const refs: WeakRef<Event>[] = [];
    (() => {
      const evs: Event[] = [];
      for (let i = 0; i < 50; i++) evs.push(event(i / 100, `10.1.${i}.1`)); // 50 addresses, one event each
      for (const e of evs) refs.push(new WeakRef(e));
      assert.equal(eng.pourMany(evs).length, 0);
    })();
    // WeakRef targets stay alive until the job that created them ends
    await new Promise((r) => setImmediate(r));
    gc();
    assert.equal(eng.stats().liveBuckets, 50 * yamls.length, 'the buckets live on');
    assert.equal(eng.stats().queuedEvents, 50 * yamls.length, 'each holds its event');
    return refs.filter((r) => r.deref() !== undefined).length;
  };
  // (the last event poured may stay referenced by the expression runtime)
  assert.ok((await held([leaky('h/plain')])) <= 1, 'plain: slim copies only');
  assert.equal(await held([leaky('h/filter', ', overflow_filter: "len(queue.Queue) > 0"')]), 50, 'overflow_filter');
  assert.equal(await held([leaky('h/ctx')], true), 50, 'alert context');
  assert.equal(
    await held([
      `{type: conditional, name: h/cond, description: d, filter: "true", groupby: evt.Meta.source_ip, capacity: -1, leakspeed: 10s, condition: "len(queue.Queue) > 5"}`,
    ]),
    50,
    'conditional',
  );
});

test('the alert of an overflow_filter scenario reads Parsed and the raw line of its queued events', () => {
  const eng = new BucketEngine(
    load([
      leaky(
        'f/raw',
        ", overflow_filter: \"all(queue.Queue, {.Parsed.user == 'root' && .Line.Raw startsWith 'line'})\"",
      ),
    ]),
  );
  const out = eng.pourMany([event(0, '10.2.0.1'), event(1, '10.2.0.1'), event(2, '10.2.0.1')]);
  assert.equal(out.length, 1, 'the filter saw the whole events and kept the overflow');
});
