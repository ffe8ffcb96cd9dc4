// Local API bouncer and decision routes: live lookup GET/HEAD /v1/decisions (null when empty, ranges, no
// de-duplication, invalid ip 500, last_pull), DELETE /v1/decisions by filter and id, and the full bouncer
// stream flow (startup, delta, deletions reported twice thanks to the 2 s overlap) (spec lapi.md §5, §6.10).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDecisions, decodeStream } from '../../src/api/protobuf.js';
import {
  addBouncer,
  addMachine,
  apiKey,
  bearer,
  login,
  manualAlert,
  request,
  startEnv,
  waitFor,
  type Env,
} from './helpers.js';

interface Dec {
  duration: string;
  id: number;
  origin: string;
  scenario: string;
  scope: string;
  type: string;
  uuid: string;
  value: string;
}
interface Stream {
  new: Dec[];
  deleted: Dec[];
}

let env: Env;
let token: string;
const KEY = 'bouncer-key-0123456789abcdef0123';
before(async () => {
  env = await startEnv();
  await addMachine(env, 'probe-machine', 'pw');
  await addBouncer(env, 'probe-custom', KEY);
  token = await login(env, 'probe-machine', 'pw');
});
after(async () => {
  await env.cleanup();
});

async function addDecisions(...alerts: Array<Record<string, unknown>>): Promise<void> {
  const r = await request(env.url, '/v1/alerts', { method: 'POST', json: alerts, headers: bearer(token) });
  assert.equal(r.status, 201, r.body);
}
async function poll(q: string, key = KEY): Promise<Stream> {
  const r = await request(env.url, `/v1/decisions/stream${q}`, { headers: apiKey(key) });
  assert.equal(r.status, 200, r.body);
  assert.ok(r.body.startsWith('{"new":'), 'new comes before deleted');
  return JSON.parse(r.body) as Stream;
}
const values = (l: Dec[]) => l.map((d) => d.value).sort();

