// Picket Central benchmark: `picket central run` (a child process, as deployed) on the embedded store and on a
// throwaway PostgreSQL cluster; 100 simulated LAPIs (undici) push batches of 50 signals while 100 startup pulls
// per second are served at the same time. Phase 1 (open loop): batches at --rate signals/s in total, POST p50/p99;
// phase 2 (closed loop): each LAPI posts its next batch as soon as the previous one is answered, the sustained
// maximum. Pulls: v2 startup pulls (the list holds --entries curated entries, so each body carries them all),
// open loop at --pulls per second across the 100 logins. Prints a markdown table with the goals
// (>= 2,000 signals/s, POST p99 < 100 ms). A 3 s warm-up at the open-loop rate precedes the measures.
// Throughout, a probe asks the server for a 404 every 50 ms: its slowest answer shows the server's stalls.
// `--state-addresses N` gives the central a full-size consensus state before it starts (N addresses from the real
// engine, test/central/big-state.ts); `--save-during` saves it every minute (state_minutes 1: with --duration 60 a
// save falls in each phase) and reads the server's save lines (longest step, event-loop delay max) from its log.
// `--bin PATH` runs another `picket` (a baseline build) and `--legacy-state` seeds the state as the one JSON text
// the store held before chunks (what such a build reads).
// Usage: node dist/bench/central.bench.js [--duration 20] [--rate 2500]
// [--pulls 100] [--entries 1000] [--stores lmdb,postgres] [--state-addresses 60000 --save-during]
// [--bin /path/to/bin/picket.js --legacy-state]
// Owns: this benchmark only.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open as openLmdb } from 'lmdb';
import pg from 'pg';
import { Agent, request } from 'undici';
import { freePort, makeTempDir, startProcess, stopAll, waitForHttp } from '../test/conformance/harness/proc.js';
import { startCluster } from '../test/central/pg-cluster.js';
import { fillConsensus } from '../test/central/big-state.js';
import { createConsensus } from '../src/central/consensus/index.js';
import { CENTRAL_STORE_FILE } from '../src/central/store/lmdb-store.js';
import { PICKET_BIN, shebangNodeFlags } from './picket-bin.js';
import { AddressPolicy } from '../src/central/ipnet.js';
import { addCurated } from '../src/central/operator.js';
import { openCentralStore } from '../src/central/store/open.js';

interface Options {
  duration: number;
  rate: number;
  pulls: number;
  entries: number;
  stores: string[];
  stateAddresses: number;
  saveDuring: boolean;
  bin: string;
  legacyState: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    duration: 20,
    rate: 2500,
    pulls: 100,
    entries: 1000,
    stores: ['lmdb', 'postgres'],
    stateAddresses: 0,
    saveDuring: false,
    bin: PICKET_BIN,
    legacyState: false,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const a = argv[i],
      v = argv[i + 1] ?? '';
    if (a === '--save-during' || a === '--legacy-state') {
      if (a === '--save-during') o.saveDuring = true;
      else o.legacyState = true;
      i--;
    } else if (a === '--state-addresses') o.stateAddresses = Number(v);
    else if (a === '--bin') o.bin = path.resolve(v);
    else if (a === '--duration') o.duration = Number(v);
    else if (a === '--rate') o.rate = Number(v);
    else if (a === '--pulls') o.pulls = Number(v);
    else if (a === '--entries') o.entries = Number(v);
    else if (a === '--stores') o.stores = v.split(',');
    else
      throw new Error(
        `unknown argument ${a} (usage: --duration S --rate N --pulls N --entries N --stores lmdb,postgres ` +
          '--state-addresses N --save-during --bin PATH --legacy-state)',
      );
  }
  if (!(o.duration > 0 && o.duration <= 300) || !(o.rate > 0) || !(o.pulls >= 0) || !(o.stateAddresses >= 0))
    throw new Error('--duration 1..300, --rate > 0, --pulls >= 0, --state-addresses >= 0');
  return o;
}

const SITES = 100,
  BATCH = 50;
