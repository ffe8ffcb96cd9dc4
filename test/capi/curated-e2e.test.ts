// End to end (issue 13): Picket Central as a child process (`picket central run`), a curated entry added with
// `picket central blocklist add`, site B a `picket run --no-agent` process whose online_client points at the
// central (pull interval 1m, sharing off). A real bouncer client (Picket's client/bouncer.ts) polling site B sees the
// curated address within one pull interval — v3 serves curated entries as `links.blocklists`, so with origin
// `lists:<list>` —; an address allowlisted at site B never reaches it (counted); once the operator deletes the entry,
// it leaves the bouncer at the next pull. Takes about 90 s (the second pull comes a minute after the first).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BouncerClient, type ClientDecision } from '../../src/client/index.js';
import { BIN, eventually, picket, tempDir, type RunningPicket } from '../cli/helpers.js';
import { picketOk, startSiteB } from './lists-helpers.js';

const dir = tempDir('picket-crowd-e2e-');
const centralDir = path.join(dir, 'central');
let central: ChildProcess | null = null;
let siteB: RunningPicket | null = null;
let bouncer: BouncerClient | null = null;

after(async () => {
  await bouncer?.close();
  await siteB?.stop();
  if (central && central.exitCode === null) {
    const done = new Promise((r) => central!.once('exit', r));
    central.kill('SIGTERM');
    await done;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startCentralProcess(): Promise<string> {
  fs.mkdirSync(centralDir, { recursive: true });
  const cfg = path.join(dir, 'central.yaml');
  fs.writeFileSync(cfg, 'snapshot:\n  tick_seconds: 1\n');
  const child = spawn(
    process.execPath,
    [BIN, 'central', 'run', '--listen', '127.0.0.1:0', '--data', centralDir, '--config', cfg],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  central = child;
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`central: no URL within 30 s\n${err}`)), 30_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace(/\/+$/, ''));
      }
    });
    child.once('exit', (code) => reject(new Error(`central run exited ${code}\n${err}`)));
  });
}

const ok = picketOk;

test('a curated entry reaches site B’s bouncer within one pull, an allowlisted one never, a deleted one leaves', async () => {
  const url = await startCentralProcess();
  await ok(['central', 'blocklist', 'add', '--ip', '45.77.0.7', '--data', centralDir]);
  await ok(['central', 'blocklist', 'add', '--ip', '45.77.0.8', '--data', centralDir]);

  const b = await startSiteB(path.join(dir, 'site-b'), url, '45.77.0.8');
  siteB = b.site;
  bouncer = b.bouncer;
  const data = b.data;

  const started = Date.now();
  const seen = new Map<string, ClientDecision>();
  const poller = bouncer.poll();
  const poll = async (): Promise<{ news: ClientDecision[]; deleted: ClientDecision[] }> => {
    const d = await poller.next();
    for (const x of d.new) seen.set(x.value, x);
    return { news: d.new, deleted: d.deleted };
  };
  await eventually(async () => (await poll(), seen.has('45.77.0.7')), 'the curated entry at the bouncer', 75_000);
  assert.ok(Date.now() - started < 75_000, 'within one pull interval (+ start-up)');
  const d = seen.get('45.77.0.7')!;
  assert.match(d.origin, /^lists:/, 'v3 serves curated entries as links.blocklists');
  assert.equal(d.type, 'ban');
  assert.ok(!seen.has('45.77.0.8'), 'the allowlisted address never reaches the bouncer');
  const lists = JSON.parse(await ok(['blocklists', 'list', '-o', 'json', '--data', data])) as {
    source: string;
    allowlisted: number;
    entries: number;
  }[];
  assert.deepEqual(
    lists.map((l) => [l.source, l.entries, l.allowlisted]),
    [['capi', 1, 1]],
  );
  const all = await picket(['decisions', 'list', '-a', '--data', data]);
  assert.match(all.stdout, /Ip:45\.77\.0\.7/);
  assert.doesNotMatch(all.stdout, /45\.77\.0\.8/);

  await ok(['central', 'blocklist', 'delete', '--ip', '45.77.0.7', '--data', centralDir]);
  let gone = false;
  await eventually(
    async () => {
      const r = await poll();
      if (r.deleted.some((x) => x.value === '45.77.0.7')) gone = true;
      assert.ok(!r.news.some((x) => x.value === '45.77.0.8'));
      return gone;
    },
    'the deleted entry leaving the bouncer',
    90_000,
  );
  const snap = await bouncer.stream({ startup: true });
  assert.deepEqual(
    snap.new.filter((x) => x.value.startsWith('45.77.')),
    [],
  );
});
