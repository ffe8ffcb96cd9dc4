// The route suite of Picket Central (capi.md §2-§8), run on the embedded store (routes.test.ts) and on a
// throwaway PostgreSQL cluster (pg.test.ts): registration, login, signals (limits, validation naming the field),
// the v2 flat and v3 grouped streams (startup, delta, tailoring, community_pull/additional_pull), curated links
// with ETag / If-Modified-Since, metrics with the trailing slash, usage-metrics, decisions/delete, enroll,
// 404/405/401 quirks.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as op from '../../src/central/operator.js';
import { AddressPolicy } from '../../src/central/ipnet.js';
import { call, newSite, settle, signal, type CentralEnv } from './helpers.js';

type V2Decision = { duration: string; origin: string; scenario: string; scope: string; type: string; value: string };
type V3Body = {
  new: Array<{ scenario: string; scope: string; decisions: Array<{ value: string; duration: string }> }>;
  deleted: Array<{ scope: string; decisions: string[] }>;
  links?: { blocklists: Array<{ name: string; url: string; remediation: string; scope: string; duration: string }> };
};

const v3Values = (b: V3Body): string[] => b.new.flatMap((g) => g.decisions.map((d) => d.value));

/** an operator's curated entry (src/central/operator.ts addCurated), starting now */
async function curate(env: CentralEnv, value: string, scenario: string, durationMs: number): Promise<void> {
  await op.addCurated(env.central.service.store, new AddressPolicy(), { value, scenario, durationMs, now: Date.now() });
}

/** registration, login and the 401/404/405 quirks */
function accountTests(e: () => CentralEnv): void {
  test('register: 200 {message}; same login again 403; missing password 400 naming the field', async () => {
    const env = e();
    const login = 'a'.repeat(48);
    const r = await call(`${env.url}/v3/watchers`, 'POST', { machine_id: login, password: 'p'.repeat(64) });
    assert.equal(r.status, 200);
    assert.equal(typeof (r.json as { message: string }).message, 'string');
    assert.equal(
      (await call(`${env.url}/v2/watchers`, 'POST', { machine_id: login, password: 'p'.repeat(64) })).status,
      403,
    );
    const bad = await call(`${env.url}/v3/watchers`, 'POST', { machine_id: 'b'.repeat(48) });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { message: string }).message, /password/);
    assert.equal((await call(`${env.url}/v3/watchers`, 'POST', '{not json')).status, 400);
  });

  test('login: {code, expire, token} (HS256 JWT with id); wrong password 401 in the JWT error shape', async () => {
    const env = e();
    const login = 'c'.repeat(48);
    await call(`${env.url}/v2/watchers`, 'POST', { machine_id: login, password: 'p'.repeat(64) });
    const r = await call(`${env.url}/v2/watchers/login`, 'POST', {
      machine_id: login,
      password: 'p'.repeat(64),
      scenarios: ['crowdsecurity/ssh-bf'],
    });
    assert.equal(r.status, 200);
    const b = r.json as { code: number; expire: string; token: string };
    assert.equal(b.code, 200);
    assert.match(b.expire, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const claims = JSON.parse(Buffer.from(b.token.split('.')[1]!, 'base64url').toString()) as {
      id: string;
      exp: number;
    };
    assert.equal(claims.id, login);
    const bad = await call(`${env.url}/v3/watchers/login`, 'POST', { machine_id: login, password: 'x'.repeat(64) });
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.json, { code: 401, message: 'incorrect Username or Password' });
  });

  test('authenticated routes: 401 without a token; unknown route 404 and wrong method 405, empty bodies', async () => {
    const env = e();
    const r = await call(`${env.url}/v3/decisions/stream`, 'GET');
    assert.equal(r.status, 401);
    assert.equal((r.json as { code: number }).code, 401);
    const nf = await call(`${env.url}/v3/nothing`, 'GET');
    assert.equal(nf.status, 404);
    assert.equal(nf.body, '');
    const wm = await call(`${env.url}/v3/signals`, 'GET');
    assert.equal(wm.status, 405);
    assert.equal(wm.body, '');
  });
}

