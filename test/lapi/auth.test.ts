// Local API: health, routing (404/405), watcher registration/login/refresh/heartbeat/self-deletion with the
// exact JWT error bodies, and bouncer API-key authentication and bookkeeping (spec lapi.md §2-§4, §6.1-§6.5).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  addBouncer,
  addMachine,
  apiKey,
  bearer,
  login,
  request,
  startEnv,
  waitFor,
  UA_AGENT,
  type Env,
} from './helpers.js';
import { JwtAuth, jwtSecretFromEnv, LapiSecretError } from '../../src/lapi/auth-jwt.js';

let env: Env;
before(async () => {
  env = await startEnv();
  await addMachine(env, 'probe-machine', 'secret-pw');
  await addMachine(env, 'probe-2', 'pw2', false);
  await addBouncer(env, 'probe-fw', 'fwkey0123456789abcdef0123456789ab');
});
after(async () => {
  await env.cleanup();
});

test('GET /health answers {"status":"up"}', async () => {
  const r = await request(env.url, '/health');
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"status":"up"}');
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
});

test('unknown route -> 404 empty, wrong method -> 405 empty, allowlists -> 404 (like v1.4.6)', async () => {
  for (const [m, p, s] of [
    ['GET', '/v1/nothing', 404],
    ['PUT', '/v1/decisions', 405],
    ['POST', '/v1/heartbeat', 405],
    ['GET', '/v1/allowlists', 404],
    ['PATCH', '/health', 405],
  ] as const) {
    const r = await request(env.url, p, { method: m });
    assert.equal(r.status, s, `${m} ${p}`);
    assert.equal(r.body, '');
  }
});

test('responses are never compressed even with Accept-Encoding: gzip', async () => {
  const r = await request(env.url, '/health', { headers: { 'accept-encoding': 'gzip, deflate' } });
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.body, '{"status":"up"}');
});

test('POST /v1/watchers: 201 new (not validated), 403 existing, 422 missing fields, 400 bad JSON', async () => {
  let r = await request(env.url, '/v1/watchers', { method: 'POST', json: { machine_id: 'newbie', password: 'p' } });
  assert.equal(r.status, 201);
  assert.equal(r.body, '');
  const m = env.lapi.getMachine('newbie');
  assert.ok(m);
  assert.equal(m.isValidated, false);
  assert.notEqual(m.passwordHash, 'p');
  r = await request(env.url, '/v1/watchers', { method: 'POST', json: { machine_id: 'newbie', password: 'p' } });
  assert.equal(r.status, 403);
  assert.equal(r.body, '{"message":"user \'newbie\': user already exist"}');
  r = await request(env.url, '/v1/watchers', { method: 'POST', json: { machine_id: 'x' } });
  assert.equal(r.status, 422);
  assert.deepEqual(JSON.parse(r.body), { message: 'validation failure list:\npassword in body is required' });
  r = await request(env.url, '/v1/watchers', { method: 'POST', body: 'nope' });
  assert.equal(r.status, 400);
  assert.match((JSON.parse(r.body) as { message: string }).message, /JSON/);
  // not validated -> login refused
  r = await request(env.url, '/v1/watchers/login', {
    method: 'POST',
    json: { machine_id: 'newbie', password: 'p' },
    headers: { 'user-agent': UA_AGENT },
  });
  assert.equal(r.status, 401);
  assert.equal(r.body, '{"code":401,"message":"machine newbie not validated"}');
});

test('login: token with id/exp/orig_iat, expire RFC 3339, scenarios/IP/version stored', async () => {
  const r = await request(env.url, '/v1/watchers/login', {
    method: 'POST',
    json: { machine_id: 'probe-machine', password: 'secret-pw', scenarios: ['crowdsecurity/ssh-bf', 'x/y'] },
    headers: { 'user-agent': UA_AGENT },
  });
  assert.equal(r.status, 200);
  const b = JSON.parse(r.body) as { code: number; expire: string; token: string };
  assert.equal(b.code, 200);
  assert.equal(b.expire, '2026-11-25T06:14:39Z');
  const [h, p] = b.token
    .split('.')
    .slice(0, 2)
    .map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()) as Record<string, unknown>);
  assert.deepEqual(h, { alg: 'HS256', typ: 'JWT' });
  const iat = Math.floor(env.clock.now / 1000);
  assert.deepEqual(p, { exp: iat + 3600, id: 'probe-machine', orig_iat: iat });
  const m = env.lapi.getMachine('probe-machine')!;
  assert.equal(m.scenarios, 'crowdsecurity/ssh-bf,x/y');
  assert.equal(m.ipAddress, '127.0.0.1');
  assert.equal(m.version, 'v1.4.6-6~deb12u1+b1-linux-debian');
});

