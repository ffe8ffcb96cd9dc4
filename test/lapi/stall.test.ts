// No request stalls the Local API (issue 11 §4): a large stream snapshot or decision list is produced a piece
// at a time with back-pressure (a bouncer that stops reading holds the production, not the server's memory)
// and its bytes are exactly those of the one-piece encoding (JSON chunked, protobuf with its length); what one
// POST /v1/alerts may carry is bounded with a 400 naming the limit; an alert at that limit posted while 200
// bouncers poll (each of them then gets it in its delta) and read back never blocks the event loop for long;
// an alert stored in chunks of transactions appears to readers at once; a mass deletion (of decisions, of alerts
// with their decisions) runs in chunks of transactions with short event-loop turns, its deleted stream complete.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { addBouncer, addMachine, apiKey, bearer, login, manualAlert, request, startEnv, type Env } from './helpers.js';
import { streamJSON, decisionsArrayJSON } from '../../src/lapi/decision-json.js';
import { encodeDecisions, encodeStream } from '../../src/api/protobuf-encode.js';
import { MAX_ALERTS_PER_POST, MAX_DECISIONS_PER_POST } from '../../src/lapi/validate.js';
import { alertToJSON } from '../../src/lapi/alert-model.js';
import { ADD_CHUNK } from '../../src/store/alerts.js';
import { DELETE_CHUNK } from '../../src/store/lapi-tables.js';
import { KeyCounter } from '../../src/lapi/body-keys.js';
import { SharedAnswers } from '../../src/lapi/shared-answers.js';
import type { AlertRecord, NewAlert } from '../../src/store/records.js';

const KEY = 'stall-bouncer-key';
const SOURCE = { scope: 'Ip', value: '127.0.0.1', ip: '127.0.0.1', range: '', asNumber: '', asName: '', cn: '' };
const SOURCE_AT = { latitude: 0, longitude: 0 };

/** an alert of machine `m` as the store takes it */
function storeAlert(scenario: string, at: number, decisions: NewAlert['decisions']): NewAlert {
  const stamp = new Date(at).toISOString();
  return {
    machineId: 'm',
    scenario,
    scenarioHash: '',
    scenarioVersion: '',
    message: scenario,
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
  };
}

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
    alerts.push(storeAlert('seed', at, decisions));
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

/**
 * The clients of the test below, in their own process (their work must not count in the server's event loop):
 * the POST of the alert, then every bouncer's poll and a GET of the alert at once, bodies hashed as they
 * arrive. Prints {posted, id, polls: [status, bytes, sha256][], one}. With the single argument `probe`: a
 * liveness probe every 20 ms until stdin ends, then prints the probes' times (a process of its own, so that
 * the load of the other clients does not delay it).
 */
const CLIENTS = `
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
const [url, n, token, bodyFile] = process.argv.slice(1);
const u = new URL(url);
if (n === 'probe') {
  const probes = [];
  let probing = true;
  process.stdin.on('end', () => (probing = false)).resume();
  while (probing) {
    const t = performance.now();
    await get('/health', {});
    probes.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  process.stdout.write(JSON.stringify(probes));
  process.exit(0);
}
function get(path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, headers, agent: false, method: body ? 'POST' : 'GET' });
    req.on('response', (res) => {
      const h = crypto.createHash('sha256');
      const chunks = [];
      let bytes = 0;
      res.on('data', (c) => { h.update(c); bytes += c.length; if (body) chunks.push(c); });
      res.on('end', () => resolve([res.statusCode, bytes, h.digest('hex'), Buffer.concat(chunks).toString()]));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const auth = { authorization: 'Bearer ' + token, 'user-agent': 'crowdsec/v1.4.6', 'content-type': 'application/json' };
const posted = await get('/v1/alerts', auth, fs.readFileSync(bodyFile));
const id = JSON.parse(posted[3])[0];
const [polls, one] = await Promise.all([
  Promise.all(Array.from({ length: Number(n) }, (_, i) =>
    get('/v1/decisions/stream', { 'x-api-key': 'poll-key-' + i, 'user-agent': 'crowdsec-firewall-bouncer/v0.0.31' }))),
  get('/v1/alerts/' + id, auth),
]);
process.stdout.write(JSON.stringify({ posted: [posted[0], posted[3]], id, polls: polls.map((p) => p.slice(0, 3)), one: one.slice(0, 3) }));
`;

