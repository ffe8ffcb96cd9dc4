// `picket metrics show bouncers` (CrowdSec 1.6's "Bouncer Metrics"): usage metrics POSTed by a bouncer to a real
// LAPI (in-process, real LMDB store in a temp dir, HTTP on 127.0.0.1:0) are read by `picket metrics` (a child
// process opening the same store while the LAPI holds it) and aggregated as cscli does: counters summed,
// gauges (active_decisions) the latest per label set summed over ip types, values truncated, one row per origin,
// metrics without an origin in the Total only. The figures are those of CrowdSec's own bats test of the command.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addBouncer, apiKey, request, startEnv, type Env } from '../lapi/helpers.js';
import { picket } from '../cli/helpers.js';
import { formatUsageNumber } from '../../src/metrics/bouncer-usage.js';

let env: Env;
before(async () => {
  env = await startEnv();
  await addBouncer(env, 'testbouncer', 'key-of-testbouncer');
  await addBouncer(env, 'bouncer2', 'key-of-bouncer2');
});
after(async () => {
  await env.cleanup();
});

type Item = { name: string; unit: string; value: number; labels?: Record<string, string> };
const item = (name: string, unit: string, value: number, origin?: string, ipType = 'ipv4'): Item =>
  origin === undefined ? { name, unit, value } : { name, unit, value, labels: { ip_type: ipType, origin } };

async function push(key: string, blocks: Array<{ at: number; items: Item[] }>): Promise<void> {
  const body = {
    remediation_components: [
      {
        type: 'crowdsec-firewall-bouncer',
        version: 'v0.0.31',
        utc_startup_timestamp: 1707369316,
        metrics: blocks.map((b) => ({ meta: { utc_now_timestamp: b.at, window_size_seconds: 600 }, items: b.items })),
      },
    ],
  };
  const r = await request(env.url, '/v1/usage-metrics', { method: 'POST', json: body, headers: apiKey(key) });
  assert.equal(r.status, 201, r.body);
}