/** signals: limits, validation naming the field, exactly-once per alert uuid */
function signalTests(e: () => CentralEnv): void {
  test('signals: 200; more than 50 refused; bad IP 400 and private address 422 naming the field', async () => {
    const env = e();
    const { token } = await newSite(env);
    assert.equal((await call(`${env.url}/v3/signals`, 'POST', [signal('45.1.0.1')], { token })).status, 200);
    const many = Array.from({ length: 51 }, (_, i) => signal(`45.1.1.${i}`));
    const r51 = await call(`${env.url}/v3/signals`, 'POST', many, { token });
    assert.equal(r51.status, 400);
    assert.match((r51.json as { message: string }).message, /at most 50/);
    const bad = await call(`${env.url}/v3/signals`, 'POST', [signal('45.1.0.2'), signal('45.1.0.300')], { token });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { message: string }).message, /^signals\[1\]\.source\.value/);
    const priv = await call(`${env.url}/v2/signals`, 'POST', [signal('192.168.1.5')], { token });
    assert.equal(priv.status, 422);
    assert.match((priv.json as { message: string }).message, /signals\[0\]\.source\.value.*private/);
    const future = await call(`${env.url}/v3/signals`, 'POST', [signal('45.1.0.3', { stop: '2099-01-01T00:00:00Z' })], {
      token,
    });
    assert.equal(future.status, 422);
    assert.match((future.json as { message: string }).message, /stop_at/);
    assert.equal((await call(`${env.url}/v3/signals`, 'POST', { not: 'an array' }, { token })).status, 400);
  });

  test('signals exactly once: a resent alert uuid counts once per site, across a batch and a second POST', async () => {
    const env = e();
    const a = await newSite(env),
      b = await newSite(env);
    const one = signal('45.1.2.1', { uuid: 'resend-uuid-1' });
    const r1 = await call(`${env.url}/v3/signals`, 'POST', [one, one, signal('45.1.2.1')], { token: a.token });
    assert.equal(r1.status, 200);
    // the resend after a lost acknowledgement: acknowledged again, not stored again
    assert.equal((await call(`${env.url}/v3/signals`, 'POST', [one], { token: a.token })).status, 200);
    // another site's alert with the same uuid is its own signal
    assert.equal((await call(`${env.url}/v3/signals`, 'POST', [one], { token: b.token })).status, 200);
    await settle(env);
    const rows = await env.central.service.store.signalsFor('45.1.2.1');
    assert.equal(rows.length, 3);
    assert.equal(new Set(rows.map((r) => r.reporter)).size, 2);
    assert.ok(
      rows.every((r) => !JSON.stringify(r).includes('resend-uuid')),
      'the uuid itself is not stored',
    );
  });
}

