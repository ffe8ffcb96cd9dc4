// Pieces of the LAPI benchmark (bench/lapi.bench.ts). Owns: the deterministic decision set (mostly single IPv4,
// some IPv6 and ranges) and the query addresses (loaded, inside a loaded range, unloaded), loading the set
// into any LAPI through `POST /v1/alerts` as a watcher (1,000 decisions per alert, the way cscli imports),
// the wrk Lua script rotating the queries, running wrk and reading its report, and timing a startup stream.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { runCommand } from '../test/conformance/harness/proc.js';
import { rng } from '../test/store/random.js';

export interface BenchDecision {
  value: string;
  scope: 'Ip' | 'Range';
  duration: string;
  scenario: string;
}
export interface DecisionSet {
  decisions: BenchDecision[];
  queries: string[];
  expectedHits: Set<string>;
}

const SCENARIOS = [
  'crowdsecurity/ssh-bf',
  'crowdsecurity/http-probing',
  'crowdsecurity/http-crawl-non_statics',
  'crowdsecurity/ssh-slow-bf',
  'crowdsecurity/http-bad-user-agent',
];

/**
 * `n` decisions: 90% single IPv4, 7% single IPv6, 2.5% IPv4 /24, 0.5% IPv6 /64, each value unique, durations
 * 1 h..24 h. Queries: 1,000 loaded single IPs, 250 addresses inside loaded ranges, 1,250 unloaded addresses.
 */
