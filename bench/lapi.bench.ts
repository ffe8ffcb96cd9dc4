// LAPI benchmark: the same decision set (default 100,000; mostly single IPv4, some IPv6 and ranges) loaded into
// Picket's LAPI and CrowdSec 1.4.6's (default SQLite), then, in this one run, wrk (2 threads, 32 connections,
// --duration s, queries rotating among loaded and unloaded addresses) on `GET /v1/decisions?ip=` against Picket,
// CrowdSec and a bare node:http server with a fixed body, and the time and size of a `startup=true` stream
// (JSON and protobuf for Picket, JSON for CrowdSec). Prints a markdown table with the ratios and the goals.
// Usage: node dist/bench/lapi.bench.js [--decisions 100000] [--duration 10] [--targets picket,crowdsec,bare]
// Owns: the orchestration and the report; the pieces are in bench/lapi-load.ts.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, makeTempDir, missingBinaries, startProcess, stopAll, waitForHttp } from '../test/conformance/harness/proc.js';
import { startCrowdsecTarget, startPicketLapi, targetUnavailable, type LapiTarget } from '../test/conformance/harness/target.js';
import { loadDecisions, login, makeDecisionSet, request, runWrk, timeStartupStream, writeBareServer, writeWrkScript, type DecisionSet, type StreamResult, type WrkResult } from './lapi-load.js';

interface Options { decisions: number; duration: number; targets: Set<string> }

function parseArgs(argv: string[]): Options {
  const o: Options = { decisions: 100_000, duration: 10, targets: new Set(['picket', 'crowdsec', 'bare']) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--decisions' && v) { o.decisions = Number(v); i++; } else if (a === '--duration' && v) { o.duration = Number(v); i++; } else if (a === '--targets' && v) { o.targets = new Set(v.split(',')); i++; } else throw new Error(`unknown argument ${a} (usage: --decisions N --duration S --targets picket,crowdsec,bare)`);
  }
  if (!(o.decisions > 0) || !(o.duration > 0 && o.duration <= 120)) throw new Error('--decisions must be > 0 and --duration in 1..120 s');
  return o;
}

interface TargetRun { name: string; loadMs?: number; wrk?: WrkResult; json?: StreamResult; protobuf?: StreamResult; hitCheck?: string; note?: string }

const LOAD_AT_START = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const log = (s: string): void => { process.stdout.write(`${s}\n`); };
const fmt = (n: number | undefined, d = 0): string => n === undefined || Number.isNaN(n) ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Checks that a sample of the queries answers hit/miss as the set says (the same on every LAPI). */
async function checkAnswers(t: LapiTarget, key: string, set: DecisionSet): Promise<string> {
  let wrong = 0;
  const sample = set.queries.slice(0, 200);
  for (const q of sample) {
    const r = await request(`${t.url}v1/decisions?ip=${encodeURIComponent(q)}`, { headers: { 'X-Api-Key': key } });
    const body = r.body.toString();
    const hit = r.status === 200 && body !== 'null' && body !== '[]';
    if (r.status !== 200 || hit !== set.expectedHits.has(q)) wrong++;
  }
  return `${sample.length - wrong}/${sample.length} answers right`;
}

async function benchLapi(t: LapiTarget, creds: { login: string; password: string }, set: DecisionSet, o: Options, dir: string, protobuf: boolean): Promise<TargetRun> {
  const run: TargetRun = { name: t.name };
  const token = await login(t.url, creds.login, creds.password);
  log(`${t.name}: loading ${set.decisions.length} decisions through POST /v1/alerts ...`);
  run.loadMs = await loadDecisions(t.url, token, set.decisions);
  log(`${t.name}: loaded in ${(run.loadMs / 1000).toFixed(1)} s`);
  const key = await t.addBouncer(`bench-${Date.now()}`);
  run.hitCheck = await checkAnswers(t, key, set);
  log(`${t.name}: ${run.hitCheck}`);
  const script = path.join(dir, `${t.name}.lua`);
  writeWrkScript(script, set.queries, key);
  run.wrk = await runWrk(t.url, script, o.duration);
  if (run.wrk.requests < 100 || run.wrk.non2xx > 0 || run.wrk.socketErrors) log(`${t.name}: wrk report:\n${run.wrk.raw}`);
  log(`${t.name}: ${fmt(run.wrk.requestsPerSec)} req/s, p99 ${fmt(run.wrk.p99Ms, 2)} ms, non-2xx ${run.wrk.non2xx} ${run.wrk.socketErrors}`);
  run.json = await timeStartupStream(t.url, key, 'json');
  log(`${t.name}: startup stream JSON ${fmt(run.json.bytes)} B in ${fmt(run.json.ms)} ms (${run.json.newCount} new)`);
  if (protobuf) {
    run.protobuf = await timeStartupStream(t.url, key, 'protobuf');
    log(`${t.name}: startup stream protobuf ${fmt(run.protobuf.bytes)} B in ${fmt(run.protobuf.ms)} ms (${run.protobuf.contentType})`);
    if (!run.protobuf.contentType.includes('protobuf')) run.note = `protobuf asked, got ${run.protobuf.contentType}`;
  }
  return run;
}

async function benchBare(o: Options, dir: string, set: DecisionSet): Promise<TargetRun> {
  const port = await freePort();
  const server = startProcess('bare-http', process.execPath, [writeBareServer(dir), String(port)], { logDir: dir });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, 10_000, server);
    const script = path.join(dir, 'bare.lua');
    writeWrkScript(script, set.queries, 'none');
    const wrk = await runWrk(`http://127.0.0.1:${port}/`, script, o.duration);
    log(`bare node:http: ${fmt(wrk.requestsPerSec)} req/s, p99 ${fmt(wrk.p99Ms, 2)} ms`);
    return { name: 'bare node:http', wrk };
  } finally { await server.stop(); }
}

