import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEnv, alert, decision, T0, HOUR, MIN } from './lapi-fixtures.js';
import { DEFAULT_RETENTION } from '../../src/store/lapi-store.js';

const DAY = 24 * HOUR;

test('retention defaults are CrowdSec flush defaults: 7 days, 5000 alerts', () => {
  assert.deepEqual({ ...DEFAULT_RETENTION }, { maxAgeMs: 7 * DAY, maxItems: 5000 });
});

test('prune by age: old alerts go with their decisions, an alert with an active decision stays', async () => {
  const env = await openEnv();
  try {
    const now = T0 + 10 * DAY;
    await env.lapi.addAlerts([
      alert([decision('192.0.2.1', T0 + HOUR)], { createdAt: T0 }), // old, expired: goes
      alert([decision('192.0.2.2', now + HOUR)], { createdAt: T0 }), // old, still active: stays
      alert([], { createdAt: T0 }), // old, no decision: goes
      alert([decision('192.0.2.4', T0 + HOUR)], { createdAt: now - DAY }), // recent: stays
    ]);
    const r = await env.lapi.prune({ maxAgeMs: 7 * DAY, maxItems: 5000 }, now);
    assert.deepEqual(r, { alerts: 2, decisions: 1 });
    assert.deepEqual(
      env.lapi.queryAlerts({ limit: 0, sort: 'ASC' }, now).map((a) => a.id),
      [2, 4],
    );
    assert.equal(env.lapi.getDecision(1), undefined);
    assert.equal(env.lapi.getDecision(2)!.value, '192.0.2.2');
    assert.deepEqual(
      await env.lapi.prune({ maxAgeMs: 7 * DAY, maxItems: 5000 }, now),
      { alerts: 0, decisions: 0 },
      'idempotent',
    );
  } finally {
    await env.cleanup();
  }
});

test('prune by count: the oldest beyond maxItems go first, never one with an active decision', async () => {
  const env = await openEnv();
  try {
    const now = T0 + HOUR;
    const alerts = [];
    for (let i = 0; i < 10; i++) {
      // alert i created at T0 + i min; alert 0 and 1 keep an active decision
      alerts.push(alert([decision(`192.0.2.${i}`, i < 2 ? now + HOUR : T0 + 30 * MIN)], { createdAt: T0 + i * MIN }));
    }
    await env.lapi.addAlerts(alerts);
    const r = await env.lapi.prune({ maxAgeMs: 7 * DAY, maxItems: 6 }, now);
    assert.deepEqual(r, { alerts: 4, decisions: 4 });
    assert.deepEqual(
      env.lapi.queryAlerts({ limit: 0, sort: 'ASC' }, now).map((a) => a.id),
      [1, 2, 7, 8, 9, 10],
    );
    // maxItems 0 with everything expired but two protected: only the protected remain
    const r2 = await env.lapi.prune({ maxAgeMs: 7 * DAY, maxItems: 0 }, now);
    assert.equal(r2.alerts, 4);
    assert.deepEqual(
      env.lapi.queryAlerts({ limit: 0, sort: 'ASC' }, now).map((a) => a.id),
      [1, 2],
    );
  } finally {
    await env.cleanup();
  }
});

test('prune: expired decisions whose alert is gone are removed (LMDB and index), active orphans kept', async () => {
  const env = await openEnv();
  try {
    await env.lapi.addAlerts([
      alert([decision('192.0.2.1', T0 + MIN), decision('192.0.2.2', T0 + 3 * DAY), decision('192.0.2.3', T0 + DAY)]),
    ]);
    // the alert row vanishes behind the store's back (a foreign tool, a partial restore)
    await env.store.db('alerts').remove(1 as unknown as string);
    const now = T0 + DAY + HOUR;
    const r = await env.lapi.prune({ maxAgeMs: 7 * DAY, maxItems: 5000 }, now);
    assert.deepEqual(r, { alerts: 0, decisions: 1 }, 'only the one expired longer than the index retention (24 h)');
    assert.equal(env.lapi.getDecision(1), undefined);
    assert.equal(env.lapi.getDecision(3)!.value, '192.0.2.3', 'expired 1 h ago: still in the stream deleted window');
    assert.equal(env.lapi.indexedDecisions().length, 2);
    assert.equal(env.lapi.queryDecisions({ value: '192.0.2.2' }, now).length, 1);
  } finally {
    await env.cleanup();
  }
});

test('index retention: decisions expired longer ago leave the index and the snapshot; old log entries trimmed', async () => {
  const env = await openEnv({ indexRetentionMs: HOUR });
  try {
    await env.lapi.addAlerts([alert([decision('192.0.2.1', T0 + MIN)]), alert([decision('192.0.2.2', T0 + 3 * HOUR)])]);
    let s = env.lapi.stream({}, { startup: true, lastPull: null, dedup: true, now: T0 + 30 * MIN });
    assert.deepEqual([s.new.map((d) => d.id), s.deleted.map((d) => d.id)], [[2], [1]]);
    env.now = T0 + 2 * HOUR; // the store clock moves: the next catch-up evicts what expired before T0 + 1 h
    await env.lapi.expireDecision(2, T0 + 2 * HOUR);
    s = env.lapi.stream({}, { startup: true, lastPull: null, dedup: true, now: T0 + 2 * HOUR });
    assert.deepEqual([s.new.map((d) => d.id), s.deleted.map((d) => d.id)], [[], [2]]);
    assert.equal(env.lapi.getDecision(1)!.id, 1, 'still in LMDB with its alert');
    const log = env.store.db('decisionLog');
    assert.equal(log.getCount(), 5, 'two decisions and two alerts created, one soft delete');
    await env.lapi.prune({ maxAgeMs: 7 * DAY, maxItems: 5000 }, T0 + 2 * HOUR + 30 * MIN);
    assert.equal(log.getCount(), 1, 'the creations (logged at T0) are trimmed, the soft delete (T0+2h) is kept');
    assert.equal(env.lapi.queryAlerts({}, T0).length, 2, 'trimming the log keeps the alerts');
    await env.lapi.prune({ maxAgeMs: 7 * DAY, maxItems: 5000 }, T0 + 3 * HOUR + 30 * MIN);
    s = env.lapi.stream({}, { startup: true, lastPull: null, dedup: true, now: T0 + 3 * HOUR + 30 * MIN });
    assert.deepEqual(s, { new: [], deleted: [] }, 'prune evicts from the index too');
    assert.equal(log.getCount(), 0);
  } finally {
    await env.cleanup();
  }
});
