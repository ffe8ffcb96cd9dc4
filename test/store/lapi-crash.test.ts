// A large alert written in chunks of transactions (src/store/alerts.ts addInChunks) is atomic across a crash
// (issue 11 §4): a child process writing one is killed with SIGKILL between two chunks (the test hook
// PICKET_TEST_CHUNK_PAUSE makes the kill point deterministic), then the store is reopened, or watched by
// another process meanwhile: no decision is ever left without its alert, none of the partial write is ever
// shown or counted, what was committed whole before survives, and writing goes on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEnv, alert, decision, ip, type Env } from './lapi-fixtures.js';
import { openStore } from '../../src/store/lmdb.js';
import { openLapiStore, type LmdbLapiStore } from '../../src/store/lapi-store.js';
import { ADD_CHUNK } from '../../src/store/alerts.js';
import type { StoredDecision, WriteIntent } from '../../src/store/lapi-schema.js';
import type { AlertRecord } from '../../src/store/records.js';
import { LapiMetrics } from '../../src/lapi/metrics.js';
import client from 'prom-client';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lapi-child.js');
const N = 5 * ADD_CHUNK + 123;
/** an address of the big alert (decision k of the child's `big` command) */
const bigValue = (k: number): string => `198.19.${k >> 8}.${k & 255}`;

/** the child writing one N-decision alert, paused after each chunk */
class BigWriter {
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  err = '';
  out = '';
  pauses = 0;
  private waiters: (() => void)[] = [];