function ratio(a: number | undefined, b: number | undefined, d = 2): string {
  return a === undefined || b === undefined || !(b > 0) || Number.isNaN(a) ? 'n/a' : `${(a / b).toFixed(d)}`;
}

function report(o: Options, runs: TargetRun[]): string {
  const by = (n: string): TargetRun | undefined => runs.find((r) => r.name === n);
  const p = by('picket');
  const c = by('crowdsec');
  const b = by('bare node:http');
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const lines = [
    `- command: \`node dist/bench/lapi.bench.js --decisions ${o.decisions} --duration ${o.duration}\` (wrk -t2 -c32 -d${o.duration}s --latency, queries rotate over ${2500} addresses: 1,000 loaded IPs, 250 inside loaded ranges, 1,250 not loaded)`,
    `- machine: nproc ${os.availableParallelism()}, ${cpu}, node ${process.version}; load average at start ${LOAD_AT_START}, at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (shared machine: compare ratios within the run)`,
    `- date: ${new Date().toISOString()}`,
    '',
    '| target | load (POST /v1/alerts) | answers | lookups/s | p50 | p99 | non-2xx | stream JSON | stream protobuf |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of runs) {
    lines.push(`| ${r.name} | ${r.loadMs !== undefined ? `${(r.loadMs / 1000).toFixed(1)} s` : '-'} | ${r.hitCheck ?? '-'} | ${fmt(r.wrk?.requestsPerSec)} | ${fmt(r.wrk?.p50Ms, 2)} ms | ${fmt(r.wrk?.p99Ms, 2)} ms | ${r.wrk?.non2xx ?? '-'} | ${r.json ? `${fmt(r.json.bytes)} B, ${fmt(r.json.ms)} ms` : '-'} | ${r.protobuf ? `${fmt(r.protobuf.bytes)} B, ${fmt(r.protobuf.ms)} ms` : '-'} |`);
  }
  const goal = (v: string, ok: (x: number) => boolean): string => v === 'n/a' ? 'n/a' : ok(Number(v)) ? 'met' : 'NOT met';
  const r1 = ratio(p?.wrk?.requestsPerSec, c?.wrk?.requestsPerSec, 1);
  const r2 = ratio(p?.wrk?.requestsPerSec, b?.wrk?.requestsPerSec);
  const r3 = ratio(p?.wrk?.p99Ms, b?.wrk?.p99Ms);
  const r4 = ratio(p?.json?.bytes, p?.protobuf?.bytes);
  const r5 = ratio(c?.wrk?.requestsPerSec, b?.wrk?.requestsPerSec, 4);
  lines.push('', '| ratio | value | goal | |', '|---|---:|---|---|',
    `| Picket / CrowdSec lookups/s | ${r1} | >= 30 | ${goal(r1, (x) => x >= 30)} |`,
    `| Picket / bare node:http lookups/s | ${r2} | >= 0.70 | ${goal(r2, (x) => x >= 0.7)} |`,
    `| Picket p99 / bare p99 | ${r3} | <= 1.5 | ${goal(r3, (x) => x <= 1.5)} |`,
    `| Picket stream JSON / protobuf bytes | ${r4} | >= 4 | ${goal(r4, (x) => x >= 4)} |`,
    `| CrowdSec / bare node:http lookups/s | ${r5} | (reference) | |`,
    `| Picket / CrowdSec startup stream time (JSON) | ${ratio(p?.json?.ms, c?.json?.ms)} | (reference) | |`);
  for (const r of runs) if (r.note) lines.push(`- ${r.name}: ${r.note}`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const missing = missingBinaries('wrk');
  if (missing) { log(`lapi.bench: ${missing}: nothing measured`); return 1; }
  const dir = makeTempDir('picket-lapi-bench-');
  const runs: TargetRun[] = [];
  let failed = false;
  const set = makeDecisionSet(o.decisions);
  log(`decision set: ${set.decisions.length} (${set.decisions.filter((d) => d.scope === 'Range').length} ranges, ${set.decisions.filter((d) => d.value.includes(':')).length} IPv6)`);
  try {
    if (o.targets.has('bare')) runs.push(await benchBare(o, dir, set));
    for (const name of ['picket', 'crowdsec'] as const) {
      if (!o.targets.has(name)) continue;
      const why = targetUnavailable(name);
      if (why) { runs.push({ name, note: `not run: ${why}` }); continue; }
      let t: LapiTarget | undefined;
      try {
        t = name === 'picket' ? await startPicketLapi(path.join(dir, name)) : await startCrowdsecTarget(path.join(dir, name), { serverLogLevel: 'error' });
        runs.push(await benchLapi(t, t.machineCredentials(), set, o, dir, name === 'picket'));
      } catch (err) {
        failed = true;
        runs.push({ name, note: `failed: ${(err as Error).message.split('\n')[0]}` });
        log(`${name}: FAILED ${(err as Error).stack ?? String(err)}${t ? `\n--- ${name} log ---\n${t.server.tail(15)}` : ''}`);
      } finally { await t?.stop(); }
    }
  } finally {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`\n${report(o, runs)}`);
  return failed ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (err: Error) => { process.stderr.write(`lapi.bench: ${err.stack ?? err}\n`); process.exitCode = 1; });
