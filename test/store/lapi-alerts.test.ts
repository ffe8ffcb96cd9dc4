import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEnv, alert, decision, ip, machine, bouncer, T0, HOUR, MIN, type Env } from './lapi-fixtures.js';
import type { AlertFilter } from '../../src/store/records.js';

const DAY = 24 * HOUR;

async function seed(env: Env): Promise<number[]> {
  return env.lapi.addAlerts([
    // 1: ssh-bf, active ban
    alert([decision('192.0.2.1', T0 + HOUR)], { startAt: '2026-11-25T04:00:00.5Z', createdAt: T0 - HOUR }),
    // 2: http probing, expired captcha
    alert([decision('192.0.2.2', T0 - MIN, { type: 'captcha', scenario: 'crowdsecurity/http-probing' })], {
      startAt: '2026-11-25T03:00:00Z',
      createdAt: T0 - 2 * HOUR,
    }),
    // 3: community blocklist (CAPI)
    alert([decision('192.0.2.3', T0 + HOUR, { origin: 'CAPI', scenario: 'crowdsecurity/ssh-bf' })], {
      scenario: 'update : +1/-0 IPs',
      source: {
        scope: 'crowdsecurity/community-blocklist',
        value: '',
        ip: '',
        range: '',
        asNumber: '',
        asName: '',
        cn: '',
        latitude: 0,
        longitude: 0,
      },
      createdAt: T0 - HOUR,
    }),
    // 4: lists:, no decisions
    alert([], {
      scenario: 'firehol',
      source: {
        scope: 'lists:firehol',
        value: 'x',
        ip: '',
        range: '',
        asNumber: '',
        asName: '',
        cn: '',
        latitude: 0,
        longitude: 0,
      },
      createdAt: T0 - HOUR,
    }),
    // 5: simulated
    alert([decision('192.0.2.5', T0 + HOUR, { simulated: true })], { createdAt: T0 - 30 * MIN }),
    // 6: manual range, cscli-style (decision scenario differs from the alert's), old
    alert([decision('10.0.0.0/8', T0 + HOUR, { origin: 'cscli', scenario: "manual 'ban' from 'm1'" })], {
      scenario: 'manual',
      kind: 'manual',
      startAt: '2026-11-22T05:00:00Z',
      createdAt: T0 - 3 * DAY,
    }),
  ]);
}

test('addAlerts: ids from 1 in order, uuids, records stored as given; ids never reused (delete, reopen)', async () => {
  const env = await openEnv();
  try {
    const ids = await seed(env);
    assert.deepEqual(ids, [1, 2, 3, 4, 5, 6]);
    const a1 = env.lapi.getAlert(1)!;
    assert.equal(a1.scenario, 'crowdsecurity/ssh-bf');
    assert.equal(a1.startAt, '2026-11-25T04:00:00.5Z');
    assert.deepEqual(a1.events, [
      { timestamp: '2026-11-25T05:00:00Z', meta: [{ key: 'source_ip', value: '192.0.2.1' }] },
    ]);
    assert.deepEqual(a1.decisionIds, [1]);
    assert.equal(env.lapi.getDecision(1)!.alertId, 1);
    assert.equal(env.lapi.getAlert(4)!.decisionIds.length, 0);
    const uuids = new Set([1, 2, 3, 4, 5, 6].map((i) => env.lapi.getAlert(i)!.uuid));
    assert.equal(uuids.size, 6);
    assert.ok(!('decisions' in a1), 'the NewAlert decisions list is not stored on the alert');
    assert.equal(await env.lapi.deleteAlert(6), true);
    assert.deepEqual(await env.lapi.addAlerts([alert([decision('192.0.2.9', T0 + HOUR)])]), [7]);
    await env.reopen();
    assert.deepEqual(await env.lapi.addAlerts([alert([decision('192.0.2.9', T0 + HOUR)])]), [8]);
    assert.equal(env.lapi.getDecision(7)!.alertId, 8, 'decision ids continue too');
    assert.equal(env.lapi.getAlert(6), undefined);
  } finally {
    await env.cleanup();
  }
});

