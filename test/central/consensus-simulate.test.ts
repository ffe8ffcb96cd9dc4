// The simulator (src/central/simulate): deterministic for a seed on a small run, the baselines fed the same
// stream, and the adversaries it models actually reach the naive baselines (so the consensus's zero is earned).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, runSimulation, DEFAULT_PARAMS } from '../../src/central/simulate/run.js';
import { runSimulate } from '../../src/cli/central-simulate.js';

const small = { ...DEFAULT_PARAMS, sites: 150, days: 4, warmupDays: 3, sybils: 60, seed: 7 };

test('a seed gives the same run twice; another seed another run', () => {
  const a = runSimulation(small);
  const b = runSimulation(small);
  assert.deepEqual(a, b);
  const c = runSimulation({ ...small, seed: 8 });
  assert.notDeepEqual(c.world, a.world);
});

test('the adversaries of the model reach the k-reporter baselines; the consensus never lists a canary', () => {
  const r = runSimulation(small);
  assert.ok(r.consensus.targets > 0);
  assert.ok(r.baselines.k2.targets_listed > 0, 'poisoners list targets under k=2');
  assert.equal(r.consensus.canaries_listed, 0);
  assert.ok(r.consensus.max_listed_after_last_report_s <= 72 * 3600);
  assert.ok(r.world.signals > 1000);
});

test('--json prints the documented shape; bad flags are refused naming the flag', async () => {
  let out = '';
  const io = {
    out: (s: string) => {
      out += s;
    },
    err: () => {},
  };
  assert.equal(
    await runSimulate(['--sites', '100', '--days', '2', '--warmup', '1', '--sybils', '30', '--json'], io),
    0,
  );
  const j = JSON.parse(out) as Record<string, Record<string, unknown>>;
  for (const k of ['k2', 'k3', 'k5', 'trust_rank']) assert.ok(j.baselines![k]);
  for (const k of [
    'precision',
    'targets',
    'targets_listed',
    'canaries_listed',
    'recall',
    'prevented',
    'time_to_list_p50_s',
    'time_to_list_p95_s',
    'max_listed_after_last_report_s',
    'list_size_max',
  ])
    assert.equal(typeof j.consensus![k], 'number', k);
  assert.equal(typeof j.bytes_out_per_site_day, 'number');
  await assert.rejects(runSimulate(['--sites', 'many'], io), /--sites/);
});

test('--explain accounts for every missed attacker and changes nothing in the run', () => {
  const plain = runSimulation(small);
  const r = runSimulation(small, {}, 4);
  const x = r.explain!;
  assert.ok(x);
  const { explain: _x, ...rest } = r;
  assert.deepEqual(rest, plain);
  const pop = r.consensus.recall_population;
  assert.ok(Math.abs(pop * (1 - r.consensus.recall) - x.missed) < 0.5, `missed ${x.missed} of ${pop}`);
  assert.equal(
    Object.values(x.verdicts).reduce((a, b) => a + b, 0),
    x.slow + x.missed,
  );
  assert.ok(x.examples.length <= 4);
  for (const e of x.examples)
    for (const [, , w, , why] of e.reports) assert.equal(why === '', w >= 0.1, `weight ${w} with reason "${why}"`);
});

test('--sybil-ases spreads the Sybils; --sensor-accounts makes that many on-off poisoners real victims', () => {
  const w = buildWorld({ ...small, sybilAses: 7, poisonerSensors: true, sensorAccounts: 1 });
  const asns = new Set(w.sites.filter((s) => s.role === 'sybil').map((s) => s.asn));
  assert.equal(asns.size, 7);
  assert.equal(w.sites.filter((s) => s.role === 'onoff' && s.sensors).length, 1);
  // a sensor is attacked: it reports attackers before they are public; a copier only after (the feed's time)
  const early = (world: typeof w, idx: number) =>
    world.st.rep.some((r, i) => {
      const a = world.st.addr[i]!;
      const feed = world.st.recvOfFeed(a);
      return r === idx && world.st.label[a] === 0 && (feed === 0 || world.st.recv[i]! < feed);
    });
  const all = buildWorld({ ...small, poisonerSensors: true, sensorAccounts: -1 });
  const onoff = all.sites.filter((s) => s.role === 'onoff');
  assert.ok(onoff.length > 0 && onoff.every((s) => s.sensors));
  assert.ok(onoff.some((s) => early(all, s.idx)));
  const none = buildWorld(small);
  const copiers = none.sites.filter((s) => s.role !== 'honest');
  assert.ok(copiers.every((s) => !s.sensors && !early(none, s.idx)));
});
