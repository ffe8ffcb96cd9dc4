// The crowd client's parts on a real LMDB store and a real Picket Central on 127.0.0.1 (port 0): the
// online_client section in Picket's config (errors name file, line and key) and CrowdSec's config.yaml (with
// console.yaml's share_* options); CrowdService (offer in order, catch-up of alerts stored but not offered when
// the process died, no backfill at the first start, Prometheus counters, stop); the metrics push (capi.md §6
// shape, accepted by the central); the report's CrowdLedger and the GDPR holder over the outbox and audit trail.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import client from 'prom-client';
import { parseConfig } from '../../src/config/config.js';
import { CrowdService } from '../../src/capi/service.js';
import { CapiClient, newCredentials } from '../../src/capi/client.js';
import { defaultOnlineClient } from '../../src/capi/config.js';
import { MetricsPusher, metricsBody } from '../../src/capi/metrics-push.js';
import { registerCrowdProviders, CROWD_HOLDER } from '../../src/cli/run-crowd.js';
import { crowdLedger, registerCrowdLedger } from '../../src/report/crowd.js';
import { registeredHolders, unregisterHolder } from '../../src/gdpr/registry.js';
import { SignalOutbox } from '../../src/store/outbox.js';
import { SSH_BF_HASH, startEnv } from '../central/helpers.js';
import { alert, bouncer, decision, machine, openEnv, type Env } from '../store/lapi-fixtures.js';
import { tempDir } from '../cli/helpers.js';

test('online_client in config.yaml: parsed with defaults; a bad value names the file, line and key', () => {
  const c = parseConfig(
    'listen: 127.0.0.1:8080\nonline_client:\n  credentials_path: /etc/picket/online.yaml\n' +
      '  sharing: full\n  share_context: true\n  pull:\n    interval: 5m\n    blocklists: false\n',
    'p.yaml',
  );
  assert.deepEqual(c.onlineClient, {
    ...defaultOnlineClient('/etc/picket/online.yaml'),
    sharing: 'full',
    shareContext: true,
    pull: { community: true, blocklists: false, intervalMs: 300_000 },
  });
  assert.equal(c.onlineCredentialsPath, '/etc/picket/online.yaml');
  assert.equal(parseConfig('listen: 127.0.0.1:8080\n', 'p.yaml').onlineClient, undefined);
  const bad = (text: string, re: RegExp) => assert.throws(() => parseConfig(text, 'p.yaml'), re);
  bad('online_client:\n  credentials_path: /x\n  sharing: most\n', / p\.yaml:3: online_client\.sharing: off, minimal/);
  bad('online_client:\n  credentials_path: /x\n  shares: true\n', / p\.yaml:3: online_client\.shares: unknown key/);
  bad(
    'online_client:\n  credentials_path: /x\n  pull:\n    interval: 1s\n',
    / p\.yaml:4: online_client\.pull\.interval/,
  );
  bad('online_client:\n  sharing: full\n', / p\.yaml:\d+: online_client\.credentials_path: a file path is required/);
  bad('online_client: [1]\n', / p\.yaml:1: online_client: a mapping expected/);
});