test('bouncer flow: startup, delta, deletion reported in two consecutive polls, then nothing', async () => {
  await addBouncer(env, 'flow', 'flow-key');
  let s = await poll('?startup=true', 'flow-key');
  assert.deepEqual(s, { new: [], deleted: [] });
  env.clock.now += 1000;
  const at = new Date(env.clock.now).toISOString().replace(/\.\d+Z$/, 'Z');
  await addDecisions(
    manualAlert('192.0.2.10', '2m', { at }),
    manualAlert('198.51.100.0/24', '3m', { scope: 'Range', at }),
    manualAlert('2001:db8::5', '4m', { type: 'captcha', at }),
    manualAlert('bob', '10m', { scope: 'username', at }),
  );
  env.clock.now += 1000;
  s = await poll('?', 'flow-key');
  assert.deepEqual(values(s.new), ['192.0.2.10', '198.51.100.0/24', '2001:db8::5']);
  assert.deepEqual(s.deleted, []);
  const d10 = s.new.find((d) => d.value === '192.0.2.10')!;
  assert.equal(d10.duration, '1m59s');
  assert.deepEqual(Object.keys(d10), ['duration', 'id', 'origin', 'scenario', 'scope', 'type', 'uuid', 'value']);
  assert.equal(s.new.find((d) => d.value === '198.51.100.0/24')!.scope, 'Range');
  env.clock.now += 1000;
  s = await poll('?', 'flow-key');
  assert.deepEqual(s, { new: [], deleted: [] });

  const r = await request(env.url, '/v1/decisions?ip=192.0.2.10', { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"nbDeleted":"1"}');
  env.clock.now += 1000;
  s = await poll('?', 'flow-key');
  assert.deepEqual(values(s.deleted), ['192.0.2.10']);
  assert.equal(s.deleted[0].duration, '-1s');
  env.clock.now += 1000;
  s = await poll('?', 'flow-key');
  assert.deepEqual(values(s.deleted), ['192.0.2.10'], 'second report thanks to the 2 s overlap');
  assert.equal(s.deleted[0].duration, '-2s');
  env.clock.now += 5000;
  s = await poll('?', 'flow-key');
  assert.deepEqual(s, { new: [], deleted: [] });
  // a fresh startup lists the removed decision in deleted
  s = await poll('?startup=true', 'flow-key');
  assert.ok(values(s.deleted).includes('192.0.2.10'));
  // scopes filter, case-insensitive
  s = await poll('?startup=true&scopes=username,IP', 'flow-key');
  assert.deepEqual(values(s.new), ['2001:db8::5', 'bob']);
  // HEAD: empty 200, last pull untouched
  const before = env.lapi.getBouncerByName('flow')!.lastPull;
  env.clock.now += 1000;
  const h = await request(env.url, '/v1/decisions/stream?startup=true', {
    method: 'HEAD',
    headers: apiKey('flow-key'),
  });
  assert.equal(h.status, 200);
  assert.equal(h.body, '');
  assert.equal(env.lapi.getBouncerByName('flow')!.lastPull, before);
});

test('stream: startup only for literal true; shorter decision hidden by de-duplication unless dedup=false', async () => {
  await addBouncer(env, 'dedup', 'dedup-key');
  const at = new Date(env.clock.now).toISOString().replace(/\.\d+Z$/, 'Z');
  await addDecisions(
    manualAlert('203.0.113.7', '3m', { at, scenario: 'long' }),
    manualAlert('203.0.113.7', '90s', { at, scenario: 'short' }),
  );
  env.clock.now += 1000; // the store repeats decisions made visible at the very millisecond of the last pull
  let s = await poll('?startup=true', 'dedup-key');
  assert.deepEqual(
    s.new.filter((d) => d.value === '203.0.113.7').map((d) => d.scenario),
    ['long'],
  );
  s = await poll('?startup=true&dedup=false', 'dedup-key');
  assert.deepEqual(
    s.new
      .filter((d) => d.value === '203.0.113.7')
      .map((d) => d.scenario)
      .sort(),
    ['long', 'short'],
  );
  env.clock.now += 1000;
  s = await poll('?startup=TRUE', 'dedup-key');
  assert.deepEqual(s.new, [], 'startup=TRUE is a delta');
});

test('GET /v1/decisions: ip in range, no de-duplication, null when empty, filters, HEAD, errors', async () => {
  const at = new Date(env.clock.now).toISOString().replace(/\.\d+Z$/, 'Z');
  await addDecisions(
    manualAlert('198.51.100.0/24', '1h', { scope: 'Range', at }),
    manualAlert('203.0.113.9', '1h', { at }),
    manualAlert('203.0.113.9', '2h', { at }),
  );
  let r = await request(env.url, '/v1/decisions?ip=198.51.100.7', { headers: apiKey(KEY) });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  assert.ok((JSON.parse(r.body) as Dec[]).some((d) => d.value === '198.51.100.0/24'));
  r = await request(env.url, '/v1/decisions?ip=203.0.113.9', { headers: apiKey(KEY) });
  assert.equal((JSON.parse(r.body) as Dec[]).length, 2);
  r = await request(env.url, '/v1/decisions?range=198.51.0.0/16&contains=false', { headers: apiKey(KEY) });
  assert.ok((JSON.parse(r.body) as Dec[]).some((d) => d.value === '198.51.100.0/24'));
  r = await request(env.url, '/v1/decisions?scope=ip&value=203.0.113.9&limit=1', { headers: apiKey(KEY) });
  assert.equal((JSON.parse(r.body) as Dec[]).length, 1);
  r = await request(env.url, '/v1/decisions?ip=192.0.2.99', { headers: apiKey(KEY) });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'null');
  r = await request(env.url, '/v1/decisions?ip=::ffff:203.0.113.9', { headers: apiKey(KEY) });
  assert.equal((JSON.parse(r.body) as Dec[]).length, 2, 'IPv4-mapped IPv6 is IPv4');
  r = await request(env.url, '/v1/decisions?ip=bogus', { headers: apiKey(KEY) });
  assert.equal(r.status, 500);
  assert.equal(r.body, '{"message":"unable to convert \'bogus\' to int: invalid address: invalid ip address / range"}');
  r = await request(env.url, '/v1/decisions?ip=203.0.113.9&whatever=1', { headers: apiKey(KEY) });
  assert.equal(r.status, 200, 'unknown parameters ignored on decision routes');
  r = await request(env.url, '/v1/decisions?ip=203.0.113.9', { method: 'HEAD', headers: apiKey(KEY) });
  assert.equal(r.status, 200);
  assert.equal(r.body, '');
  const text = await env.server.registry.metrics();
  assert.match(text, /cs_lapi_decisions_ok_total\{bouncer="probe-custom"\} \d+/);
  assert.match(text, /cs_lapi_decisions_ko_total\{bouncer="probe-custom"\} \d+/);
  assert.match(text, /cs_lapi_bouncer_requests_total\{bouncer="probe-custom",route="\/v1\/decisions",method="GET"\}/);
  assert.match(text, /cs_lapi_route_requests_total\{route="\/v1\/decisions",method="GET"\}/);
  assert.match(text, /cs_active_decisions\{reason="probe test",origin="cscli",action="ban"\} \d+/);
  assert.match(text, /picket_lapi_lookup_seconds_count \d+/);
  // last_pull written by the live route
  await waitFor(() => env.lapi.getBouncerByName('probe-custom')!.lastPull !== null);
});

