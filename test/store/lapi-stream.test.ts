import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEnv, alert, decision, values, T0, HOUR, MIN } from './lapi-fixtures.js';
import type { DecisionFilter } from '../../src/store/records.js';

const BOUNCER: DecisionFilter = { scopes: ['Ip', 'Range'] };
const SEC = 1000;

test('stream startup: active matches in new, known expired in deleted, simulated never, scopes default filter', async () => {
  const env = await openEnv();
  try {
    await env.lapi.addAlerts([
      alert([decision('192.0.2.1', T0 + HOUR)]),
      alert([decision('192.0.2.2', T0 - MIN)]), // expired a minute ago
      alert([decision('192.0.2.3', T0 + HOUR, { simulated: true })]),
      alert([decision('192.0.2.4', T0 - MIN, { simulated: true })]),
      alert([decision('FR', T0 + HOUR, { scope: 'Country' })]),
      alert([decision('10.0.0.0/8', T0 + HOUR)]),
    ]);
    const s = env.lapi.stream(BOUNCER, { startup: true, lastPull: null, dedup: true, now: T0 });
    assert.deepEqual(values(s.new), ['192.0.2.1', '10.0.0.0/8']);
    assert.deepEqual(values(s.deleted), ['192.0.2.2']);
    const c = env.lapi.stream({ scopes: ['Country'] }, { startup: true, lastPull: T0, dedup: true, now: T0 });
    assert.deepEqual(values(c.new), ['FR'], 'startup=true ignores lastPull');
    const never = env.lapi.stream(BOUNCER, { startup: false, lastPull: null, dedup: true, now: T0 });
    assert.deepEqual(never, s, 'a bouncer that never pulled gets the snapshot');
  } finally {
    await env.cleanup();
  }
});

test('stream startup dedup: longest until per (value,type,scope); ties both; deleted hidden by a longer row', async () => {
  const env = await openEnv();
  try {
    await env.lapi.addAlerts([
      alert([decision('192.0.2.1', T0 + HOUR)]), // 1
      alert([decision('192.0.2.1', T0 + 2 * HOUR)]), // 2: wins
      alert([decision('192.0.2.1', T0 + HOUR, { type: 'captcha' })]), // 3: other type
      alert([decision('192.0.2.5', T0 + HOUR), decision('192.0.2.5', T0 + HOUR)]), // 4, 5: tie
      alert([decision('192.0.2.6', T0 - MIN)]), // 6: expired, hidden by 7
      alert([decision('192.0.2.6', T0 + HOUR)]), // 7
      alert([decision('192.0.2.7', T0 - 2 * MIN), decision('192.0.2.7', T0 - MIN)]), // 8, 9: only 9 deleted
    ]);
    const s = env.lapi.stream(BOUNCER, { startup: true, lastPull: null, dedup: true, now: T0 });
    assert.deepEqual(
      s.new.map((d) => d.id),
      [2, 3, 4, 5, 7],
    );
    assert.deepEqual(
      s.deleted.map((d) => d.id),
      [9],
    );
    const raw = env.lapi.stream(BOUNCER, { startup: true, lastPull: null, dedup: false, now: T0 });
    assert.deepEqual(
      raw.new.map((d) => d.id),
      [1, 2, 3, 4, 5, 7],
    );
    assert.deepEqual(
      raw.deleted.map((d) => d.id),
      [6, 8, 9],
    );
  } finally {
    await env.cleanup();
  }
});

test('stream dedup within the filtered, non-simulated set (sane deviation of spec 7.3)', async () => {
  const env = await openEnv();
  try {
    await env.lapi.addAlerts([
      alert([decision('192.0.2.77', T0 + 4 * HOUR)]), // 1 crowdsec 4h
      alert([decision('192.0.2.77', T0 + 5 * HOUR, { origin: 'cscli' })]), // 2 cscli 5h
      alert([decision('192.0.2.78', T0 + HOUR)]), // 3
      alert([decision('192.0.2.78', T0 + 9 * HOUR, { simulated: true })]), // 4 longer but simulated
    ]);
    const s = env.lapi.stream(
      { ...BOUNCER, origins: ['crowdsec'] },
      { startup: true, lastPull: null, dedup: true, now: T0 },
    );
    assert.deepEqual(
      s.new.map((d) => d.id),
      [1, 3],
      'a longer row outside the filter does not hide one inside; simulated hides nothing',
    );
  } finally {
    await env.cleanup();
  }
});

