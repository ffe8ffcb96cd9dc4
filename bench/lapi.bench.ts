// LAPI benchmark: the same decision set (default 100,000; mostly single IPv4, some IPv6 and ranges) loaded into
// Picket's LAPI and CrowdSec 1.4.6's (default SQLite), then, in this one run, wrk (2 threads, 32 connections,
// --duration s, queries rotating among loaded and unloaded addresses) on `GET /v1/decisions?ip=` against Picket,
// CrowdSec and a bare node:http server with a fixed body, and the time and size of a `startup=true` stream
// (JSON and protobuf for Picket, JSON for CrowdSec). Prints a markdown table with the ratios and the goals.
// Usage: node dist/bench/lapi.bench.js [--decisions 100000] [--duration 10] [--rounds 3]
//          [--targets picket,crowdsec,bare] [--community 100000] [--baseline DIR ...] [--cpu-prof DIR]
// --baseline DIR adds another build of Picket (DIR/bin/picket.js with its DIR/dist, e.g. a copy of main's) as one
// more target, loaded the same way and run in the same rounds, so that two builds are compared in one run.
// --cpu-prof DIR starts every server (Picket and bare) with node's --cpu-prof (profiles written into DIR when they
// stop; named by process id, the log says which is which). --node-args 'FLAGS' adds node flags to every server.
// --community N adds N community-blocklist decisions (origin CAPI, written by the puller's code path, see
// bench/crowd-load.ts) to Picket's LAPI after the local ones; the lookups then query both sets, and a delta of
// 1,000 new and 1,000 deleted community entries is polled by a bouncer after its startup pull.
// All servers are started and loaded first, then each round runs wrk on each in turn (medians reported), so that
// the noise of a shared machine hits every target alike.
// Owns: the orchestration and the report; the pieces are in bench/lapi-load.ts.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  freePort,
  makeTempDir,
  missingBinaries,
  startProcess,
  stopAll,
  waitForHttp,
} from '../test/conformance/harness/proc.js';
import {
  startCrowdsecTarget,
  startPicketLapi,
  targetUnavailable,
  type LapiTarget,
} from '../test/conformance/harness/target.js';
import {
  loadDecisions,
  login,
  makeDecisionSet,
  request,
  runWrk,
  timeStartupStream,
  writeBareServer,
  writeWrkScript,
  type DecisionSet,
  type StreamResult,
  type WrkResult,
} from './lapi-load.js';
import { applyCommunity, timeDeltaStream } from './crowd-load.js';

interface Options {
  decisions: number;
  duration: number;
  crowdsecDuration: number;
  rounds: number;
  targets: Set<string>;
  community: number;
  baselines: string[];
  cpuProf: string | null;
  nodeArgs: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    decisions: 100_000,
    duration: 10,
    crowdsecDuration: 30,
    rounds: 3,
    targets: new Set(['picket', 'crowdsec', 'bare']),
    community: 0,
    baselines: [],
    cpuProf: null,
    nodeArgs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--decisions' && v) o.decisions = Number(v);
    else if (a === '--duration' && v) o.duration = Number(v);
    else if (a === '--rounds' && v) o.rounds = Number(v);
    else if (a === '--crowdsec-duration' && v) o.crowdsecDuration = Number(v);
    else if (a === '--targets' && v) o.targets = new Set(v.split(','));
    else if (a === '--community' && v) o.community = Number(v);
    else if (a === '--baseline' && v) o.baselines.push(path.resolve(v));
    else if (a === '--cpu-prof' && v) o.cpuProf = path.resolve(v);
    else if (a === '--node-args' && v) o.nodeArgs = v.split(' ').filter(Boolean);
    else
      throw new Error(
        `unknown argument ${a} (usage: --decisions N --duration S --crowdsec-duration S --rounds R ` +
          `--targets picket,crowdsec,bare --community N --baseline DIR --cpu-prof DIR --node-args FLAGS)`,
      );
    i++;
  }
  for (const b of o.baselines)
    if (!fs.existsSync(path.join(b, 'bin/picket.js'))) throw new Error(`--baseline ${b}: no bin/picket.js there`);
  if (
    !(o.decisions > 0) ||
    !(o.duration > 0 && o.duration <= 120) ||
    !(o.crowdsecDuration > 0 && o.crowdsecDuration <= 300) ||
    !(o.rounds >= 1 && o.rounds <= 9)
  )
    throw new Error('--decisions > 0, --duration 1..120 s, --crowdsec-duration 1..300 s, --rounds 1..9');
  return o;
}