/** the v3 grouped and v2 flat streams and the curated links */
function streamTests(e: () => CentralEnv): void {
  test('stream v3: grouped startup, delta of what changed since the last pull, tailored to scenarios', async () => {
    const env = e();
    const a = await newSite(env),
      b = await newSite(env),
      other = await newSite(env, 3, ['crowdsecurity/http-probing']);
    for (const s of [a, b]) await call(`${env.url}/v3/signals`, 'POST', [signal('45.2.0.1')], { token: s.token });
    await settle(env);
    const first = await call(`${env.url}/v3/decisions/stream?startup=true`, 'GET', undefined, { token: a.token });
    assert.equal(first.status, 200);
    const body = first.json as V3Body;
    const group = body.new.find((g) => g.scenario === 'crowdsecurity/ssh-bf')!;
    assert.equal(group.scope, 'ip');
    const d = group.decisions.find((x) => x.value === '45.2.0.1')!;
    assert.match(d.duration, /^2[34]h\d+m\d+s$/);
    assert.ok(Array.isArray(body.deleted));
    assert.ok(Array.isArray(body.links?.blocklists));
    const delta = (await call(`${env.url}/v3/decisions/stream`, 'GET', undefined, { token: a.token })).json as V3Body;
    assert.ok(!v3Values(delta).includes('45.2.0.1'), 'unchanged entries are not repeated in a delta');
    for (const s of [a, b]) await call(`${env.url}/v3/signals`, 'POST', [signal('45.2.0.2')], { token: s.token });
    await settle(env);
    const delta2 = (await call(`${env.url}/v3/decisions/stream`, 'GET', undefined, { token: a.token })).json as V3Body;
    assert.deepEqual(v3Values(delta2), ['45.2.0.2']);
    const tailored = (
      await call(`${env.url}/v3/decisions/stream?startup=true`, 'GET', undefined, { token: other.token })
    ).json as V3Body;
    assert.ok(!v3Values(tailored).includes('45.2.0.1'), 'an http-probing site does not get ssh-bf entries');
    const off = (
      await call(`${env.url}/v3/decisions/stream?startup=true&community_pull=false`, 'GET', undefined, {
        token: a.token,
      })
    ).json as V3Body;
    assert.deepEqual(off.new, []);
  });

  test('stream v2: the flat LAPI shape with origin CAPI; curated entries served to every site', async () => {
    const env = e();
    const a = await newSite(env, 2),
      b = await newSite(env, 2);
    for (const s of [a, b]) await call(`${env.url}/v2/signals`, 'POST', [signal('45.3.0.1')], { token: s.token });
    await curate(env, '45.3.9.9', 'picket/curated', 3_600_000);
    await settle(env);
    const r = await call(`${env.url}/v2/decisions/stream?startup=true`, 'GET', undefined, { token: a.token });
    const body = r.json as { new: V2Decision[]; deleted: V2Decision[] };
    const d = body.new.find((x) => x.value === '45.3.0.1')!;
    assert.deepEqual(Object.keys(d).sort(), ['duration', 'origin', 'scenario', 'scope', 'type', 'value']);
    assert.equal(d.origin, 'CAPI');
    assert.equal(d.scope, 'Ip');
    assert.equal(d.type, 'ban');
    const cur = body.new.find((x) => x.value === '45.3.9.9')!;
    assert.equal(cur.scenario, 'picket/curated');
    assert.match(cur.duration, /^(59m\d+s|1h0m0s)$/);
    assert.deepEqual((await call(`${env.url}/v2/decisions/stream`, 'GET', undefined, { token: a.token })).json, {
      new: [],
      deleted: [],
    });
  });

  test('v3 links: curated list file at a pre-signed URL with ETag, If-None-Match/If-Modified-Since 304, bad signature 403', async () => {
    const env = e();
    const a = await newSite(env);
    await curate(env, '45.4.0.0/24', 'picket/ops', 86_400_000);
    await settle(env);
    const body = (await call(`${env.url}/v3/decisions/stream?startup=true`, 'GET', undefined, { token: a.token }))
      .json as V3Body;
    const link = body.links!.blocklists.find((l) => l.name === 'picket/ops-ranges')!;
    assert.equal(link.scope, 'range');
    assert.equal(link.remediation, 'ban');
    assert.equal(link.duration, '2h10m0s');
    const file = await call(link.url, 'GET', undefined, {});
    assert.equal(file.status, 200);
    assert.equal(file.body, '45.4.0.0/24\n');
    const etag = file.headers.get('etag')!;
    assert.equal((await call(link.url, 'GET', undefined, { headers: { 'If-None-Match': etag } })).status, 304);
    const lm = file.headers.get('last-modified')!;
    assert.equal((await call(link.url, 'GET', undefined, { headers: { 'If-Modified-Since': lm } })).status, 304);
    assert.equal((await call(link.url.replace(/sig=[^&]+/, 'sig=forged'), 'GET')).status, 403);
    const none = (
      await call(`${env.url}/v3/decisions/stream?startup=true&additional_pull=false`, 'GET', undefined, {
        token: a.token,
      })
    ).json as V3Body;
    assert.equal(none.links, undefined);
  });
}