type Hashed = [number, number, string];
interface ClientsReport {
  posted: [number, string];
  id: string;
  polls: Hashed[];
  one: Hashed;
}

/** the clients' process; `started` is called once it runs (its stdin is given to it) */
function runClients<T>(args: string[], started?: (stdin: Writable) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENTS, ...args]);
    started?.(child.stdin);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as T);
      else reject(new Error(`clients exited ${code}: ${err}`));
    });
  });
}

/** a bouncer whose last pull was at `lastPull` */
async function pollingBouncer(env: Env, name: string, key: string, lastPull: number): Promise<void> {
  await addBouncer(env, name, key);
  await env.lapi.putBouncer({ ...env.lapi.getBouncerByName(name)!, lastPull });
}

const sha = (b: string | Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

test('an alert at the request cap posted while 200 bouncers poll: the event loop never blocks long', async (t) => {
  const BOUNCERS = 200;
  const N = MAX_DECISIONS_PER_POST;
  const env = await startEnv({ alertLog: false });
  try {
    await seed(env, 20_000);
    await addMachine(env, 'm', 'pw');
    const token = await login(env, 'm', 'pw');
    // every bouncer has pulled once: its next poll is a delta from here
    const pulled = env.clock.now;
    await Promise.all(
      Array.from({ length: BOUNCERS }, (_, i) => pollingBouncer(env, `poller-${i}`, `poll-key-${i}`, pulled)),
    );
    env.clock.now += 1000;
    const a = manualAlert('192.0.2.1', '4h', { at: new Date(env.clock.now).toISOString() });
    const d0 = (a.decisions as Record<string, unknown>[])[0]!;
    a.decisions = Array.from({ length: N }, (_, k) => ({ ...d0, value: `10.200.${(k >> 8) & 255}.${k & 255}` }));
    const bodyFile = path.join(env.dir, 'alert.json');
    fs.writeFileSync(bodyFile, JSON.stringify([a]));

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let probeInput: Writable | null = null;
    const probing = runClients<number[]>([env.url, 'probe'], (stdin) => (probeInput = stdin));
    const r = await runClients<ClientsReport>([env.url, String(BOUNCERS), token, bodyFile]);
    probeInput!.end();
    const probes = await probing;
    loop.disable();

    assert.equal(r.posted[0], 201, r.posted[1]);
    // every bouncer got the same delta, byte for byte what the one-piece encoding gives
    const now = env.clock.now;
    const expected = env.lapi.stream(
      { scopes: ['Ip', 'Range'] },
      { startup: false, lastPull: pulled, dedup: true, now },
    );
    assert.equal(expected.new.length, N);
    const text = streamJSON(expected, now);
    assert.equal(r.polls.length, BOUNCERS);
    for (const [status, bytes, h] of r.polls) {
      assert.equal(status, 200);
      assert.equal(bytes, Buffer.byteLength(text));
      assert.equal(h, sha(text));
    }
    const stored = env.lapi.getAlert(Number(r.id))!;
    const decisions = stored.decisionIds.map((x) => env.lapi.getDecision(x)!);
    assert.equal(r.one[0], 200);
    assert.equal(r.one[2], sha(JSON.stringify(alertToJSON(stored, decisions, now))), 'GET of the alert');
    const maxMs = loop.max / 1e6;
    assert.ok(maxMs < 250, `the event loop was blocked ${maxMs.toFixed(0)} ms`);
    const probeMax = Math.max(...probes);
    t.diagnostic(`event loop max ${maxMs.toFixed(0)} ms, liveness max ${probeMax.toFixed(0)} ms`);
    assert.ok(probes.length > 0 && probeMax < 500, `liveness waited ${probeMax.toFixed(0)} ms (loop max ${maxMs} ms)`);
  } finally {
    await env.cleanup();
  }
});

test('GET /v1/alerts and /v1/alerts/:id of a large alert: chunked, the same bytes as in one piece', async () => {
  const env = await startEnv({ alertLog: false });
  try {
    await addMachine(env, 'm', 'pw');
    const token = await login(env, 'm', 'pw');
    await seed(env, 5000); // 5 alerts of 1,000 decisions
    const big = manualAlert('192.0.2.9', '1h', { at: new Date(env.clock.now).toISOString() });
    const d0 = (big.decisions as Record<string, unknown>[])[0]!;
    big.decisions = Array.from({ length: 4500 }, (_, k) => ({ ...d0, value: `10.201.${(k >> 8) & 255}.${k & 255}` }));
    const posted = await request(env.url, '/v1/alerts', { method: 'POST', json: [big], headers: bearer(token) });
    assert.equal(posted.status, 201, posted.body);
    const id = Number((JSON.parse(posted.body) as string[])[0]);
    const whole = (a: AlertRecord) =>
      alertToJSON(
        a,
        a.decisionIds.map((x) => env.lapi.getDecision(x)!),
        env.clock.now,
      );
    const one = await request(env.url, `/v1/alerts/${id}`, { headers: bearer(token) });
    assert.equal(one.status, 200);
    assert.equal(one.headers['transfer-encoding'], 'chunked');
    same(one.body, JSON.stringify(whole(env.lapi.getAlert(id)!)), 'one alert');
    const list = await request(env.url, '/v1/alerts?has_active_decision=true', { headers: bearer(token) });
    assert.equal(list.status, 200);
    assert.equal(list.headers['transfer-encoding'], 'chunked');
    const found = env.lapi.queryAlerts({ hasActiveDecision: true }, env.clock.now);
    assert.equal(found.length, 6);
    same(list.body, JSON.stringify(found.map(whole)), 'alert list');
    // without decisions: small, one piece with its length
    const bare = await request(env.url, '/v1/alerts?has_active_decision=true&with_decisions=false', {
      headers: bearer(token),
    });
    assert.equal(bare.headers['content-length'], String(bare.raw.length));
    same(bare.body, JSON.stringify(found.map((a) => alertToJSON(a, null, env.clock.now))), 'alerts without decisions');
  } finally {
    await env.cleanup();
  }
});

test('an alert stored in chunks of transactions appears to readers all at once, with its decisions', async () => {
  const env = await startEnv({ alertLog: false });
  try {
    const N = ADD_CHUNK * 4 + 7;
    const decisions = Array.from({ length: N }, (_, k) => ({
      until: env.clock.now + 3_600_000,
      scenario: 'chunked',
      type: 'ban',
      scope: 'Ip',
      value: `10.202.${(k >> 8) & 255}.${k & 255}`,
      origin: 'cscli',
      simulated: false,
    }));
    const alert = storeAlert('chunked', env.clock.now, decisions);
    const seq0 = env.lapi.appliedSeq;
    let done = false;
    const adding = env.lapi.addAlerts([alert]).finally(() => (done = true));
    const seen = new Set<string>();
    let heldWhileApplied = 0;
    while (!done) {
      // the three reads at one log position (queryAlerts replays the log itself; once the last transaction is
      // committed, that replay shows the whole write, before addAlerts resolves)
      env.lapi.sync();
      const live = env.lapi.queryDecisions({ scopes: ['Ip'] }, env.clock.now).length;
      const alerts = env.lapi.queryAlerts({}, env.clock.now).length;
      const delta = env.lapi.stream(
        { scopes: ['Ip'] },
        { startup: false, lastPull: 0, dedup: true, now: env.clock.now },
      );
      seen.add(`${live}/${alerts}/${delta.new.length}`);
      if (live === 0 && env.lapi.appliedSeq > seq0) heldWhileApplied++; // chunks applied, none shown
      await new Promise((r) => setImmediate(r));
    }
    const [id] = await adding;
    seen.add(
      `${env.lapi.queryDecisions({ scopes: ['Ip'] }, env.clock.now).length}/${env.lapi.queryAlerts({}, env.clock.now).length}/${
        env.lapi.stream({ scopes: ['Ip'] }, { startup: false, lastPull: 0, dedup: true, now: env.clock.now }).new.length
      }`,
    );
    assert.deepEqual([...seen].sort(), ['0/0/0', `${N}/1/${N}`]);
    assert.ok(heldWhileApplied > 0, 'no reader ran between two chunks');
    assert.equal(env.lapi.getAlert(id!)!.decisionIds.length, N);
    // the same after a restart (rebuilt from LMDB)
    await env.restart();
    assert.equal(env.lapi.queryDecisions({ scopes: ['Ip'] }, env.clock.now).length, N);
    assert.equal(env.lapi.getAlert(id!)!.decisionIds.length, N);
  } finally {
    await env.cleanup();
  }
});

test('a body with more decisions than a request may carry is refused as it arrives, with the exact count', async () => {
  // the counter itself, the body cut at every place
  const text = Buffer.from(
    '[{"duration":"1h","x":"\\"duration\\":"},{"duration" :"2h"},{"duration"\n:"3h"},{"value":"duration"}]',
  );
  for (let cut = 0; cut <= text.length; cut++) {
    const c = new KeyCounter('duration');
    c.feed(text.subarray(0, cut));
    c.feed(text.subarray(cut));
    assert.equal(c.count, 3, `cut at ${cut}`);
  }
  const env = await startEnv({ alertLog: false });
  try {
    await addMachine(env, 'm', 'pw');
    const token = await login(env, 'm', 'pw');
    const a = manualAlert('192.0.2.1', '1h');
    const d0 = (a.decisions as Record<string, unknown>[])[0]!;
    a.decisions = Array.from({ length: 200_000 }, (_, k) => ({
      ...d0,
      value: `10.${k >> 16}.${(k >> 8) & 255}.${k & 255}`,
    }));
    const r = await request(env.url, '/v1/alerts', { method: 'POST', json: [a], headers: bearer(token) });
    assert.equal(r.status, 400);
    assert.equal(r.body, `{"message":"200000 decisions, limit ${MAX_DECISIONS_PER_POST} per request"}`);
  } finally {
    await env.cleanup();
  }
});

test('a large delta is computed once and its answer encoded once per set of remaining durations', async () => {
  const env = await startEnv({ alertLog: false });
  try {
    const t0 = env.clock.now;
    await seed(env, 3000); // 7 distinct expiries
    const f = { scopes: ['Ip', 'Range'] };
    const delta = (now: number) => env.lapi.stream(f, { startup: false, lastPull: t0, dedup: true, now });
    const a = delta(env.clock.now);
    const b = delta(env.clock.now + 300);
    assert.equal(a.new.length, 3000);
    assert.equal(a.new, b.new, 'the same list is handed out');
    const shared = new SharedAnswers();
    let encoded = 0;
    const encode = (r: typeof a, now: number) => () => {
      encoded++;
      return Promise.resolve([Buffer.from(streamJSON(r, now))]);
    };
    const at = (now: number, format = 'json') => {
      const r = delta(now);
      return shared.get(r, now, format, encode(r, now))!.then((p) => Buffer.concat(p));
    };
    const now = env.clock.now;
    const first = await at(now);
    same(await at(now + 200), first, 'same whole seconds remaining'); // durations round to the same seconds
    assert.equal(encoded, 1);
    const later = await at(now + 1000);
    assert.equal(encoded, 2, 'one second later the durations differ');
    same(later, streamJSON(delta(now + 1000), now + 1000), 'later answer');
    await at(now, 'protobuf');
    assert.equal(encoded, 3, 'another format is another answer');
    // an empty delta (lists made for one request) is not kept
    assert.equal(shared.get({ new: [], deleted: [] }, now, 'json', encode(a, now)), null);
  } finally {
    await env.cleanup();
  }
});

test("a mass deletion's delta: the deleted list is computed once, its answer encoded once, bytes unchanged", async () => {
  const env = await startEnv({ alertLog: false });
  try {
    await seed(env, 3000);
    const bouncers = ['b1', 'b2', 'b3'];
    for (const [i, b] of bouncers.entries()) await addBouncer(env, b, `${KEY}-${i}`);
    const poll = (i: number, pb = false) =>
      request(env.url, '/v1/decisions/stream', {
        headers: { ...apiKey(`${KEY}-${i}`), ...(pb ? { accept: 'application/x-protobuf' } : {}) },
      });
    for (const i of bouncers.keys()) {
      const s = await request(env.url, '/v1/decisions/stream?startup=true', { headers: apiKey(`${KEY}-${i}`) });
      assert.equal((JSON.parse(s.body) as { new: unknown[] }).new.length, 3000);
    }
    env.clock.now += 1000;
    await addMachine(env, 'm', 'pw');
    const token = await login(env, 'm', 'pw');
    const del = await request(env.url, '/v1/decisions', { method: 'DELETE', headers: bearer(token) });
    assert.equal(del.body, '{"nbDeleted":"3000"}');
    env.clock.now += 500;
    const now = env.clock.now;

    // the store hands every bouncer the same list, whatever its last pull within the window
    const f = { scopes: ['Ip', 'Range'] };
    const at = (lastPull: number, t: number) => env.lapi.stream(f, { startup: false, lastPull, dedup: true, now: t });
    const a = at(now - 1500, now);
    assert.equal(a.deleted.length, 3000);
    assert.equal(at(now - 1200, now + 300).deleted, a.deleted, 'the same list is handed out');
    // bytes: those of the list computed for one request (a copy is not shared, so it is encoded afresh)
    const expected = { new: [], deleted: [...a.deleted] };
    assert.deepEqual(expected.deleted, env.lapi.stream(f, { startup: true, lastPull: null, dedup: true, now }).deleted);
    const bodies = await Promise.all([poll(0), poll(1), poll(2, true)]);
    for (const r of bodies.slice(0, 2)) {
      assert.equal(r.status, 200);
      same(r.body, streamJSON(expected, now), 'delta JSON');
    }
    same(bodies[2]!.raw, encodeStream(expected, now), 'delta protobuf');
    // encoded once: the kept answers of the stream route (one per format)
    const shared = new SharedAnswers();
    let encoded = 0;
    for (let k = 0; k < 5; k++) {
      const r = at(now - 1500 + k * 100, now + k * 100);
      const body = await shared.get(r, now + k * 100, 'json', () => {
        encoded++;
        return Promise.resolve([Buffer.from(streamJSON(r, now + k * 100))]);
      })!;
      same(Buffer.concat(body), streamJSON(expected, now + k * 100), `poll ${k}`);
    }
    assert.equal(encoded, 1, 'five polls in the same second, one encoding');
  } finally {
    await env.cleanup();
  }
});

/** counts the LMDB write transactions from now until `stop()` (which gives their number) */
function countTransactions(env: Env): { stop: () => number } {
  const root = env.store.root;
  const transaction = root.transaction.bind(root);
  let n = 0;
  root.transaction = ((body: () => unknown) => {
    n++;
    return transaction(body);
  }) as typeof root.transaction;
  return {
    stop: () => {
      root.transaction = transaction;
      return n;
    },
  };
}

/** the values of a delta's `deleted` list */
const deletedValues = (body: string): string[] =>
  (JSON.parse(body) as { deleted: { value: string }[] | null }).deleted?.map((d) => d.value) ?? [];

test('a 100,000-decision DELETE runs in chunks: short loop turns, bouncers polling meanwhile get all of it', async (t) => {
  const N = 100_000;
  const env = await startEnv({ alertLog: false });
  try {
    await seed(env, N);
    await addMachine(env, 'm', 'pw');
    const token = await login(env, 'm', 'pw');
    for (const [i, b] of ['during', 'after'].entries()) await addBouncer(env, b, `${KEY}-${i}`);
    const poll = (i: number, startup = false) =>
      request(env.url, `/v1/decisions/stream${startup ? '?startup=true' : ''}`, { headers: apiKey(`${KEY}-${i}`) });
    for (const i of [0, 1]) assert.equal((JSON.parse((await poll(i, true)).body) as { new: unknown[] }).new.length, N);
    env.clock.now += 1000;

    // every turn of the event loop: how many decisions the deletion removed since the previous turn; one bouncer
    // polls while the deletion is half done (its clock moved on: the rest reaches it by the change log)
    const loop = monitorEventLoopDelay({ resolution: 10 });
    let largestStep = 0;
    let active = N;
    let running = true;
    const midPolls: Promise<Awaited<ReturnType<typeof poll>>>[] = [];
    const watch = async () => {
      while (running) {
        await new Promise((r) => setImmediate(r));
        const a = env.lapi.activeDecisionCount(env.clock.now);
        largestStep = Math.max(largestStep, active - a);
        active = a;
        if (midPolls.length === 0 && a < N / 2 && a > 0) {
          env.clock.now += 10;
          midPolls.push(poll(0));
        }
      }
    };
    // the write transactions the deletion takes (LMDB's own, counted)
    const counted = countTransactions(env);
    loop.enable();
    const watching = watch();
    const del = await request(env.url, '/v1/decisions', { method: 'DELETE', headers: bearer(token) });
    running = false;
    await watching;
    loop.disable();
    assert.equal(del.body, `{"nbDeleted":"${N}"}`);
    assert.equal(env.lapi.activeDecisionCount(env.clock.now), 0);
    const transactions = counted.stop();
    assert.ok(transactions >= N / DELETE_CHUNK, `${transactions} transactions for ${N} decisions`);
    assert.ok(largestStep <= N / 20, `${largestStep} decisions deleted at once for the readers`);
    const maxMs = loop.max / 1e6;
    t.diagnostic(`loop max ${maxMs.toFixed(0)} ms, ${transactions} transactions, largest step ${largestStep}`);
    assert.ok(maxMs < 200, `the event loop was blocked ${maxMs.toFixed(0)} ms`);

    // the bouncer that polled in the middle got part of it, then the rest; the other one all of it at once
    assert.equal(midPolls.length, 1, 'a poll while the deletion was half done');
    const mid = deletedValues((await midPolls[0]!).body);
    assert.ok(mid.length > 0 && mid.length < N, `${mid.length} deleted in the poll during the deletion`);
    env.clock.now += 1000;
    const rest = deletedValues((await poll(0)).body);
    const all = new Set([...mid, ...rest]);
    assert.equal(all.size, N, `the bouncer polling during the deletion learned of ${all.size} of ${N}`);
    const once = deletedValues((await poll(1)).body);
    assert.equal(new Set(once).size, N);
    assert.equal(once.length, N);
  } finally {
    await env.cleanup();
  }
});

test('DELETE /v1/alerts of alerts with many decisions: about DELETE_CHUNK records per transaction', async () => {
  const env = await startEnv({ alertLog: false });
  try {
    await seed(env, 5000); // five alerts of 1,000 decisions: each heavier than half a chunk
    await addMachine(env, 'm', 'pw');
    const token = await login(env, 'm', 'pw');
    const counted = countTransactions(env);
    const del = await request(env.url, '/v1/alerts', { method: 'DELETE', headers: bearer(token) });
    const transactions = counted.stop();
    assert.equal(del.status, 200, del.body);
    assert.equal(del.body, '{"nbDeleted":"5"}');
    assert.ok(transactions >= 5000 / DELETE_CHUNK, `${transactions} transactions for 5 alerts, 5,000 decisions`);
    assert.equal(env.lapi.activeDecisionCount(env.clock.now), 0);
  } finally {
    await env.cleanup();
  }
});
