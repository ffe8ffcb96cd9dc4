// LAPI stall benchmark (issue 11 §4): a real Local API (embedded LMDB store in a temp folder) holding 100,000
// decisions, 1,000 bouncers polling deltas every second and a liveness probe every 50 ms (bench/stall-load.ts:
// one process for the bouncers, one for the probe, one for the startup pulls), then 20 concurrent startup pulls
// (half JSON, half protobuf), then large alerts posted by a watcher and read back, then a mass deletion
// (`DELETE /v1/decisions`: every decision, as `picket decisions delete --all`) that lands in every polling
// bouncer's next delta; the bouncers' polls in flight are awaited before a phase ends. Reports per phase the
// delta-poll p50/p99/max,
// the liveness probe's max wait, the server's largest event-loop delay, and the server's peak RSS. Goals:
// delta-poll p99 <= 100 ms, liveness max <= 200 ms. Owns: bench/stall.bench.ts (the load generator is
// bench/stall-load.ts).
//
//   node dist/bench/stall.bench.js [--decisions 100000] [--bouncers 1000] [--startups 20] [--baseline 8]
//        [--alerts 10000,400000] [--no-mass-delete] [--after-delete 5] [--json]

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/lmdb.js';
import { openLapiStore } from '../src/store/lapi-store.js';
import { startLapi } from '../src/lapi/index.js';
import { sha512Hex } from '../src/lapi/auth-apikey.js';
import { hashPassword } from '../src/lapi/password.js';
import { defaultProfiles } from '../src/profiles/index.js';
import { loadDecisions, login, makeDecisionSet, request } from './lapi-load.js';
import type { Phase } from './stall-load.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 ? (argv[i + 1] ?? def) : def;
};
const DECISIONS = Number(opt('--decisions', '100000'));
const BOUNCERS = Number(opt('--bouncers', '1000'));
const STARTUPS = Number(opt('--startups', '20'));
const BASELINE_S = Number(opt('--baseline', '8'));
const ALERTS = opt('--alerts', '10000,400000')
  .split(',')
  .filter((x) => x !== '')
  .map(Number);
const MASS_DELETE = !argv.includes('--no-mass-delete');
/** seconds of polling after the mass deletion answered (then the polls in flight are awaited) */
const AFTER_DELETE_S = Number(opt('--after-delete', '5'));
const here = path.dirname(fileURLToPath(import.meta.url));

interface Row {
  phase: string;
  polls: number;
  p50: number;
  p99: number;
  max: number;
  probeMax: number;
  loopMaxMs: number;
  errors: number;
  note: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const f0 = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(0));

async function seed(lapiUrl: string, store: ReturnType<typeof openLapiStore>): Promise<string> {
  const now = Date.now();
  await store.putMachine({
    machineId: 'bench-watcher',
    passwordHash: await hashPassword('bench-password'),
    isValidated: true,
    authType: 'password',
    ipAddress: '',
    version: '',
    scenarios: '',
    createdAt: now,
    updatedAt: now,
    lastPush: null,
    lastHeartbeat: null,
  });
  const token = await login(lapiUrl, 'bench-watcher', 'bench-password');
  const ms = await loadDecisions(lapiUrl, token, makeDecisionSet(DECISIONS).decisions);
  process.stdout.write(`loaded ${DECISIONS} decisions in ${(ms / 1000).toFixed(1)} s\n`);
  // the polling bouncers last pulled after the load: their deltas are small, as in steady state
  const pulled = Date.now() + 1;
  await sleep(5);
  const bouncer = (name: string, key: string, lastPull: number | null) =>
    store.putBouncer({
      name,
      apiKeyHash: sha512Hex(key),
      revoked: false,
      ipAddress: '',
      type: '',
      version: '',
      authType: 'api-key',
      autoCreated: false,
      createdAt: pulled,
      updatedAt: pulled,
      lastPull,
    });
  const puts: Promise<void>[] = [];
  for (let i = 0; i < BOUNCERS; i++) puts.push(bouncer(`bench-${i}`, `bench-key-${i}`, pulled));
  for (let j = 0; j < STARTUPS; j++) puts.push(bouncer(`startup-${j}`, `startup-key-${j}`, null));
  await Promise.all(puts);
  return token;
}

