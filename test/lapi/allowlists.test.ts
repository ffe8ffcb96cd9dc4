// Allowlists through the Local API (spec lapi.md §4, §6.6 step 3, §8.8) with a real LMDB store and real HTTP
// on 127.0.0.1: the four routes' success and failure bodies, item expiry, IPv4/IPv6/range containment, the
// drop of allowlisted agent alerts in POST /v1/alerts, and the `picket allowlists` CLI (child processes) on
// the same data folder as a running LAPI.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store/lmdb.js';
import { openLapiStore } from '../../src/store/lapi-store.js';
import { AllowlistStore } from '../../src/store/allowlists.js';
import { startLapi } from '../../src/lapi/index.js';
import { defaultProfiles } from '../../src/profiles/index.js';
import { SECRET, addMachine, agentAlert, bearer, login, manualAlert, request, type Env } from './helpers.js';
import { eventually, picket, startPicket } from '../cli/helpers.js';
import { readCredentials } from '../../src/config/credentials.js';

interface AllowEnv extends Env {
  allow: AllowlistStore;
}

/** like helpers.startEnv, with an AllowlistStore on the same environment handed to the LAPI */
async function startAllowEnv(): Promise<AllowEnv> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-allow-'));
  const clock = { now: Date.UTC(2026, 10, 25, 5, 14, 39) };
  const logs: string[] = [];
  const store = openStore(dir);
  const lapi = openLapiStore(store, { syncIntervalMs: 0, clock: () => clock.now });
  // reloadEveryMs 0: writes of the CLI child processes are seen on the next request
  const allow = new AllowlistStore(store, { clock: () => clock.now, reloadEveryMs: 0 });
  const server = await startLapi({
    store: lapi,
    listen: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    profiles: defaultProfiles(),
    allowlists: allow,
    log: (l) => logs.push(l),
    clock: () => clock.now,
    env: { CS_LAPI_SECRET: SECRET },
  });
  const stop = async () => {
    await server.close();
    await lapi.close();
    await store.close();
  };
  return {
    dir,
    clock,
    logs,
    store,
    lapi,
    server,
    url: server.url,
    allow,
    stop,
    restart: () => Promise.reject(new Error('not supported')),
    cleanup: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withEnv(f: (env: AllowEnv, auth: Record<string, string>) => Promise<void>): Promise<void> {
  const env = await startAllowEnv();
  try {
    await addMachine(env, 'agent', 'secret-password');
    await f(env, bearer(await login(env, 'agent', 'secret-password')));
  } finally {
    await env.cleanup();
  }
}

const json = (body: string): unknown => JSON.parse(body);

test('every allowlist route needs a watcher JWT', async () => {
  await withEnv(async (env) => {
    for (const [method, p] of [
      ['GET', '/v1/allowlists'],
      ['GET', '/v1/allowlists/x'],
      ['GET', '/v1/allowlists/check/1.2.3.4'],
      ['POST', '/v1/allowlists/check'],
    ]) {
      const r = await request(env.url, p, { method, json: method === 'POST' ? { targets: ['1.2.3.4'] } : undefined });
      assert.equal(r.status, 401, `${method} ${p}`);
      assert.equal((json(r.body) as { code: number }).code, 401);
    }
  });
});

test('GET /v1/allowlists and /v1/allowlists/:name, with and without content; unknown name 404', async () => {
  await withEnv(async (env, auth) => {
    let r = await request(env.url, '/v1/allowlists', { headers: auth });
    assert.equal(r.status, 200);
    assert.deepEqual(json(r.body), []);
    await env.allow.create('office', 'office IPs');
    await env.allow.addItems('office', [
      { value: '192.0.2.0/24', description: 'hq' },
      { value: '2001:db8::1', expiration: env.clock.now + 3_600_000 },
    ]);

    r = await request(env.url, '/v1/allowlists', { headers: auth });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const [plain] = json(r.body) as Record<string, unknown>[];
    assert.equal(plain.name, 'office');
    assert.equal(plain.description, 'office IPs');
    assert.equal(plain.items, undefined, 'no items without with_content');
    assert.equal(plain.created_at, '2026-11-25T05:14:39Z');
    assert.equal(plain.console_managed, false);
    assert.equal(typeof plain.allowlist_id, 'string');

    r = await request(env.url, '/v1/allowlists?with_content=true', { headers: auth });
    const [full] = json(r.body) as { items: unknown[] }[];
    assert.deepEqual(full.items, [
      { value: '192.0.2.0/24', description: 'hq', created_at: '2026-11-25T05:14:39Z', expiration: null },
      { value: '2001:db8::1', description: '', created_at: '2026-11-25T05:14:39Z', expiration: '2026-11-25T06:14:39Z' },
    ]);

    r = await request(env.url, '/v1/allowlists/office?with_content=true', { headers: auth });
    assert.equal(r.status, 200);
    const one = json(r.body) as { name: string; items: unknown[] };
    assert.equal(one.name, 'office');
    assert.equal(one.items.length, 2);
    r = await request(env.url, '/v1/allowlists/office', { headers: auth });
    assert.equal((json(r.body) as { items?: unknown }).items, undefined);

    r = await request(env.url, '/v1/allowlists/nope', { headers: auth });
    assert.equal(r.status, 404);
    assert.deepEqual(json(r.body), { message: "allowlist 'nope' not found" });
  });
});

test('GET/HEAD /v1/allowlists/check/:ip_or_range: IPv4, IPv6, encoded ranges, expiry, bad value', async () => {
  await withEnv(async (env, auth) => {
    await env.allow.create('lan', '');
    await env.allow.addItems('lan', [
      { value: '10.0.0.0/8' },
      { value: '2001:db8::/32' },
      { value: '198.51.100.7', expiration: env.clock.now + 60_000 },
    ]);
    const check = async (target: string) => {
      const r = await request(env.url, '/v1/allowlists/check/' + encodeURIComponent(target), { headers: auth });
      assert.equal(r.status, 200, target);
      return json(r.body) as { allowlisted: boolean; reason: string };
    };
    let c = await check('10.1.2.3');
    assert.equal(c.allowlisted, true);
    assert.match(c.reason, /lan/);
    assert.deepEqual(await check('11.1.2.3'), { allowlisted: false, reason: '' });
    assert.equal((await check('10.20.0.0/16')).allowlisted, true, 'a range inside an item');
    assert.equal((await check('10.0.0.0/7')).allowlisted, false, 'a range wider than the item');
    assert.equal((await check('2001:db8:5::1')).allowlisted, true);
    assert.equal((await check('2001:db8::/48')).allowlisted, true);
    assert.equal((await check('2001:db9::1')).allowlisted, false);
    assert.equal((await check('198.51.100.7')).allowlisted, true);
    env.clock.now += 60_000;
    c = await check('198.51.100.7');
    assert.equal(c.allowlisted, false, 'expired item ignored');

    let r = await request(env.url, '/v1/allowlists/check/10.9.9.9', { method: 'HEAD', headers: auth });
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
    r = await request(env.url, '/v1/allowlists/check/11.9.9.9', { method: 'HEAD', headers: auth });
    assert.equal(r.status, 204);
    assert.equal(r.body, '');

    r = await request(env.url, '/v1/allowlists/check/not-an-ip', { headers: auth });
    assert.equal(r.status, 400);
    assert.match((json(r.body) as { message: string }).message, /not-an-ip/);
  });
});

test('POST /v1/allowlists/check: only matched targets; empty, missing or bad targets 400', async () => {
  await withEnv(async (env, auth) => {
    await env.allow.create('a', '');
    await env.allow.create('b', '');
    await env.allow.addItems('a', [{ value: '10.0.0.0/8' }, { value: '2001:db8::/32' }]);
    await env.allow.addItems('b', [{ value: '10.1.0.0/16' }]);
    let r = await request(env.url, '/v1/allowlists/check', {
      method: 'POST',
      headers: auth,
      json: { targets: ['10.1.2.3', '192.0.2.1', '2001:db8::9', '10.0.0.0/8'] },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(json(r.body), {
      results: [
        { target: '10.1.2.3', allowlists: ['a', 'b'] },
        { target: '2001:db8::9', allowlists: ['a'] },
        { target: '10.0.0.0/8', allowlists: ['a'] },
      ],
    });
    r = await request(env.url, '/v1/allowlists/check', {
      method: 'POST',
      headers: auth,
      json: { targets: ['192.0.2.1'] },
    });
    assert.deepEqual(json(r.body), { results: [] });
    for (const body of [{ targets: [] }, {}, { targets: 'x' }, { targets: ['1.2.3.4', 'nope'] }, [1]]) {
      r = await request(env.url, '/v1/allowlists/check', { method: 'POST', headers: auth, json: body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(typeof (json(r.body) as { message: string }).message, 'string');
    }
    r = await request(env.url, '/v1/allowlists/check', { method: 'POST', headers: auth, body: '{"targets":' });
    assert.equal(r.status, 400);
  });
});

test('POST /v1/alerts: an allowlisted agent alert is dropped, others are stored, alerts with decisions are kept', async () => {
  await withEnv(async (env, auth) => {
    await env.allow.create('friends', '');
    await env.allow.addItems('friends', [{ value: '198.18.0.0/24' }, { value: '2001:db8::/32' }]);
    let r = await request(env.url, '/v1/alerts', {
      method: 'POST',
      headers: auth,
      json: [agentAlert('198.18.0.67'), agentAlert('2001:db8::5')],
    });
    assert.equal(r.status, 201);
    assert.deepEqual(json(r.body), [], 'silently dropped: no ids, no error');
    assert.equal(env.lapi.queryAlerts({}, env.clock.now).length, 0);
    assert.equal(env.lapi.queryDecisions({ value: '198.18.0.67' }, env.clock.now).length, 0);

    r = await request(env.url, '/v1/alerts', {
      method: 'POST',
      headers: auth,
      json: [agentAlert('198.18.0.67'), agentAlert('203.0.113.5')],
    });
    assert.equal(r.status, 201);
    assert.equal((json(r.body) as string[]).length, 1, 'only the non-allowlisted alert is stored');
    const stored = env.lapi.queryAlerts({}, env.clock.now);
    assert.deepEqual(
      stored.map((a) => a.source.value),
      ['203.0.113.5'],
    );
    assert.equal(env.lapi.queryDecisions({ value: '203.0.113.5' }, env.clock.now).length, 1, 'the profile banned it');

    r = await request(env.url, '/v1/alerts', {
      method: 'POST',
      headers: auth,
      json: [manualAlert('198.18.0.67', '1h')],
    });
    assert.equal(r.status, 201);
    assert.equal((json(r.body) as string[]).length, 1, 'an alert carrying its decisions is kept');
    assert.equal(env.lapi.queryDecisions({ value: '198.18.0.67' }, env.clock.now).length, 1);

    // an expired item no longer protects
    await env.allow.create('tmp', '');
    await env.allow.addItems('tmp', [{ value: '192.0.2.44', expiration: env.clock.now + 1000 }]);
    r = await request(env.url, '/v1/alerts', { method: 'POST', headers: auth, json: [agentAlert('192.0.2.44')] });
    assert.deepEqual(json(r.body), []);
    env.clock.now += 1000;
    r = await request(env.url, '/v1/alerts', { method: 'POST', headers: auth, json: [agentAlert('192.0.2.44')] });
    assert.equal((json(r.body) as string[]).length, 1);
  });
});

test('picket allowlists CLI on the data folder of a running LAPI', async () => {
  await withEnv(async (env, auth) => {
    const run = (...args: string[]) => picket(['allowlists', ...args, '--data', env.dir]);
    let r = await run('create', 'office', '-d', 'office IPs');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /allowlist 'office' created/);
    r = await run('create', 'office');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already exists/);

    r = await run('add', 'office', '192.0.2.0/24', '2001:db8::1', '--expiration', '7d');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /added 2 values to allowlist office/);
    r = await run('add', 'office', 'bogus');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /'bogus' is not an IP address or a CIDR range/);
    r = await run('add', 'nope', '1.2.3.4');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /allowlist 'nope' not found/);
    r = await run('add', 'office', '1.2.3.4', '--expiration', 'soon');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--expiration 'soon'/);

    // the running LAPI sees the CLI's writes
    let h = await request(env.url, '/v1/allowlists/check/192.0.2.9', { headers: auth });
    assert.equal((json(h.body) as { allowlisted: boolean }).allowlisted, true);

    r = await run('list', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const list = json(r.stdout) as { name: string; items: { value: string; expiration: string | null }[] }[];
    assert.equal(list.length, 1);
    assert.equal(list[0].name, 'office');
    assert.deepEqual(
      list[0].items.map((i) => i.value),
      ['192.0.2.0/24', '2001:db8::1'],
    );
    const exp = Date.parse(list[0].items[0].expiration!);
    assert.ok(Math.abs(exp - (Date.now() + 7 * 86_400_000)) < 120_000, 'expires in 7 days');
    r = await run('list');
    assert.match(r.stdout, /office\s+.*office IPs.*\s2\s/);

    r = await run('inspect', 'office');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Allowlist: office/);
    assert.match(r.stdout, /2001:db8::1/);
    r = await run('inspect', 'nope');
    assert.equal(r.code, 1);

    r = await run('remove', 'office', '192.0.2.0/24');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /removed 1 values from allowlist office/);
    h = await request(env.url, '/v1/allowlists/check/192.0.2.9', { headers: auth });
    assert.equal((json(h.body) as { allowlisted: boolean }).allowlisted, false);

    r = await run('delete', 'office');
    assert.equal(r.code, 0, r.stderr);
    r = await run('delete', 'office');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not found/);
    h = await request(env.url, '/v1/allowlists/office', { headers: auth });
    assert.equal(h.status, 404);

    r = await run('frobnicate');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown sub-command 'frobnicate'/);
  });
});

