// No request stalls the Local API (issue 11 §4): a large stream snapshot or decision list is produced a piece
// at a time with back-pressure (a bouncer that stops reading holds the production, not the server's memory)
// and its bytes are exactly those of the one-piece encoding (JSON chunked, protobuf with its length); what one
// POST /v1/alerts may carry is bounded with a 400 naming the limit.

import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { addBouncer, addMachine, apiKey, bearer, login, manualAlert, request, startEnv, type Env } from './helpers.js';
import { streamJSON, decisionsArrayJSON } from '../../src/lapi/decision-json.js';
import { encodeDecisions, encodeStream } from '../../src/api/protobuf-encode.js';
import { MAX_ALERTS_PER_POST, MAX_DECISIONS_PER_POST } from '../../src/lapi/validate.js';
import type { NewAlert } from '../../src/store/records.js';

const KEY = 'stall-bouncer-key';
const SOURCE = { scope: 'Ip', value: '127.0.0.1', ip: '127.0.0.1', range: '', asNumber: '', asName: '', cn: '' };
const SOURCE_AT = { latitude: 0, longitude: 0 };

/** `n` active bans written straight into the store (1,000 per alert) */
async function seed(env: Env, n: number): Promise<void> {
  const at = env.clock.now;
  const alerts: NewAlert[] = [];
  for (let i = 0; i < n; i += 1000) {
    const decisions = [];
    for (let k = i; k < Math.min(n, i + 1000); k++) {
      const value = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
      decisions.push({
        until: at + 3_600_000 + (k % 7) * 1000,
        scenario: k % 3 === 0 ? 'crowdsecurity/ssh-bf' : 'crowdsecurity/http-probing',
        type: 'ban',
        scope: 'Ip',
        value,
        origin: k % 5 === 0 ? 'cscli' : 'crowdsec',
        simulated: false,
      });
    }
    const stamp = new Date(at).toISOString();
    alerts.push({
      machineId: 'm',
      scenario: 'seed',
      scenarioHash: '',
      scenarioVersion: '',
      message: 'seed',
      eventsCount: 1,
      startAt: stamp,
      stopAt: stamp,
      capacity: 0,
      leakspeed: '0',
      simulated: false,
      remediation: true,
      kind: '',
      labels: null,
      source: { ...SOURCE, ...SOURCE_AT },
      meta: [],
      events: [],
      decisions,
    });
  }
  await env.lapi.addAlerts(alerts);
  env.clock.now += 1000; // later polls' deltas start after the seed
}

/** equality of two large bodies without printing them on failure */
function same(actual: string | Buffer, expected: string | Buffer, what: string): void {
  const a = typeof actual === 'string' ? Buffer.from(actual) : actual;
  const e = typeof expected === 'string' ? Buffer.from(expected) : expected;
  assert.ok(a.equals(e), `${what}: ${a.length} bytes differ from the expected ${e.length}`);
}

async function startupCount(env: Env): Promise<number> {
  const text = await env.server.registry.metrics();
  const m = /picket_lapi_stream_bytes_count\{mode="startup"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

test('a large stream snapshot is chunked JSON byte-identical to the one-piece text; protobuf identical too', async () => {
  const env = await startEnv();
  try {
    await addBouncer(env, 'b', KEY);
    await seed(env, 12_000);
    const expected = env.lapi.stream(
      { scopes: ['Ip', 'Range'] },
      { startup: true, lastPull: null, dedup: true, now: env.clock.now },
    );
    const r = await request(env.url, '/v1/decisions/stream?startup=true', { headers: apiKey(KEY) });
    assert.equal(r.status, 200);
    assert.equal(r.headers['transfer-encoding'], 'chunked');
    assert.equal(r.headers['content-length'], undefined);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    same(r.body, streamJSON(expected, env.clock.now), 'startup JSON');
    assert.equal((JSON.parse(r.body) as { new: unknown[] }).new.length, 12_000);
    // the next poll is a small delta: one piece with its Content-Length, as before
    const d = await request(env.url, '/v1/decisions/stream', { headers: apiKey(KEY) });
    assert.equal(d.body, '{"new":[],"deleted":[]}');
    assert.equal(d.headers['content-length'], String(d.body.length));

    const pb = await request(env.url, '/v1/decisions/stream?startup=true', {
      headers: { ...apiKey(KEY), accept: 'application/x-protobuf' },
    });
    assert.equal(pb.headers['content-type'], 'application/x-protobuf');
    same(pb.raw, encodeStream(expected, env.clock.now), 'startup protobuf');
    assert.equal(pb.headers['content-length'], String(pb.raw.length));

    const all = env.lapi.queryDecisions({}, env.clock.now);
    const live = await request(env.url, '/v1/decisions', { headers: apiKey(KEY) });
    assert.equal(live.headers['transfer-encoding'], 'chunked');
    same(live.body, decisionsArrayJSON(all, env.clock.now, 'null'), 'live JSON');
    const livePb = await request(env.url, '/v1/decisions', {
      headers: { ...apiKey(KEY), accept: 'application/x-protobuf' },
    });
    same(livePb.raw, encodeDecisions(all, env.clock.now), 'live protobuf');
  } finally {
    await env.cleanup();
  }
});

test('a bouncer that stops reading a snapshot holds its production (back-pressure), not the server', async () => {
  const env = await startEnv();
  try {
    await addBouncer(env, 'b', KEY);
    await seed(env, 60_000); // ~10 MB of JSON: more than the loopback socket buffers hold
    const u = new URL('/v1/decisions/stream?startup=true', env.url);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: apiKey(KEY) });
      req.on('response', resolve);
      req.on('error', reject);
    });
    res.pause();
    // while the client does not read, other requests are served and the snapshot is not finished
    for (let i = 0; i < 5; i++) {
      const h = await request(env.url, '/health');
      assert.equal(h.status, 200);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await startupCount(env), 0, 'the snapshot was produced although nobody read it');
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.resume();
    await new Promise((r) => res.on('end', r));
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { new: unknown[]; deleted: unknown[] };
    assert.equal(body.new.length, 60_000);
    assert.equal(await startupCount(env), 1);
  } finally {
    await env.cleanup();
  }
});

