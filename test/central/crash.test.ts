// A kill -9 between two state saves loses nothing: two real `picket central run` processes receive the same
// signals (same secret, so the same pseudonyms); both are stopped (state saved), restarted, and receive more
// signals; then one is killed with SIGKILL before any save and restarted: it restores the saved state and replays
// the raw signals stored after it. Its list (after its first tick) and, once both are stopped, its consensus
// evidence equal the uninterrupted one's. On the embedded store and on PostgreSQL (skips without the binaries).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { mergeChunks } from '../../src/central/consensus/state.js';
import { addMachine } from '../../src/central/operator.js';
import { SECRET_FILE, loadSecrets } from '../../src/central/secret.js';
import { openCentralStore } from '../../src/central/store/open.js';
import { HUB_INDEX, call, signal, spawnCentral } from './helpers.js';
import { startCluster } from './pg-cluster.js';

const CONFIG = `snapshot:
  tick_seconds: 1
  state_minutes: 60
registration:
  per_network_per_hour: 1000
consensus:
  min_reporter_age: 0s
  full_reporter_age: 0s
  min_confirmations: 0
  full_confirmations: 0
  min_networks: 1
`;
const PASSWORD = 'p'.repeat(64);
const SITES = ['crash-site-1', 'crash-site-2', 'crash-site-3'].map((s) => s.padEnd(48, 'x'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Central {
  url: string;
  child: ChildProcessWithoutNullStreams;
  err: () => string;
  tokens: string[];
}

class Node {
  readonly config: string;
  constructor(
    readonly dir: string,
    readonly db: string,
  ) {
    this.config = path.join(dir, 'central.yaml');
    fs.writeFileSync(this.config, CONFIG);
  }

  async start(): Promise<Central> {
    const args = ['--listen', '127.0.0.1:0', '--data', this.dir, '--config', this.config, '--hub-index', HUB_INDEX];
    const { url, child, err } = await spawnCentral([...args, ...(this.db ? ['--db', this.db] : [])]);
    const tokens: string[] = [];
    for (const login of SITES) {
      const l = await call(`${url}/v3/watchers/login`, 'POST', {
        machine_id: login,
        password: PASSWORD,
        scenarios: [],
      });
      assert.equal(l.status, 200, l.body);
      tokens.push((l.json as { token: string }).token);
    }
    return { url, child, err, tokens };
  }

  /** the sites, registered an hour ago (the reporters' age is checked at the minute-rounded receive time) */
  async register(at: number): Promise<void> {
    const s = await openCentralStore({ data: this.dir, db: this.db, signalsRetentionDays: 30 });
    try {
      for (const login of SITES) await addMachine(s, loadSecrets(this.dir), login, PASSWORD, at);
    } finally {
      await s.close();
    }
  }

  async stored(): Promise<number> {
    const s = await openCentralStore({ data: this.dir, db: this.db, signalsRetentionDays: 30 });
    try {
      return (await s.stats()).signals;
    } finally {
      await s.close();
    }
  }

  async state(): Promise<Record<string, unknown>> {
    const s = await openCentralStore({ data: this.dir, db: this.db, signalsRetentionDays: 30 });
    try {
      const saved = await s.loadState();
      assert.ok(saved);
      return mergeChunks(saved.chunks) as Record<string, unknown>;
    } finally {
      await s.close();
    }
  }
}

function stop(c: Central, sig: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (c.child.exitCode !== null || c.child.signalCode !== null) return resolve();
    c.child.once('exit', () => resolve());
    c.child.kill(sig);
  });
}

/** the same batches to both, from site i, within one minute (receive times are kept to the minute) */
async function push(a: Central, b: Central, batches: Array<[number, string[]]>): Promise<void> {
  while (new Date().getSeconds() > 50) await sleep(500);
  const stop = new Date(Date.now() - 60_000).toISOString();
  for (const [site, ips] of batches) {
    const body = ips.map((ip) => signal(ip, { stop }));
    const r = await Promise.all(
      [a, b].map((c) => call(`${c.url}/v3/signals`, 'POST', body, { token: c.tokens[site] })),
    );
    for (const x of r) assert.equal(x.status, 200, x.body);
  }
}

async function waitStored(nodes: Node[], n: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const got = await Promise.all(nodes.map((x) => x.stored()));
    if (got.every((g) => g === n)) return;
    await sleep(100);
  }
  throw new Error(`signals not stored: expected ${n}`);
}