test('picket run serves the allowlists of its data folder and drops allowlisted agent alerts', async () => {
  const lapi = await startPicket(['--no-agent', '--metrics', 'off']);
  try {
    let r = await picket(['allowlists', 'create', 'office', '--data', lapi.data]);
    assert.equal(r.code, 0, r.stderr);
    r = await picket(['allowlists', 'add', 'office', '198.18.0.0/24', '--data', lapi.data]);
    assert.equal(r.code, 0, r.stderr);
    const creds = readCredentials(path.join(lapi.data, 'local_api_credentials.yaml'));
    const auth = bearer(await login({ url: lapi.url } as Env, creds.login, creds.password));
    // the LAPI re-reads the table at most once per second: poll until the CLI's write is visible
    await eventually(async () => {
      const h = await request(lapi.url, '/v1/allowlists/check/198.18.0.67', { method: 'HEAD', headers: auth });
      return h.status === 200;
    }, 'the allowlist to be visible to picket run');
    const p = await request(lapi.url, '/v1/alerts', {
      method: 'POST',
      headers: auth,
      json: [agentAlert('198.18.0.67'), agentAlert('203.0.113.5')],
    });
    assert.equal(p.status, 201);
    assert.equal((json(p.body) as string[]).length, 1);
    const g = await request(lapi.url, '/v1/alerts', { headers: auth });
    assert.deepEqual(
      (json(g.body) as { source: { value: string } }[]).map((a) => a.source.value),
      ['203.0.113.5'],
    );
  } finally {
    await lapi.stop();
    fs.rmSync(lapi.dir, { recursive: true, force: true });
  }
});