/** One server under load: its URL, the wrk script, and what was measured. */
interface Subject {
  name: string;
  url: string;
  script: string;
  loadMs?: number;
  hitCheck?: string;
  wrk: WrkResult[];
  /** the server's process: its CPU time is read around each wrk run */
  pid?: number;
  /** server CPU time per answered request (µs), one per round */
  cpuUs: number[];
  json?: StreamResult;
  protobuf?: StreamResult;
  note?: string;
}

const LOAD_AT_START = os
  .loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');
const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};
const fmt = (n: number | undefined, d = 0): string =>
  n === undefined || Number.isNaN(n)
    ? 'n/a'
    : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (xs: number[]): number | undefined => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const rps = (s: Subject | undefined): number | undefined => median(s?.wrk.map((w) => w.requestsPerSec) ?? []);
const p99 = (s: Subject | undefined): number | undefined => median(s?.wrk.map((w) => w.p99Ms) ?? []);
const p50 = (s: Subject | undefined): number | undefined => median(s?.wrk.map((w) => w.p50Ms) ?? []);

/** Checks that a sample of the queries answers hit/miss as the set says (the same on every LAPI). */
async function checkAnswers(t: LapiTarget, key: string, set: DecisionSet, size: number): Promise<string> {
  let wrong = 0;
  const sample = set.queries.slice(0, size);
  for (const q of sample) {
    const r = await request(`${t.url}v1/decisions?ip=${encodeURIComponent(q)}`, { headers: { 'X-Api-Key': key } });
    const body = r.body.toString();
    const hit = r.status === 200 && body !== 'null' && body !== '[]';
    if (r.status !== 200 || hit !== set.expectedHits.has(q)) wrong++;
  }
  return `${sample.length - wrong}/${sample.length} right`;
}

/** Which LAPI to start: CrowdSec, this build of Picket, or another build (`bin`) named `name`. */
interface LapiKind {
  name: string;
  kind: 'picket' | 'crowdsec';
  bin?: string;
  nodeArgs?: string[];
}

/** Starts and loads one LAPI; returns its subject and bouncer key. */
async function prepareLapi(
  k: LapiKind,
  dir: string,
  set: DecisionSet,
  community: DecisionSet | null = null,
): Promise<{ target: LapiTarget; subject: Subject; key: string }> {
  const name = k.name;
  const sub = path.join(dir, name.replace(/[^\w.-]/g, '_'));
  const target =
    k.kind === 'picket'
      ? await startPicketLapi(sub, { bin: k.bin, nodeArgs: k.nodeArgs })
      : await startCrowdsecTarget(sub, { serverLogLevel: 'error' });
  const creds = target.machineCredentials();
  const token = await login(target.url, creds.login, creds.password);
  log(`${name}: pid ${target.server.pid}, loading ${set.decisions.length} decisions through POST /v1/alerts ...`);
  const subject: Subject = { name, url: target.url, script: `${sub}.lua`, wrk: [], cpuUs: [], pid: target.server.pid };
  subject.loadMs = await loadDecisions(target.url, token, set.decisions);
  log(`${name}: loaded in ${(subject.loadMs / 1000).toFixed(1)} s`);
  const key = await target.addBouncer(`bench-${Date.now()}`);
  if (k.kind === 'picket' && community) set = await addCommunity(target, key, set, community, subject);
  subject.hitCheck = await checkAnswers(target, key, set, k.kind === 'crowdsec' ? 40 : 200);
  log(`${name}: answers ${subject.hitCheck}`);
  writeWrkScript(subject.script, set.queries, key);
  return { target, subject, key };
}