const HASH = '4441dcff07020f6690d998b7101e642359ba405c2abb83565bbbdcee36de280f';
const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const f0 = (n: number): string => (Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const f1 = (n: number): string => (Number.isNaN(n) ? 'n/a' : n.toFixed(1));

/** a public-looking IPv4 address (45.0.0.0/8 .. 95.0.0.0/8, never a reserved block) */
function randomIp(): string {
  const b = crypto.randomBytes(3);
  return `${45 + (b[0]! % 50)}.${b[1]}.${b[2]}.${1 + crypto.randomInt(254)}`;
}

function batchBody(): string {
  const stop = new Date(Date.now() - 30_000).toISOString();
  const items = Array.from({ length: BATCH }, () => {
    const ip = randomIp();
    return {
      message: `Ip ${ip} performed 'crowdsecurity/ssh-bf' (6 events over 2s)`,
      scenario: 'crowdsecurity/ssh-bf',
      scenario_hash: HASH,
      scenario_version: '0.1',
      scenario_trust: 'certified',
      source: { scope: 'Ip', value: ip, ip, as_number: '64500', as_name: 'X', cn: 'FR', latitude: 1, longitude: 2 },
      start_at: stop,
      stop_at: stop,
      machine_id: 'bench-host',
      uuid: `${crypto.randomUUID()}-#SEQ#`, // made unique per POST: the central stores a resent uuid once
      kind: 'crowdsec',
      decisions: [
        {
          id: 0,
          origin: 'crowdsec',
          type: 'ban',
          scope: 'Ip',
          value: ip,
          duration: '4h',
          scenario: 'crowdsecurity/ssh-bf',
        },
      ],
      context: null,
    };
  });
  return JSON.stringify(items);
}

interface Result {
  store: string;
  openRate: number;
  openP50: number;
  openP99: number;
  maxRate: number;
  maxP99: number;
  pullRate: number;
  pullP99: number;
  pullBytes: number;
  errors: number;
  stored: number;
  accepted: number;
  probeP99: number;
  probeMax: number;
  /** the server's save lines: longest step, event-loop delay max during the save and before it (ms) */
  saves: Array<{ step: number; loop: number; between: number }>;
}

/** one request; the body is read as text only when `text` (pull bodies are only counted) */
async function call(
  agent: Agent,
  url: string,
  method: 'GET' | 'POST',
  body?: string,
  token?: string,
  text = true,
): Promise<{ status: number; body: string; bytes: number; ms: number }> {
  const t = performance.now();
  const r = await request(url, {
    method,
    dispatcher: agent,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'crowdsec/v1.6.0-bench',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  let out = '',
    bytes = 0;
  if (text) {
    out = await r.body.text();
    bytes = out.length;
  } else for await (const c of r.body) bytes += (c as Buffer).length;
  return { status: r.statusCode, body: out, bytes, ms: performance.now() - t };
}

interface Tally {
  errors: number;
  accepted: number;
}

/** a full-size consensus state in the store: chunks (this build) or one JSON text (a build from before chunks) */
async function seedState(data: string, dbUrl: string | null, o: Options): Promise<void> {
  const c = createConsensus();
  const now = Date.now();
  const t = performance.now();
  const { signals } = fillConsensus(c, { addresses: o.stateAddresses, now });
  log(
    `  state: ${o.stateAddresses} addresses from ${signals} signals, ${c.listed(now).length} listed (${f0(performance.now() - t)} ms)`,
  );
  if (!o.legacyState) {
    const seed = await openCentralStore({ data, db: dbUrl ?? '', signalsRetentionDays: 30 });
    await seed.saveState({ chunks: [...c.exportStateChunks()], seq: 0, received: 0, savedAt: now });
    await seed.close();
    return;
  }
  const json = JSON.stringify(c.exportState());
  if (dbUrl) {
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    await client.query(`INSERT INTO central_meta (key, value) VALUES ('consensus_state', $1)`, [json]);
    await client.end();
  } else {
    const root = openLmdb({ path: path.join(data, CENTRAL_STORE_FILE), maxDbs: 16 });
    await root.openDB('meta', {}).put('consensusState', json);
    await root.close();
  }
}

/** the curated entries the v2 pulls return */
async function seedCentral(data: string, dbUrl: string | null, entries: number): Promise<void> {
  const seed = await openCentralStore({ data, db: dbUrl ?? '', signalsRetentionDays: 30 });
  for (let i = 0; i < entries; i++) {
    await addCurated(seed, new AddressPolicy(), {
      value: `45.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255 || 1}`,
      scenario: 'crowdsecurity/ssh-bf',
      durationMs: 86_400_000,
      now: Date.now(),
    });
  }
  await seed.close();
}

/** one registered, logged-in watcher per simulated LAPI: their tokens */
async function loginSites(agent: Agent, base: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < SITES; i++) {
    const id = `bench${i}`.padEnd(48, '0'),
      pw = 'p'.repeat(64);
    await call(agent, `${base}/v3/watchers`, 'POST', JSON.stringify({ machine_id: id, password: pw }));
    const l = await call(
      agent,
      `${base}/v2/watchers/login`,
      'POST',
      JSON.stringify({ machine_id: id, password: pw, scenarios: ['crowdsecurity/ssh-bf'] }),
    );
    tokens.push((JSON.parse(l.body) as { token: string }).token);
  }
  return tokens;
}

/** phase 1: batches posted at o.rate signals/s (open loop) for o.duration s; their latencies */
async function openLoop(
  agent: Agent,
  base: string,
  tokens: string[],
  o: Options,
  batchBodyOf: (n: number) => string,
  tally: Tally,
): Promise<number[]> {
  const open: number[] = [];
  const gap = (1000 * BATCH) / o.rate;
  const t0 = performance.now();
  const inflight: Array<Promise<void>> = [];
  for (let n = 0; performance.now() - t0 < o.duration * 1000; n++) {
    const due = t0 + n * gap - performance.now();
    if (due > 0) await sleep(due);
    inflight.push(
      call(agent, `${base}/v3/signals`, 'POST', batchBodyOf(n), tokens[n % SITES]).then(
        (r) => {
          if (r.status !== 200) tally.errors++;
          else {
            open.push(r.ms);
            tally.accepted += BATCH;
          }
        },
        () => {
          tally.errors++;
        },
      ),
    );
  }
  await Promise.all(inflight);
  return open;
}

/** phase 2: every LAPI posts back to back (closed loop) for durationS s; their latencies */
async function closedLoop(
  agent: Agent,
  base: string,
  tokens: string[],
  durationS: number,
  batchBodyOf: (n: number) => string,
  tally: Tally,
): Promise<number[]> {
  const closed: number[] = [];
  const t1 = performance.now();
  await Promise.all(
    tokens.map(async (token, i) => {
      for (let k = i; performance.now() - t1 < durationS * 1000; k += SITES) {
        const r = await call(agent, `${base}/v3/signals`, 'POST', batchBodyOf(k), token).catch(() => null);
        if (!r || r.status !== 200) tally.errors++;
        else {
          closed.push(r.ms);
          tally.accepted += BATCH;
        }
      }
    }),
  );
  return closed;
}

/** a 404 asked every 50 ms until `done`: how long the server takes to answer anything */
async function probe(agent: Agent, base: string, out: number[], done: () => boolean): Promise<void> {
  while (!done()) {
    const r = await call(agent, `${base}/v3/nothing`, 'GET').catch(() => null);
    if (r) out.push(r.ms);
    await sleep(50);
  }
}

/** the server's "consensus state saved" lines */
function savesOf(logText: string): Array<{ step: number; loop: number; between: number }> {
  const out: Array<{ step: number; loop: number; between: number }> = [];
  const re = /longest step ([\d.]+) ms.*delay max ([\d.]+) ms during the save, ([\d.]+) ms since the previous one/g;
  for (const m of logText.matchAll(re)) out.push({ step: Number(m[1]), loop: Number(m[2]), between: Number(m[3]) });
  return out;
}

async function runOne(store: string, o: Options, dbUrl: string | null): Promise<Result> {
  const dir = makeTempDir('picket-central-bench-');
  const port = await freePort();
  const cfgFile = path.join(dir, 'central.yaml');
  fs.writeFileSync(
    cfgFile,
    `registration:\n  per_network_per_hour: 100000\nsnapshot:\n  tick_seconds: 10\n${o.saveDuring ? '  state_minutes: 1\n' : ''}`,
  );
  const data = path.join(dir, 'data');
  await seedCentral(data, dbUrl, o.entries);
  if (o.stateAddresses > 0) await seedState(data, dbUrl, o);
  const args = [
    'central',
    'run',
    '--listen',
    `127.0.0.1:${port}`,
    '--data',
    data,
    '--config',
    cfgFile,
    ...(dbUrl ? ['--db', dbUrl] : []),
  ];
  const argv = [...shebangNodeFlags(o.bin), o.bin, ...args];
  const server = startProcess(`central-${store}`, process.execPath, argv, { logDir: dir });
  const base = `http://127.0.0.1:${port}`;
  const agent = new Agent({ connections: 256, pipelining: 1 });
  try {
    await waitForHttp(`${base}/v3/nothing`, 60_000, server).catch(async () => {
      await sleep(1000);
    });
    const tokens = await loginSites(agent, base);
    // bodies made before the clock starts (the generator shares the machine's two cores with the server)
    const bodies = Array.from({ length: 400 }, batchBody);
    let posted = 0;
    const batchBodyOf = (n: number): string => bodies[n % bodies.length]!.replaceAll('#SEQ#', String(posted++));
    const tally: Tally = { errors: 0, accepted: 0 };
    const pulls: number[] = [];
    let pullBytes = 0;
    let stopPulls = false;
    const pullLoop = (async () => {
      if (o.pulls <= 0) return;
      const gap = 1000 / o.pulls;
      const t0 = performance.now();
      const inflight: Array<Promise<void>> = [];
      for (let n = 0; !stopPulls; n++) {
        const due = t0 + n * gap - performance.now();
        if (due > 0) await sleep(due);
        inflight.push(
          call(agent, `${base}/v2/decisions/stream?startup=true`, 'GET', undefined, tokens[n % SITES], false).then(
            (r) => {
              if (r.status !== 200) tally.errors++;
              else {
                pulls.push(r.ms);
                pullBytes = r.bytes;
              }
            },
            () => {
              tally.errors++;
            },
          ),
        );
      }
      await Promise.all(inflight);
    })();
    const probes: number[] = [];
    const probeLoop = probe(agent, base, probes, () => stopPulls);
    const pullStart = performance.now();
    // warm-up (not recorded): 3 s at the open-loop rate
    const warm: Array<Promise<unknown>> = [];
    for (let n = 0, w0 = performance.now(); performance.now() - w0 < 3000; n++) {
      const due = w0 + (n * 1000 * BATCH) / o.rate - performance.now();
      if (due > 0) await sleep(due);
      warm.push(
        call(agent, `${base}/v3/signals`, 'POST', batchBodyOf(n), tokens[n % SITES]).then(
          (r) => {
            if (r.status === 200) tally.accepted += BATCH;
          },
          () => undefined,
        ),
      );
    }
    await Promise.all(warm);
    // phase 1: open loop at o.rate signals/s
    const t0 = performance.now();
    const open = await openLoop(agent, base, tokens, o, batchBodyOf, tally);
    const openSecs = (performance.now() - t0) / 1000;
    // phase 2: closed loop, every LAPI posts back to back
    const t1 = performance.now();
    const closed = await closedLoop(agent, base, tokens, o.duration, batchBodyOf, tally);
    const closedSecs = (performance.now() - t1) / 1000;
    stopPulls = true;
    await pullLoop;
    await probeLoop;
    const pullSecs = (performance.now() - pullStart) / 1000;
    await server.stop(20_000);
    const check = await openCentralStore({ data, db: dbUrl ?? '', signalsRetentionDays: 30 });
    const stored = (await check.stats()).signals;
    await check.close();
    return {
      store,
      openRate: (open.length * BATCH) / openSecs,
      openP50: pct(open, 0.5),
      openP99: pct(open, 0.99),
      maxRate: (closed.length * BATCH) / closedSecs,
      maxP99: pct(closed, 0.99),
      pullRate: pulls.length / pullSecs,
      pullP99: pct(pulls, 0.99),
      pullBytes,
      errors: tally.errors,
      stored,
      accepted: tally.accepted,
      probeP99: pct(probes, 0.99),
      probeMax: pct(probes, 1),
      saves: savesOf(fs.readFileSync(server.logFile, 'utf8')),
    };
  } finally {
    await agent.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  log(
    `Picket Central bench: ${SITES} LAPIs, batches of ${BATCH}, open loop ${o.rate} signals/s then closed loop, ${o.duration} s each; ` +
      `${o.pulls} v2 startup pulls/s (${o.entries} entries) throughout; state ${o.stateAddresses} addresses` +
      `${o.legacyState ? ' (one JSON text)' : ''}, saves ${o.saveDuring ? 'every minute' : 'every 15 min'}; bin ${o.bin}. nproc ${os.cpus().length}, node ${process.version}, load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
  );
  const results: Result[] = [];
  for (const s of o.stores) {
    if (s === 'postgres') {
      const c = await startCluster();
      if ('skip' in c) {
        log(`postgres: skipped (${c.skip})`);
        continue;
      }
      try {
        results.push(await runOne('postgres', o, c.url));
      } finally {
        await c.stop();
      }
    } else results.push(await runOne('lmdb', o, null));
  }
  log(
    '\n| store | open loop signals/s | POST p50 ms | POST p99 ms | closed loop signals/s | POST p99 ms | pulls/s | pull p99 ms | pull body | errors | accepted / stored | probe p99 / max ms | saves: longest step / loop max during (before) ms |',
  );
  log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const saves = r.saves.map((x) => `${f1(x.step)} / ${f1(x.loop)} (${f1(x.between)})`).join(', ') || 'n/a';
    log(
      `| ${r.store} | ${f0(r.openRate)} | ${f1(r.openP50)} | ${f1(r.openP99)} | ${f0(r.maxRate)} | ${f1(r.maxP99)} | ${f1(r.pullRate)} | ${f1(r.pullP99)} | ${f0(r.pullBytes)} B | ${r.errors} | ${r.accepted} / ${r.stored} | ${f1(r.probeP99)} / ${f1(r.probeMax)} | ${saves} |`,
    );
  }
  const ok = results.every((r) => r.openRate >= 2000 && r.openP99 < 100);
  log(
    `\ngoals (>= 2,000 signals/s with POST p99 < 100 ms while ${o.pulls} pulls/s are served): ${ok ? 'met' : 'NOT met'}`,
  );
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`central bench: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    void stopAll();
  });
