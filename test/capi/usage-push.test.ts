// The usage-metrics push (capi.md §7) on a real LMDB store against a scripted central on 127.0.0.1 (port 0): the
// AllMetrics body field by field (one entry per bouncer with every unpushed window, one per machine, `lapi` with
// the console options and one empty window), rows marked pushed on 2xx and on 422 (never resent), kept on 5xx,
// and the push as a part of the CrowdService.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CapiClient } from '../../src/capi/client.js';
import { defaultOnlineClient } from '../../src/capi/config.js';
import { CrowdService } from '../../src/capi/service.js';
import { UsagePusher } from '../../src/capi/usage-push.js';
import { bouncer, machine, openEnv, T0, type Env } from '../store/lapi-fixtures.js';

interface Central {
  url: string;
  bodies: Record<string, unknown>[];
  /** status answered to POST /v3/usage-metrics */
  status: number;
  close(): Promise<void>;
}

async function scriptedCentral(): Promise<Central> {
  const c = { bodies: [], status: 200 } as unknown as Central;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      if (req.url === '/v3/watchers/login') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 200, expire: '2030-01-01T00:00:00Z', token: 'tok' }));
        return;
      }
      if (req.url === '/v3/usage-metrics' && req.method === 'POST') {
        assert.equal(req.headers.authorization, 'Bearer tok');
        c.bodies.push(JSON.parse(text) as Record<string, unknown>);
        res.writeHead(c.status, { 'content-type': 'application/json' }).end('{"message":"x"}');
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  c.close = () => new Promise((r) => server.close(() => r()));
  return c;
}

const RC_WINDOW = (n: number) => ({
  meta: { window_size_seconds: 1800, utc_now_timestamp: 1732511800 + n },
  items: [{ name: 'dropped', value: n, unit: 'packet', labels: { origin: 'CAPI', ip_type: 'ipv4' } }],
});
const LP_WINDOW = { meta: { window_size_seconds: 1800, utc_now_timestamp: 1732511900 }, items: [] };
const OS = { name: 'debian', version: '12' };
const LP_ITEM = {
  version: 'v1.4.6',
  os: OS,
  feature_flags: [],
  utc_startup_timestamp: 9,
  hub_items: { parsers: [{ name: 'crowdsecurity/sshd-logs', version: '2.9', status: 'enabled' }] },
  datasources: { file: 2 },
  metrics: [LP_WINDOW],
};

async function seed(env: Env): Promise<void> {
  await env.lapi.putBouncer({ ...bouncer('fw1', 'h1'), type: 'crowdsec-firewall-bouncer', lastPull: T0 + 1500 });
  await env.lapi.putBouncer(bouncer('idle', 'h2'));
  await env.lapi.putMachine({ ...machine('agent1'), lastPush: T0 + 2000, lastHeartbeat: T0 + 3000 });
  const rc = (n: number) => ({
    remediation_components: [
      {
        version: 'v0.0.31',
        type: 'x',
        os: OS,
        feature_flags: ['a'],
        utc_startup_timestamp: 7,
        metrics: [RC_WINDOW(n)],
      },
    ],
  });
  await env.lapi.addUsageMetrics({
    generatedType: 'RC',
    generatedBy: 'fw1',
    receivedAt: T0,
    payload: JSON.stringify(rc(1)),
  });
  await env.lapi.addUsageMetrics({
    generatedType: 'RC',
    generatedBy: 'fw1',
    receivedAt: T0 + 1,
    payload: JSON.stringify(rc(2)),
  });
  const lp = { log_processors: [LP_ITEM] };
  await env.lapi.addUsageMetrics({
    generatedType: 'LP',
    generatedBy: 'agent1',
    receivedAt: T0 + 2,
    payload: JSON.stringify(lp),
  });
}

/** a seeded store and a scripted central, closed after `fn` */
async function withSite(fn: (env: Env, central: Central, client: CapiClient) => Promise<void>): Promise<void> {
  const env = await openEnv();
  const central = await scriptedCentral();
  try {
    await seed(env);
    await fn(env, central, new CapiClient({ url: central.url, login: 'm', password: 'p' }, () => []));
  } finally {
    await central.close();
    await env.cleanup();
  }
}

/** the remediation_components entry `name` of push number `n` */
const rcOf = (central: Central, n: number, name: string): Record<string, unknown> =>
  (central.bodies[n]!.remediation_components as Record<string, unknown>[]).find((r) => r.name === name)!;

const config = { ...defaultOnlineClient('/x'), shareCustom: true, shareTainted: true, shareManualDecisions: false };

