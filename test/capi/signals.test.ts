// The CAPI client's sharing side (issue 13): online_client parsing, credentials file, alert -> signal (minimal
// and full, field by field against capi.md §4.2), the durable outbox (dedupe by UUID, bound, restart) and
// delivery to a real Picket Central on loopback, with retry while it is down.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store/lmdb.js';
import { SignalOutbox } from '../../src/store/outbox.js';
import type { AlertRecord, DecisionRecord } from '../../src/store/records.js';
import { defaultOnlineClient, parseOnlineClient, readCredentials, writeCredentials } from '../../src/capi/config.js';
import { toSignal, trustClass } from '../../src/capi/signal.js';
import { CapiClient, newCredentials } from '../../src/capi/client.js';
import { SignalPusher } from '../../src/capi/pusher.js';
import { SSH_BF_HASH, startEnv } from '../central/helpers.js';
import { MINIMAL_SIGNAL_KEYS } from './crowd-helpers.js';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'picket-capi-'));

function alert(uuid: string, ip: string, over: Partial<AlertRecord> = {}): AlertRecord {
  const now = new Date();
  return {
    id: 1,
    uuid,
    machineId: 'site-a-agent',
    createdAt: now.getTime(),
    scenario: 'crowdsecurity/ssh-bf',
    scenarioHash: SSH_BF_HASH,
    scenarioVersion: '0.1',
    message: `Ip ${ip} performed 'crowdsecurity/ssh-bf'`,
    eventsCount: 6,
    startAt: new Date(now.getTime() - 2000).toISOString(),
    stopAt: now.toISOString(),
    capacity: 5,
    leakspeed: '10s',
    simulated: false,
    remediation: true,
    kind: '',
    labels: null,
    source: {
      scope: 'Ip',
      value: ip,
      ip,
      range: '203.0.113.0/24',
      asNumber: '64500',
      asName: 'EX',
      cn: 'FR',
      latitude: 48.85,
      longitude: 2.35,
    },
    events: [{ timestamp: now.toISOString(), meta: [{ key: 'log_type', value: 'ssh_failed-auth' }] }],
    meta: [{ key: 'target_user', value: 'root' }],
    decisionIds: [1],
    ...over,
  };
}

function decision(ip: string, origin = 'crowdsec'): DecisionRecord {
  const stop = Date.now();
  return {
    id: 1,
    uuid: 'd-1',
    alertId: 1,
    createdAt: stop,
    until: stop + 4 * 3_600_000,
    scenario: 'crowdsecurity/ssh-bf',
    type: 'ban',
    scope: 'Ip',
    value: ip,
    origin,
    simulated: false,
    range: null,
  };
}

test('online_client: defaults, validation naming the field, credentials file round trip', () => {
  assert.equal(parseOnlineClient(undefined, 'c.yaml'), null);
  const c = parseOnlineClient({ credentials_path: '/x.yaml' }, 'c.yaml')!;
  assert.deepEqual(c, defaultOnlineClient('/x.yaml'));
  assert.equal(c.sharing, 'minimal');
  assert.equal(c.pull.intervalMs, 7_200_000);
  assert.throws(
    () => parseOnlineClient({ credentials_path: '/x', sharing: 'most' }, 'c.yaml'),
    /c\.yaml: online_client\.sharing/,
  );
  assert.throws(
    () => parseOnlineClient({ credentials_path: '/x', bogus: 1 }, 'c.yaml'),
    /online_client\.bogus: unknown key/,
  );
  assert.throws(
    () => parseOnlineClient({ credentials_path: '/x', pull: { interval: '1s' } }, 'c.yaml'),
    /pull\.interval/,
  );
  assert.equal(
    parseOnlineClient({ credentials_path: '/x', pull: { interval: '1s' } }, 'c.yaml', 1000)!.pull.intervalMs,
    1000,
  );
  const dir = tmp();
  const f = path.join(dir, 'online_api_credentials.yaml');
  const cr = newCredentials('http://127.0.0.1:1/');
  assert.match(cr.login, /^[a-zA-Z0-9]{48}$/);
  assert.match(cr.password, /^[a-zA-Z0-9]{64}$/);
  writeCredentials(f, cr);
  assert.deepEqual(readCredentials(f), cr);
  assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  fs.writeFileSync(f, 'url: http://x\nlogin: a\n');
  assert.throws(() => readCredentials(f), /password: required/);
  fs.rmSync(dir, { recursive: true });
});