/** the community decisions written into Picket's store, then queried along with the local ones */
async function addCommunity(
  target: LapiTarget,
  key: string,
  local: DecisionSet,
  community: DecisionSet,
  subject: Subject,
): Promise<DecisionSet> {
  const dataDir = (target as LapiTarget & { dataDir: string }).dataDir;
  const ms = await applyCommunity(dataDir, community.decisions);
  // the apply is chunked (it yields to the event loop): wait for the last entry written, not the first
  const probe = community.decisions.filter((d) => d.scope === 'Ip').at(-1)!.value;
  const seen = Date.now();
  for (;;) {
    const r = await request(`${target.url}v1/decisions?ip=${encodeURIComponent(probe)}`, {
      headers: { 'X-Api-Key': key },
    });
    if (r.body.toString().includes('"CAPI"')) break;
    if (Date.now() - seen > 30_000) throw new Error('community decisions not visible to the LAPI after 30 s');
    await new Promise((res) => setTimeout(res, 100));
  }
  subject.note =
    `${fmt(community.decisions.length)} community decisions (origin CAPI) written in ${fmt(ms)} ms by the ` +
    `puller's code path, all visible to the LAPI ${fmt(Date.now() - seen)} ms later`;
  log(`picket: ${subject.note}`);
  const queries: string[] = [];
  for (let i = 0; i < Math.max(local.queries.length, community.queries.length); i++) {
    if (i < local.queries.length) queries.push(local.queries[i]!);
    if (i < community.queries.length) queries.push(community.queries[i]!);
  }
  return {
    decisions: [...local.decisions, ...community.decisions],
    queries,
    expectedHits: new Set([...local.expectedHits, ...community.expectedHits]),
  };
}

/** after the startup pulls: 1,000 new and 1,000 deleted community entries, then one bouncer poll */
async function measureCommunityDelta(t: LapiTarget, s: Subject, key: string, community: DecisionSet): Promise<string> {
  const dataDir = (t as LapiTarget & { dataDir: string }).dataDir;
  const gone = community.decisions.filter((d) => d.scope === 'Ip').slice(0, 1000);
  const fresh = makeDecisionSet(1000, 3).decisions;
  const ms = await applyCommunity(dataDir, fresh, gone, false);
  await new Promise((res) => setTimeout(res, 2_500)); // the LAPI's change-log catch-up (1 s)
  const d = await timeDeltaStream(s.url, key);
  return (
    `community delta (1,000 new + 1,000 deleted) applied in ${fmt(ms)} ms; a bouncer's delta poll: ` +
    `${fmt(d.bytes)} B (${d.news} new, ${d.deleted} deleted) in ${fmt(d.ms, 1)} ms`
  );
}

async function measureStreams(s: Subject, key: string, protobuf: boolean): Promise<void> {
  s.json = await timeStartupStream(s.url, key, 'json');
  log(`${s.name}: startup stream JSON ${fmt(s.json.bytes)} B in ${fmt(s.json.ms)} ms (${s.json.newCount} new)`);
  if (!protobuf) return;
  s.protobuf = await timeStartupStream(s.url, key, 'protobuf');
  log(
    `${s.name}: startup stream protobuf ${fmt(s.protobuf.bytes)} B in ${fmt(s.protobuf.ms)} ms (${s.protobuf.contentType})`,
  );
  if (!s.protobuf.contentType.includes('protobuf')) s.note = `protobuf asked, got ${s.protobuf.contentType}`;
}

function ratio(a: number | undefined, b: number | undefined, d = 2): string {
  return a === undefined || b === undefined || !(b > 0) || Number.isNaN(a) ? 'n/a' : `${(a / b).toFixed(d)}`;
}

/** [user, system] CPU time of a process so far (ms), from /proc (NaN when unknown) */
function cpuMs(pid: number | undefined): [number, number] {
  if (pid === undefined) return [NaN, NaN];
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [(Number(f[11]) * 1000) / CLK_TCK, (Number(f[12]) * 1000) / CLK_TCK];
  } catch {
    return [NaN, NaN];
  }
}
/** USER_HZ: 100 on Linux */
const CLK_TCK = 100;

/** per-round ratios to bare (rounds alternate targets, so each round's pair saw the same machine) */
function perRound(s: Subject, b: Subject | undefined): string[] {
  if (b === undefined || b.wrk.length !== s.wrk.length) return [];
  const r = s.wrk.map((w, i) => ratio(w.requestsPerSec, b.wrk[i]!.requestsPerSec)).join(' / ');
  const q = s.wrk.map((w, i) => ratio(w.p99Ms, b.wrk[i]!.p99Ms)).join(' / ');
  const c = s.cpuUs.map((x, i) => ratio(b.cpuUs[i], x)).join(' / ');
  const us = (x: Subject): string => fmt(median(x.cpuUs), 1);
  return [
    `- ${s.name} / bare per round: lookups/s ${r}; p99 ${q}; bare / ${s.name} server CPU per request ${c} ` +
      `(medians ${us(b)} / ${us(s)} µs)`,
  ];
}

