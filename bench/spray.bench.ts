// Address-spray benchmark (issue 11 §1): sshd "Failed password" lines, each from a different source address
// (bench/spray-gen.ts), replayed with `picket replay --workers 0` (time-machine mode) and/or tailed by
// `picket run` (live mode, the file receiving the spray while the daemon runs). Measures lines/s, peak RSS
// (VmHWM) and RSS over time (sampled from /proc/PID/status), and the live buckets the daemon reports.
// Owns: bench/spray.bench.ts only.
//
//   node dist/bench/spray.bench.js [--lines 10000000 | --quick (1M)] [--mode replay,run] [--run-lines N]
//        [--dir /tmp/picket-bench] [--sample-ms 1000] [--bin PATH/bin/picket.js] [--max-buckets N] [--json]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PICKET_BIN, shebangNodeFlags } from './picket-bin.js';
import { sprayChunk, writeSprayFile } from './spray-gen.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 ? (argv[i + 1] ?? def) : def;
};
const quick = argv.includes('--quick');
const LINES = Number(opt('--lines', quick ? '1000000' : '10000000'));
const RUN_LINES = Number(opt('--run-lines', String(Math.min(LINES, 2_000_000))));
const MODES = opt('--mode', 'replay,run').split(',');
const DIR = opt('--dir', path.join(os.tmpdir(), 'picket-bench'));
const SAMPLE_MS = Number(opt('--sample-ms', '1000'));
const BIN = path.resolve(opt('--bin', PICKET_BIN));
/** --max-buckets N: passed on to picket (the ceiling on live buckets; default: picket's) */
const MAX = argv.includes('--max-buckets') ? ['--max-buckets', opt('--max-buckets', '')] : [];

interface Sample {
  s: number;
  rssMB: number;
}
interface Result {
  mode: string;
  lines: number;
  seconds: number;
  linesPerSecond: number;
  peakRssMB: number;
  rssAtHalfMB: number;
  rssAtEndMB: number;
  samples: Sample[];
  exit: number | string | null;
  note: string;
}

function status(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** RSS sampler of a child: samples every SAMPLE_MS, keeps the last VmHWM seen. */
function sampler(pid: number, t0: number) {
  const samples: Sample[] = [];
  let hwm = 0;
  const take = () => {
    const st = status(pid);
    if (!st) return;
    hwm = Math.max(hwm, st.hwm);
    samples.push({ s: Math.round((Date.now() - t0) / 100) / 10, rssMB: Math.round(st.rss) });
  };
  const timer = setInterval(take, SAMPLE_MS);
  return { take, stop: () => clearInterval(timer), samples, hwm: () => hwm };
}

function summarize(
  mode: string,
  lines: number,
  seconds: number,
  sm: ReturnType<typeof sampler>,
  exit: number | string | null,
  note: string,
): Result {
  const s = sm.samples;
  const at = (f: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(s.length * f))]!.rssMB : 0);
  return {
    mode,
    lines,
    seconds,
    linesPerSecond: Math.round(lines / seconds),
    peakRssMB: Math.round(sm.hwm()),
    rssAtHalfMB: at(0.5),
    rssAtEndMB: s.length ? s[s.length - 1]!.rssMB : 0,
    samples: s,
    exit,
    note,
  };
}

