// POST /v1/usage-metrics (spec lapi.md §3.3, §8.7): bouncer and machine payloads, wrong kind 400,
// schema violations 422, auth selection, 201 empty body.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addBouncer, addMachine, apiKey, bearer, login, request, startEnv, type Env } from './helpers.js';

let env: Env;
let token: string;
before(async () => {
  env = await startEnv();
  await addMachine(env, 'm', 'pw');
  await addBouncer(env, 'b', 'bkey');
  token = await login(env, 'm', 'pw');
});
after(async () => {
  await env.cleanup();
});

const rc = () => ({
  name: 'optional',
  type: 'crowdsec-firewall-bouncer',
  version: 'v0.0.31',
  utc_startup_timestamp: 1732510000,
  feature_flags: [],
  os: { name: 'debian', version: '12', family: 'linux' },
  last_pull: 1732511800,
  metrics: [
    {
      meta: { window_size_seconds: 1800, utc_now_timestamp: 1732511800 },
      items: [{ name: 'dropped', value: 150, unit: 'packet', labels: { origin: 'CAPI' } }],
    },
  ],
});
const lp = () => ({
  version: 'v1.7.5',
  utc_startup_timestamp: 1732510000,
  hub_items: {},
  datasources: { file: 1 },
  metrics: [],
});
const send = (body: unknown, headers: Record<string, string>) =>
  request(env.url, '/v1/usage-metrics', { method: 'POST', json: body, headers });

test('bouncer: one remediation component -> 201 empty', async () => {
  const r = await send({ remediation_components: [rc()], log_processors: [], lapi: null }, apiKey('bkey'));
  assert.equal(r.status, 201);
  assert.equal(r.body, '');
});

test('machine: one log processor -> 201', async () => {
  const r = await send({ log_processors: [lp()] }, bearer(token));
  assert.equal(r.status, 201);
});

test('wrong kind or both kinds -> 400', async () => {
  let r = await send({ log_processors: [lp()] }, apiKey('bkey'));
  assert.equal(r.status, 400);
  r = await send({ remediation_components: [rc()] }, bearer(token));
  assert.equal(r.status, 400);
  r = await send({ remediation_components: [rc()], log_processors: [lp()] }, apiKey('bkey'));
  assert.equal(r.status, 400);
  r = await send({ remediation_components: [rc(), rc()] }, apiKey('bkey'));
  assert.equal(r.status, 400);
  r = await request(env.url, '/v1/usage-metrics', { method: 'POST', body: 'nope', headers: apiKey('bkey') });
  assert.equal(r.status, 400);
});

test('schema violations -> 422 naming the field', async () => {
  const noVersion = rc() as Record<string, unknown>;
  delete noVersion.version;
  let r = await send({ remediation_components: [noVersion] }, apiKey('bkey'));
  assert.equal(r.status, 422);
  assert.match(r.body, /remediation_components\.0\.version in body is required/);
  const badItem = rc();
  (badItem.metrics[0].items[0] as Record<string, unknown>).unit = undefined;
  r = await send({ remediation_components: [badItem] }, apiKey('bkey'));
  assert.equal(r.status, 422);
  assert.match(r.body, /remediation_components\.0\.metrics\.0\.items\.0\.unit in body is required/);
  const long = rc();
  long.name = 'x'.repeat(256);
  r = await send({ remediation_components: [long] }, apiKey('bkey'));
  assert.equal(r.status, 422);
  const noHub = lp() as Record<string, unknown>;
  delete noHub.hub_items;
  r = await send({ log_processors: [noHub] }, bearer(token));
  assert.equal(r.status, 422);
  assert.match(r.body, /log_processors\.0\.hub_items in body is required/);
});

test('auth: no credentials -> 403 (API key path); bad key -> 403; crowdsec/ UA without token -> 401', async () => {
  let r = await send({ remediation_components: [rc()] }, {});
  assert.equal(r.status, 403);
  r = await send({ remediation_components: [rc()] }, apiKey('wrong'));
  assert.equal(r.status, 403);
  r = await send({ log_processors: [lp()] }, { 'user-agent': 'crowdsec/v1.7.5-linux' });
  assert.equal(r.status, 401);
});

test('accepted bodies are stored: RC + bouncer name, LP + machine id, received at the request time', async () => {
  env.clock.now += 1000; // rows of this test are those received now
  const body = { remediation_components: [rc()] };
  assert.equal((await send(body, apiKey('bkey'))).status, 201);
  assert.equal((await send({ log_processors: [lp()] }, bearer(token))).status, 201);
  assert.equal((await send({ log_processors: [lp()] }, apiKey('bkey'))).status, 400);
  const added = env.lapi.listUsageMetrics().filter((m) => m.receivedAt === env.clock.now);
  assert.equal(added.length, 2);
  const rcRow = added.find((m) => m.generatedType === 'RC')!;
  assert.equal(rcRow.generatedBy, 'b');
  assert.equal(rcRow.receivedAt, env.clock.now);
  assert.equal(rcRow.pushedAt, null);
  assert.deepEqual(JSON.parse(rcRow.payload), body);
  assert.equal(added.find((m) => m.generatedType === 'LP')!.generatedBy, 'm');
});