function bigAlert(n: number): Buffer {
  const at = new Date().toISOString();
  const decisions = [];
  for (let i = 0; i < n; i++) {
    const v = `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`;
    decisions.push({
      duration: '1h',
      origin: 'cscli',
      scenario: 'bench big alert',
      scope: 'Ip',
      type: 'ban',
      value: v,
    });
  }
  const alert = {
    scenario: 'bench big alert',
    scenario_hash: '',
    scenario_version: '',
    message: `bench alert with ${n} decisions`,
    events_count: 1,
    capacity: 0,
    leakspeed: '0',
    simulated: false,
    labels: null,
    start_at: at,
    stop_at: at,
    created_at: at,
    source: { scope: 'Ip', value: '127.0.0.1', ip: '127.0.0.1' },
    events: [],
    decisions,
  };
  return Buffer.from(JSON.stringify([alert]));
}

/** the load generator's phase reports, in order */
function loadProcess(
  url: string,
  mode: 'bouncers' | 'probe' | 'pulls',
): { child: ChildProcessWithoutNullStreams; next: () => Promise<Phase | 'done'> } {
  const args = [path.join(here, 'stall-load.js'), url, String(BOUNCERS), String(STARTUPS), mode];
  const child = spawn(process.execPath, args);
  child.stderr.pipe(process.stderr);
  const queue: (Phase | 'done')[] = [];
  const waiters: ((p: Phase | 'done') => void)[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const v = JSON.parse(line) as Phase | { startupsDone: true };
    const item = 'startupsDone' in v ? 'done' : v;
    const w = waiters.shift();
    if (w) w(item);
    else queue.push(item);
  });
  const next = () =>
    queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise<Phase | 'done'>((r) => waiters.push(r));
  return { child, next };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-stall-'));
  const db = openStore(dir);
  const store = openLapiStore(db);
  const server = await startLapi({
    store,
    listen: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    profiles: defaultProfiles(),
    alertLog: false,
    log: () => undefined,
  });
  const base = server.url;
  const token = await seed(base, store);
  const bodies = ALERTS.map(bigAlert);
  let rssPeak = 0;
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  // the probe has a process of its own: reading 1,000 bouncers' answers must not delay it
  const load = loadProcess(base, 'bouncers');
  const probe = loadProcess(base, 'probe');
  // the startup pulls too: a bouncer starting up is another host, and receiving 20 bodies of 3.5-19 MB in the
  // bouncers' process delayed its own timers (delta p99 72-675 ms from run to run at an unchanged server loop max)
  const pulls = loadProcess(base, 'pulls');
  const rows: Row[] = [];
  const close = async (note: string, stop = false): Promise<void> => {
    if (stop) load.child.stdin.write('stop\n'); // the probe runs on while the bouncers' last polls end
    const p = await load.next();
    if (stop) probe.child.stdin.write('stop\n');
    const pr = await probe.next();
    if (stop) pulls.child.stdin.write('stop\n');
    const pl = await pulls.next();
    if (p === 'done' || pr === 'done' || pl === 'done') throw new Error('unexpected report');
    p.probes = pr.probes;
    p.startups.push(...pl.startups);
    p.errors += pr.errors + pl.errors;
    const polls = p.polls;
    const row = { phase: p.name, polls: polls.length, p50: pct(polls, 50), p99: pct(polls, 99), max: pct(polls, 100) };
    const all = [note, startupsOf(p)].filter((x) => x !== '').join('; ');
    const done = { ...row, probeMax: pct(p.probes, 100), loopMaxMs: loop.max / 1e6, errors: p.errors, note: all };
    rows.push(done);
    if (!argv.includes('--json')) process.stdout.write(`${JSON.stringify(done)}\n`);
    loop.reset();
  };
  const send = (line: string) => {
    if (line.startsWith('startups')) {
      pulls.child.stdin.write(line + '\n');
      return;
    }
    load.child.stdin.write(line + '\n');
    probe.child.stdin.write(line + '\n');
    pulls.child.stdin.write(line + '\n');
  };
  loop.enable();
  await sleep(BASELINE_S * 1000);
  send(`phase startups`);
  await close('');
  send(`startups ${STARTUPS}`);
  if ((await pulls.next()) !== 'done') throw new Error('expected the end of the startups');
  await sleep(2000);
  send('phase alerts');
  await close('');
  const notes: string[] = [];
  for (let k = 0; k < bodies.length; k++) notes.push(...(await postAndRead(base, token, bodies[k]!, ALERTS[k]!)));
  await sleep(1000);
  if (MASS_DELETE) {
    send('phase massdelete');
    await close(notes.join('; '));
    notes.length = 0;
    notes.push(await massDelete(base, token));
    await sleep(AFTER_DELETE_S * 1000);
  }
  await close(notes.join('; '), true);
  clearInterval(rssTimer);
  load.child.kill();
  probe.child.kill();
  pulls.child.kill();
  await server.close();
  await store.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  print(rows, rssPeak);
}

