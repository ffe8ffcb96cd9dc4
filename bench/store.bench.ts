// LAPI store benchmark (src/store/lapi-store.ts on a real LMDB in a temp folder): addAlerts of 1,000 alerts per
// call up to 100,000 decisions, live single-IP lookups (the GET /v1/decisions?ip= hot path) with the
// `benchmark` package, stream snapshot and delta, index rebuild at open, and GET /v1/alerts-style queries.
// Run: npx tsc -p tsconfig.json && node dist/bench/store.bench.js [--decisions 100000]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../src/store/lmdb.js';
import { openLapiStore } from '../src/store/lapi-store.js';
import { parseIpOrRange } from '../src/store/iprange.js';
import type { IpRange, NewAlert, NewDecision } from '../src/store/records.js';
import { Benchmark } from './suite.js';

const argi = process.argv.indexOf('--decisions');
const TOTAL = argi > 0 ? Number(process.argv[argi + 1]) : 100_000;
const PER_CALL = 1000;

function valueOf(i: number): { scope: string; value: string } {
  if (i % 20 === 0) return { scope: 'Range', value: `10.${(i >> 8) & 255}.${i & 255}.0/24` };
  if (i % 20 === 1) return { scope: 'Ip', value: `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1` };
  return { scope: 'Ip', value: `${100 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}` };
}

function alertOf(i: number, now: number): NewAlert {
  const { scope, value } = valueOf(i);
  const d: NewDecision = {
    until: now + 4 * 3600_000 - (i % 1000) * 1000,
    scenario: i % 3 ? 'crowdsecurity/ssh-bf' : 'crowdsecurity/http-probing',
    type: 'ban',
    scope,
    value,
    origin: i % 10 ? 'crowdsec' : 'CAPI',
    simulated: false,
  };
  return {
    machineId: 'bench',
    scenario: d.scenario,
    scenarioHash: 'h',
    scenarioVersion: '0.1',
    message: `Ip ${value} performed ${d.scenario}`,
    eventsCount: 6,
    startAt: new Date(now).toISOString(),
    stopAt: new Date(now).toISOString(),
    capacity: 5,
    leakspeed: '10s',
    simulated: false,
    remediation: true,
    kind: '',
    labels: null,
    source: { scope, value, ip: value, range: '', asNumber: '', asName: '', cn: '', latitude: 0, longitude: 0 },
    events: [
      {
        timestamp: new Date(now).toISOString(),
        meta: [
          { key: 'source_ip', value },
          { key: 'service', value: 'ssh' },
        ],
      },
    ],
    meta: [],
    decisions: [d],
  };
}

