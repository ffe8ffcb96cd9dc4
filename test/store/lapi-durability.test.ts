import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openEnv, alert, decision, ip, bouncer, T0, HOUR, MIN } from './lapi-fixtures.js';
import { openStore } from '../../src/store/lmdb.js';
import { openLapiStore } from '../../src/store/lapi-store.js';
import type { DecisionFilter } from '../../src/store/records.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lapi-child.js');
const run = promisify(execFile);

test('reopen after close rebuilds the index identically', async () => {
  const env = await openEnv();
  try {
    const batch = [];
    for (let i = 0; i < 300; i++) {
      const v =
        i % 3 === 0 ? `10.${i}.0.0/16` : i % 3 === 1 ? `192.0.${i >> 8}.${i & 255}` : `2001:db8::${i.toString(16)}`;
      batch.push(
        alert([
          decision(v, T0 + (i % 7) * MIN - 2 * MIN, { type: i % 5 === 0 ? 'captcha' : 'ban', simulated: i % 11 === 0 }),
          decision(v, T0 + (i % 13) * MIN),
        ]),
      );
    }
    await env.lapi.addAlerts(batch);
    env.now = T0 + MIN;
    await env.lapi.expireDecisions({ range: ip('192.0.0.0/16'), contains: false }, T0 + MIN);
    await env.lapi.deleteAlerts({ range: ip('10.0.0.0/8'), contains: false, limit: 0 }, T0);
    const snap = () => {
      const f: DecisionFilter = { scopes: ['Ip', 'Range'] };
      return {
        all: env.lapi.indexedDecisions(),
        startup: env.lapi.stream(f, { startup: true, lastPull: null, dedup: true, now: T0 + 2 * MIN }),
        delta: env.lapi.stream(f, { startup: false, lastPull: T0 - MIN, dedup: true, now: T0 + 3 * MIN }),
        live: env.lapi.queryDecisions({ range: ip('2001:db8::/64'), contains: false, simulated: true }, T0),
        count: env.lapi.activeDecisionCount(T0),
        alerts: env.lapi.queryAlerts({ limit: 0 }, T0),
        activeAlerts: env.lapi
          .queryAlerts({ hasActiveDecision: true, limit: 0, sort: 'ASC' }, T0 + 5 * MIN)
          .map((a) => a.id),
      };
    };
    const before = snap();
    assert.ok(
      before.all.length > 300 &&
        before.startup.new.length > 0 &&
        before.startup.deleted.length > 0 &&
        before.delta.deleted.length > 0,
    );
    await env.reopen();
    assert.deepEqual(snap(), before);
  } finally {
    await env.cleanup();
  }
});

test('a child killed with SIGKILL right after addAlerts resolved loses nothing', async () => {
  const env = await openEnv();
  await env.lapi.close();
  await env.store.close();
  try {
    const child = spawn(process.execPath, [CHILD, env.dir, 'add', '500'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b;
    });
    const committed = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`child silent: ${err}`));
      }, 20_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b;
        const m = /committed (\d+)-(\d+)\n/.exec(out);
        if (m) {
          child.kill('SIGKILL');
          clearTimeout(timer);
          resolve(m[0]);
        }
      });
      child.on('exit', (code) => {
        if (!/committed/.test(out)) {
          clearTimeout(timer);
          reject(new Error(`child exited ${code}: ${err}`));
        }
      });
    });
    await new Promise((r) => child.once('close', r));
    assert.equal(child.signalCode, 'SIGKILL');
    assert.equal(committed, 'committed 1-500\n');
    env.store = openStore(env.dir);
    env.lapi = openLapiStore(env.store, { syncIntervalMs: 0 });
    const alerts = env.lapi.queryAlerts({ limit: 0, sort: 'ASC' }, Date.now());
    assert.ok(alerts.length >= 500, `${alerts.length} alerts`);
    assert.deepEqual(
      alerts.slice(0, 500).map((a) => a.id),
      Array.from({ length: 500 }, (_, i) => i + 1),
    );
    // whatever else was committed before the kill is whole: each alert has its decision
    for (const a of alerts) {
      assert.equal(a.decisionIds.length, 1);
      assert.equal(env.lapi.getDecision(a.decisionIds[0])!.alertId, a.id);
    }
    assert.equal(env.lapi.queryDecisions({ range: ip('198.18.1.243') }, Date.now()).length, alerts.length / 500);
    assert.deepEqual(await env.lapi.addAlerts([alert([])]), [alerts.length + 1], 'counters survived');
  } finally {
    await env.cleanup();
  }
});

