// Tail-to-alert latency: spawns `picket run -o json` on a temporary acquisition (an sshd auth.log of type
// syslog and an nginx access.log of type nginx), streams benign lines into both at a fixed rate (default
// 20,000 lines/s, written in 10 ms slices, timestamps "now") and, at known instants, appends one open-proxy
// probe (`CONNECT ... 405`, the trigger scenario picket/http-open-proxy) with a unique source address. The
// latency of a probe is the time from just before its append to the moment its alert is read on stdout.
// Prints p50/p90/p99/max and the achieved input rate, per --workers value.
// Owns: bench/latency.bench.ts (also exports measureLatency(), used by test/pipeline/latency.test.ts).
//
//   node dist/bench/latency.bench.js [--seconds 30] [--probes 100] [--rate 20000] [--workers 0,2] [--poll MS]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { picketArgv } from './picket-bin.js';

export interface LatencyOptions {
  workers: number | null; // null: the agent's default
  /** benign lines per second over both files */
  rate: number;
  /** benign load before the first probe (ms) */
  warmupMs: number;
  /** total writing time (ms); probes are spread evenly between warm-up and the end */
  durationMs: number;
  probes: number;
  /** --poll for the agent (undefined: its default) */
  pollMs?: number;
  /** how long to wait for the last alerts after writing stopped (ms) */
  graceMs?: number;
}

export interface LatencyResult {
  /** ms per probe, in probe order; NaN = no alert seen */
  latencies: number[];
  /** benign lines written and the achieved rate (lines/s over the writing time) */
  lines: number;
  achievedRate: number;
  /** alerts other than the probes' (false positives of the benign load) */
  otherAlerts: number;
  stderr: string;
  /** picket's peak RSS at the end of the run (VmHWM, every thread), MB; NaN where /proc is absent */
  peakRssMB: number;
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');
function syslogTime(d: Date): string {
  return `${MON[d.getUTCMonth()]!} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}
function nginxTime(d: Date): string {
  return `${p2(d.getUTCDate())}/${MON[d.getUTCMonth()]!}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
}

const SSH_USERS = ['deploy', 'alice', 'bob', 'backup', 'git'];
const STATIC = ['/static/app.js', '/static/site.css', '/img/logo.png', '/fonts/inter.woff2', '/favicon.ico'];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36',
];

/** n benign lines for each file: sshd successful logins / disconnects, nginx 200s on static files and pages */
function benign(seq: number, n: number, now: Date): { ssh: string; web: string } {
  const st = syslogTime(now),
    nt = nginxTime(now);
  let ssh = '',
    web = '';
  for (let i = 0; i < n; i++) {
    const k = seq + i;
    const ip = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
    if (k & 1) {
      const user = SSH_USERS[k % 5]!;
      ssh +=
        k & 2
          ? `${st} web01 sshd[${1000 + (k % 30000)}]: Accepted publickey for ${user} from ${ip} port ${20000 + (k % 40000)} ssh2: ED25519 SHA256:q3b0Zk9d\n`
          : `${st} web01 sshd[${1000 + (k % 30000)}]: Received disconnect from ${ip} port ${20000 + (k % 40000)}:11: disconnected by user\n`;
    } else {
      const p = (k & 6) === 6 ? `/blog/post-${k % 97}` : STATIC[k % 5]!;
      web += `${ip} - - [${nt}] "GET ${p} HTTP/1.1" 200 ${512 + (k % 9000)} "https://example.org/" "${AGENTS[(k >> 1) & 1]!}"\n`;
    }
  }
  return { ssh, web };
}

function probeIp(i: number): string {
  return `203.0.${113 + (i >> 8)}.${i & 255}`;
}