test('usage metrics: the body field by field, rows marked pushed on 2xx and never resent', () =>
  withSite(async (env, central, client) => {
    const pusher = new UsagePusher(env.lapi, client, config, { firstMs: 3_600_000 });
    assert.equal(await pusher.push(), true);
    const body = central.bodies[0]!;
    assert.deepEqual(Object.keys(body).sort(), ['lapi', 'log_processors', 'remediation_components']);
    const rcs = body.remediation_components as Record<string, unknown>[];
    assert.deepEqual(rcs.map((r) => r.name).sort(), ['fw1', 'idle']);
    assert.deepEqual(
      rcs.find((r) => r.name === 'fw1'),
      {
        name: 'fw1',
        type: 'crowdsec-firewall-bouncer',
        version: 'v0.0.28',
        os: OS,
        feature_flags: ['a'],
        utc_startup_timestamp: 7,
        last_pull: Math.floor((T0 + 1500) / 1000),
        metrics: [RC_WINDOW(1), RC_WINDOW(2)],
      },
    );
    const idle = rcs.find((r) => r.name === 'idle')!;
    assert.deepEqual(idle.metrics, []);
    assert.deepEqual(idle.feature_flags, []);
    assert.equal('last_pull' in idle, false);
    assert.deepEqual(body.log_processors, [
      {
        name: 'agent1',
        ...LP_ITEM,
        last_push: Math.floor((T0 + 2000) / 1000),
        last_update: Math.floor((T0 + 3000) / 1000),
      },
    ]);
    const lapi = body.lapi as Record<string, unknown>;
    assert.match(String(lapi.version), /^v\d/);
    assert.deepEqual(lapi.console_options, ['share_custom,share_tainted']);
    assert.deepEqual(lapi.feature_flags, []);
    assert.equal(typeof (lapi.os as { name: unknown }).name, 'string');
    const win = (lapi.metrics as { meta: { window_size_seconds: number }; items: unknown[] }[])[0]!;
    assert.equal(win.meta.window_size_seconds, 1800);
    assert.deepEqual(win.items, []);
    assert.equal((lapi.metrics as unknown[]).length, 1);

    assert.ok(
      env.lapi.listUsageMetrics().every((r) => r.pushedAt !== null),
      'every row marked pushed',
    );
    assert.equal(pusher.counters.rowsMarked, 3);
    // a second push resends nothing; a window reported meanwhile goes alone
    const rc3 = { remediation_components: [{ version: 'v0.0.31', metrics: [RC_WINDOW(3)] }] };
    await env.lapi.addUsageMetrics({
      generatedType: 'RC',
      generatedBy: 'fw1',
      receivedAt: T0 + 9,
      payload: JSON.stringify(rc3),
    });
    assert.equal(await pusher.push(), true);
    assert.deepEqual(rcOf(central, 1, 'fw1').metrics, [RC_WINDOW(3)]);
    assert.deepEqual((central.bodies[1]!.log_processors as Record<string, unknown>[])[0]!.metrics, []);
    await pusher.stop();
  }));

test('usage metrics: a 5xx keeps the rows for the next push, a 422 marks them pushed (never resent)', () =>
  withSite(async (env, central, client) => {
    const lines: string[] = [];
    const pusher = new UsagePusher(env.lapi, client, config, { log: (l) => lines.push(l) });
    central.status = 503;
    assert.equal(await pusher.push(), false);
    assert.ok(env.lapi.listUsageMetrics().every((r) => r.pushedAt === null));
    assert.match(lines.join('\n'), /usage metrics push failed \(503/);
    central.status = 422;
    assert.equal(await pusher.push(), true);
    assert.equal((rcOf(central, 1, 'fw1').metrics as unknown[]).length, 2, 'the failed push resent as a whole');
    assert.ok(env.lapi.listUsageMetrics().every((r) => r.pushedAt !== null));
    central.status = 200;
    await pusher.push();
    assert.deepEqual(rcOf(central, 2, 'fw1').metrics, []);
    assert.deepEqual(pusher.counters, { sent: 1, refused: 1, failed: 1, rowsMarked: 3 });
  }));

test('usage metrics: a part of the CrowdService, pushed after firstUsageMs then every usageIntervalMs', () =>
  withSite(async (env, central) => {
    const svc = new CrowdService({
      env: env.store,
      store: env.lapi,
      config: { ...config, sharing: 'off' },
      credentials: { url: central.url, login: 'm', password: 'p' },
      log: () => {},
      firstMetricsMs: 3_600_000,
      firstUsageMs: 10,
      usageIntervalMs: 50,
      auditRetentionMs: 3_600_000,
    });
    await svc.start();
    assert.ok(svc.partNames.includes('usage metrics push'));
    const deadline = Date.now() + 20_000;
    while (central.bodies.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await svc.stop();
    assert.ok(central.bodies.length >= 2, 'pushed at least twice');
    assert.equal((rcOf(central, 0, 'fw1').metrics as unknown[]).length, 2);
    assert.deepEqual(rcOf(central, 1, 'fw1').metrics, []);
    const win = (central.bodies[0]!.lapi as { metrics: { meta: { window_size_seconds: number } }[] }).metrics[0]!;
    assert.equal(win.meta.window_size_seconds, 0);
  }));