  constructor(dir: string, hook = true) {
    this.child = spawn(process.execPath, [CHILD, dir, 'big', String(N)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...(hook ? { PICKET_TEST_CHUNK_PAUSE: '1' } : {}) },
    });
    this.exited = once(this.child, 'exit');
    this.child.stderr!.on('data', (b: Buffer) => {
      this.err += b;
      this.pauses = this.err.split('chunk-pause\n').length - 1;
      this.wake();
    });
    this.child.stdout!.on('data', (b: Buffer) => {
      this.out += b;
      this.wake();
    });
    this.child.on('exit', () => this.wake());
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** waits until `cond` holds (checked on every output of the child) */
  async until(cond: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!cond()) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`child ended (${this.child.exitCode ?? this.child.signalCode}) before ${what}: ${this.err}`);
      }
      if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}: ${this.err}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  /** lets the child write `chunks` chunks, running `check(k)` while it waits after chunk k */
  async through(chunks: number, check: (k: number) => void = () => undefined): Promise<void> {
    for (let k = 1; k <= chunks; k++) {
      await this.until(() => this.pauses >= k, `chunk ${k}`);
      check(k);
      this.child.stdin!.write('go\n');
    }
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** every stored decision, straight from LMDB */
function storedDecisions(env: Env): StoredDecision[] {
  const out: StoredDecision[] = [];
  for (const { value } of env.store.db('decisions').getRange({})) out.push(value as StoredDecision);
  return out;
}

function storedAlert(env: Env, id: number): AlertRecord | undefined {
  return env.store.db('alerts').get(id as unknown as string) as AlertRecord | undefined;
}

function intents(env: Env): WriteIntent[] {
  return [...env.store.db('lapiWrites').getRange({})].map((e) => e.value);
}

function assertNoOrphan(env: Env): void {
  for (const d of storedDecisions(env)) {
    const a = storedAlert(env, d.alertId);
    assert.ok(a !== undefined && a.decisionIds.includes(d.id), `decision ${d.id} (${d.value}) without its alert`);
  }
}

/** what a reader of `lapi` sees of the big alert's decisions (all reads, and the profiles' counts) */
function seen(lapi: LmdbLapiStore, now: number): { live: number; stream: number; count: number; all: number } {
  lapi.sync(); // every read below on the same log position
  const live = lapi.queryDecisions({ range: ip('198.19.0.0/16'), contains: false }, now).length;
  const stream = lapi
    .stream({}, { startup: true, lastPull: null, dedup: true, now })
    .new.filter((d) => d.value.startsWith('198.19.')).length;
  const count = lapi.countDecisions(bigValue(1), { activeOnly: false, now });
  const all = lapi.indexedDecisions().filter((d) => d.value.startsWith('198.19.')).length;
  return { live, stream, count, all };
}
const NOTHING = { live: 0, stream: 0, count: 0, all: 0 };

test('a writer killed with SIGKILL between chunks: reopening rolls the partial alert back', async () => {
  const env = await openEnv({ clock: Date.now });
  try {
    const until = Date.now() + 3_600_000;
    const [before] = await env.lapi.addAlerts([alert([decision('192.0.2.10', until)])]); // committed whole
    await env.lapi.close();
    await env.store.close();

    const w = new BigWriter(env.dir);
    await w.through(2);
    await w.until(() => w.pauses >= 3, 'three chunks');
    const pid = w.child.pid!;
    await w.kill();

    env.store = openStore(env.dir);
    const logged: string[] = [];
    assert.equal(intents(env).length, 1, 'the dead write left its intent');
    assert.equal(storedDecisions(env).length, 1 + 3 * ADD_CHUNK, 'three chunks were on disk');
    env.lapi = openLapiStore(env.store, { syncIntervalMs: 0, log: (l) => logged.push(l) });
    assert.deepEqual(seen(env.lapi, Date.now()), NOTHING, 'held invisible while the rollback runs');
    assert.deepEqual(await env.lapi.recovered, { writes: 1, decisions: 3 * ADD_CHUNK });
    assert.equal(env.lapi.rolledBackWrites, 1);
    const metrics = new LapiMetrics({ registry: new client.Registry(), store: env.lapi, now: Date.now });
    assert.match(await metrics.registry.metrics(), /^picket_lapi_rolled_back_writes_total 1$/m);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, new RegExp(`alert ${before! + 1} \\(process ${pid} stopped after writing 1500 of`));

    assert.deepEqual(intents(env), []);
    assertNoOrphan(env);
    assert.deepEqual(seen(env.lapi, Date.now()), NOTHING);
    assert.equal(storedAlert(env, before!)?.decisionIds.length, 1, 'the alert committed before is whole');
    assert.equal(env.lapi.queryDecisions({ range: ip('192.0.2.10') }, Date.now()).length, 1);

    // writing goes on: a normal alert and a large one, ids after the reserved ones
    const big = Array.from({ length: 2 * ADD_CHUNK + 1 }, (_, k) => decision(bigValue(k), until));
    const [small, large] = [
      (await env.lapi.addAlerts([alert([decision('192.0.2.11', until)])]))[0]!,
      (await env.lapi.addAlerts([alert(big)]))[0]!,
    ];
    assert.equal(small, before! + 2, 'the dead write kept its reserved alert id');
    assert.equal(large, small + 1);
    assert.deepEqual(seen(env.lapi, Date.now()), { live: big.length, stream: big.length, count: 1, all: big.length });
    assert.equal(env.lapi.getDecision(storedAlert(env, large)!.decisionIds[0]!)!.id, 2 + N + 1);
    assertNoOrphan(env);

    // reopened again: nothing more to recover, the same state
    await env.reopen({ clock: Date.now });
    assert.deepEqual(await env.lapi.recovered, { writes: 0, decisions: 0 });
    assert.deepEqual(seen(env.lapi, Date.now()), { live: big.length, stream: big.length, count: 1, all: big.length });
  } finally {
    await env.cleanup();
  }
});