test('login failures: exact 401 bodies', async () => {
  const cases: Array<[unknown, string, string]> = [
    [{ machine_id: 'probe-machine', password: 'wrong' }, UA_AGENT, 'incorrect Username or Password'],
    [{ machine_id: 'probe-machine' }, UA_AGENT, 'input format error'],
    [{ machine_id: 'ghost', password: 'x' }, UA_AGENT, 'incorrect Username or Password'],
    [{ machine_id: 'probe-2', password: 'pw2' }, UA_AGENT, 'machine probe-2 not validated'],
    [{ machine_id: 'probe-machine', password: 'secret-pw' }, 'curl', 'incorrect Username or Password'],
    [{ machine_id: 'probe-machine', password: 'secret-pw' }, 'a/b/c', 'incorrect Username or Password'],
  ];
  for (const [body, ua, msg] of cases) {
    const r = await request(env.url, '/v1/watchers/login', {
      method: 'POST',
      json: body,
      headers: { 'user-agent': ua },
    });
    assert.equal(r.status, 401, msg);
    assert.equal(r.body, JSON.stringify({ code: 401, message: msg }));
  }
  const r = await request(env.url, '/v1/watchers/login', {
    method: 'POST',
    body: 'nope',
    headers: { 'user-agent': UA_AGENT },
  });
  assert.equal(r.status, 401);
  assert.equal(r.body, '{"code":401,"message":"input format error"}');
});

test('JWT routes: missing, malformed, forged and expired tokens -> 401 {code,message}; cookie accepted', async () => {
  let r = await request(env.url, '/v1/alerts');
  assert.equal(r.status, 401);
  assert.equal(r.body, '{"code":401,"message":"cookie token is empty"}');
  r = await request(env.url, '/v1/alerts', { headers: { authorization: 'Bearer abc.def.ghi' } });
  assert.equal(r.status, 401);
  assert.equal(r.body, '{"code":401,"message":"invalid character \'i\' looking for beginning of value"}');
  const forged = (await new JwtAuth(crypto.randomBytes(64)).sign('probe-machine', env.clock.now)).token;
  r = await request(env.url, '/v1/heartbeat', { headers: bearer(forged) });
  assert.equal(r.status, 401);
  assert.equal((JSON.parse(r.body) as { code: number }).code, 401);
  const token = await login(env, 'probe-machine', 'secret-pw');
  r = await request(env.url, '/v1/heartbeat', { headers: { cookie: `a=b; jwt=${token}`, 'user-agent': UA_AGENT } });
  assert.equal(r.status, 200);
  // expired: one hour later the token is refused, refresh still works within the refresh window
  env.clock.now += 3600_000;
  try {
    r = await request(env.url, '/v1/heartbeat', { headers: bearer(token) });
    assert.equal(r.status, 401);
    assert.equal(r.body, '{"code":401,"message":"token is expired"}');
    r = await request(env.url, '/v1/refresh_token', { headers: bearer(token) });
    assert.equal(r.status, 200);
    const fresh = (JSON.parse(r.body) as { token: string }).token;
    r = await request(env.url, '/v1/heartbeat', { headers: bearer(fresh) });
    assert.equal(r.status, 200);
    env.clock.now += 3600_000 + 1000;
    r = await request(env.url, '/v1/refresh_token', { headers: bearer(token) });
    assert.equal(r.status, 401);
  } finally {
    env.clock.now -= 2 * 3600_000 + 1000;
  }
});

test('heartbeat: empty 200, last heartbeat stored and exported', async () => {
  const token = await login(env, 'probe-machine', 'secret-pw');
  const r = await request(env.url, '/v1/heartbeat', { headers: bearer(token) });
  assert.equal(r.status, 200);
  assert.equal(r.body, '');
  assert.equal(r.headers['content-length'], '0');
  assert.equal(env.lapi.getMachine('probe-machine')!.lastHeartbeat, env.clock.now);
  const text = await env.server.registry.metrics();
  assert.match(
    text,
    new RegExp(`cs_machines_last_heartbeat_timestamp\\{machine="probe-machine"\\} ${Math.floor(env.clock.now / 1000)}`),
  );
  assert.match(
    text,
    /cs_lapi_machine_requests_total\{machine="probe-machine",route="\/v1\/heartbeat",method="GET"\} \d+/,
  );
});

