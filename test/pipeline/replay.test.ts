import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { runReplay } from '../../src/pipeline/replay.js';
import { sharedPath, skipUnless } from '../shared-data.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/picket.js');
const GEN = sharedPath('tools', 'gen-logs.mjs');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-replay-'));
const LOG = path.join(TMP, 'mixed.log');
const haveGen = fs.existsSync(GEN);
const skip = haveGen ? false : skipUnless(GEN);

before(() => {
  if (!haveGen) return;
  const r = spawnSync(process.execPath, [GEN, '--kind', 'mixed', '--lines', '20000', '--seed', '3', '--out', LOG], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
});

function picket(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
}

test('replay: same alerts in-process, with 2 workers, and across runs', { skip }, async () => {
  const base = { files: [LOG], type: 'syslog', year: 2025 };
  const a = await runReplay({ ...base, workers: 0 });
  // small worker tasks: many tasks per shard, so per-shard ordering is exercised
  const b = await runReplay({ ...base, workers: 2, batchLines: 200 });
  const c = await runReplay({ ...base, workers: 2 });
  const d = await runReplay({ ...base, workers: 0 });
  // the main thread as one shard beside one worker, and two workers with an idle main thread
  const e = await runReplay({ ...base, workers: 1, batchLines: 300 });
  const f = await runReplay({ ...base, workers: 2, mainShard: false });
  assert.equal(a.lines, 20000);
  assert.ok(a.alerts.length > 10, `expected alerts, got ${a.alerts.length}`);
  assert.ok(a.parsed > 0 && a.parsed + a.unparsed + a.parseErrors === a.lines);
  for (const r of [b, c, d, e, f]) {
    assert.deepEqual(r.alerts, a.alerts);
    assert.deepEqual(r.alertsByScenario, a.alertsByScenario);
    assert.equal(r.parsed, a.parsed);
    assert.equal(r.poured, a.poured);
    assert.deepEqual(r.pouredByScenario, a.pouredByScenario);
  }
  assert.equal(b.workers, 2);
  // sorted by stop time
  for (let i = 1; i < a.alerts.length; i++)
    assert.ok(Date.parse(a.alerts[i - 1]!.stop_at) <= Date.parse(a.alerts[i]!.stop_at));
});

test('replay: a .gz file gives the same result as the plain file', { skip }, async () => {
  const gz = path.join(TMP, 'mixed.log.gz');
  fs.writeFileSync(gz, gzipSync(fs.readFileSync(LOG)));
  const plain = await runReplay({ files: [LOG], type: 'syslog', year: 2025, workers: 0 });
  const z = await runReplay({ files: [gz], type: 'syslog', year: 2025, workers: 0 });
  assert.equal(z.lines, plain.lines);
  // Line.Src differs (datasource_path meta), the rest is equal
  const strip = (r: typeof plain) =>
    JSON.stringify(r.alerts)
      .split(JSON.stringify(r === z ? gz : LOG).slice(1, -1))
      .join('SRC');
  assert.equal(strip(z), strip(plain));
});

test('replay --json: one JSON object with counters and LAPI-shaped alerts', { skip }, () => {
  const r = picket([
    'replay',
    '--file',
    LOG,
    '--type',
    'syslog',
    '--year',
    '2025',
    '--json',
    '--workers',
    '0',
    '--label',
    'env:test',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  for (const k of ['lines', 'parsed', 'unparsed', 'poured', 'alerts']) assert.ok(k in j, `missing ${k}`);
  assert.equal(j.lines, 20000);
  const alerts = j.alerts as Array<Record<string, unknown>>;
  assert.ok(alerts.length > 0);
  const a = alerts[0]!;
  for (const k of [
    'scenario',
    'scenario_hash',
    'scenario_version',
    'message',
    'events_count',
    'start_at',
    'stop_at',
    'capacity',
    'leakspeed',
    'simulated',
    'remediation',
    'source',
    'events',
    'labels',
    'meta',
    'kind',
  ])
    assert.ok(k in a, `alert misses ${k}`);
  const src = a.source as Record<string, unknown>;
  for (const k of ['scope', 'value', 'ip', 'range', 'as_number', 'as_name', 'cn', 'latitude', 'longitude'])
    assert.ok(k in src, `source misses ${k}`);
  assert.equal(typeof a.events_count, 'number');
  assert.equal(typeof src.latitude, 'number');
  const ev = (a.events as Array<{ timestamp: string; meta: Array<{ key: string; value: string }> }>)[0]!;
  assert.match(ev.timestamp, /^2025-/);
  assert.ok(ev.meta.some((m) => m.key === 'source_ip' && m.value === src.ip));
  assert.equal(a.kind, 'crowdsec');
});

test('replay summary (human) lists alerts by scenario', { skip }, () => {
  const r = picket(['replay', '--file', LOG, '--type', 'syslog', '--year', '2025', '--workers', '1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /lines read 20000/);
  assert.match(r.stdout, /picket\/ssh-bf\s+\d+/);
  assert.match(r.stdout, /lines\/s/);
});

test('replay: a missing log file is a clear error', () => {
  const r = picket(['replay', '--file', path.join(TMP, 'nope.log'), '--type', 'syslog', '--workers', '0']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /nope\.log: no such file/);
});

test('replay: a content error names the file', () => {
  const dir = path.join(TMP, 'badcontent');
  fs.mkdirSync(path.join(dir, 'parsers/s01-parse/me'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'scenarios/me'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'parsers/s01-parse/me/good.yaml'),
    'name: me/good\nfilter: "1 == 1"\nonsuccess: next_stage\nstatics:\n  - meta: x\n    value: y\n',
  );
  fs.writeFileSync(
    path.join(dir, 'scenarios/me/broken.yaml'),
    'type: leaky\nname: me/broken\nfilter: "evt.Meta.x ==== 1"\ncapacity: 1\nleakspeed: 1s\n',
  );
  const log = path.join(TMP, 'one.log');
  fs.writeFileSync(log, 'hello\n');
  const r = picket(['replay', '--file', log, '--type', 'syslog', '--content', dir, '--workers', '0']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /broken\.yaml/);
  const r2 = picket(['replay', '--file', log, '--type', 'syslog', '--content', path.join(TMP, 'no-such-dir')]);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /no-such-dir does not exist/);
});

test(
  'replay: a scenario that is not per source (http-open-proxy: no groupby, one blackholed bucket) gives the same alerts with 0, 1 or 2 workers',
  { skip },
  async () => {
    const { assembleHubContent } = await import('../../bench/replay.bench.js');
    const hub = sharedPath('hub');
    if (!fs.existsSync(hub)) return;
    const content = assembleHubContent(hub, 'nginx', path.join(TMP, 'hub-nginx'));
    const log = path.join(TMP, 'nginx.log');
    const g = spawnSync(process.execPath, [GEN, '--kind', 'nginx', '--lines', '30000', '--seed', '5', '--out', log], {
      encoding: 'utf8',
    });
    assert.equal(g.status, 0, g.stderr);
    const base = { files: [log], type: 'nginx', year: 2025, contentDir: content };
    const a = await runReplay({ ...base, workers: 0 });
    const proxy = a.alerts.filter((x) => x.scenario === 'crowdsecurity/http-open-proxy').length;
    assert.ok(proxy >= 2, `open-proxy alerts: ${proxy}`);
    for (const w of [1, 2]) {
      const b = await runReplay({ ...base, workers: w, batchLines: 500 });
      assert.deepEqual(b.alertsByScenario, a.alertsByScenario, `workers ${w}`);
      assert.deepEqual(b.alerts, a.alerts, `workers ${w}`);
      assert.equal(b.poured, a.poured);
    }
  },
);