test('queryAlerts: every filter of §6.7', async () => {
  const env = await openEnv();
  try {
    await seed(env);
    const q = (f: AlertFilter): number[] => env.lapi.queryAlerts({ sort: 'ASC', ...f }, T0).map((a) => a.id);
    assert.deepEqual(q({}), [6, 2, 1, 3, 4, 5], 'ASC by created_at then id');
    assert.deepEqual(
      env.lapi.queryAlerts({}, T0).map((a) => a.id),
      [5, 4, 3, 1, 2, 6],
      'DESC by default',
    );
    assert.deepEqual(q({ scope: 'Range' }), [6]);
    assert.deepEqual(q({ value: '192.0.2.1' }), [1]);
    assert.deepEqual(q({ scenario: "manual 'ban' from 'm1'" }), [6], 'a decision scenario');
    assert.deepEqual(q({ scenario: 'crowdsecurity/ssh-bf' }), [1, 3, 5], 'alert or decision scenario');
    assert.deepEqual(q({ range: ip('10.1.2.3') }), [6]);
    assert.deepEqual(q({ range: ip('192.0.2.0/24'), contains: false }), [2, 1, 3, 5]);
    assert.deepEqual(q({ range: ip('192.0.2.0/24') }), [], 'no decision contains the /24');
    assert.deepEqual(q({ since: Date.parse('2026-11-25T03:30:00Z') }), [1, 3, 4, 5]);
    assert.deepEqual(q({ until: Date.parse('2026-11-25T04:00:00.5Z') }), [6, 2, 1]);
    assert.deepEqual(q({ createdBefore: T0 - HOUR }), [6, 2, 1, 3, 4]);
    assert.deepEqual(q({ hasActiveDecision: true }), [6, 1, 3, 5]);
    assert.deepEqual(q({ hasActiveDecision: false }), [4], 'no decision at all');
    assert.deepEqual(q({ decisionType: 'captcha' }), [2]);
    assert.deepEqual(q({ origin: 'CAPI', includeCapi: false }), [3], 'origin implies include_capi');
    assert.deepEqual(q({ includeCapi: false }), [6, 2, 1, 5], 'CAPI and lists alerts hidden');
    assert.deepEqual(q({ simulated: false }), [6, 2, 1, 3, 4]);
    assert.deepEqual(q({ kind: 'manual' }), [6]);
    assert.deepEqual(q({ hasActiveDecision: true, includeCapi: false, simulated: false }), [6, 1]);
    assert.deepEqual(
      [...env.lapi.countAlertsByScenario({ includeCapi: false, limit: 1 }, T0)].sort(),
      [
        ['crowdsecurity/http-probing', 1],
        ['crowdsecurity/ssh-bf', 2],
        ['manual', 1],
      ],
      'counts ignore the limit',
    );
  } finally {
    await env.cleanup();
  }
});

test('queryAlerts: limit default 100, 0 = unlimited', async () => {
  const env = await openEnv();
  try {
    const batch = Array.from({ length: 150 }, (_, i) => alert([decision(`198.18.0.${i}`, T0 + HOUR)]));
    await env.lapi.addAlerts(batch);
    assert.equal(env.lapi.queryAlerts({}, T0).length, 100);
    assert.equal(env.lapi.queryAlerts({ limit: 0 }, T0).length, 150);
    assert.deepEqual(
      env.lapi.queryAlerts({ limit: 2 }, T0).map((a) => a.id),
      [150, 149],
      'same created_at: id DESC',
    );
  } finally {
    await env.cleanup();
  }
});

test('deleteAlerts: hard delete cascades to decisions (LMDB and index), limit ignored', async () => {
  const env = await openEnv();
  try {
    await seed(env);
    assert.equal(await env.lapi.deleteAlerts({ scenario: 'crowdsecurity/ssh-bf', limit: 1 }, T0), 3);
    for (const id of [1, 3, 5]) assert.equal(env.lapi.getAlert(id), undefined);
    // decision ids: alert 1 -> 1, 2 -> 2, 3 -> 3, 5 -> 4, 6 -> 5 (alert 4 has none)
    for (const id of [1, 3, 4]) assert.equal(env.lapi.getDecision(id), undefined, `decision ${id} gone`);
    assert.deepEqual(env.lapi.queryDecisions({ range: ip('192.0.2.1') }, T0), []);
    assert.equal(env.lapi.countDecisions('192.0.2.1', { activeOnly: false, now: T0 }), 0);
    assert.deepEqual(
      env.lapi.queryDecisions({ simulated: true }, T0).map((d) => d.value),
      ['10.0.0.0/8'],
    );
    assert.equal(await env.lapi.deleteAlert(1), false);
    await env.reopen();
    assert.deepEqual(
      env.lapi.indexedDecisions().map((d) => d.id),
      [2, 5],
    );
  } finally {
    await env.cleanup();
  }
});