export function makeDecisionSet(n: number, seed = 1): DecisionSet {
  const rnd = rng(seed);
  const int = (m: number): number => Math.floor(rnd() * m);
  const v4 = (): number => (((1 + int(222)) << 24) | int(1 << 24)) >>> 0; // 1.0.0.0 .. 222.255.255.255
  const v4s = (x: number): string => `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
  const hex = (): string => int(0x10000).toString(16);
  const ranges24 = new Set<number>();
  const singles = new Set<string>();
  const decisions: BenchDecision[] = [];
  const push = (value: string, scope: 'Ip' | 'Range'): void => {
    decisions.push({ value, scope, duration: `${60 + int(23 * 60)}m`, scenario: SCENARIOS[int(SCENARIOS.length)]! });
  };
  const nV6 = Math.round(n * 0.07);
  const nR4 = Math.round(n * 0.025);
  const nR6 = Math.round(n * 0.005);
  const nV4 = n - nV6 - nR4 - nR6;
  while (ranges24.size < nR4) ranges24.add(v4() >>> 8);
  for (const r of ranges24) push(`${v4s(r << 8)}/24`, 'Range');
  const ranges6: string[] = [];
  while (ranges6.length < nR6) ranges6.push(`2001:db8:${hex()}:${hex()}::/64`);
  for (const r of new Set(ranges6)) push(r, 'Range');
  while (singles.size < nV4) {
    const x = v4();
    if (!ranges24.has(x >>> 8)) singles.add(v4s(x));
  }
  const v6singles = new Set<string>();
  while (v6singles.size < nV6) v6singles.add(`2a00:${hex()}:${hex()}:${hex()}::${hex()}`);
  for (const s of singles) push(s, 'Ip');
  for (const s of v6singles) push(s, 'Ip');
  // interleave kinds the way a real feed mixes them
  for (let i = decisions.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [decisions[i], decisions[j]] = [decisions[j]!, decisions[i]!];
  }

  const expectedHits = new Set<string>();
  const queries: string[] = [];
  const loadedSingles = decisions.filter((d) => d.scope === 'Ip');
  for (let i = 0; i < 1000; i++) {
    const q = loadedSingles[int(loadedSingles.length)]!.value;
    queries.push(q);
    expectedHits.add(q);
  }
  const r4 = [...ranges24];
  for (let i = 0; i < 250; i++) {
    const q = v4s(((r4[int(r4.length)]! << 8) | int(256)) >>> 0);
    queries.push(q);
    expectedHits.add(q);
  }
  for (let i = 0; i < 1250; i++) {
    let q: string;
    if (i % 10 === 9) q = `2a01:${hex()}:${hex()}::${hex()}`;
    else {
      let x: number;
      do x = v4();
      while (ranges24.has(x >>> 8) || singles.has(v4s(x)));
      q = v4s(x);
    }
    queries.push(q);
  }
  for (let i = queries.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [queries[i], queries[j]] = [queries[j]!, queries[i]!];
  }
  return { decisions, queries, expectedHits };
}

interface HttpResult {
  status: number;
  body: Buffer;
  headers: http.IncomingHttpHeaders;
  ms: number;
}

/** One HTTP request on 127.0.0.1 (no compression asked), timed to the last byte. */
export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, timeout: opts.timeoutMs ?? 300_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            headers: res.headers,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Logs in as a watcher; returns the JWT. */
export async function login(baseUrl: string, machineId: string, password: string): Promise<string> {
  const r = await request(`${baseUrl}v1/watchers/login`, {
    method: 'POST',
    body: JSON.stringify({ machine_id: machineId, password, scenarios: [] }),
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'crowdsec/v1.4.6-bench' },
  });
  if (r.status !== 200)
    throw new Error(`login to ${baseUrl} as ${machineId}: ${r.status} ${r.body.toString().slice(0, 300)}`);
  return (JSON.parse(r.body.toString()) as { token: string }).token;
}

/**
 * Loads the decisions through `POST /v1/alerts`, `perAlert` decisions per alert, `alertsPerPost` alerts per
 * request.
 */
export async function loadDecisions(
  baseUrl: string,
  token: string,
  decisions: BenchDecision[],
  perAlert = 1000,
  alertsPerPost = 1,
): Promise<number> {
  const started = Date.now();
  const now = new Date().toISOString();
  for (let i = 0; i < decisions.length; i += perAlert * alertsPerPost) {
    const alerts = [];
    for (let a = 0; a < alertsPerPost && i + a * perAlert < decisions.length; a++) {
      const chunk = decisions.slice(i + a * perAlert, i + (a + 1) * perAlert);
      alerts.push({
        scenario: `bench import of ${chunk.length} decisions`,
        scenario_hash: '',
        scenario_version: '',
        message: 'bench import',
        events_count: 1,
        capacity: 0,
        leakspeed: '0',
        simulated: false,
        labels: null,
        start_at: now,
        stop_at: now,
        created_at: now,
        source: { scope: 'Ip', value: '127.0.0.1', ip: '127.0.0.1' },
        events: [],
        decisions: chunk.map((d) => ({
          duration: d.duration,
          origin: 'cscli',
          scenario: d.scenario,
          scope: d.scope,
          type: 'ban',
          value: d.value,
        })),
      });
    }
    const r = await request(`${baseUrl}v1/alerts`, {
      method: 'POST',
      body: JSON.stringify(alerts),
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
        'User-Agent': 'crowdsec/v1.4.6-bench',
      },
    });
    if (r.status !== 201)
      throw new Error(`POST /v1/alerts (decisions ${i}..): ${r.status} ${r.body.toString().slice(0, 300)}`);
  }
  return Date.now() - started;
}

/** The wrk Lua script: each thread starts at its own offset and rotates through the query paths. */
export function writeWrkScript(file: string, queries: string[], apiKey: string): void {
  const paths = queries.map((q) => `"/v1/decisions?ip=${encodeURIComponent(q)}"`).join(',\n');
  fs.writeFileSync(
    file,
    `-- generated by bench/lapi.bench.ts
local paths = {
${paths}
}
local n = #paths
local i = 0
local headers = { ["X-Api-Key"] = "${apiKey}", ["User-Agent"] = "lapi-bench/1" }
local thread_id = 0
function setup(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
function init(args) i = (tid or 0) * math.floor(n / 2) end
function request()
  i = i + 1
  if i > n then i = 1 end
  return wrk.format("GET", paths[i], headers)
end
`,
  );
}

export interface WrkResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  socketErrors: string;
  raw: string;
}

function toMs(v: string, unit: string): number {
  const x = Number(v);
  return unit === 'us' ? x / 1000 : unit === 's' ? x * 1000 : unit === 'm' ? x * 60_000 : x;
}

/** Runs wrk (2 threads, 32 connections, --latency) against `url` with the script, bounded in time. */
export async function runWrk(
  url: string,
  script: string,
  seconds: number,
  threads = 2,
  connections = 32,
): Promise<WrkResult> {
  const r = await runCommand(
    'wrk',
    [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '60s', '--latency', '-s', script, url],
    { timeoutMs: (seconds + 30) * 1000 },
  );
  if (r.code !== 0) throw new Error(`wrk exited ${r.code}: ${r.stderr}\n${r.stdout}`);
  const out = r.stdout;
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const lat = (pct: string): number => {
    const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? toMs(m[1]!, m[2]!) : NaN;
  };
  const total = /(\d+) requests in/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sockErr = /Socket errors:([^\n]*)/.exec(out);
  return {
    requestsPerSec: rps ? Number(rps[1]) : NaN,
    p50Ms: lat('50'),
    p99Ms: lat('99'),
    requests: total ? Number(total[1]) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sockErr ? sockErr[1]!.trim() : '',
    raw: out,
  };
}

export interface StreamResult {
  ms: number;
  bytes: number;
  status: number;
  contentType: string;
  newCount?: number;
}

/**
 * `GET /v1/decisions/stream?startup=true` as a fresh bouncer would (no compression), timed to the last byte;
 * median of `runs`.
 */
export async function timeStartupStream(
  baseUrl: string,
  apiKey: string,
  accept: 'json' | 'protobuf',
  runs = 3,
): Promise<StreamResult> {
  const results: StreamResult[] = [];
  for (let i = 0; i < runs; i++) {
    const headers: Record<string, string> = { 'X-Api-Key': apiKey, 'User-Agent': 'crowdsec-firewall-bouncer/-' };
    if (accept === 'protobuf') headers.Accept = 'application/x-protobuf';
    const r = await request(`${baseUrl}v1/decisions/stream?startup=true`, { headers });
    if (r.status !== 200) throw new Error(`stream (${accept}): ${r.status} ${r.body.toString().slice(0, 200)}`);
    const res: StreamResult = {
      ms: r.ms,
      bytes: r.body.length,
      status: r.status,
      contentType: String(r.headers['content-type'] ?? ''),
    };
    if (accept === 'json')
      res.newCount = ((JSON.parse(r.body.toString()) as { new: unknown[] | null }).new ?? []).length;
    results.push(res);
  }
  results.sort((a, b) => a.ms - b.ms);
  return results[Math.floor(results.length / 2)]!;
}

/** Source of the bare node:http server: answers every request with the same body (a typical one-decision answer). */
export function writeBareServer(dir: string): string {
  const file = path.join(dir, 'bare-server.mjs');
  const body = JSON.stringify([
    {
      duration: '3h59m59s',
      id: 1,
      origin: 'cscli',
      scenario: 'crowdsecurity/ssh-bf',
      scope: 'Ip',
      type: 'ban',
      value: '192.0.2.1',
    },
  ]);
  fs.writeFileSync(
    file,
    `import http from 'node:http';
const body = Buffer.from(${JSON.stringify(body)});
const port = Number(process.argv[2]);
http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length }); res.end(body); })
  .listen(port, '127.0.0.1', () => process.stderr.write('bare listening on ' + port + '\\n'));
process.on('SIGTERM', () => process.exit(0)); // a normal exit: node writes its --cpu-prof profile
`,
  );
  return file;
}