test('another process replaying the log never shows a partial write, and rolls it back once its writer died', async () => {
  const env = await openEnv({ clock: Date.now, syncIntervalMs: 0 });
  try {
    const t0 = Date.now();
    const w = new BigWriter(env.dir);
    const logged: string[] = [];
    await env.lapi.close();
    env.lapi = openLapiStore(env.store, { syncIntervalMs: 20, log: (l) => logged.push(l) });
    await w.through(3, (k) => {
      assert.equal(storedDecisions(env).length, k * ADD_CHUNK, 'on disk');
      assert.deepEqual(seen(env.lapi, Date.now()), NOTHING, `after chunk ${k}`);
      const delta = env.lapi.stream({}, { startup: false, lastPull: t0, dedup: true, now: Date.now() });
      assert.deepEqual(delta, { new: [], deleted: [] });
      assert.equal(env.lapi.rolledBackWrites, 0, 'a live writer is left alone');
    });
    await w.until(() => w.pauses >= 4, 'chunk 4');
    await w.kill();
    const deadline = Date.now() + 10_000;
    while (env.lapi.rolledBackWrites === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(env.lapi.rolledBackWrites, 1, 'the catch-up found the writer gone');
    assert.equal(logged.length, 1);
    assertNoOrphan(env);
    assert.deepEqual(intents(env), []);
    assert.deepEqual(seen(env.lapi, Date.now()), NOTHING);
    const delta = env.lapi.stream({}, { startup: false, lastPull: t0, dedup: true, now: Date.now() });
    assert.deepEqual(delta, { new: [], deleted: [] }, 'never shown, so nothing for bouncers to delete');
  } finally {
    await env.cleanup();
  }
});

test('a write in chunks of another process that ends is shown at once, whole', async () => {
  const env = await openEnv({ clock: Date.now, syncIntervalMs: 0 });
  try {
    const t0 = Date.now();
    const w = new BigWriter(env.dir);
    await w.through(5, (k) => assert.deepEqual(seen(env.lapi, Date.now()), NOTHING, `after chunk ${k}`));
    await w.until(() => /alert \d+\n/.test(w.out), 'the end');
    await w.exited;
    assert.equal(w.child.exitCode, 0);
    env.lapi.sync();
    assert.deepEqual(seen(env.lapi, Date.now()), { live: N, stream: N, count: 1, all: N });
    const delta = env.lapi.stream({}, { startup: false, lastPull: t0, dedup: true, now: Date.now() });
    assert.equal(delta.new.length, N);
    assert.deepEqual(intents(env), []);
    assertNoOrphan(env);
  } finally {
    await env.cleanup();
  }
});

test("this process's own write in chunks is neither shown nor counted before its end", async () => {
  const env = await openEnv({ clock: Date.now });
  try {
    const until = Date.now() + 3_600_000;
    const big = Array.from({ length: N }, (_, k) => decision(bigValue(k), until));
    let done = false;
    const added = env.lapi.addAlerts([alert(big)]).finally(() => {
      done = true;
    });
    const whole = { live: N, stream: N, count: 1, all: N };
    let heldSeen = 0;
    while (!done) {
      const s = seen(env.lapi, Date.now());
      if (s.all === 0) {
        assert.deepEqual(s, NOTHING);
        if (intents(env).length === 1) heldSeen++;
      } else assert.deepEqual(s, whole, 'the last transaction was committed: all of it at once');
      await new Promise((r) => setImmediate(r));
    }
    await added;
    assert.ok(heldSeen > 0, 'no read between two chunks');
    assert.deepEqual(seen(env.lapi, Date.now()), whole);
    assert.deepEqual(await env.lapi.recovered, { writes: 0, decisions: 0 });
  } finally {
    await env.cleanup();
  }
});

test('a live writer taken for dead (its identity unreadable here) is rolled back and writes nothing more', async () => {
  const env = await openEnv({ clock: Date.now, syncIntervalMs: 0 });
  try {
    const w = new BigWriter(env.dir);
    await w.through(1);
    await w.until(() => w.pauses >= 2, 'chunk 2');
    // as seen from another pid namespace: the recorded identity matches no process here
    const [key] = [...env.store.db('lapiWrites').getRange({})].map((e) => e.key as unknown as number);
    const intent = intents(env)[0]!;
    await env.store.db('lapiWrites').put(key as unknown as string, { ...intent, owner: 'another-boot:1' });
    const logged: string[] = [];
    await env.lapi.close();
    env.lapi = openLapiStore(env.store, { syncIntervalMs: 0, log: (l) => logged.push(l) });
    assert.deepEqual(await env.lapi.recovered, { writes: 1, decisions: 2 * ADD_CHUNK });
    w.child.stdin!.write('go\n'); // the writer goes on: its next chunk finds its intent gone
    await w.exited;
    assert.equal(w.child.exitCode, 1);
    assert.match(w.err, /was rolled back while it ran/);
    env.lapi.sync();
    assert.deepEqual(storedDecisions(env), [], 'nothing written after the rollback');
    assert.deepEqual(intents(env), []);
    assertNoOrphan(env);
    assert.deepEqual(seen(env.lapi, Date.now()), NOTHING);
    assert.equal(logged.length, 1);
  } finally {
    await env.cleanup();
  }
});
