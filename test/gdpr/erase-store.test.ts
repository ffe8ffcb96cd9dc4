// Erasing an address at the store level (src/store/erase.ts) with a LAPI store that follows the change
// log: the stream delta of a bouncer that already pulled the ban lists it as deleted; withdrawn decisions
// stay through the stream's deleted window (24 h) and the retention pass removes them afterwards; the
// address as a token only (1.2.3.4 is not erased inside 11.2.3.45); the change log holds no address.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEnv, alert, decision, T0, HOUR } from '../store/lapi-fixtures.js';
import { addressPattern, eraseAddress, findAddress, mentions } from '../../src/store/erase.js';

const DAY = 24 * HOUR;
const POLICY = { maxAgeMs: 7 * DAY, maxItems: 5000 };

test('token match: the address alone, not inside another one', () => {
  const re = addressPattern('1.2.3.4');
  for (const s of ['1.2.3.4', 'from 1.2.3.4:22', '"1.2.3.4"', 'x=1.2.3.4, y', '1.2.3.4.'])
    assert.ok(mentions(s, re), s);
  for (const s of ['11.2.3.4', '1.2.3.45', '1.2.3.4.5', 'a1.2.3.4']) assert.ok(!mentions(s, re), s);
  assert.ok(mentions('client 2001:DB8::1 port', addressPattern('2001:db8::1')), 'IPv6, case-insensitive');
  assert.ok(!mentions('2001:db8::10', addressPattern('2001:db8::1')));
});

test('withdrawn bans reach a bouncer delta, survive 24 h of retention passes, then go', async () => {
  const env = await openEnv();
  try {
    await env.lapi.addAlerts([
      alert([decision('192.0.2.7', T0 + 4 * HOUR)]),
      alert([decision('192.0.2.8', T0 + 4 * HOUR)], { meta: [{ key: 'peer', value: '192.0.2.7' }] }),
    ]);
    const pulled = env.lapi.stream({}, { startup: true, lastPull: null, dedup: true, now: T0 });
    assert.deepEqual(
      pulled.new.map((d) => d.value),
      ['192.0.2.7', '192.0.2.8'],
    );
    env.now = T0 + HOUR;
    const c = await eraseAddress(env.store, '192.0.2.7', env.now);
    assert.deepEqual(c, {
      alertsDeleted: 1,
      eventsDeleted: 1,
      alertsScrubbed: 1,
      decisionsDeleted: 0,
      decisionsWithdrawn: 1,
      usageMetricsScrubbed: 0,
      agentsScrubbed: 0,
    });
    env.lapi.sync(); // what the running LAPI's timer does
    const delta = env.lapi.stream({}, { startup: false, lastPull: T0, dedup: true, now: env.now + 1000 });
    assert.deepEqual(
      delta.deleted.map((d) => d.value),
      ['192.0.2.7'],
    );
    assert.deepEqual(
      env.lapi.queryAlerts({ limit: 0 }, env.now).map((a) => a.source.value),
      ['192.0.2.8'],
    );
    assert.deepEqual(env.lapi.queryAlerts({ limit: 0 }, env.now)[0].meta, [{ key: 'peer', value: '[erased]' }]);
    // the change log: ids and times only
    for (const { value } of env.store.db('decisionLog').getRange({}))
      assert.deepEqual(Object.keys(value).sort(), ['at', 'id', 'k']);
    // retention passes inside the window keep the withdrawn record (a bouncer polling late still learns of it)
    await env.lapi.prune(POLICY, env.now + 2 * HOUR);
    assert.equal(findAddress(env.store, '192.0.2.7').decisions.length, 1);
    env.now = T0 + 26 * HOUR;
    await env.lapi.prune(POLICY, env.now);
    const left = findAddress(env.store, '192.0.2.7');
    assert.deepEqual([left.alerts, left.mentionedIn, left.decisions], [[], [], []]);
    assert.equal(env.lapi.getDecision(2)!.value, '192.0.2.8', 'the other source keeps its decision');
  } finally {
    await env.cleanup();
  }
});