test('machines: CRUD; deleting a machine leaves its alerts with machineId N/A', async () => {
  const env = await openEnv();
  try {
    await env.lapi.putMachine(machine('m1'));
    await env.lapi.putMachine(machine('m2'));
    await env.lapi.putMachine({ ...machine('m2'), lastHeartbeat: T0 + MIN });
    assert.equal(env.lapi.getMachine('m2')!.lastHeartbeat, T0 + MIN);
    assert.deepEqual(
      env.lapi.listMachines().map((m) => m.machineId),
      ['m1', 'm2'],
    );
    await env.lapi.addAlerts([alert([decision('192.0.2.1', T0 + HOUR)]), alert([], { machineId: 'm2' })]);
    assert.equal(await env.lapi.deleteMachine('m1'), true);
    assert.equal(await env.lapi.deleteMachine('m1'), false);
    assert.equal(env.lapi.getMachine('m1'), undefined);
    assert.equal(env.lapi.getAlert(1)!.machineId, 'N/A');
    assert.equal(env.lapi.getAlert(2)!.machineId, 'm2');
  } finally {
    await env.cleanup();
  }
});

test('bouncers: CRUD, lookup by key hash, key change drops the old hash', async () => {
  const env = await openEnv();
  try {
    await env.lapi.putBouncer(bouncer('fw', 'aa'));
    await env.lapi.putBouncer(bouncer('nginx', 'bb'));
    assert.equal(env.lapi.getBouncerByKeyHash('aa')!.name, 'fw');
    assert.equal(env.lapi.getBouncerByName('nginx')!.apiKeyHash, 'bb');
    await env.lapi.putBouncer({ ...bouncer('fw', 'cc'), lastPull: T0 });
    assert.equal(env.lapi.getBouncerByKeyHash('aa'), undefined, 'old key no longer works');
    assert.equal(env.lapi.getBouncerByKeyHash('cc')!.lastPull, T0);
    assert.deepEqual(
      env.lapi.listBouncers().map((b) => b.name),
      ['fw', 'nginx'],
    );
    await assert.rejects(
      env.lapi.putBouncer(bouncer('x'.repeat(5000), 'dd')),
      /bouncer name must be a non-empty string/,
    );
    await assert.rejects(env.lapi.putBouncer(bouncer('fw', '')), /API key hash/);
    assert.equal(env.lapi.getBouncerByKeyHash('cc')!.name, 'fw', 'a refused write changes nothing');
    assert.equal(await env.lapi.deleteBouncer('fw'), true);
    assert.equal(await env.lapi.deleteBouncer('fw'), false);
    assert.equal(env.lapi.getBouncerByKeyHash('cc'), undefined);
    assert.equal(env.lapi.getBouncerByName('fw'), undefined);
  } finally {
    await env.cleanup();
  }
});

test('addAlerts: malformed input is refused naming the alert and field, and nothing is written', async () => {
  const env = await openEnv();
  try {
    const good = alert([decision('192.0.2.1', T0 + HOUR)]);
    const noSource = { ...alert([]), source: undefined } as unknown as Parameters<typeof env.lapi.addAlerts>[0][number];
    await assert.rejects(env.lapi.addAlerts([good, noSource]), /alert 1: source must be an object/);
    const badUntil = alert([decision('192.0.2.2', Number.NaN)]);
    await assert.rejects(env.lapi.addAlerts([good, badUntil]), /alert 1, decision 0: until must be a finite time/);
    assert.deepEqual(env.lapi.queryAlerts({}, T0), []);
    assert.deepEqual(env.lapi.queryDecisions({}, T0), []);
    assert.deepEqual(await env.lapi.addAlerts([good]), [1], 'no id was consumed');
    assert.equal(env.lapi.radixEntries(), 1);
  } finally {
    await env.cleanup();
  }
});
