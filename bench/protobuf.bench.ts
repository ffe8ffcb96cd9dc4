// Protobuf vs JSON bodies of the bouncer stream: encode time and byte size of N realistic decisions (mostly
// single IPv4 bans from a few interleaved scenarios, 5% IPv6, 3% IPv4 /24 ranges, random UUIDs, remaining
// durations spread over 4 h), plus decode time of the protobuf body (against JSON.parse of the JSON one) and gzip
// sizes for reference.
// Owns: bench/protobuf.bench.ts only.
//
//   node --expose-gc dist/bench/protobuf.bench.js [--decisions 100000] [--runs 15]
//
// Encode times are the median of --runs runs after 3 warm-up runs, as wall clock and as CPU time of this
// process (the CPU figure is the meaningful one on a shared, loaded machine). With --expose-gc a full GC runs
// (and 100 ms pass) before each timed run, so one run's garbage is not charged to the next.

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import zlib from 'node:zlib';
import { encodeStream, decodeStream } from '../src/api/protobuf.js';
import { streamJSON } from '../src/lapi/decision-json.js';
import { parseIpOrRange } from '../src/store/iprange.js';
import type { DecisionRecord, StreamResult } from '../src/store/records.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const N = arg('--decisions', 100_000);
const RUNS = arg('--runs', 15);
const SCENARIOS = [
  'crowdsecurity/ssh-bf',
  'crowdsecurity/http-probing',
  'crowdsecurity/http-crawl-non_statics',
  'crowdsecurity/ssh-slow-bf',
  'crowdsecurity/http-bad-user-agent',
];

function realisticDecisions(n: number, now: number): DecisionRecord[] {
  let seed = 42;
  const rnd = (m: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % m;
  };
  const out: DecisionRecord[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rnd(100);
    let scope = 'Ip';
    let value: string;
    if (kind < 5) value = `2a01:${rnd(65536).toString(16)}:${rnd(65536).toString(16)}::${rnd(65536).toString(16)}`;
    else if (kind < 8) {
      scope = 'Range';
      value = `${1 + rnd(223)}.${rnd(256)}.${rnd(256)}.0/24`;
    } else value = `${1 + rnd(223)}.${rnd(256)}.${rnd(256)}.${rnd(256)}`;
    out.push({
      id: i + 1,
      uuid: randomUUID(),
      alertId: i + 1,
      createdAt: now - rnd(3_600_000),
      until: now + 1000 + rnd(14_399_000),
      scenario: SCENARIOS[rnd(SCENARIOS.length)]!,
      type: 'ban',
      scope,
      value,
      origin: 'crowdsec',
      simulated: false,
      range: parseIpOrRange(value),
    });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const gc = (globalThis as { gc?: () => void }).gc;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function time(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

async function measure(name: string, fn: () => void): Promise<{ name: string; wallMs: number; cpuMs: number }> {
  for (let i = 0; i < 3; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (gc) {
      gc();
      await pause(100);
    } // earlier garbage is collected (and swept) outside the timed run
    const t = time(fn);
    wall.push(t.wall);
    cpu.push(t.cpu);
  }
  return { name, wallMs: median(wall), cpuMs: median(cpu) };
}

const now = Date.now();
const stream: StreamResult = { new: realisticDecisions(N, now), deleted: [] };
// encode is timed first, while the heap holds only the decisions
const encodeRow = await measure('protobuf encodeStream', () => {
  encodeStream(stream, now);
});
const pb = encodeStream(stream, now);
const jsonText = streamJSON(stream, now);
const json = Buffer.from(jsonText);
const check = decodeStream(pb);
if (check.new.length !== N) throw new Error(`decoded ${check.new.length} of ${N}`);
const rows = [
  encodeRow,
  await measure('JSON streamJSON', () => {
    streamJSON(stream, now);
  }),
  await measure('protobuf decodeStream', () => {
    decodeStream(pb);
  }),
  await measure('JSON.parse of the JSON body', () => {
    JSON.parse(jsonText);
  }),
];
console.log(
  `# protobuf vs JSON, ${N} decisions, ${RUNS} runs, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}, load ${os.loadavg()[0]!.toFixed(1)}, ${new Date().toISOString()}`,
);
console.log('| body | bytes | bytes/decision | gzip bytes |');
console.log('|---|---:|---:|---:|');
console.log(`| JSON | ${json.length} | ${(json.length / N).toFixed(1)} | ${zlib.gzipSync(json).length} |`);
console.log(`| protobuf | ${pb.length} | ${(pb.length / N).toFixed(1)} | ${zlib.gzipSync(pb).length} |`);
console.log(`ratio JSON/protobuf: ${(json.length / pb.length).toFixed(2)}x`);
console.log('| operation | wall ms (median) | CPU ms (median) |');
console.log('|---|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.wallMs.toFixed(1)} | ${r.cpuMs.toFixed(1)} |`);