test('DELETE /v1/watchers/self: 204, machine gone, its token refused', async () => {
  await addMachine(env, 'short-lived', 'pw');
  const token = await login(env, 'short-lived', 'pw');
  let r = await request(env.url, '/v1/watchers/self', { method: 'DELETE', headers: bearer(token) });
  assert.equal(r.status, 204);
  assert.equal(env.lapi.getMachine('short-lived'), undefined);
  r = await request(env.url, '/v1/heartbeat', { headers: bearer(token) });
  assert.equal(r.status, 401);
});

test('bouncer key: missing/unknown -> 403 access forbidden; UA and IP recorded; UA without / -> N/A', async () => {
  for (const h of [{}, apiKey('not-a-key')]) {
    const r = await request(env.url, '/v1/decisions/stream?startup=true', { headers: h });
    assert.equal(r.status, 403);
    assert.equal(r.body, '{"message":"access forbidden"}');
  }
  let r = await request(env.url, '/v1/decisions?ip=192.0.2.1', {
    headers: apiKey('fwkey0123456789abcdef0123456789ab', 'crowdsec-firewall-bouncer/-'),
  });
  assert.equal(r.status, 200);
  await waitFor(() => env.lapi.getBouncerByName('probe-fw')!.type === 'crowdsec-firewall-bouncer');
  let b = env.lapi.getBouncerByName('probe-fw')!;
  assert.equal(b.version, '-');
  assert.equal(b.ipAddress, '127.0.0.1');
  r = await request(env.url, '/v1/decisions?ip=192.0.2.1', {
    headers: apiKey('fwkey0123456789abcdef0123456789ab', 'weird'),
  });
  assert.equal(r.status, 200);
  await waitFor(() => env.lapi.getBouncerByName('probe-fw')!.type === 'weird');
  b = env.lapi.getBouncerByName('probe-fw')!;
  assert.equal(b.version, 'N/A');
});

test('a bouncer deleted while the server runs is refused at once', async () => {
  await addBouncer(env, 'doomed', 'doomed-key');
  let r = await request(env.url, '/v1/decisions/stream?startup=true', { headers: apiKey('doomed-key') });
  assert.equal(r.status, 200);
  assert.equal(await env.lapi.deleteBouncer('doomed'), true);
  r = await request(env.url, '/v1/decisions/stream?startup=true', { headers: apiKey('doomed-key') });
  assert.equal(r.status, 403);
  r = await request(env.url, '/v1/decisions?ip=1.2.3.4', { headers: apiKey('doomed-key') });
  assert.equal(r.status, 403);
});

test('a key used from a second IP creates <name>@<ip> (auto_created), names do not chain', async () => {
  await addBouncer(env, 'shared', 'shared-key');
  // first use from 127.0.0.1 records the IP; then pretend it was registered from elsewhere
  const b = env.lapi.getBouncerByName('shared')!;
  await env.lapi.putBouncer({ ...b, ipAddress: '192.0.2.200' });
  let r = await request(env.url, '/v1/decisions/stream?startup=true', { headers: apiKey('shared-key') });
  assert.equal(r.status, 200);
  await waitFor(() => env.lapi.getBouncerByName('shared@127.0.0.1') !== undefined);
  const auto = env.lapi.getBouncerByName('shared@127.0.0.1')!;
  assert.equal(auto.autoCreated, true);
  assert.equal(auto.ipAddress, '127.0.0.1');
  r = await request(env.url, '/v1/decisions/stream', { headers: apiKey('shared-key') });
  assert.equal(r.status, 200);
  assert.equal(env.lapi.listBouncers().filter((x) => x.name.startsWith('shared')).length, 2);
  assert.equal(env.lapi.getBouncerByName('shared@127.0.0.1@127.0.0.1'), undefined);
});

test('CS_LAPI_SECRET shorter than 64 bytes is a startup error', () => {
  assert.throws(() => jwtSecretFromEnv({ CS_LAPI_SECRET: 'short' }), LapiSecretError);
  assert.equal(jwtSecretFromEnv({}).length, 64);
});
