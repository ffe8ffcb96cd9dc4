// Replay (time-machine) of whole log files through the pipeline: `picket replay` and bench/replay.bench.ts.
// Owns: file -> pipeline feeding (files one after the other, each in order), the year for year-less dates
// (current UTC year unless given), the deterministic final alert order, the summary numbers.

import path from 'node:path';
import type { AgentCounters } from './agent.js';
import type { LapiAlertJSON } from '../api/alerts.js';
import { alertSortKey, sortAlertsJSON, type AlertSortKey } from './alert-json.js';
import { createPipeline } from './pool.js';
import type { SimulationSwitch } from './content.js';
import type { ContextSpec } from '../buckets/index.js';
import { readLogLines } from './read.js';
import type { RdnsOptions } from '../parser/enrich/rdns.js';

export interface ReplayOptions {
  files: string[];
  type: string;
  labels?: Record<string, string>;
  contentDir?: string | null;
  /** simulation.yaml's switch and exclusions */
  simulation?: SimulationSwitch | null;
  /** alert context (buckets/context.ts) */
  context?: ContextSpec | null;
  workers?: number;
  year?: number | null;
  store?: 'wasm' | 'ts';
  /** ceiling on live buckets (pool.ts PipelineOptions.maxBuckets) */
  maxBuckets?: number;
  /** lines per worker task (tests use small batches to exercise ordering) */
  batchLines?: number;
  /** the main thread parses one shard too (default true; pool.ts) */
  mainShard?: boolean;
  /** reverse DNS settings (rdns.ts; null/undefined: off) */
  rdns?: Partial<RdnsOptions> | null;
  log?: (msg: string) => void;
}

export interface ReplayResult {
  lines: number;
  parsed: number;
  unparsed: number;
  parseErrors: number;
  whitelisted: number;
  poured: number;
  pouredByScenario: Record<string, number>;
  alertsByScenario: Record<string, number>;
  /** the alerts in their deterministic order, each as its LAPI Alert JSON text */
  alertsJSON: string[];
  /** the same alerts as objects (parsed from alertsJSON on first use) */
  readonly alerts: LapiAlertJSON[];
  workers: number;
  content: string;
  warnings: string[];
  /** wall time from the first line read to the last alert (content loading excluded) */
  seconds: number;
  linesPerSecond: number;
  counters: AgentCounters;
}

/** An alert kept by a replay: its JSON text (about a quarter of the objects' heap: an alert carries the meta of
 *  up to `capacity` events; 2,109 nginx alerts held ~25 MiB as objects) and its sort key. */
interface KeptAlert extends AlertSortKey {
  json: string;
}

export async function runReplay(o: ReplayOptions): Promise<ReplayResult> {
  const kept: KeptAlert[] = [];
  const pipe = await createPipeline({
    contentDir: o.contentDir ?? null,
    simulation: o.simulation ?? null,
    context: o.context ?? null,
    year: o.year ?? new Date().getUTCFullYear(),
    timeMachine: true,
    workers: o.workers,
    store: o.store,
    maxBuckets: o.maxBuckets,
    batchLines: o.batchLines,
    mainShard: o.mainShard,
    rdns: o.rdns,
    log: o.log,
    onAlert: (a) => {
      const k = alertSortKey(a) as KeptAlert;
      k.json = JSON.stringify(a);
      kept.push(k);
    },
  });
  const labels = { ...(o.labels ?? {}), type: o.type };
  const t0 = process.hrtime.bigint();
  try {
    for (const f of o.files) {
      const source = { src: path.resolve(f), module: 'file', labels };
      await readLogLines(f, (lines) => pipe.push(lines, source));
    }
  } catch (e) {
    await pipe.close();
    throw e;
  }
  const c = await pipe.finish();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  sortAlertsJSON(kept);
  const alertsJSON = kept.map((k) => k.json);
  kept.length = 0;
  let parsedAlerts: LapiAlertJSON[] | null = null;
  let lines = 0;
  for (const v of Object.values(c.lines)) lines += v;
  const pouredByScenario: Record<string, number> = {};
  for (const k of Object.keys(c.pouredByScenario).sort()) pouredByScenario[k] = c.pouredByScenario[k]!;
  const alertsByScenario: Record<string, number> = {};
  for (const k of Object.keys(c.alerts).sort()) alertsByScenario[k] = c.alerts[k]!;
  return {
    lines,
    parsed: c.parsed,
    unparsed: c.unparsed,
    parseErrors: c.parseErrors,
    whitelisted: c.whitelisted,
    poured: c.poured,
    pouredByScenario,
    alertsByScenario,
    alertsJSON,
    get alerts() {
      return (parsedAlerts ??= alertsJSON.map((j) => JSON.parse(j) as LapiAlertJSON));
    },
    workers: pipe.workers,
    content: pipe.content.origin,
    warnings: pipe.content.warnings,
    seconds,
    linesPerSecond: seconds > 0 ? lines / seconds : 0,
    counters: c,
  };
}
