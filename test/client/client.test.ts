// The LAPI client library against a small node:http fixture on 127.0.0.1 that answers with the bodies
// captured from CrowdSec v1.4.6 (peers/real-clients.md): `null` lists and fractional durations, the JWT
// error shape, token renewal after a 401 and before `expire`, query encoding, error messages, and the
// alert forwarder's retry, drop counting and heartbeat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AlertForwarder,
  BouncerClient,
  LapiError,
  LapiUnreachableError,
  WatcherClient,
  type AlertInput,
} from '../../src/client/index.js';
import { encodeQuery } from '../../src/client/http.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Seen, res: http.ServerResponse) => void;

async function fixture(handler: Handler): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const LOGIN_OK = (expire: string) =>
  `{"code":200,"expire":"${expire}","token":"tok-${Math.random().toString(36).slice(2)}"}`;
const inOneHour = () => new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');

test('BouncerClient: v1.4.6 stream bodies (null lists, fractional and negative durations) are normalised', async () => {
  const f = await fixture((req, res) => {
    if (req.url === '/v1/decisions/stream?startup=true') {
      send(
        res,
        200,
        '{"deleted":[{"duration":"-1m6.76002092s","id":1,"origin":"cscli","scenario":"probe test","scope":"Ip","type":"ban","value":"192.0.2.10"}],"new":[{"duration":"1m44.274136883s","id":2,"origin":"cscli","scenario":"manual \'ban\' from \'probe-machine\'","scope":"Range","type":"ban","value":"198.51.100.0/24"}]}',
      );
    } else if (req.url === '/v1/decisions/stream') send(res, 200, '{"deleted":null,"new":null}');
    else if (req.url?.startsWith('/v1/decisions?')) send(res, 200, 'null');
    else send(res, 404, '');
  });
  const c = new BouncerClient({ url: f.url, apiKey: 'k'.repeat(32) });
  try {
    const p = c.poll();
    const first = await p.next();
    assert.deepEqual(first.new, [
      {
        id: 2,
        uuid: '',
        origin: 'cscli',
        type: 'ban',
        scope: 'Range',
        value: '198.51.100.0/24',
        scenario: "manual 'ban' from 'probe-machine'",
        durationSeconds: 104,
      },
    ]);
    assert.equal(first.deleted[0].durationSeconds, -67);
    assert.deepEqual(await p.next(), { new: [], deleted: [] });
    assert.deepEqual(await c.lookup({ ip: '2001:db8::1', type: 'ban' }), []);
    assert.equal(f.seen[0].headers['x-api-key'], 'k'.repeat(32));
    assert.match(String(f.seen[0].headers['user-agent']), /^picket-bouncer\/v\d/);
    assert.equal(f.seen[2].url, '/v1/decisions?type=ban&ip=2001%3Adb8%3A%3A1');
  } finally {
    await c.close();
    await f.close();
  }
});

test('BouncerClient: a 403 is a LapiError with the server message; the poller asks for startup again after an error', async () => {
  let fail = true;
  const f = await fixture((req, res) => {
    if (fail) {
      fail = false;
      send(res, 403, '{"message":"access forbidden"}');
      return;
    }
    send(res, 200, '{"new":[],"deleted":[]}');
  });
  const c = new BouncerClient({ url: f.url, apiKey: 'bad' });
  try {
    const p = c.poll({
      scopes: ['ip', 'range', 'username'],
      origins: ['crowdsec', 'cscli'],
      scenariosContaining: ['ssh'],
    });
    await assert.rejects(
      p.next(),
      (e: unknown) =>
        e instanceof LapiError &&
        e.status === 403 &&
        e.serverMessage === 'access forbidden' &&
        /403 access forbidden/.test(e.message),
    );
    await p.next();
    await p.next();
    assert.equal(
      f.seen[0].url,
      '/v1/decisions/stream?startup=true&scopes=ip%2Crange%2Cusername&origins=crowdsec%2Ccscli&scenarios_containing=ssh',
    );
    assert.match(f.seen[1].url, /startup=true/);
    assert.doesNotMatch(f.seen[2].url, /startup/);
  } finally {
    await c.close();
    await f.close();
  }
});