function report(o: Options, subjects: Subject[], notes: string[]): string {
  const by = (n: string): Subject | undefined => subjects.find((r) => r.name === n);
  const p = by('picket');
  const c = by('crowdsec');
  const b = by('bare node:http');
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const lines = [
    `- command: \`node dist/bench/lapi.bench.js --decisions ${o.decisions} --duration ${o.duration} --crowdsec-duration ${o.crowdsecDuration} --rounds ${o.rounds}${o.community ? ` --community ${o.community}` : ''}${o.baselines.map((d) => ` --baseline ${d}`).join('')}\` (each round: wrk -t2 -c32 -d${o.duration}s --timeout 60s --latency on bare node:http then Picket after a 2 s warm-up of each, medians of the rounds; CrowdSec once, in round 1, for ${o.crowdsecDuration} s; queries rotate over 2,500 addresses: 1,000 loaded IPs, 250 inside loaded ranges, 1,250 not loaded)`,
    `- machine: nproc ${os.availableParallelism()}, ${cpu}, node ${process.version}; load average at start ${LOAD_AT_START}, at end ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (shared machine: compare ratios within the run)`,
    `- date: ${new Date().toISOString()}`,
    '',
    '| target | load (POST /v1/alerts) | sample answers | lookups/s (each round) | p50 | p99 | non-2xx | stream JSON | stream protobuf |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of subjects) {
    const perSec = (x: number | undefined): string => fmt(x, x !== undefined && x < 100 ? 1 : 0);
    const rounds = r.wrk.map((w) => perSec(w.requestsPerSec)).join(' / ');
    lines.push(
      `| ${r.name} | ${r.loadMs !== undefined ? `${(r.loadMs / 1000).toFixed(1)} s` : '-'} | ${r.hitCheck ?? '-'} | ${perSec(rps(r))} (${rounds}) | ${fmt(p50(r), 2)} ms | ${fmt(p99(r), 2)} ms | ${r.wrk.reduce((n, w) => n + w.non2xx, 0)} | ${r.json ? `${fmt(r.json.bytes)} B, ${fmt(r.json.ms)} ms` : '-'} | ${r.protobuf ? `${fmt(r.protobuf.bytes)} B, ${fmt(r.protobuf.ms)} ms` : '-'} |`,
    );
  }
  const goal = (v: string, ok: (x: number) => boolean): string =>
    v === 'n/a' ? 'n/a' : ok(Number(v)) ? 'met' : 'NOT met';
  const r1 = ratio(rps(p), rps(c), 1);
  const r2 = ratio(rps(p), rps(b));
  const r3 = ratio(p99(p), p99(b));
  const r4 = ratio(p?.json?.bytes, p?.protobuf?.bytes);
  lines.push(
    '',
    '| ratio | value | goal | |',
    '|---|---:|---|---|',
    `| Picket / CrowdSec lookups/s | ${r1} | >= 30 | ${goal(r1, (x) => x >= 30)} |`,
    `| Picket / bare node:http lookups/s | ${r2} | >= 0.70 | ${goal(r2, (x) => x >= 0.7)} |`,
    `| Picket p99 / bare p99 | ${r3} | <= 1.5 | ${goal(r3, (x) => x <= 1.5)} |`,
    `| Picket stream JSON / protobuf bytes | ${r4} | >= 4 | ${goal(r4, (x) => x >= 4)} |`,
    `| CrowdSec / bare node:http lookups/s | ${ratio(rps(c), rps(b), 4)} | (reference) | |`,
    `| Picket JSON / CrowdSec JSON startup stream time | ${ratio(p?.json?.ms, c?.json?.ms)} | (reference) | |`,
  );
  for (const s of subjects.filter((x) => x.name.startsWith('picket'))) lines.push(...perRound(s, b));
  for (const r of subjects) if (r.note) lines.push(`- ${r.name}: ${r.note}`);
  for (const n of notes) lines.push(`- ${n}`);
  return lines.join('\n');
}

/** node flags of every server of the run (--cpu-prof DIR: a CPU profile each, sampled every 250 µs; --node-args) */
function profArgs(o: Options): string[] {
  const prof = o.cpuProf ? ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', o.cpuProf] : [];
  return [...prof, ...o.nodeArgs];
}