test('DELETE /v1/decisions: by filter, by id, unknown parameter 500, bad id 400, unknown id 500', async () => {
  const at = new Date(env.clock.now).toISOString().replace(/\.\d+Z$/, 'Z');
  await addDecisions(
    manualAlert('192.0.2.50', '1h', { at }),
    manualAlert('192.0.2.51', '1h', { at, origin: 'custom-origin' }),
  );
  let r = await request(env.url, '/v1/decisions?origin=custom-origin', { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.body, '{"nbDeleted":"1"}');
  r = await request(env.url, '/v1/decisions?bogus=1', { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.status, 500);
  assert.equal(r.body, '{"message":"\'bogus\' doesn\'t exist: invalid filter"}');
  const id = (
    JSON.parse((await request(env.url, '/v1/decisions?ip=192.0.2.50', { headers: apiKey(KEY) })).body) as Dec[]
  )[0].id;
  r = await request(env.url, `/v1/decisions/${id}`, { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"nbDeleted":"1"}');
  env.clock.now += 1000; // the live query keeps until >= now
  r = await request(env.url, '/v1/decisions?ip=192.0.2.50', { headers: apiKey(KEY) });
  assert.equal(r.body, 'null');
  r = await request(env.url, '/v1/decisions/abc', { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.status, 400);
  r = await request(env.url, '/v1/decisions/987654', { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.status, 500);
  // no filter: every active decision expires
  r = await request(env.url, '/v1/decisions', { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.status, 200);
  assert.ok(Number((JSON.parse(r.body) as { nbDeleted: string }).nbDeleted) > 0);
  assert.equal(env.lapi.activeDecisionCount(env.clock.now), 0);
});

test('DELETE /v1/decisions also expires simulated decisions (CrowdSec has no simulated filter there)', async () => {
  const at = new Date(env.clock.now).toISOString().replace(/\.\d+Z$/, 'Z');
  await addDecisions({ ...manualAlert('192.0.2.60', '1h', { at }), simulated: true });
  // never served to bouncers...
  let r = await request(env.url, '/v1/decisions?ip=192.0.2.60', { headers: apiKey(KEY) });
  assert.equal(r.body, 'null');
  // ...but deleted by a filter that matches it
  r = await request(env.url, '/v1/decisions?ip=192.0.2.60', { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.body, '{"nbDeleted":"1"}');
});

test('GET /v1/decisions writes last_pull at most once a minute; HEAD never', async () => {
  await addBouncer(env, 'live', 'live-key');
  const t0 = env.clock.now;
  let r = await request(env.url, '/v1/decisions?ip=192.0.2.200', { method: 'HEAD', headers: apiKey('live-key') });
  assert.equal(r.status, 200);
  r = await request(env.url, '/v1/decisions?ip=192.0.2.200', { headers: apiKey('live-key') });
  assert.equal(r.body, 'null');
  await waitFor(() => env.lapi.getBouncerByName('live')!.lastPull === t0);
  env.clock.now += 30_000;
  await request(env.url, '/v1/decisions?ip=192.0.2.200', { headers: apiKey('live-key') });
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(env.lapi.getBouncerByName('live')!.lastPull, t0, 'not rewritten within the minute');
  env.clock.now += 31_000;
  await request(env.url, '/v1/decisions?ip=192.0.2.200', { headers: apiKey('live-key') });
  await waitFor(() => env.lapi.getBouncerByName('live')!.lastPull === t0 + 61_000);
});

test('Accept: application/x-protobuf -> protobuf bodies on the live and stream routes, JSON otherwise', async () => {
  await addBouncer(env, 'pb', 'pb-key');
  const at = new Date(env.clock.now).toISOString().replace(/\.\d+Z$/, 'Z');
  await addDecisions(manualAlert('192.0.2.150', '1h', { at }));
  const pb = { ...apiKey('pb-key'), accept: 'application/x-protobuf' };
  let r = await request(env.url, '/v1/decisions?ip=192.0.2.150', { headers: pb });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/x-protobuf');
  const live = decodeDecisions(r.raw);
  assert.equal(live.length, 1);
  assert.equal(live[0].value, '192.0.2.150');
  r = await request(env.url, '/v1/decisions/stream?startup=true', { headers: pb });
  assert.equal(r.headers['content-type'], 'application/x-protobuf');
  assert.ok(decodeStream(r.raw).new.some((d) => d.value === '192.0.2.150'));
  r = await request(env.url, '/v1/decisions?ip=192.0.2.150', {
    headers: { ...apiKey('pb-key'), accept: 'application/json' },
  });
  assert.equal((JSON.parse(r.body) as Dec[])[0].value, '192.0.2.150');
});