test('signals: trust classes and sharing rules (capi.md §4.1)', () => {
  const c = defaultOnlineClient('/x');
  const ip = '203.0.113.7';
  assert.equal(trustClass(alert('u', ip), [decision(ip)]), 'certified');
  assert.equal(trustClass(alert('u', ip, { scenarioHash: '' }), [decision(ip)]), 'custom');
  assert.equal(trustClass(alert('u', ip, { scenarioVersion: '?' }), [decision(ip)]), 'tainted');
  assert.equal(trustClass(alert('u', ip), [decision(ip, 'cscli')]), 'manual');
  assert.equal(toSignal(alert('u', ip, { simulated: true }), [decision(ip)], c), null);
  assert.equal(toSignal(alert('u', ip), [decision(ip, 'cscli')], c), null);
  assert.notEqual(toSignal(alert('u', ip), [decision(ip, 'cscli')], { ...c, shareManualDecisions: true }), null);
  assert.equal(toSignal(alert('u', ip, { scenarioHash: '' }), [decision(ip)], { ...c, shareCustom: false }), null);
  assert.equal(toSignal(alert('u', ip, { scenarioVersion: '' }), [decision(ip)], { ...c, shareTainted: false }), null);
  assert.equal(toSignal(alert('u', ip), [decision(ip)], { ...c, sharing: 'off' }), null);
});

test('signals: minimal and full payloads, field by field (capi.md §4.2)', () => {
  const ip = '203.0.113.7';
  const a = alert('a-uuid', ip);
  const min = JSON.parse(JSON.stringify(toSignal(a, [decision(ip)], defaultOnlineClient('/x')))) as Record<
    string,
    unknown
  >;
  // always present (may be empty/null): message, scenario, hash, version, source{scope,value}, start/stop, context
  assert.deepEqual(Object.keys(min), MINIMAL_SIGNAL_KEYS);
  assert.equal(min.message, '');
  assert.equal(min.scenario, 'crowdsecurity/ssh-bf');
  assert.equal(min.scenario_hash, SSH_BF_HASH);
  assert.equal(min.scenario_version, '0.1');
  assert.equal(min.scenario_trust, 'certified');
  assert.deepEqual(min.source, { scope: 'Ip', value: ip });
  assert.equal(min.start_at, a.startAt);
  assert.equal(min.stop_at, a.stopAt);
  assert.equal(min.uuid, 'a-uuid');
  assert.equal(min.context, null);
  const full = JSON.parse(
    JSON.stringify(toSignal(a, [decision(ip)], { ...defaultOnlineClient('/x'), sharing: 'full', shareContext: true })),
  ) as Record<string, unknown>;
  assert.equal(full.message, a.message);
  assert.deepEqual(full.source, {
    scope: 'Ip',
    value: ip,
    ip,
    range: '203.0.113.0/24',
    as_number: '64500',
    as_name: 'EX',
    cn: 'FR',
    latitude: 48.85,
    longitude: 2.35,
  });
  assert.equal(full.machine_id, 'site-a-agent');
  assert.equal(full.kind, 'crowdsec');
  assert.deepEqual(full.decisions, [
    {
      duration: '4h0m0s',
      id: 0,
      origin: 'crowdsec',
      scenario: 'crowdsecurity/ssh-bf',
      scope: 'Ip',
      type: 'ban',
      value: ip,
      uuid: 'd-1',
    },
  ]);
  assert.deepEqual(full.context, [{ key: 'target_user', value: 'root' }]);
  for (const never of [
    'events',
    'labels',
    'capacity',
    'leakspeed',
    'events_count',
    'remediation',
    'alert_id',
    'simulated',
  ])
    assert.ok(!(never in full), `${never} never sent`);
});