test('another process on the same folder: bouncer writes seen at once, decisions after the catch-up', async () => {
  const env = await openEnv({ clock: Date.now, syncIntervalMs: 20 });
  try {
    await run(process.execPath, [CHILD, env.dir, 'bouncer', 'cli-made', 'k1']);
    assert.equal(env.lapi.getBouncerByKeyHash('k1')?.name, 'cli-made', 'direct LMDB read, no stale cache');
    await env.lapi.putBouncer(bouncer('mine', 'k2'));
    await run(process.execPath, [CHILD, env.dir, 'unbouncer', 'cli-made']);
    assert.equal(env.lapi.getBouncerByKeyHash('k1'), undefined);
    assert.deepEqual(
      env.lapi.listBouncers().map((b) => b.name),
      ['mine'],
    );
    await env.lapi.addAlerts([alert([decision('192.0.2.1', Date.now() + HOUR)])]);
    await run(process.execPath, [CHILD, env.dir, 'decide', '192.0.2.77']);
    for (let i = 0; i < 100 && env.lapi.queryDecisions({ range: ip('192.0.2.77') }, Date.now()).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const d = env.lapi.queryDecisions({ range: ip('192.0.2.77') }, Date.now());
    assert.equal(d.length, 1, "the periodic catch-up replays the other process's log");
    assert.equal(d[0].id, 2, 'ids are shared through the LMDB counters');
    assert.deepEqual(
      env.lapi.queryAlerts({ value: '192.0.2.77' }, Date.now()).map((a) => a.id),
      [2],
      'alert summaries too',
    );
    const [next] = await env.lapi.addAlerts([alert([decision('192.0.2.78', Date.now() + HOUR)])]);
    assert.equal(next, 3);
  } finally {
    await env.cleanup();
  }
});

test('a decision another process committed before a poll but picked up after it is in the next delta', async () => {
  const env = await openEnv({ syncIntervalMs: 0 });
  try {
    await run(process.execPath, [CHILD, env.dir, 'decide', '192.0.2.90']); // created_at = the child's clock
    const s1 = Date.now() + 5000; // a poll starting after the child's commit, before this process catches up
    env.now = s1 + 1000;
    const r1 = env.lapi.stream({}, { startup: false, lastPull: s1 - 10_000, dedup: true, now: s1 });
    assert.deepEqual(r1.new, [], 'not applied yet');
    env.lapi.sync();
    const r2 = env.lapi.stream({}, { startup: false, lastPull: s1, dedup: true, now: s1 + 10_000 });
    assert.deepEqual(
      r2.new.map((d) => d.value),
      ['192.0.2.90'],
      'created_at < lastPull, yet delivered',
    );
    assert.ok(r2.new[0].createdAt < s1);
  } finally {
    await env.cleanup();
  }
});

test('concurrent writers and readers: every read sees whole transactions', async () => {
  const env = await openEnv();
  try {
    const N = 120;
    const ipOf = (i: number): string => `198.51.${i >> 8}.${i & 255}`;
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      const pair = [decision(ipOf(i), T0 + HOUR), decision(ipOf(i), T0 + HOUR, { type: 'captcha' })];
      const added = env.lapi.addAlerts([alert(pair), alert([decision('203.0.113.1', T0 + HOUR + i)])]);
      writes.push(added);
      if (i % 3 === 0) writes.push(added.then(() => env.lapi.expireDecisions({ value: ipOf(i) }, T0 + MIN)));
      if (i % 5 === 0) writes.push(added.then(([id]) => env.lapi.deleteAlert(id)));
    }
    let done = false;
    const all = Promise.all(writes).finally(() => {
      done = true;
    });
    let reads = 0;
    while (!done) {
      for (let i = 0; i < N; i += 7) {
        const live = env.lapi.queryDecisions({ range: ip(ipOf(i)) }, T0 + MIN + 1);
        assert.ok(live.length === 0 || live.length === 2, `ip ${ipOf(i)}: ${live.length} decisions`);
      }
      const s = env.lapi.stream({}, { startup: true, lastPull: null, dedup: true, now: T0 + MIN + 1 });
      const perValue = new Map<string, number>();
      for (const d of s.new) perValue.set(d.value, (perValue.get(d.value) ?? 0) + 1);
      for (const [v, n] of perValue) assert.ok(v === '203.0.113.1' ? n === 1 : n === 2, `${v}: ${n}`);
      const deleted = new Map<string, number>();
      for (const d of s.deleted) deleted.set(d.value, (deleted.get(d.value) ?? 0) + 1);
      for (const [v, n] of deleted) assert.equal(n, 2, `${v} deleted: ${n}`);
      reads++;
      await new Promise((r) => setImmediate(r));
    }
    await all;
    assert.ok(reads > 1, `${reads} read rounds ran during the writes`);
    const live = env.lapi.queryDecisions({}, T0 + MIN + 1);
    // still active: the pairs of the i neither expired (i % 3) nor deleted (i % 5), plus every 203.0.113.1
    // decision (second alert of each call: never expired nor deleted)
    const expectPairs = Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 !== 0 && i % 5 !== 0).length;
    assert.equal(live.length, expectPairs * 2 + N);
    assert.equal(
      env.lapi.stream({ value: '203.0.113.1' }, { startup: true, lastPull: null, dedup: true, now: T0 }).new.length,
      1,
      'dedup keeps the single longest',
    );
  } finally {
    await env.cleanup();
  }
});