/** the LAPIs of the run: this build's Picket, each --baseline build, CrowdSec */
function lapiKinds(o: Options): LapiKind[] {
  const nodeArgs = profArgs(o);
  const out: LapiKind[] = [];
  if (o.targets.has('picket')) out.push({ name: 'picket', kind: 'picket', nodeArgs });
  for (const d of o.baselines)
    out.push({ name: `picket@${path.basename(d)}`, kind: 'picket', bin: path.join(d, 'bin/picket.js'), nodeArgs });
  if (o.targets.has('crowdsec')) out.push({ name: 'crowdsec', kind: 'crowdsec' });
  return out;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const missing = missingBinaries('wrk');
  if (missing) {
    log(`lapi.bench: ${missing}: nothing measured`);
    return 1;
  }
  const dir = makeTempDir('picket-lapi-bench-');
  const subjects: Subject[] = [];
  const targets: LapiTarget[] = [];
  const keys = new Map<string, string>();
  const notes: string[] = [];
  let failed = false;
  const set = makeDecisionSet(o.decisions);
  const community = o.community > 0 ? makeDecisionSet(o.community, 2) : null;
  log(
    `decision set: ${set.decisions.length} (${set.decisions.filter((d) => d.scope === 'Range').length} ranges, ${set.decisions.filter((d) => d.value.includes(':')).length} IPv6)`,
  );
  try {
    if (o.targets.has('bare')) {
      const port = await freePort();
      const server = startProcess('bare-http', process.execPath, [...profArgs(o), writeBareServer(dir), String(port)], {
        logDir: dir,
      });
      await waitForHttp(`http://127.0.0.1:${port}/`, 10_000, server);
      const bare: Subject = {
        name: 'bare node:http',
        url: `http://127.0.0.1:${port}/`,
        script: path.join(dir, 'bare.lua'),
        wrk: [],
        cpuUs: [],
        pid: server.pid,
      };
      writeWrkScript(bare.script, set.queries, 'none');
      subjects.push(bare);
      log(`bare node:http: pid ${server.pid}`);
    }
    for (const k of lapiKinds(o)) {
      const why = k.bin === undefined ? targetUnavailable(k.kind) : undefined;
      if (why) {
        notes.push(`${k.name} not run: ${why}`);
        continue;
      }
      try {
        const { target, subject, key } = await prepareLapi(k, dir, set, community);
        targets.push(target);
        subjects.push(subject);
        keys.set(k.name, key);
      } catch (err) {
        failed = true;
        notes.push(`${k.name} failed: ${(err as Error).message.split('\n')[0]}`);
        log(`${k.name}: FAILED ${(err as Error).stack ?? String(err)}`);
      }
    }
    for (const s of subjects) if (s.name !== 'crowdsec') await runWrk(s.url, s.script, 2); // warm-up (JIT, page cache), not recorded
    for (let round = 1; round <= o.rounds; round++) {
      for (const s of subjects) {
        // CrowdSec: one longer run (under 32 connections its requests take seconds: a 10 s run completes almost none)
        if (s.name === 'crowdsec' && round > 1) continue;
        const cpu0 = cpuMs(s.pid);
        const w = await runWrk(s.url, s.script, s.name === 'crowdsec' ? o.crowdsecDuration : o.duration);
        s.wrk.push(w);
        const cpu1 = cpuMs(s.pid);
        const per = (i: 0 | 1): number => ((cpu1[i] - cpu0[i]) * 1000) / Math.max(1, w.requests);
        s.cpuUs.push(per(0) + per(1));
        log(
          `round ${round} ${s.name}: ${fmt(w.requestsPerSec)} req/s, p50 ${fmt(w.p50Ms, 2)} ms, p99 ${fmt(w.p99Ms, 2)} ms, ${w.requests} requests, non-2xx ${w.non2xx} ${w.socketErrors}, server CPU ${fmt(per(0) + per(1), 1)} µs/request (user ${fmt(per(0), 1)}, system ${fmt(per(1), 1)})`,
        );
        if (w.requests < 100 || w.non2xx > 0 || w.socketErrors) log(`${s.name}: wrk report:\n${w.raw}`);
      }
    }
    for (const s of subjects) {
      const key = keys.get(s.name);
      if (key) await measureStreams(s, key, s.name.startsWith('picket'));
      const t = targets.find((x) => x.url === s.url);
      if (key && community && s.name === 'picket' && t) notes.push(await measureCommunityDelta(t, s, key, community));
    }
  } catch (err) {
    failed = true;
    notes.push(`failed: ${(err as Error).message.split('\n')[0]}`);
    log(`FAILED ${(err as Error).stack ?? String(err)}`);
  } finally {
    for (const t of targets) await t.stop();
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`\n${report(o, subjects, notes)}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`lapi.bench: ${err.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