test('WatcherClient: logs in with a picket/<version> UA, re-logs in once after a 401 and retries the call', async () => {
  let tokenValid = '';
  const f = await fixture((req, res) => {
    if (req.url === '/v1/watchers/login') {
      const b = JSON.parse(req.body) as { machine_id: string; password: string; scenarios: unknown };
      if (b.password !== 'pw') {
        send(res, 401, '{"code":401,"message":"incorrect Username or Password"}');
        return;
      }
      const body = LOGIN_OK(inOneHour());
      tokenValid = (JSON.parse(body) as { token: string }).token;
      send(res, 200, body);
      return;
    }
    if (req.headers.authorization !== `Bearer ${tokenValid}`) {
      send(res, 401, '{"code":401,"message":"Token is expired"}');
      return;
    }
    if (req.url?.startsWith('/v1/alerts') && req.method === 'GET') send(res, 200, 'null');
    else if (req.url === '/v1/alerts' && req.method === 'POST') send(res, 201, '["6","7"]');
    else if (req.url === '/v1/heartbeat') {
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    } else if (req.url?.startsWith('/v1/decisions')) send(res, 200, '{"nbDeleted":"3"}');
    else send(res, 404, '');
  });
  const w = new WatcherClient({ url: f.url, machineId: 'probe-machine', password: 'pw' });
  try {
    assert.deepEqual(await w.listAlerts({ hasActiveDecision: true, includeCapi: false, limit: 100 }), []);
    assert.equal(f.seen[1].url, '/v1/alerts?has_active_decision=true&include_capi=false&limit=100');
    assert.match(String(f.seen[0].headers['user-agent']), /^picket\/v\d+\.\d+\.\d+$/);
    assert.deepEqual(JSON.parse(f.seen[0].body), { machine_id: 'probe-machine', password: 'pw', scenarios: null });
    assert.equal(w.logins, 1);
    tokenValid = 'rotated'; // as after a LAPI restart: the old token is refused
    await w.heartbeat();
    assert.equal(w.logins, 2);
    assert.deepEqual(await w.pushAlerts([]), ['6', '7']);
    assert.equal(await w.deleteDecisions({ ip: '2001:db8::77', scope: 'Ip' }), 3);
    assert.equal(f.seen.at(-1)!.url, '/v1/decisions?ip=2001%3Adb8%3A%3A77&scopes=Ip');
    assert.equal(await w.deleteDecision(4), 3);
    assert.equal(w.logins, 2);
  } finally {
    await w.close();
    await f.close();
  }

  const f2 = await fixture((_req, res) => send(res, 401, '{"code":401,"message":"incorrect Username or Password"}'));
  const bad2 = new WatcherClient({ url: f2.url, machineId: 'x', password: 'wrong' });
  try {
    await assert.rejects(
      bad2.heartbeat(),
      (e: unknown) =>
        e instanceof LapiError &&
        e.status === 401 &&
        e.serverMessage === 'incorrect Username or Password' &&
        e.path === '/v1/watchers/login',
    );
  } finally {
    await bad2.close();
    await f2.close();
  }
});

test('WatcherClient: the token is renewed before it expires (one minute ahead)', async () => {
  let logins = 0;
  const f = await fixture((req, res) => {
    if (req.url === '/v1/watchers/login') {
      logins++;
      // first token expires in 30 s: inside the renewal window, so the next call logs in again
      send(res, 200, LOGIN_OK(new Date(Date.now() + (logins === 1 ? 30_000 : 3600_000)).toISOString()));
      return;
    }
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  });
  const w = new WatcherClient({ url: f.url, machineId: 'm', password: 'p' });
  try {
    await w.heartbeat();
    await w.heartbeat();
    await w.heartbeat();
    assert.equal(logins, 2);
  } finally {
    await w.close();
    await f.close();
  }
});

test('errors: a non-JSON error body is shown raw, `errors` is appended, an unreachable LAPI names the URL', async () => {
  const f = await fixture((req, res) => {
    if (req.url === '/v1/watchers/login') {
      send(res, 200, LOGIN_OK(inOneHour()));
      return;
    }
    if (req.url?.startsWith('/v1/alerts/')) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('boom\n');
      return;
    }
    send(res, 422, '{"message":"validation failure","errors":"0.capacity in body is required"}');
  });
  const w = new WatcherClient({ url: f.url, machineId: 'm', password: 'p' });
  try {
    await assert.rejects(
      w.getAlert(5),
      (e: unknown) => e instanceof LapiError && e.status === 500 && e.serverMessage === 'boom',
    );
    await assert.rejects(
      w.pushAlerts([]),
      (e: unknown) =>
        e instanceof LapiError && e.serverMessage === 'validation failure (0.capacity in body is required)',
    );
  } finally {
    await w.close();
    await f.close();
  }
  const down = new BouncerClient({ url: 'http://127.0.0.1:1/', apiKey: 'k' });
  try {
    await assert.rejects(
      down.stream({ startup: true }),
      (e: unknown) => e instanceof LapiUnreachableError && /127\.0\.0\.1:1.*ECONNREFUSED/.test(e.message),
    );
  } finally {
    await down.close();
  }
  assert.throws(() => new BouncerClient({ url: 'not a url', apiKey: 'k' }), LapiUnreachableError);
});