/** wall and CPU (user+system) ms of fn: the machine is shared, CPU time is the steadier figure */
function timed(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t, cpu: (c.user + c.system) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
function ms(x: number): string {
  return x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(1)} ms`;
}

/** median CPU and wall time of `runs` calls */
function series(runs: number, fn: () => void): string {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = timed(fn);
    cpu.push(t.cpu);
    wall.push(t.wall);
  }
  return `median ${ms(median(cpu))} CPU (${ms(median(wall))} wall)`;
}

type LapiStore = ReturnType<typeof openLapiStore>;

/** TOTAL alerts of one decision each, PER_CALL per addAlerts call, timed */
async function addAll(lapi: LapiStore, now: number): Promise<void> {
  const addMs: number[] = [];
  const addCpu: number[] = [];
  for (let base = 0; base < TOTAL; base += PER_CALL) {
    const batch: NewAlert[] = [];
    for (let i = base; i < base + PER_CALL; i++) batch.push(alertOf(i, now));
    const c0 = process.cpuUsage();
    const t = performance.now();
    await lapi.addAlerts(batch);
    addMs.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    addCpu.push((c.user + c.system) / 1000);
  }
  console.log(
    `addAlerts(${PER_CALL} alerts, 1 decision each), ${addMs.length} calls: median ${ms(median(addMs))} wall (${ms(median(addCpu))} CPU, both threads), first ${ms(addMs[0])}, max ${ms(Math.max(...addMs))}`,
  );
}

/** 4096 addresses spread over the stored decisions (half of them hit one), as text and parsed */
function probeAddresses(): { probes: IpRange[]; texts: string[] } {
  const probes: IpRange[] = [];
  const texts: string[] = [];
  for (let k = 0; k < 4096; k++) {
    const i = (k * 2654435761) % TOTAL;
    const v = valueOf(i).value;
    const text = v.includes('/') ? v.replace(/\.0\/24$/, '.77') : k & 1 ? v : v.replace(/\.\d+$/, '.1');
    texts.push(text);
    probes.push(parseIpOrRange(text)!);
  }
  return { probes, texts };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-store-bench-'));
  try {
    console.log(
      `# LAPI store benchmark: ${TOTAL} decisions, node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}`,
    );
    let store = openStore(dir);
    let lapi = openLapiStore(store, { syncIntervalMs: 0 });
    const now = Date.now();
    await addAll(lapi, now);

    const { probes, texts } = probeAddresses();
    const hits = probes.reduce((n, p) => n + (lapi.queryDecisions({ range: p }, now).length > 0 ? 1 : 0), 0);
    console.log(`live probes: ${probes.length}, ${hits} with a match`);
    let k = 0;
    let sink = 0;
    const s = new Benchmark.Suite();
    s.add(
      'queryDecisions({range: one IP}) (parsed)',
      () => {
        sink += lapi.queryDecisions({ range: probes[k++ & 4095] }, now).length;
      },
      { minSamples: 20, maxTime: 3 },
    );
    s.add(
      'parseIpOrRange + queryDecisions',
      () => {
        sink += lapi.queryDecisions({ range: parseIpOrRange(texts[k++ & 4095])! }, now).length;
      },
      { minSamples: 20, maxTime: 3 },
    );
    s.add(
      'queryDecisions({scopes:[Ip], value})',
      () => {
        sink += lapi.queryDecisions({ scopes: ['Ip'], value: texts[k++ & 4095] }, now).length;
      },
      { minSamples: 20, maxTime: 3 },
    );
    s.on('cycle', (e) =>
      console.log(
        `${e.target.name.padEnd(44)} ${(e.target.hz / 1e6).toFixed(2).padStart(6)} M lookups/s ±${e.target.stats.rme.toFixed(1)}%`,
      ),
    );
    s.run({ async: false });

    // stream times from here on: after the load (creation times are the store clock during the load)
    const loaded = Date.now();
    for (const [name, fn] of [
      ['queryDecisions({range: one IP})', (i: number) => lapi.queryDecisions({ range: probes[i & 4095] }, now).length],
      [
        'parseIpOrRange + queryDecisions',
        (i: number) => lapi.queryDecisions({ range: parseIpOrRange(texts[i & 4095])! }, now).length,
      ],
    ] as const) {
      const r = timed(() => {
        for (let i = 0; i < 1_000_000; i++) sink += fn(i);
      });
      console.log(
        `${name} x 1M: ${(1e6 / r.cpu / 1000).toFixed(2)} M lookups per CPU-second (wall ${(1e6 / r.wall / 1000).toFixed(2)} M/s)`,
      );
    }
    const filter = { scopes: ['Ip', 'Range'] };
    let n = 0;
    console.log(
      `stream startup (dedup): ${series(15, () => {
        n = lapi.stream(filter, { startup: true, lastPull: null, dedup: true, now: loaded }).new.length;
      })} (${n} in new)`,
    );
    console.log(
      `stream startup (dedup=false): ${series(15, () => {
        lapi.stream(filter, { startup: true, lastPull: null, dedup: false, now: loaded });
      })}`,
    );
    await lapi.expireDecisions({ range: parseIpOrRange('10.0.0.0/8')!, contains: false }, loaded + 1000);
    console.log(
      `stream delta (10 s poll, ${lapi.stream(filter, { startup: false, lastPull: loaded - 8000, dedup: true, now: loaded + 2000 }).deleted.length} soft-deleted): ${series(
        50,
        () => {
          lapi.stream(filter, { startup: false, lastPull: loaded - 8000, dedup: true, now: loaded + 2000 });
        },
      )}`,
    );
    console.log(
      `stream delta (nothing changed): ${series(50, () => {
        lapi.stream(filter, { startup: false, lastPull: loaded + 5000, dedup: true, now: loaded + 15000 });
      })}`,
    );
    console.log(
      `queryAlerts(has_active_decision, include_capi=false, limit 100) over ${TOTAL} alerts: ${series(3, () => {
        lapi.queryAlerts({ hasActiveDecision: true, includeCapi: false, limit: 100 }, now);
      })}`,
    );

    await lapi.close();
    await store.close();
    console.log(
      `reopen (index rebuild): ${series(1, () => {
        store = openStore(dir);
        lapi = openLapiStore(store, { syncIntervalMs: 0 });
      })} for ${lapi.indexedDecisions().length} decisions`,
    );
    console.log(`heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB`);
    if (sink < 0) console.log(sink);
    await lapi.close();
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
