// Scenario loading: strict YAML, per-type validation, durations, order, hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarios, ScenarioLoadError } from '../../src/buckets/index.js';
import { file, load } from './helpers.js';
import { sharedPath, skipUnless } from '../shared-data.js';

const base = (extra: string) => `type: leaky
name: test/x
description: d
filter: "true"
capacity: 3
leakspeed: 10s
${extra}`;

test('unknown key -> error naming the file, the document and the key', () => {
  const f = file(`type: trigger
name: test/ok
description: d
filter: "true"
---
${base('colour: blue')}`);
  assert.throws(
    () => loadScenarios([f], { dataDir: '/tmp' }),
    (e: Error) => {
      assert.ok(e instanceof ScenarioLoadError);
      assert.ok(e.message.includes(f), e.message);
      assert.ok(e.message.includes('document 2'), e.message);
      assert.ok(e.message.includes("'colour'"), e.message);
      return true;
    },
  );
});

test('unknown nested keys (scope, bayesian_conditions) are errors too', () => {
  assert.throws(() => load(base('scope:\n  type: Range\n  expresion: evt.Meta.x')), /scope\.expresion/);
});

test('duplicate keys are a YAML error', () => {
  assert.throws(() => load(base('capacity: 4')), /bad yaml/);
});

test('per-type validation', () => {
  const cases: Array<[string, RegExp]> = [
    ['type: leaky\nname: a/b\ndescription: d\nfilter: "true"\ncapacity: 0\nleakspeed: 1s', /capacity/],
    ['type: leaky\nname: a/b\ndescription: d\nfilter: "true"\ncapacity: 2', /leakspeed/],
    ['type: trigger\nname: a/b\ndescription: d\nfilter: "true"\ncapacity: 1', /capacity/],
    ['type: counter\nname: a/b\ndescription: d\nfilter: "true"\ncapacity: -1', /duration/],
    ['type: counter\nname: a/b\ndescription: d\nfilter: "true"\ncapacity: 2\nduration: 1s', /-1 capacity/],
    ['type: conditional\nname: a/b\ndescription: d\nfilter: "true"\ncapacity: -1\nleakspeed: 1s', /condition/],
    [
      'type: bayesian\nname: a/b\ndescription: d\nfilter: "true"\ncapacity: -1\nleakspeed: 1s\nbayesian_prior: 0.5\nbayesian_threshold: 0.9',
      /bayesian conditions/,
    ],
    [
      'type: bayesian\nname: a/b\ndescription: d\nfilter: "true"\ncapacity: -1\nleakspeed: 1s\nbayesian_prior: 0\nbayesian_threshold: 0.9\nbayesian_conditions:\n  - condition: "true"\n    prob_given_evil: 0.5\n    prob_given_benign: 0.5',
      /prior/,
    ],
    ['type: weird\nname: a/b\ndescription: d\nfilter: "true"', /unknown bucket type/],
    ['type: trigger\nname: a/b\nfilter: "true"', /description/],
    ['type: trigger\nname: a/b\ndescription: d', /filter/],
    ['type: trigger\ndescription: d\nfilter: "true"', /nameless/],
    ['type: leaky\nname: a/b\ndescription: d\nfilter: "true"\ncapacity: 2\nleakspeed: 1d', /leakspeed/],
    ['type: trigger\nname: a/b\ndescription: d\nfilter: "evt.Meta.x =="', /filter/],
    [
      'type: trigger\nname: a/b\ndescription: d\nfilter: "true"\nscope:\n  type: Ip\n  expression: evt.Meta.x',
      /scope.expression/,
    ],
    ['type: trigger\nname: a/b\ndescription: d\nfilter: "true"\nscope:\n  type: user', /scope.expression/],
  ];
  for (const [y, re] of cases) assert.throws(() => load(y), re, y);
});

test('format outside >= 1.0, <= 3.0 is skipped, empty documents ignored', () => {
  const set = load(`type: trigger
name: a/new
description: d
filter: "true"
format: 4.0
---
type: trigger
name: a/old
description: d
filter: "true"
format: 2.0
---
`);
  assert.deepEqual(
    set.scenarios.map((s) => s.name),
    ['a/old'],
  );
});