/** Runs one measurement; the agent is stopped (SIGTERM, then SIGKILL) before it returns. */
export async function measureLatency(o: LatencyOptions): Promise<LatencyResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-latency-'));
  const auth = path.join(dir, 'auth.log'),
    access = path.join(dir, 'access.log');
  fs.writeFileSync(auth, '');
  fs.writeFileSync(access, '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(
    acquis,
    `filenames:\n  - ${auth}\nlabels:\n  type: syslog\n---\nfilenames:\n  - ${access}\nlabels:\n  type: nginx\n`,
  );
  const args = picketArgv([
    'run',
    '--acquis',
    acquis,
    '--data',
    path.join(dir, 'data'),
    '-o',
    'json',
    '--listen',
    '127.0.0.1:0',
    '--metrics',
    'off',
  ]);
  if (o.workers !== null) args.push('--workers', String(o.workers));
  if (o.pollMs !== undefined) args.push('--poll', String(o.pollMs));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('close', () => r()));

  const sent = new Map<string, number>(); // probe ip -> append time
  const seen = new Map<string, number>(); // probe ip -> alert time
  let otherAlerts = 0,
    stderr = '',
    pending = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    const t = performance.now();
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line) continue;
      let ip = '';
      try {
        ip = (JSON.parse(line) as { source?: { value?: string } }).source?.value ?? '';
      } catch {
        /* not an alert */
      }
      if (sent.has(ip)) {
        if (!seen.has(ip)) seen.set(ip, t);
      } else otherAlerts++;
    }
  });
  child.stderr.on('data', (d: string) => {
    stderr += d;
  });

  const fdA = fs.openSync(auth, 'a'),
    fdW = fs.openSync(access, 'a');
  let lines = 0,
    writeMs: number,
    peakRssMB: number;
  try {
    // ready: the agent printed what it watches (bounded wait)
    const t0 = performance.now();
    while (!/watching/.test(stderr)) {
      if (child.exitCode !== null || performance.now() - t0 > 30000)
        throw new Error(`picket run did not start\nstderr:${stderr}`);
      await sleep(20);
    }
    await sleep(500); // first poll done: the files are followed from their (empty) end

    const start = performance.now();
    const span = o.durationMs - o.warmupMs;
    const probeAt = Array.from({ length: o.probes }, (_, i) => o.warmupMs + (span * (i + 0.5)) / o.probes);
    let next = 0;
    for (let slice = 0; ; slice++) {
      const el = performance.now() - start;
      if (el >= o.durationMs || child.exitCode !== null) break;
      // catch up to the target count (a late timer writes a bigger slice, the rate holds)
      const want = Math.floor((el * o.rate) / 1000) - lines;
      if (want > 0) {
        const b = benign(lines, want, new Date());
        if (b.ssh) fs.writeSync(fdA, b.ssh);
        if (b.web) fs.writeSync(fdW, b.web);
        lines += want;
      }
      while (next < probeAt.length && el >= probeAt[next]!) {
        const ip = probeIp(next);
        const line = `${ip} - - [${nginxTime(new Date())}] "CONNECT www.example.com:443 HTTP/1.1" 405 166 "-" "Mozilla/5.0"\n`;
        sent.set(ip, performance.now());
        fs.writeSync(fdW, line);
        next++;
      }
      await sleep(Math.max(0, 10 - ((performance.now() - start) % 10)));
    }
    writeMs = performance.now() - start;
    // the last alerts (bounded)
    const t1 = performance.now();
    while (seen.size < sent.size && performance.now() - t1 < (o.graceMs ?? 3000) && child.exitCode === null)
      await sleep(20);
  } finally {
    fs.closeSync(fdA);
    fs.closeSync(fdW);
    peakRssMB = peakRssOf(child.pid);
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const k = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(k);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const latencies = [...sent].map(([ip, t]) => {
    const a = seen.get(ip);
    return a === undefined ? NaN : a - t;
  });
  return { latencies, lines, achievedRate: writeMs > 0 ? (lines * 1000) / writeMs : 0, otherAlerts, stderr, peakRssMB };
}

/** the process's peak resident memory so far (every thread: workers included), MB; NaN where /proc is absent */
function peakRssOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** quantile of the sorted values (nearest rank); NaN (missed alert) sorts last as +Infinity */
export function quantile(values: number[], q: number): number {
  const s = values.map((v) => (Number.isNaN(v) ? Infinity : v)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1]! : def;
  };
  const seconds = Number(opt('seconds', '30')),
    probes = Number(opt('probes', '100')),
    rate = Number(opt('rate', '20000'));
  const poll = argv.includes('--poll') ? Number(opt('poll', '200')) : undefined;
  const workers = opt('workers', '0,2').split(',').map(Number);
  console.log(
    `tail-to-alert latency: ${rate} benign lines/s for ${seconds}s (3s warm-up), ${probes} probes, poll ${poll ?? 'default'} ms`,
  );
  console.log(`machine: ${os.availableParallelism()} cpus, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}`);
  console.log(
    '| workers | probes | alerts seen | p50 ms | p90 ms | p99 ms | max ms | input lines/s | other alerts | peak RSS MB |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  let bad = false;
  for (const w of workers) {
    const r = await measureLatency({
      workers: w,
      rate,
      warmupMs: 3000,
      durationMs: seconds * 1000,
      probes,
      pollMs: poll,
      graceMs: 5000,
    });
    const ok = r.latencies.filter((v) => !Number.isNaN(v)).length;
    const f = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : 'missed');
    console.log(
      `| ${w} | ${r.latencies.length} | ${ok} | ${f(quantile(r.latencies, 0.5))} | ${f(quantile(r.latencies, 0.9))} | ${f(quantile(r.latencies, 0.99))} | ${f(quantile(r.latencies, 1))} | ${Math.round(r.achievedRate)} | ${r.otherAlerts} | ${Number.isNaN(r.peakRssMB) ? '-' : r.peakRssMB.toFixed(0)} |`,
    );
    if (ok < r.latencies.length) bad = true;
  }
  process.exitCode = bad ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e: Error) => {
    console.error(e.stack ?? e.message);
    process.exitCode = 1;
  });
}