test('stream delta: new = created after lastPull and active; deleted = until in (L-2s, now]; 2 s overlap', async () => {
  const env = await openEnv();
  try {
    env.now = T0;
    await env.lapi.addAlerts([alert([decision('192.0.2.1', T0 + HOUR)])]); // 1, created T0
    const L1 = T0 + 10 * SEC;
    env.now = T0 + 11 * SEC;
    await env.lapi.addAlerts([alert([decision('192.0.2.2', T0 + HOUR)])]); // 2, created after L1
    await env.lapi.addAlerts([alert([decision('192.0.2.3', T0 + 12 * SEC)])]); // 3, created after L1, expires at +12s
    let d = env.lapi.stream(BOUNCER, { startup: false, lastPull: L1, dedup: true, now: T0 + 11 * SEC });
    assert.deepEqual(values(d.new), ['192.0.2.2', '192.0.2.3']);
    assert.deepEqual(d.deleted, []);
    // next poll: 3 has expired naturally, 1 is soft-deleted at +20s
    const L2 = T0 + 11 * SEC + 500; // the next poll started after those were applied
    assert.equal(await env.lapi.expireDecisions({ value: '192.0.2.1' }, T0 + 20 * SEC), 1);
    d = env.lapi.stream(BOUNCER, { startup: false, lastPull: L2, dedup: true, now: T0 + 21 * SEC });
    assert.deepEqual(d.new, []);
    assert.deepEqual(values(d.deleted), ['192.0.2.1', '192.0.2.3'], 'natural expiry and soft delete');
    assert.ok(d.deleted[0].until <= T0 + 21 * SEC);
    // poll 1 s later: the deletion at +20 s is reported again (until > L - 2 s), +12 s is not
    d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + 21 * SEC, dedup: true, now: T0 + 22 * SEC });
    assert.deepEqual(values(d.deleted), ['192.0.2.1'], 'reported twice thanks to the 2 s overlap');
    d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + 22 * SEC, dedup: true, now: T0 + 23 * SEC });
    assert.deepEqual(values(d.deleted), [], 'until = L - 2 s exactly is outside (L-2s, now]');
    d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + 21999, dedup: true, now: T0 + 23 * SEC });
    assert.deepEqual(values(d.deleted), ['192.0.2.1']);
  } finally {
    await env.cleanup();
  }
});

