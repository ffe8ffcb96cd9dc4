// Usage metrics in the LMDB Local API store (spec lapi.md §8.7, §10): stored in time order, durable across a
// reopen, refused when malformed, and deleted by `prune` once older than 7 days.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEnv, T0, HOUR } from './lapi-fixtures.js';
import type { NewUsageMetrics } from '../../src/store/usage-metrics.js';

const DAY = 24 * HOUR;
const POLICY = { maxAgeMs: 7 * DAY, maxItems: 5000 };
const m = (generatedType: 'RC' | 'LP', generatedBy: string, receivedAt: number): NewUsageMetrics => ({
  generatedType,
  generatedBy,
  receivedAt,
  payload: JSON.stringify({ by: generatedBy, at: receivedAt }),
});

test('addUsageMetrics stores rows in receive-time order, kept after reopening the store', async () => {
  const env = await openEnv();
  try {
    await env.lapi.addUsageMetrics(m('LP', 'agent1', T0 + 2 * HOUR));
    await env.lapi.addUsageMetrics(m('RC', 'fw1', T0));
    await env.lapi.addUsageMetrics(m('RC', 'fw1', T0)); // same bouncer, same ms: both kept
    const rows = env.lapi.listUsageMetrics();
    assert.deepEqual(
      rows.map((r) => [r.generatedType, r.generatedBy, r.receivedAt, r.pushedAt]),
      [
        ['RC', 'fw1', T0, null],
        ['RC', 'fw1', T0, null],
        ['LP', 'agent1', T0 + 2 * HOUR, null],
      ],
    );
    assert.deepEqual(JSON.parse(rows[2].payload), { by: 'agent1', at: T0 + 2 * HOUR });
    await env.reopen();
    assert.equal(env.lapi.listUsageMetrics().length, 3);
  } finally {
    await env.cleanup();
  }
});

test('addUsageMetrics refuses malformed rows naming the field, and stores nothing', async () => {
  const env = await openEnv();
  try {
    await assert.rejects(
      env.lapi.addUsageMetrics({ ...m('RC', 'b', T0), generatedType: 'XX' as 'RC' }),
      /generatedType/,
    );
    await assert.rejects(env.lapi.addUsageMetrics(m('RC', '', T0)), /generatedBy/);
    await assert.rejects(env.lapi.addUsageMetrics(m('RC', 'b', Number.NaN)), /receivedAt/);
    await assert.rejects(
      env.lapi.addUsageMetrics({ ...m('RC', 'b', T0), payload: {} as unknown as string }),
      /payload/,
    );
    assert.deepEqual(env.lapi.listUsageMetrics(), []);
  } finally {
    await env.cleanup();
  }
});

test('prune deletes usage metrics older than 7 days and keeps the rest', async () => {
  const env = await openEnv();
  try {
    const now = T0 + 10 * DAY;
    await env.lapi.addUsageMetrics(m('RC', 'old', now - 8 * DAY));
    await env.lapi.addUsageMetrics(m('LP', 'edge', now - 7 * DAY)); // exactly 7 days: kept
    await env.lapi.addUsageMetrics(m('RC', 'recent', now - HOUR));
    for (let i = 0; i < 300; i++) await env.lapi.addUsageMetrics(m('RC', `bulk${i}`, T0 + i)); // more than one write batch
    await env.lapi.prune(POLICY, now);
    assert.deepEqual(
      env.lapi.listUsageMetrics().map((r) => r.generatedBy),
      ['edge', 'recent'],
    );
    await env.lapi.prune(POLICY, now + 7 * DAY - 2 * HOUR);
    assert.deepEqual(
      env.lapi.listUsageMetrics().map((r) => r.generatedBy),
      ['recent'],
    );
  } finally {
    await env.cleanup();
  }
});