test('encodeQuery percent-encodes like Go clients and repeats array keys', () => {
  assert.equal(
    encodeQuery({ ip: '2001:db8::77', uuid: ['a', 'b'], skip: undefined, n: 0, f: false }),
    'ip=2001%3Adb8%3A%3A77&uuid=a&uuid=b&n=0&f=false',
  );
  assert.equal(encodeQuery({ scenario: "manual 'ban' from 'x'" }), "scenario=manual%20'ban'%20from%20'x'");
});

function alert(n: number): AlertInput {
  const t = '2026-11-25T05:14:39Z';
  return {
    scenario: `s${n}`,
    scenario_hash: '',
    scenario_version: '',
    message: '',
    events_count: 1,
    start_at: t,
    stop_at: t,
    capacity: 0,
    leakspeed: '0',
    simulated: false,
    labels: null,
    events: [],
    source: { scope: 'Ip', value: `192.0.2.${n}` },
  };
}

test('AlertForwarder: retries with backoff while the LAPI fails, counts and logs drops when the queue is full', async () => {
  let failures = 2;
  const pushed: string[] = [];
  const f = await fixture((req, res) => {
    if (req.url === '/v1/watchers/login') {
      send(res, 200, LOGIN_OK(inOneHour()));
      return;
    }
    if (failures > 0) {
      failures--;
      send(res, 503, '{"message":"busy"}');
      return;
    }
    const list = JSON.parse(req.body) as Array<{ scenario: string }>;
    pushed.push(...list.map((a) => a.scenario));
    send(res, 201, JSON.stringify(list.map((_, i) => String(i + 1))));
  });
  const logs: string[] = [];
  const w = new WatcherClient({ url: f.url, machineId: 'm', password: 'p' });
  const fwd = new AlertForwarder(w, {
    maxQueue: 5,
    batchSize: 2,
    minBackoffMs: 20,
    maxBackoffMs: 40,
    heartbeatMs: 0,
    log: (l) => logs.push(l),
  });
  try {
    for (let i = 1; i <= 8; i++) fwd.push(alert(i));
    // the first push starts a batch at once (alert 1 in flight), 2..6 fill the queue, 7 and 8 are dropped
    assert.equal(fwd.stats.dropped, 2);
    assert.equal(fwd.stats.queued, 5);
    assert.ok(
      logs.some((l) => /alert queue full \(5, .*dropped 1 alert/.test(l)),
      logs.join('\n'),
    );
    const st = await fwd.close(10_000);
    assert.equal(st.sent, 6);
    assert.equal(st.dropped, 2);
    assert.equal(st.rejected, 0);
    assert.equal(st.failures, 2);
    assert.deepEqual(pushed, ['s1', 's2', 's3', 's4', 's5', 's6']);
    assert.ok(
      logs.some((l) => /failed \(.*503 busy\); retry in/.test(l)),
      logs.join('\n'),
    );
  } finally {
    await w.close();
    await f.close();
  }
});

test('AlertForwarder: a refused batch (4xx) is given up and counted; heartbeat runs every period; undelivered alerts are counted at close', async () => {
  let heartbeats = 0;
  let mode: 'refuse' | 'down' = 'refuse';
  const f = await fixture((req, res) => {
    if (req.url === '/v1/watchers/login') {
      send(res, 200, LOGIN_OK(inOneHour()));
      return;
    }
    if (req.url === '/v1/heartbeat') {
      heartbeats++;
      res.writeHead(200, { 'content-length': 0 });
      res.end();
      return;
    }
    if (mode === 'refuse') send(res, 400, '{"message":"invalid character"}');
    else res.destroy();
  });
  const logs: string[] = [];
  const w = new WatcherClient({ url: f.url, machineId: 'm', password: 'p' });
  const fwd = new AlertForwarder(w, { heartbeatMs: 25, minBackoffMs: 10_000, log: (l) => logs.push(l) });
  try {
    fwd.push(alert(1));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(fwd.stats.rejected, 1);
    assert.ok(
      logs.some((l) => /refused 1 alert\(s\), given up: .*400 invalid character/.test(l)),
      logs.join('\n'),
    );
    assert.ok(heartbeats >= 2, String(heartbeats));
    mode = 'down';
    fwd.push(alert(2));
    await new Promise((r) => setTimeout(r, 100));
    const st = await fwd.close(200);
    assert.equal(st.sent, 0);
    assert.equal(st.dropped, 1);
    assert.ok(
      logs.some((l) => /1 alert\(s\) not delivered .* dropped/.test(l)),
      logs.join('\n'),
    );
  } finally {
    await w.close();
    await f.close();
  }
});