test('picket metrics show bouncers: no report yet', async () => {
  const r = await picket(['metrics', 'show', 'bouncers', '--data', env.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'No bouncer metrics found.');
  const j = await picket(['metrics', 'show', 'bouncers', '--data', env.dir, '-o', 'json']);
  assert.deepEqual(JSON.parse(j.stdout), { bouncers: {} });
});

test('picket metrics show bouncers: cscli aggregation, table and -o json', async () => {
  await push('key-of-testbouncer', [
    { at: 1707399316, items: [item('foo', 'pound', 3.1415926), item('foo', 'pound', 2.7182818)] },
  ]);
  await push('key-of-testbouncer', [{ at: 1707399317, items: [item('foo', 'dogyear', 2.7182818)] }]);
  await push('key-of-testbouncer', [
    {
      at: 1707399916,
      items: [
        item('active_decisions', 'ip', 500, 'lists:firehol_voipbl'),
        item('active_decisions', 'ip', 1, 'cscli', 'ipv6'),
        item('dropped', 'byte', 3800, 'CAPI'),
        item('dropped', 'byte', 0, 'cscli'),
        item('dropped', 'byte', 1034, 'lists:firehol_cruzit_web_attacks'),
        item('dropped', 'byte', 3847, 'lists:firehol_voipbl'),
        item('dropped', 'byte', 380, 'cscli', 'ipv6'),
        item('dropped', 'packet', 100, 'CAPI'),
        item('dropped', 'packet', 10, 'cscli'),
        item('dropped', 'packet', 23, 'lists:firehol_cruzit_web_attacks'),
        item('dropped', 'packet', 58, 'lists:firehol_voipbl'),
        item('dropped', 'packet', 0, 'lists:anotherlist'),
        item('dropped', 'byte', 0, 'lists:anotherlist'),
      ],
    },
  ]);
  // gauges: the latest (by timestamp, not by arrival) per ip type, summed over ip types
  await push('key-of-testbouncer', [
    { at: 1707450000, items: [item('active_decisions', 'ip', 250, 'lists:firehol_voipbl')] },
    { at: 1707440000, items: [item('active_decisions', 'ip', 999, 'lists:firehol_voipbl')] },
    {
      at: 1707450000,
      items: [item('active_decisions', 'ip', 10, 'cscli', 'ipv6'), item('active_decisions', 'ip', 7, 'cscli')],
    },
  ]);
  await push('key-of-bouncer2', [
    { at: 1707389316, items: [item('dropped', 'byte', 1500, 'lists:somelist'), item('processed', 'packet', 100)] },
  ]);

  const j = await picket(['metrics', 'show', 'bouncers', '--data', env.dir, '-o', 'json']);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout), {
    bouncers: {
      bouncer2: { '': { processed: { packet: 100 } }, 'lists:somelist': { dropped: { byte: 1500 } } },
      testbouncer: {
        '': { foo: { dogyear: 2, pound: 5 } },
        CAPI: { dropped: { byte: 3800, packet: 100 } },
        cscli: { active_decisions: { ip: 17 }, dropped: { byte: 380, packet: 10 } },
        'lists:firehol_cruzit_web_attacks': { dropped: { byte: 1034, packet: 23 } },
        'lists:firehol_voipbl': { active_decisions: { ip: 250 }, dropped: { byte: 3847, packet: 58 } },
        'lists:anotherlist': { dropped: { byte: 0, packet: 0 } },
      },
    },
  });

  const h = await picket(['metrics', 'show', 'bouncers', '--data', env.dir]);
  assert.equal(h.code, 0, h.stderr);
  const expected = [
    'Bouncer Metrics (testbouncer) since 2024-02-08 13:35:16 +0000 UTC:',
    '╭──────────────────────────────────┬──────────────────┬─────────────────┬─────────────────╮',
    '│ Origin                           │ active_decisions │     dropped     │       foo       │',
    '│                                  ├──────────────────┼───────┬─────────┼─────────┬───────┤',
    '│                                  │       IPs        │ bytes │ packets │ dogyear │ pound │',
    '├──────────────────────────────────┼──────────────────┼───────┼─────────┼─────────┼───────┤',
    '│ CAPI (community blocklist)       │                - │ 3.80k │     100 │       - │     - │',
    '│ cscli (manual decisions)         │               17 │   380 │      10 │       - │     - │',
    '│ lists:anotherlist                │                - │     0 │       0 │       - │     - │',
    '│ lists:firehol_cruzit_web_attacks │                - │ 1.03k │      23 │       - │     - │',
    '│ lists:firehol_voipbl             │              250 │ 3.85k │      58 │       - │     - │',
    '├──────────────────────────────────┼──────────────────┼───────┼─────────┼─────────┼───────┤',
    '│                            Total │              267 │ 9.06k │     191 │       2 │     5 │',
    '╰──────────────────────────────────┴──────────────────┴───────┴─────────┴─────────┴───────╯',
  ].join('\n');
  assert.ok(h.stdout.includes(expected), h.stdout);
  assert.match(h.stdout, /^Bouncer Metrics \(bouncer2\) since 2024-02-08 10:48:36 \+0000 UTC:$/m);
  assert.match(h.stdout, /│ +Total │ +1.50k │ +100 │/);
  // all sections: the Prometheus page is not reachable here -> error naming it; bouncers alone need no page
  const all = await picket(['metrics', '--data', env.dir, '--url', 'http://127.0.0.1:1/metrics']);
  assert.equal(all.code, 1);
  assert.match(all.stderr, /127\.0\.0\.1:1\/metrics/);
});

test('cscli number format', () => {
  assert.deepEqual([0, 999, 999.9, 1000, 3847, 9061, 51936, 1_234_567, 5e9].map(formatUsageNumber), [
    '0',
    '999',
    '999',
    '1.00k',
    '3.85k',
    '9.06k',
    '51.94k',
    '1.23M',
    '5.00G',
  ]);
});
