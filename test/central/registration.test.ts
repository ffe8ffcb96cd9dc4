// What registering costs: per-network rate limit (429 + Retry-After), the enrolment token of private
// federations (body field, header or ?token=), pre-registered logins (no token needed to log in).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as op from '../../src/central/operator.js';
import { loadSecrets } from '../../src/central/secret.js';
import { call, startEnv } from './helpers.js';

const reg = (url: string, id: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  call(`${url}/v3/watchers`, 'POST', { machine_id: id, password: 'p'.repeat(64), ...extra }, { headers });

test('registrations from one /24 beyond the hourly limit get 429 with Retry-After', async () => {
  const env = await startEnv({ registrationsPerNetworkPerHour: 2 });
  try {
    assert.equal((await reg(env.url, 'r1')).status, 200);
    assert.equal((await reg(env.url, 'r2')).status, 200);
    const r = await reg(env.url, 'r3');
    assert.equal(r.status, 429);
    assert.match((r.json as { message: string }).message, /127\.0\.0\.0\/24/);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  } finally {
    await env.cleanup();
  }
});

test('with registration.token: required (body, header or ?token=); pre-registered logins need none', async () => {
  const token = 'federation-token-0123456789';
  const env = await startEnv({ registrationToken: token });
  try {
    const none = await reg(env.url, 't0');
    assert.equal(none.status, 401);
    assert.match((none.json as { message: string }).message, /token required/);
    assert.equal((await reg(env.url, 't1', { registration_token: 'wrong-token-0123456789' })).status, 401);
    assert.equal((await reg(env.url, 't2', { registration_token: token })).status, 200);
    assert.equal((await reg(env.url, 't3', {}, { 'X-Registration-Token': token })).status, 200);
    const q = await call(`${env.url}/v3/watchers?token=${token}`, 'POST', {
      machine_id: 't4',
      password: 'p'.repeat(64),
    });
    assert.equal(q.status, 200);
    const { password } = await op.addMachine(
      env.central.service.store,
      loadSecrets(env.dir),
      'preregistered',
      undefined,
      Date.now(),
    );
    const l = await call(`${env.url}/v2/watchers/login`, 'POST', {
      machine_id: 'preregistered',
      password,
      scenarios: [],
    });
    assert.equal(l.status, 200);
  } finally {
    await env.cleanup();
  }
});

test('the per-AS limit counts registrations from every network of that AS', async () => {
  const { RegistrationGate } = await import('../../src/central/registration.js');
  const g = new RegistrationGate({ token: '', perNetwork: 10, perAs: 3 });
  const t = Date.now();
  for (let i = 0; i < 3; i++) assert.equal(g.admit('', `45.40.${i}.0/24`, 64500, t).ok, true);
  const r = g.admit('', '45.40.9.0/24', 64500, t);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.message, /AS64500/);
  assert.equal(g.admit('', '45.41.0.0/24', 64501, t).ok, true);
  assert.equal(g.admit('', '45.40.9.0/24', 64500, t + 3_600_001).ok, true, 'the window slides');
});
