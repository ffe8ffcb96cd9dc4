// The Local API under hostile unauthenticated traffic and malformed input (issue 11 §4): small bodies on
// login/register, slow headers and bodies cut within seconds, 429 after repeated failed logins, an unknown
// machine answered like a wrong password, tokens of a deleted machine refused after it is re-created,
// malformed or oversized alerts refused with a 400 naming the field or the limit (never a 500).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { addMachine, bearer, login, manualAlert, agentAlert, request, startEnv, UA_AGENT } from './helpers.js';
import { MAX_DECISIONS_PER_ALERT } from '../../src/lapi/validate.js';

test('login and register: small body cap; an over-long machine_id is a 400 naming it', async () => {
  const env = await startEnv();
  try {
    let r = await request(env.url, '/v1/watchers', {
      method: 'POST',
      json: { machine_id: 'a'.repeat(1_500_000), password: 'x' },
    });
    assert.equal(r.status, 400, r.body);
    assert.match(r.body, /too large.*limit 65536/);
    r = await request(env.url, '/v1/watchers', {
      method: 'POST',
      json: { machine_id: 'a'.repeat(3000), password: 'x' },
    });
    assert.equal(r.status, 400, r.body);
    assert.match(r.body, /machine_id: 3000 characters, limit 255/);
    r = await request(env.url, '/v1/watchers/login', {
      method: 'POST',
      json: { machine_id: 'a'.repeat(100_000), password: 'x' },
      headers: { 'user-agent': UA_AGENT },
    });
    assert.equal(r.status, 401);
    assert.equal(r.body, '{"code":401,"message":"input format error"}');
  } finally {
    await env.cleanup();
  }
});

test('repeated failed logins from one address get 429; an unknown machine gets the wrong-password answer', async () => {
  const env = await startEnv();
  try {
    await addMachine(env, 'm1', 'right');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const id = i % 2 === 0 ? 'm1' : `ghost${i}`;
      const r = await request(env.url, '/v1/watchers/login', {
        method: 'POST',
        json: { machine_id: id, password: 'wrong' },
        headers: { 'user-agent': UA_AGENT },
      });
      statuses.push(r.status);
      if (r.status === 401) assert.equal(r.body, '{"code":401,"message":"incorrect Username or Password"}');
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429]);
    const r = await request(env.url, '/v1/watchers/login', {
      method: 'POST',
      json: { machine_id: 'm1', password: 'right' },
      headers: { 'user-agent': UA_AGENT },
    });
    assert.equal(r.status, 429, 'blocked for the rest of the window, even with the right password');
    assert.match(r.headers['retry-after'] ?? '', /^\d+$/);
    env.clock.now += 61_000;
    assert.ok(await login(env, 'm1', 'right'));
  } finally {
    await env.cleanup();
  }
});

test('a token of a deleted machine stays invalid when a machine with the same id is created again', async () => {
  const env = await startEnv();
  try {
    await addMachine(env, 'reborn', 'pw');
    const old = await login(env, 'reborn', 'pw');
    let r = await request(env.url, '/v1/heartbeat', { headers: bearer(old) });
    assert.equal(r.status, 200);
    r = await request(env.url, '/v1/watchers/self', { method: 'DELETE', headers: bearer(old) });
    assert.equal(r.status, 204);
    env.clock.now += 1;
    await addMachine(env, 'reborn', 'other');
    r = await request(env.url, '/v1/heartbeat', { headers: bearer(old) });
    assert.equal(r.status, 401, r.body);
    r = await request(env.url, '/v1/refresh_token', { headers: bearer(old) });
    assert.equal(r.status, 401, r.body);
    const fresh = await login(env, 'reborn', 'other');
    r = await request(env.url, '/v1/heartbeat', { headers: bearer(fresh) });
    assert.equal(r.status, 200);
  } finally {
    await env.cleanup();
  }
});

test('malformed or oversized alerts: 400 naming the field or the limit, never a 500', async () => {
  const env = await startEnv();
  try {
    await addMachine(env, 'w', 'pw');
    const token = await login(env, 'w', 'pw');
    const withNull = { ...agentAlert('192.0.2.9'), events: [null] };
    let r = await request(env.url, '/v1/alerts', { method: 'POST', json: [withNull], headers: bearer(token) });
    assert.equal(r.status, 400, r.body);
    assert.match(r.body, /0\.events\.0: null/);
    const many = manualAlert('192.0.2.10', '1h');
    const d = (many.decisions as Array<Record<string, unknown>>)[0]!;
    many.decisions = Array.from({ length: MAX_DECISIONS_PER_ALERT + 1 }, () => d);
    r = await request(env.url, '/v1/alerts', { method: 'POST', json: [many], headers: bearer(token) });
    assert.equal(r.status, 400, r.body.slice(0, 200));
    // refused as the body arrives, before the per-alert check: the per-request limit is the lower one
    assert.match(r.body, /100001 decisions, limit 10000 per request/);
    const longValue = manualAlert('x'.repeat(3000), '1h', { scope: 'username' });
    r = await request(env.url, '/v1/alerts', { method: 'POST', json: [longValue], headers: bearer(token) });
    assert.equal(r.status, 400, r.body.slice(0, 200));
    assert.match(r.body, /decisions\.0\.value: 3000 characters, limit 512/);
    const longMachine = { ...agentAlert('192.0.2.11'), machine_id: 'm'.repeat(1_500_000) };
    r = await request(env.url, '/v1/alerts', { method: 'POST', json: [longMachine], headers: bearer(token) });
    assert.equal(r.status, 400, r.body.slice(0, 200));
    assert.match(r.body, /0\.machine_id: 1500000 characters/);
    r = await request(env.url, '/health');
    assert.equal(r.status, 200);
  } finally {
    await env.cleanup();
  }
});

/** opens a connection, writes `data`, resolves with the ms until the server closes it (rejects after 40 s) */
function closedAfter(url: string, data: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const s = net.connect(Number(u.port), u.hostname, () => s.write(data));
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('connection still open after 40 s'));
    }, 40_000);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - t0);
    });
  });
}

test('slow headers and slow unauthenticated bodies are closed within seconds', { timeout: 60_000 }, async () => {
  const env = await startEnv();
  try {
    await Promise.all([
      closedAfter(env.url, 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: '),
      closedAfter(
        env.url,
        'POST /v1/watchers/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"machine_id"',
      ),
    ]);
  } finally {
    await env.cleanup();
  }
});