async function listOf(c: Central): Promise<string[]> {
  const r = await call(`${c.url}/v2/decisions/stream?startup=true`, 'GET', undefined, { token: c.tokens[0] });
  assert.equal(r.status, 200, r.body);
  return (r.json as { new: Array<{ value: string; scenario: string }> }).new
    .map((d) => `${d.value} ${d.scenario}`)
    .sort();
}

/** the evidence (what signals decided) and the reporters, without what depends on when ticks ran */
function evidence(state: Record<string, unknown>): unknown {
  const addrs = (state.addrs as Array<Record<string, unknown>>).map((a) => {
    const keep = [
      'value',
      'scope',
      'reports',
      'firstBy',
      'groups',
      'uncertified',
      'discoverers',
      'weighted',
      'confirmedAt',
      'scenarios',
      'lastReport',
    ];
    return Object.fromEntries(keep.map((k) => [k, a[k]]));
  });
  const reporters = state.reporters as Array<Record<string, unknown>>;
  const byKey = (x: Record<string, unknown>, y: Record<string, unknown>): number =>
    String(x.value ?? x.id).localeCompare(String(y.value ?? y.id));
  return { addrs: addrs.sort(byKey), reporters: reporters.sort(byKey), trusted: state.trusted };
}

const ips = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}.${i + 1}`);

async function scenario(dirs: [string, string], dbs: [string, string]): Promise<void> {
  loadSecrets(dirs[0]);
  fs.copyFileSync(path.join(dirs[0], SECRET_FILE), path.join(dirs[1], SECRET_FILE)); // same pseudonyms
  const crashing = new Node(dirs[0], dbs[0]),
    steady = new Node(dirs[1], dbs[1]);
  const at = Date.now() - 3_600_000;
  await Promise.all([crashing.register(at), steady.register(at)]);
  let a = await crashing.start(),
    u = await steady.start();
  try {
    await push(a, u, [
      [0, ips('45.80.0', 20)],
      [1, ips('45.80.0', 10)],
    ]);
    await waitStored([crashing, steady], 30);
    await Promise.all([stop(a, 'SIGTERM'), stop(u, 'SIGTERM')]); // both save their state
    [a, u] = await Promise.all([crashing.start(), steady.start()]);
    await push(a, u, [
      [2, ips('45.81.0', 25)],
      [0, ips('45.81.0', 5)],
      [1, ips('45.80.0', 5)],
    ]);
    await waitStored([crashing, steady], 65);
    await sleep(2500); // a tick or two on the uninterrupted one
    const expected = await listOf(u);
    assert.ok(
      expected.some((e) => e.startsWith('45.81.0.25 ')),
      'listed from signals received after the save',
    );
    await stop(a, 'SIGKILL');
    assert.equal(a.child.signalCode, 'SIGKILL');
    a = await crashing.start();
    assert.match(a.err(), /consensus state restored, 35 signals replayed/);
    assert.deepEqual(await listOf(a), expected);
    await Promise.all([stop(a, 'SIGTERM'), stop(u, 'SIGTERM')]);
    const [sa, su] = await Promise.all([crashing.state(), steady.state()]);
    assert.equal((sa.addrs as unknown[]).length, 45);
    assert.deepEqual(evidence(sa), evidence(su));
  } finally {
    await Promise.all([stop(a, 'SIGKILL'), stop(u, 'SIGKILL')]);
  }
}

function tempDirs(): [string, string] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-central-crash-'));
  const d: [string, string] = [path.join(root, 'a'), path.join(root, 'u')];
  for (const x of d) fs.mkdirSync(x);
  return d;
}

test('embedded store: a kill -9 between two saves loses nothing', async () => {
  const dirs = tempDirs();
  try {
    await scenario(dirs, ['', '']);
  } finally {
    fs.rmSync(path.dirname(dirs[0]), { recursive: true, force: true });
  }
});

test('PostgreSQL: a kill -9 between two saves loses nothing', async (t) => {
  const cluster = await startCluster();
  if ('skip' in cluster) return t.skip(cluster.skip);
  const dirs = tempDirs();
  try {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    for (const db of ['crash_a', 'crash_u']) await client.query(`CREATE DATABASE ${db}`);
    await client.end();
    const url = (db: string): string => cluster.url.replace(/\/postgres$/, `/${db}`);
    await scenario(dirs, [url('crash_a'), url('crash_u')]);
  } finally {
    await cluster.stop();
    fs.rmSync(path.dirname(dirs[0]), { recursive: true, force: true });
  }
});