test('stream delta dedup: shorter created under a longer active -> nothing; longer over shorter -> new; deleting the shorter -> nothing', async () => {
  const env = await openEnv();
  try {
    env.now = T0;
    await env.lapi.addAlerts([alert([decision('203.0.113.7', T0 + 3 * MIN)])]); // 1: 3 min
    const L = T0 + 10 * SEC;
    env.now = T0 + 20 * SEC;
    await env.lapi.addAlerts([alert([decision('203.0.113.7', T0 + 90 * SEC)])]); // 2: 90 s, shorter
    await env.lapi.addAlerts([alert([decision('198.51.100.1', T0 + MIN)])]); // 3
    let d = env.lapi.stream(BOUNCER, { startup: false, lastPull: L, dedup: true, now: T0 + 21 * SEC });
    assert.deepEqual(
      d.new.map((x) => x.id),
      [3],
      'shorter decision under a longer active one is not sent',
    );
    const raw = env.lapi.stream(BOUNCER, { startup: false, lastPull: L, dedup: false, now: T0 + 21 * SEC });
    assert.deepEqual(
      raw.new.map((x) => x.id),
      [2, 3],
      'dedup=false sends it',
    );
    env.now = T0 + 30 * SEC;
    await env.lapi.addAlerts([alert([decision('198.51.100.1', T0 + 10 * MIN)])]); // 4: longer over 3
    d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + 21 * SEC, dedup: true, now: T0 + 31 * SEC });
    assert.deepEqual(
      d.new.map((x) => x.id),
      [4],
      'longer decision over a shorter one is sent',
    );
    // soft-deleting the 3 min ban (1) while the 90 s one (2) exists: 1's until becomes +40 s, shorter than
    // 2's +90 s, so 1 is not reported (spec §5.1 table; the bouncer keeps 1 until 2 expires)
    assert.equal(await env.lapi.expireDecision(1, T0 + 40 * SEC), true);
    d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + 31 * SEC, dedup: true, now: T0 + 41 * SEC });
    assert.deepEqual(d.deleted, [], 'deleting one while a longer one exists reports nothing');
    // soft-deleting 3 while the longer 4 is active reports nothing either
    assert.equal(await env.lapi.expireDecision(3, T0 + 42 * SEC), true);
    d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + 41 * SEC, dedup: true, now: T0 + 43 * SEC });
    assert.deepEqual(d.deleted, []);
    // when 2 (90 s) expires naturally it is reported
    d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + 89 * SEC, dedup: true, now: T0 + 91 * SEC });
    assert.deepEqual(
      d.deleted.map((x) => x.id),
      [2],
    );
  } finally {
    await env.cleanup();
  }
});

test('stream: simulated never streamed; hard-deleted alert decisions vanish silently', async () => {
  const env = await openEnv();
  try {
    env.now = T0;
    const [a1] = await env.lapi.addAlerts([alert([decision('192.0.2.50', T0 + HOUR)])]);
    env.now = T0 + 5 * SEC;
    await env.lapi.addAlerts([alert([decision('192.0.2.51', T0 + HOUR, { simulated: true })])]);
    let d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + SEC, dedup: true, now: T0 + 6 * SEC });
    assert.deepEqual(d.new, [], 'simulated never in new');
    assert.equal(await env.lapi.expireDecisions({ value: '192.0.2.51', simulated: true }, T0 + 7 * SEC), 1);
    d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + 6 * SEC, dedup: true, now: T0 + 8 * SEC });
    assert.deepEqual(d.deleted, [], 'simulated never in deleted');
    assert.equal(await env.lapi.deleteAlert(a1), true);
    d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + 8 * SEC, dedup: true, now: T0 + 9 * SEC });
    assert.deepEqual(d, { new: [], deleted: [] }, 'hard delete: bouncers are not told');
    const s = env.lapi.stream(BOUNCER, { startup: true, lastPull: null, dedup: true, now: T0 + 9 * SEC });
    assert.deepEqual(s, { new: [], deleted: [] }, 'and it is absent from the next snapshot');
  } finally {
    await env.cleanup();
  }
});

test('stream delta: a soft deletion applied after the 2 s overlap is still reported (change log)', async () => {
  const env = await openEnv();
  try {
    await env.lapi.addAlerts([alert([decision('192.0.2.60', T0 + HOUR)])]);
    // deleted with until := T0 + 10 s, but the index applies it only at T0 + 15 s (slow commit, other process)
    env.now = T0 + 15 * SEC;
    assert.equal(await env.lapi.expireDecisions({ value: '192.0.2.60' }, T0 + 10 * SEC), 1);
    // a poll that ran at T0 + 14 s saw the decision active; the next one must report the deletion
    const d = env.lapi.stream(BOUNCER, { startup: false, lastPull: T0 + 14 * SEC, dedup: true, now: T0 + 24 * SEC });
    assert.deepEqual(values(d.deleted), ['192.0.2.60']);
    const later = env.lapi.stream(BOUNCER, {
      startup: false,
      lastPull: T0 + 24 * SEC,
      dedup: true,
      now: T0 + 34 * SEC,
    });
    assert.deepEqual(later.deleted, [], 'once');
  } finally {
    await env.cleanup();
  }
});