test('outbox: dedupe by uuid, oldest dropped past the bound, survives reopening', async () => {
  const dir = tmp();
  let env = openStore(dir);
  let box = new SignalOutbox(env, 3);
  for (const u of ['u1', 'u2', 'u3', 'u4']) assert.equal(await box.enqueue(u, `{"uuid":"${u}"}`), true);
  assert.equal(await box.enqueue('u4', '{}'), false);
  assert.equal(box.size, 3);
  assert.equal(box.dropped, 1);
  assert.deepEqual(
    box.peek(10).map((i) => i.entry.uuid),
    ['u2', 'u3', 'u4'],
  );
  await box.ack(box.peek(1), 'http://c/v3/signals', 1000);
  assert.equal(await box.enqueue('u2', '{}'), false, 'already sent');
  await env.close();
  env = openStore(dir);
  box = new SignalOutbox(env, 3);
  assert.deepEqual(
    box.peek(10).map((i) => i.entry.uuid),
    ['u3', 'u4'],
  );
  assert.equal(await box.enqueue('u5', '{}'), true);
  assert.deepEqual(
    box.peek(10).map((i) => i.entry.uuid),
    ['u3', 'u4', 'u5'],
  );
  assert.deepEqual(box.sentSince(0), [{ uuid: 'u2', sentAt: 1000, url: 'http://c/v3/signals', body: '{"uuid":"u2"}' }]);
  assert.equal(await box.pruneSent(2000), 1);
  await env.close();
  fs.rmSync(dir, { recursive: true });
});

test('push to Picket Central: register, batches of 50, retry while down, delivered once after restart', async () => {
  const central = await startEnv({ acceptRanges: ['198.51.100.0/24', '203.0.113.0/24'] });
  const dir = tmp();
  try {
    const creds = newCredentials(central.url);
    const client = new CapiClient(creds, () => ['crowdsecurity/ssh-bf']);
    await client.register();
    await client.login();
    let env = openStore(dir);
    const cfg = defaultOnlineClient(path.join(dir, 'creds.yaml'));
    let pusher = new SignalPusher(new SignalOutbox(env), client, cfg);
    for (let i = 0; i < 60; i++) {
      const ip = `198.51.100.${i + 1}`;
      assert.equal(await pusher.offer(alert(`uuid-${i}`, ip), [decision(ip)]), true);
    }
    // central unreachable: batch kept, counted failed
    const down = new CapiClient({ ...creds, url: 'http://127.0.0.1:9' });
    const p2 = new SignalPusher(new SignalOutbox(env), down, cfg);
    assert.equal(await p2.flush(), false);
    assert.equal(p2.counters.failedBatches, 1);
    assert.equal(new SignalOutbox(env).size, 60);
    // restart site A (store reopened), then the central is back
    await env.close();
    env = openStore(dir);
    const box = new SignalOutbox(env);
    pusher = new SignalPusher(box, client, cfg);
    const queued = box.peek(1)[0]!.entry.body;
    assert.equal(await pusher.offer(alert('uuid-0', '198.51.100.1'), [decision('198.51.100.1')]), false, 'queued once');
    await pusher.flush();
    assert.equal(pusher.counters.sent, 60);
    assert.equal(box.size, 0);
    const m = await central.central.service.machines.get(creds.login);
    assert.equal(m?.signals, 60, 'every signal delivered once');
    const sent = box.sentSince(0);
    assert.equal(sent.length, 60);
    assert.equal(sent[0]!.body, queued, 'the audit keeps the bytes sent');
    assert.equal(sent[0]!.url, `${central.url}/v3/signals`);
    assert.deepEqual(Object.keys(JSON.parse(sent[0]!.body) as object).sort(), [
      'context',
      'message',
      'scenario',
      'scenario_hash',
      'scenario_trust',
      'scenario_version',
      'source',
      'start_at',
      'stop_at',
      'uuid',
    ]);
    await pusher.flush();
    assert.equal(m?.signals, 60, 'nothing sent twice');
    await env.close();
  } finally {
    await central.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