test("CrowdSec's config.yaml: online_client and console.yaml's share_* map onto online_client", () => {
  const dir = tempDir('picket-crowd-cs-');
  try {
    const consoleFile = path.join(dir, 'console.yaml');
    fs.writeFileSync(consoleFile, 'share_manual_decisions: true\nshare_tainted: false\nconsole_management: false\n');
    const text = (sharing: string) =>
      `api:\n  server:\n    listen_uri: 127.0.0.1:8080\n    console_path: ${consoleFile}\n    online_client:\n` +
      `      credentials_path: /etc/crowdsec/online_api_credentials.yaml\n      sharing: ${sharing}\n` +
      '      pull:\n        community: false\n';
    const c = parseConfig(text('true'), 'config.yaml');
    assert.deepEqual(c.onlineClient, {
      ...defaultOnlineClient('/etc/crowdsec/online_api_credentials.yaml'),
      shareManualDecisions: true,
      shareTainted: false,
      pull: { community: false, blocklists: true, intervalMs: 7_200_000 },
    });
    assert.ok(!(c.ignored ?? []).some((k) => k.startsWith('api.server.online_client')), String(c.ignored));
    assert.equal(parseConfig(text('false'), 'config.yaml').onlineClient?.sharing, 'off');
    fs.writeFileSync(consoleFile, 'share_custom: maybe\n');
    assert.throws(() => parseConfig(text('true'), 'config.yaml'), /console\.yaml: share_custom: expected true/);
    const none = parseConfig('api:\n  server:\n    listen_uri: 127.0.0.1:8080\n', 'config.yaml');
    assert.equal(none.onlineClient, undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** `n` stored alerts about 45.60.0.<i>, stamped now */
async function storeAlerts(env: Env, first: number, n: number): Promise<number[]> {
  const now = new Date().toISOString();
  const list = Array.from({ length: n }, (_, i) =>
    alert([decision(`45.60.0.${first + i}`, Date.now() + 3_600_000)], {
      scenarioHash: SSH_BF_HASH,
      startAt: now,
      stopAt: now,
    }),
  );
  return env.lapi.addAlerts(list);
}

test('CrowdService: offers stored alerts in order, catches up after a crash, counts on /metrics, stops', async () => {
  const central = await startEnv();
  const env = await openEnv();
  env.now = Date.now();
  const logs: string[] = [];
  try {
    const creds = newCredentials(central.url);
    await new CapiClient(creds).register();
    const reg = new client.Registry();
    const opts = {
      env: env.store,
      store: env.lapi,
      config: defaultOnlineClient('/unused'),
      credentials: creds,
      registry: reg,
      log: (l: string) => logs.push(l),
      firstPushMs: 3_600_000,
      auditRetentionMs: 7 * 86_400_000,
    };
    await storeAlerts(env, 1, 2); // before any central API: never shared
    let crowd = await new CrowdService(opts).start();
    assert.deepEqual(crowd.partNames, ['signal push', 'metrics push', 'usage metrics push']);
    crowd.offer(await storeAlerts(env, 3, 3));
    await crowd.stop();
    assert.equal(crowd.outbox.size, 3);
    // stored while the process was dying (never offered): caught up at the next start
    await storeAlerts(env, 6, 2);
    crowd = await new CrowdService(opts).start();
    const queued = crowd.outbox.peek(10).map((q) => (JSON.parse(q.entry.body) as { source: { value: string } }).source);
    assert.deepEqual(
      queued.map((s) => s.value),
      ['45.60.0.3', '45.60.0.4', '45.60.0.5', '45.60.0.6', '45.60.0.7'],
    );
    await crowd.pusher!.flush();
    assert.deepEqual(crowd.counters(), { queued: 2, sent: 5, failedBatches: 0, refused: 0, dropped: 0, outbox: 0 });
    await central.central.service.ingest.flush();
    assert.equal((await central.central.service.store.stats()).signals, 5);
    const text = await reg.metrics();
    assert.match(text, /picket_capi_signals_queued_total 2\n/);
    assert.match(text, /picket_capi_signals_sent_total 5\n/);
    assert.match(text, /picket_capi_signals_dropped_total 0\n/);
    assert.match(text, /picket_capi_batches_failed_total 0\n/);
    crowd.add({ name: 'community pull', stop: () => undefined });
    await crowd.stop();
    crowd.offer(await storeAlerts(env, 20, 1));
    assert.equal(crowd.outbox.size, 0, 'nothing is queued once stopped');
  } finally {
    await env.cleanup();
    await central.cleanup();
  }
});

test('metrics push: bouncers and machines as CrowdSec sends them, accepted by Picket Central', async () => {
  const central = await startEnv();
  const env = await openEnv();
  try {
    await env.lapi.putMachine({ ...machine('web01'), lastPush: Date.UTC(2026, 10, 25, 5, 20, 44, 500) });
    await env.lapi.putBouncer({ ...bouncer('fw', 'h1'), version: '', lastPull: Date.UTC(2026, 10, 25, 5, 19, 45) });
    const body = metricsBody(env.lapi);
    assert.match(body.apil_version, /^v\d+\.\d+\.\d+-\w+$/);
    assert.deepEqual(body.bouncers, [
      { custom_name: 'fw', name: 'cs-firewall-bouncer', last_pull: '2026-11-25T05:19:45Z' },
    ]);
    assert.deepEqual(body.machines, [
      { name: 'web01', version: 'v1.4.6', last_update: '2026-11-25T05:00:00Z', last_push: '2026-11-25T05:20:44Z' },
    ]);
    const creds = newCredentials(central.url);
    const c = new CapiClient(creds);
    await c.register();
    const pusher = new MetricsPusher(env.lapi, c);
    assert.equal(await pusher.push(), true);
    await central.central.service.machines.flush();
    const m = await central.central.service.machines.get(creds.login);
    assert.ok(m?.metricsAt, 'the central recorded the push');
    const down = new MetricsPusher(env.lapi, new CapiClient({ ...creds, url: 'http://127.0.0.1:9' }), {
      log: () => undefined,
    });
    assert.equal(await down.push(), false);
    assert.deepEqual(down.counters, { sent: 0, failed: 1 });
  } finally {
    await env.cleanup();
    await central.cleanup();
  }
});

test('report ledger and GDPR holder: signals sent per month by scenario; export and erase by address', async () => {
  const env = await openEnv();
  try {
    const box = new SignalOutbox(env.store);
    const sig = (ip: string, scenario: string) => JSON.stringify({ scenario, source: { scope: 'Ip', value: ip } });
    await box.enqueue('u1', sig('45.61.0.1', 'crowdsecurity/ssh-bf'));
    await box.enqueue('u2', sig('45.61.0.2', 'crowdsecurity/ssh-bf'));
    await box.enqueue('u3', sig('45.61.0.1', 'crowdsecurity/http-probing'));
    await box.ack(box.peek(2), 'http://central/v3/signals', Date.UTC(2026, 10, 3));
    registerCrowdProviders(env.store, 7 * 86_400_000);
    const ledger = crowdLedger()!;
    assert.deepEqual(ledger.signalsSent(Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1)), {
      total: 2,
      byScenario: [{ label: 'crowdsecurity/ssh-bf', count: 2 }],
    });
    assert.equal(ledger.signalsSent(Date.UTC(2026, 11, 1), Date.UTC(2027, 0, 1)).total, 0);
    const holder = registeredHolders().find((h) => h.name === CROWD_HOLDER)!;
    const items = await holder.find('45.61.0.1');
    assert.deepEqual(
      items.map((i) => [i.kind, i.id, i.deleteBy]),
      [
        ['signal', 'u1', '2026-11-10T00:00:00.000Z'],
        ['signal-queued', 'u3', null],
      ],
    );
    assert.match(items[0]!.where, /http:\/\/central\/v3\/signals/);
    assert.deepEqual(await holder.erase('45.61.0.1'), { 'signal-queued': 1, signal: 1 });
    assert.deepEqual(await holder.find('45.61.0.1'), []);
    assert.equal((await holder.find('45.61.0.2')).length, 1, 'other addresses stay');
    assert.equal(await box.enqueue('u3', sig('45.61.0.1', 'x')), true, 'an erased queued uuid is free again');
  } finally {
    registerCrowdLedger(null);
    unregisterHolder(CROWD_HOLDER);
    await env.cleanup();
  }
});