test('POST /v1/alerts: more alerts or decisions per request than the limits is a 400 naming the limit', async () => {
  const env = await startEnv();
  try {
    await addMachine(env, 'm', 'pw');
    const token = await login(env, 'm', 'pw');
    const tooMany = Array.from({ length: MAX_ALERTS_PER_POST + 1 }, (_, i) => manualAlert(`192.0.2.${i % 250}`, '1h'));
    const r1 = await request(env.url, '/v1/alerts', { method: 'POST', json: tooMany, headers: bearer(token) });
    assert.equal(r1.status, 400);
    assert.match(r1.body, new RegExp(`${MAX_ALERTS_PER_POST + 1} alerts, limit ${MAX_ALERTS_PER_POST} per request`));

    const per = Math.ceil((MAX_DECISIONS_PER_POST + 1) / 2);
    const big = (base: number) => {
      const a = manualAlert('192.0.2.1', '1h');
      const d0 = (a.decisions as Record<string, unknown>[])[0]!;
      a.decisions = Array.from({ length: per }, (_, k) => ({
        ...d0,
        value: `10.${base}.${(k >> 8) & 255}.${k & 255}`,
      }));
      return a;
    };
    const r2 = await request(env.url, '/v1/alerts', { method: 'POST', json: [big(1), big(2)], headers: bearer(token) });
    assert.equal(r2.status, 400);
    assert.match(r2.body, new RegExp(`${per * 2} decisions, limit ${MAX_DECISIONS_PER_POST} per request`));
    assert.equal(env.lapi.queryDecisions({}, env.clock.now).length, 0);
    // at the limits: accepted
    const ok = await request(env.url, '/v1/alerts', { method: 'POST', json: [big(3)], headers: bearer(token) });
    assert.equal(ok.status, 201, ok.body);
  } finally {
    await env.cleanup();
  }
});

test('a shared startup snapshot follows every change: a new decision, an expiry, a deletion', async () => {
  const env = await startEnv();
  try {
    await addBouncer(env, 'b', KEY);
    await addMachine(env, 'm', 'pw');
    const token = await login(env, 'm', 'pw');
    const at = new Date(env.clock.now).toISOString();
    const post = (ip: string, d: string) =>
      request(env.url, '/v1/alerts', { method: 'POST', json: [manualAlert(ip, d, { at })], headers: bearer(token) });
    assert.equal((await post('192.0.2.1', '10s')).status, 201);
    const startup = async () => {
      const r = await request(env.url, '/v1/decisions/stream?startup=true', { headers: apiKey(KEY) });
      const b = JSON.parse(r.body) as { new: { value: string }[]; deleted: { value: string }[] };
      return { new: b.new.map((d) => d.value), deleted: b.deleted.map((d) => d.value) };
    };
    assert.deepEqual(await startup(), { new: ['192.0.2.1'], deleted: [] });
    assert.equal((await post('192.0.2.2', '1h')).status, 201);
    assert.deepEqual(await startup(), { new: ['192.0.2.1', '192.0.2.2'], deleted: [] });
    env.clock.now += 11_000; // 192.0.2.1 expired: no index change, only time
    assert.deepEqual(await startup(), { new: ['192.0.2.2'], deleted: ['192.0.2.1'] });
    const del = await request(env.url, '/v1/decisions?ip=192.0.2.2', { method: 'DELETE', headers: bearer(token) });
    assert.equal(del.status, 200);
    assert.deepEqual(await startup(), { new: [], deleted: ['192.0.2.1', '192.0.2.2'] });
  } finally {
    await env.cleanup();
  }
});