/** every decision deleted at once (`picket decisions delete --all`), as a note */
async function massDelete(base: string, token: string): Promise<string> {
  try {
    const r = await request(`${base}v1/decisions`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
    return `DELETE /v1/decisions: ${r.status} ${r.body.toString().slice(0, 80)} in ${f0(r.ms)} ms`;
  } catch (e) {
    return `DELETE /v1/decisions: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** one large alert posted, then read back when accepted; what happened, as notes (errors included) */
async function postAndRead(base: string, token: string, body: Buffer, n: number): Promise<string[]> {
  const auth = { Authorization: `Bearer ${token}` };
  const what = `POST ${n} decisions (${(body.length / 1e6).toFixed(1)} MB)`;
  try {
    const r = await request(`${base}v1/alerts`, {
      method: 'POST',
      body: body.toString(),
      headers: { 'Content-Type': 'application/json', ...auth },
    });
    const out = [`${what}: ${r.status} ${f0(r.ms)} ms`];
    if (r.status === 201) {
      const id = (JSON.parse(r.body.toString()) as string[])[0];
      const g = await request(`${base}v1/alerts/${id}`, { headers: auth });
      out.push(`GET it: ${g.status} ${(g.body.length / 1e6).toFixed(1)} MB ${f0(g.ms)} ms`);
    } else out.push(r.body.toString().slice(0, 160));
    await sleep(1000);
    return out;
  } catch (e) {
    return [`${what}: ${e instanceof Error ? e.message : String(e)}`];
  }
}

function startupsOf(p: Phase): string {
  if (p.startups.length === 0) return '';
  const side = (pb: boolean) => {
    const s = p.startups.filter((x) => x.protobuf === pb);
    const mb = (Math.max(0, ...s.map((x) => x.bytes)) / 1e6).toFixed(1);
    const bad = s
      .filter((x) => x.status !== 200)
      .map((x) => x.status)
      .join(',');
    return `${s.length} ${pb ? 'protobuf' : 'JSON'} (${mb} MB each, slowest ${f0(
      pct(
        s.map((x) => x.ms),
        100,
      ),
    )} ms${bad !== '' ? `, statuses not 200: ${bad}` : ''})`;
  };
  return `startup pulls: ${side(false)}, ${side(true)}`;
}

function print(rows: Row[], rssPeak: number): void {
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ rows, rssPeakMB: Math.round(rssPeak / 2 ** 20) }) + '\n');
    return;
  }
  const out = [
    `decisions ${DECISIONS}, bouncers ${BOUNCERS} polling every 1 s, ${STARTUPS} startup pulls, probe every 50 ms`,
    '| phase | polls | delta p50 ms | delta p99 ms | delta max ms | liveness max ms | loop max ms | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.phase} | ${r.polls} | ${f0(r.p50)} | ${f0(r.p99)} | ${f0(r.max)} | ${f0(r.probeMax)} | ` +
        `${f0(r.loopMaxMs)} | ${r.errors} |`,
    ),
    ...rows.filter((r) => r.note !== '').map((r) => `${r.phase}: ${r.note}`),
    `server peak RSS ${Math.round(rssPeak / 2 ** 20)} MB; goals: delta p99 <= 100 ms, liveness max <= 200 ms`,
  ];
  process.stdout.write(out.join('\n') + '\n');
}

await main();