/** metrics, usage-metrics, decisions/delete, enroll; the operator's delist and erase */
function operatorTests(e: () => CentralEnv): void {
  test('metrics (trailing slash), usage-metrics, decisions/delete, enroll: accepted', async () => {
    const env = e();
    const { token } = await newSite(env);
    const metrics = { apil_version: 'v1.6.0', bouncers: [], machines: [] };
    assert.equal((await call(`${env.url}/v3/metrics/`, 'POST', metrics, { token })).status, 200);
    assert.equal((await call(`${env.url}/v2/metrics/`, 'POST', metrics, { token })).status, 200);
    assert.equal(
      (
        await call(
          `${env.url}/v3/usage-metrics`,
          'POST',
          { remediation_components: [], log_processors: [], lapi: null },
          { token },
        )
      ).status,
      200,
    );
    assert.equal((await call(`${env.url}/v3/decisions/delete`, 'POST', ['1f0c-uuid'], { token })).status, 200);
    assert.equal((await call(`${env.url}/v3/decisions/delete`, 'POST', [1], { token })).status, 400);
    assert.equal(
      (
        await call(
          `${env.url}/v3/watchers/enroll`,
          'POST',
          { attachment_key: 'k', name: 'n', tags: [], overwrite: false },
          { token },
        )
      ).status,
      200,
    );
    assert.equal((await call(`${env.url}/v3/watchers/enroll`, 'POST', { name: 'n' }, { token })).status, 400);
  });

  test("delist: the entry leaves the list at once and is in every site's next deleted; audit kept", async () => {
    const env = e();
    const a = await newSite(env),
      b = await newSite(env, 2);
    for (const s of [a, b]) await call(`${env.url}/v3/signals`, 'POST', [signal('45.5.0.1')], { token: s.token });
    await settle(env);
    await call(`${env.url}/v3/decisions/stream?startup=true`, 'GET', undefined, { token: a.token });
    await call(`${env.url}/v2/decisions/stream?startup=true`, 'GET', undefined, { token: b.token });
    await op.delist(env.central.service.store, '45.5.0.1', 'owner appeal', 86_400_000, Date.now());
    await env.central.service.applyOps();
    const d3 = (await call(`${env.url}/v3/decisions/stream`, 'GET', undefined, { token: a.token })).json as V3Body;
    assert.deepEqual(d3.deleted, [{ scope: 'ip', decisions: ['45.5.0.1'] }]);
    const d2 = (await call(`${env.url}/v2/decisions/stream`, 'GET', undefined, { token: b.token })).json as {
      deleted: V2Decision[];
    };
    assert.deepEqual(
      d2.deleted.map((x) => [x.value, x.origin]),
      [['45.5.0.1', 'CAPI']],
    );
    const startup = (await call(`${env.url}/v3/decisions/stream?startup=true`, 'GET', undefined, { token: a.token }))
      .json as V3Body;
    assert.ok(!v3Values(startup).includes('45.5.0.1'));
    const audit = await env.central.service.store.listAudit();
    assert.ok(audit.some((x) => x.action === 'delist' && x.value === '45.5.0.1' && x.reason === 'owner appeal'));
  });

  test('erase: signals gone from the store, consensus told, address off the list', async () => {
    const env = e();
    const a = await newSite(env),
      b = await newSite(env);
    for (const s of [a, b]) await call(`${env.url}/v3/signals`, 'POST', [signal('45.6.0.1')], { token: s.token });
    await settle(env);
    const store = env.central.service.store;
    assert.equal((await store.signalsFor('45.6.0.1')).length, 2);
    const n = await op.erase(store, '45.6.0.1', Date.now());
    assert.equal(n, 2);
    await settle(env);
    assert.deepEqual(await store.signalsFor('45.6.0.1'), []);
    assert.ok(env.consensus.erased.includes('45.6.0.1'));
    const startup = (await call(`${env.url}/v3/decisions/stream?startup=true`, 'GET', undefined, { token: a.token }))
      .json as V3Body;
    assert.ok(!v3Values(startup).includes('45.6.0.1'));
    assert.ok(
      (await store.listAudit()).every((x) => x.value !== '45.6.0.1'),
      'the erasure audit keeps no address',
    );
  });
}

export function routeSuite(label: string, start: () => Promise<CentralEnv>): void {
  describe(`central routes (${label})`, () => {
    let env: CentralEnv;
    before(async () => {
      env = await start();
    });
    after(async () => {
      await env?.cleanup();
    });

    const e = (): CentralEnv => env;
    accountTests(e);
    signalTests(e);
    streamTests(e);
    operatorTests(e);
  });
}