test('durations use Go ParseDuration; lifetimes and queue bounds per §4-§5', () => {
  const set = load([
    base('blackhole: 1h30m'),
    `type: counter
name: test/c
description: d
filter: "true"
capacity: -1
duration: 1.5s
cache_size: 4
`,
    `type: conditional
name: test/cond
description: d
filter: "true"
capacity: -1
leakspeed: 500ms
condition: "true"
`,
  ]);
  const [a, b, c] = set.scenarios;
  assert.equal(a!.leakspeedNs, 10e9);
  assert.equal(a!.blackholeNs, 5400e9);
  assert.equal(a!.lifetimeNs, 40e9);
  assert.equal(a!.queueMax, 3);
  assert.equal(b!.lifetimeNs, 1.5e9);
  assert.equal(b!.timed, true);
  assert.equal(b!.queueMax, 4);
  assert.equal(c!.lifetimeNs, 500e6);
  assert.equal(c!.queueMax, -1);
});

test('deterministic order: by file path then document order', () => {
  const f2 = file(
    'type: trigger\nname: z/1\ndescription: d\nfilter: "true"\n---\ntype: trigger\nname: z/2\ndescription: d\nfilter: "true"\n',
    'zz.yaml',
  );
  const f1 = file('type: trigger\nname: a/1\ndescription: d\nfilter: "true"\n', 'aa.yaml');
  const set = loadScenarios([f2, f1], { dataDir: '/tmp' });
  assert.deepEqual(
    set.scenarios.map((s) => s.name),
    ['a/1', 'z/1', 'z/2'],
  );
  assert.deepEqual(
    set.scenarios.map((s) => s.id),
    [0, 1, 2],
  );
});

test('every hub scenario used by the tests loads', { skip: skipUnless(sharedPath('hub', 'scenarios')) }, async () => {
  const { readdirSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const root = sharedPath('hub', 'scenarios');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(root);
  const set = loadScenarios(files, { dataDir: sharedPath('hub', 'data') });
  assert.ok(set.scenarios.length >= 180, String(set.scenarios.length));
});

test('data: files are loaded from dataDir for the scenario expressions; a missing file is a load error', async () => {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { dir, ev, at } = await import('./helpers.js');
  const { BucketEngine } = await import('../../src/buckets/index.js');
  writeFileSync(join(dir, 'bad_users.txt'), 'root\nadmin\n');
  const set = load(
    `type: trigger
name: test/data
description: d
filter: evt.Meta.user in File('bad_users.txt')
data:
  - source_url: https://example.invalid/bad_users.txt
    dest_file: bad_users.txt
    type: string
`,
    { dataDir: dir },
  );
  const eng = new BucketEngine(set);
  assert.equal(eng.pour(ev(at(0), { user: 'admin', source_ip: '1.2.3.4' })).length, 1);
  assert.equal(eng.pour(ev(at(1), { user: 'bob', source_ip: '1.2.3.4' })).length, 0);
  assert.throws(
    () =>
      load(
        `type: trigger
name: test/data2
description: d
filter: "true"
data:
  - dest_file: missing-file.txt
    type: string
`,
        { dataDir: dir },
      ),
    /missing-file\.txt/,
  );
});

test('same input, same alerts (deterministic engine)', async () => {
  const { BucketEngine } = await import('../../src/buckets/index.js');
  const { ev, at } = await import('./helpers.js');
  const set = load([
    base('groupby: evt.Meta.source_ip'),
    'type: trigger\nname: t/2\ndescription: d\nfilter: "true"\nblackhole: 10s\n',
  ]);
  const run = () => {
    const eng = new BucketEngine(set);
    const out: string[] = [];
    for (let i = 0; i < 200; i++) {
      for (const o of eng.pour(ev(at((i % 37) + Math.floor(i / 10)), { source_ip: `10.0.0.${i % 3}` }))) {
        out.push(
          JSON.stringify([
            o.Overflow!.Mapkey,
            o.Overflow!.Alert!.Scenario,
            o.Overflow!.Alert!.EventsCount,
            o.Overflow!.Alert!.StopAt,
            o.Overflow!.Alert!.Message,
          ]),
        );
      }
    }
    return out;
  };
  const a = run();
  assert.ok(a.length > 10);
  assert.deepEqual(run(), a);
});