async function replayRun(file: string, lines: number): Promise<Result> {
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    [
      ...shebangNodeFlags(BIN),
      BIN,
      ...`replay --file ${file} --type syslog --year 2025 --workers 0 --json`.split(' '),
      ...MAX,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const sm = sampler(child.pid!, t0);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    sm.take();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exit = await new Promise<number | string | null>((r) => child.on('exit', (c, sig) => r(c ?? sig)));
  sm.stop();
  const secs = (Date.now() - t0) / 1000;
  let note: string;
  try {
    const j = JSON.parse(out) as { lines: number; alerts: unknown[]; seconds: number };
    note = `${j.lines} lines read, ${j.alerts.length} alerts, ${j.seconds.toFixed(1)} s in the pipeline`;
    if (j.lines !== lines) note += ` (EXPECTED ${lines})`;
  } catch {
    note = `no JSON result; stderr: ${err.slice(-400).trim()}`;
  }
  return summarize('replay --workers 0', lines, secs, sm, exit, note);
}

/** Sum of a metric's samples; -1 when the scrape failed (a busy daemon may reset it: the caller retries). */
async function metricValue(url: string, name: string): Promise<number> {
  let txt: string;
  try {
    txt = await (await fetch(url)).text();
  } catch {
    await new Promise((r) => setTimeout(r, 200));
    return -1;
  }
  let v = 0;
  for (const l of txt.split('\n')) if (l.startsWith(name)) v += Number(l.slice(l.lastIndexOf(' ') + 1));
  return v;
}

/** `picket run` tailing a file that receives the spray as fast as the daemon reads it. */
async function liveRun(lines: number): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(DIR, 'run-'));
  const log = path.join(dir, 'auth.log');
  fs.writeFileSync(log, '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    [
      ...shebangNodeFlags(BIN),
      BIN,
      ...`run --acquis ${acquis} --data ${path.join(dir, 'data')} --listen 127.0.0.1:0`.split(' '),
      ...'--metrics 127.0.0.1:0 --workers 0 -o json'.split(' '),
      ...MAX,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const sm = sampler(child.pid!, t0);
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /metrics on (http:\/\/\S+)/.exec(err);
      if (m && /watching/.test(err)) resolve(m[1]!.endsWith('/metrics') ? m[1]! : `${m[1]}/metrics`);
    });
    child.on('exit', () => reject(new Error(`picket run exited: ${err.slice(-400)}`)));
  });
  // append in chunks, never more than 200k lines ahead of what the daemon has read
  const fd = fs.openSync(log, 'a');
  const tw = Date.now();
  let read = 0;
  const scrape = async (name: string): Promise<number> => {
    for (;;) {
      const v = await metricValue(url, name);
      if (v >= 0) return v;
    }
  };
  for (let i = 0; i < lines;) {
    read = await scrape('cs_filesource_hits_total');
    if (i - read > 200_000) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const to = Math.min(lines, i + 50_000);
    fs.writeSync(fd, sprayChunk(i, to));
    i = to;
  }
  fs.closeSync(fd);
  while (read < lines) {
    await new Promise((r) => setTimeout(r, 200));
    read = await scrape('cs_filesource_hits_total');
  }
  const secs = (Date.now() - tw) / 1000;
  const live = await scrape('picket_buckets_live');
  const evicted = await scrape('picket_bucket_evictions_total');
  sm.take();
  child.kill('SIGTERM');
  const exit = await new Promise<number | string | null>((r) => child.on('exit', (c, sig) => r(c ?? sig)));
  sm.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  return summarize(
    'run (tail, live mode, --workers 0)',
    lines,
    secs,
    sm,
    exit,
    `${live} live buckets at the end, ${evicted} evicted`,
  );
}

function print(r: Result): void {
  const series = r.samples
    .filter((_, i, a) => i % Math.max(1, Math.ceil(a.length / 12)) === 0 || i === a.length - 1)
    .map((s) => `${s.s}s:${s.rssMB}`)
    .join(' ');
  process.stdout.write(
    `${r.mode}: ${r.lines} lines in ${r.seconds.toFixed(1)} s = ${r.linesPerSecond} lines/s, ` +
      `peak RSS ${r.peakRssMB} MB, RSS at half-time ${r.rssAtHalfMB} MB, at end ${r.rssAtEndMB} MB, exit ${r.exit}\n` +
      `  ${r.note}\n  RSS MB over time: ${series}\n`,
  );
}

async function main(): Promise<void> {
  fs.mkdirSync(DIR, { recursive: true });
  process.stdout.write(
    `spray: ${LINES} lines (replay), ${RUN_LINES} (run); node ${process.version}, ${os.cpus().length} cpus, ` +
      `load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}; bin ${BIN} ${MAX.join(' ')}\n`,
  );
  const results: Result[] = [];
  if (MODES.includes('replay')) {
    const file = path.join(DIR, `spray-${LINES}.log`);
    writeSprayFile(file, LINES);
    const r = await replayRun(file, LINES);
    print(r);
    results.push(r);
  }
  if (MODES.includes('run')) {
    const r = await liveRun(RUN_LINES);
    print(r);
    results.push(r);
  }
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
  process.exitCode = results.every((r) => r.exit === 0) ? 0 : 1;
}

await main();
