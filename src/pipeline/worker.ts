// Piscina worker of the pipeline pool (pool.ts): one worker = one shard = its own Agent (parser trees +
// BucketEngine). Content is loaded once, lazily, from workerData. Tasks arrive in order (one thread per
// shard, one task at a time), so the lines of one source address are parsed and poured in input order.
// Owns: task decoding (segments of '\n'-joined lines), alert conversion to LAPI JSON for the trip back.
// Alerts of overflows that waited for reverse DNS (agent.ts) are sunk between tasks and leave with the next
// answer; a `settle` task holds the tasks after it until no overflow waits any more (end of a replay).

import { workerData } from 'piscina';
import { LIVE, TIMEMACHINE } from '../core/event.js';
import { Agent, type AgentCounters, type LineSource } from './agent.js';
import { alertToLapiJSON, type LapiAlertJSON } from '../api/alerts.js';
import { loadContent, type SimulationSwitch } from './content.js';
import type { ContextSpec } from '../buckets/index.js';
import type { MetricsSnapshot } from '../metrics/snapshot.js';
import type { RdnsOptions } from '../parser/enrich/rdns.js';
import { eventToWire, type WireEvent } from './event-wire.js';
import { shardOptions } from './global-merge.js';

export interface WorkerInit {
  contentDir: string | null;
  /** content.ts ContentOptions dataDir / hubDir */
  dataDir?: string | null;
  hubDir?: string | null;
  year: number | null;
  timeMachine: boolean;
  store: 'wasm' | 'ts';
  simulation: SimulationSwitch | null;
  /** alert context (plain data, compiled in the worker) */
  context?: ContextSpec | null;
  /** this shard's ceiling on live buckets (0 = none) */
  maxBuckets: number;
  /** reverse DNS settings (null: off) */
  rdns: Partial<RdnsOptions> | null;
}

/** lines joined by '\n'; lineNos: the pipeline's number of each line, when the content has global scenarios */
export interface Segment extends LineSource {
  text: string;
  lineNos?: number[];
}

/** `seq`: per-shard sequence number (0, 1, 2 ...); the worker processes tasks strictly in seq order. */
export type WorkerTask =
  | { seq: number; op: 'lines'; segments: Segment[] }
  | { seq: number; op: 'tick'; nowMs: number }
  | { seq: number; op: 'flush' }
  | { seq: number; op: 'settle' }
  | { seq: number; op: 'counters' };

/** Out of sequence (no `seq`): answered at once, between two tasks, with the shard's metric counters. */
export interface MetricsTask {
  op: 'metrics';
}

export interface WorkerResult {
  alerts: LapiAlertJSON[];
  counters?: AgentCounters;
  warnings?: string[];
  metrics?: MetricsSnapshot;
  /** events for the main thread's global scenarios (global-merge.ts), with their line numbers */
  global?: Array<{ n: number; e: WireEvent }>;
  /** highest line number processed by this shard so far */
  through?: number;
}

let agent: Agent | null = null;
let out: LapiAlertJSON[] = [];
let outGlobal: Array<{ n: number; e: WireEvent }> = [];
let lineNos: number[] | undefined;
let through = -1;
const warnings = new Map<string, number>();

function getAgent(): Agent {
  if (agent) return agent;
  const init = workerData as WorkerInit;
  const content = loadContent({
    contentDir: init.contentDir,
    dataDir: init.dataDir,
    hubDir: init.hubDir,
    year: init.year,
    timeMachine: init.timeMachine,
    simulation: init.simulation,
    context: init.context ?? null,
    rdns: init.rdns,
  });
  if (!init.timeMachine) content.warmGeo();
  // global scenarios run on the main thread (global-merge.ts): this shard pours only per-source ones and
  // sends back the events a global one wants
  agent = new Agent(content, {
    ...shardOptions(content.scenarios, (evt, i) => {
      if (lineNos !== undefined) outGlobal.push({ n: lineNos[i]!, e: eventToWire(evt) });
    }),
    mode: init.timeMachine ? TIMEMACHINE : LIVE,
    store: init.store,
    maxBuckets: init.maxBuckets,
    sink: (a) => {
      out.push(alertToLapiJSON(a));
    },
    log: (m) => {
      const k = m.slice(0, 200);
      warnings.set(k, (warnings.get(k) ?? 0) + 1);
    },
  });
  return agent;
}

let expected = 0;
const early = new Map<number, WorkerTask>();
/** set while a `settle` task waits: the tasks after it run once it resolves */
let gate: Promise<void> | null = null;

/**
 * Piscina does not deliver a thread's tasks in submission order (see pool.ts), so a task that arrives
 * early is kept until its predecessors have run; whichever call completes the sequence processes the
 * waiting tasks and returns their alerts. Every task has been processed once all calls have settled.
 */
export default function run(task: WorkerTask | MetricsTask): WorkerResult | Promise<WorkerResult> {
  const a = getAgent();
  // a scrape: counters as they are now (tasks run whole, one at a time, so the snapshot is between two tasks)
  if (task.op === 'metrics') return { alerts: [], metrics: a.metricsSnapshot() };
  early.set(task.seq, task);
  return gate !== null ? gate.then(() => runWaiting(a)) : runWaiting(a);
}

function runWaiting(a: Agent): WorkerResult | Promise<WorkerResult> {
  let counters: AgentCounters | undefined;
  for (let t = early.get(expected); t !== undefined && gate === null; t = early.get(expected)) {
    early.delete(expected);
    expected++;
    switch (t.op) {
      case 'lines':
        for (const s of t.segments) {
          lineNos = s.lineNos;
          a.pushLines(s.text.split('\n'), s);
          if (lineNos !== undefined && lineNos.length > 0) through = Math.max(through, lineNos[lineNos.length - 1]!);
        }
        lineNos = undefined;
        break;
      case 'tick':
        a.tick(t.nowMs);
        break;
      case 'flush':
        a.flush();
        break;
      case 'settle':
        if (a.heldOverflows > 0) {
          gate = a.settled().finally(() => {
            gate = null;
          });
          const done = gate;
          return done.then(() => runWaiting(a));
        }
        break;
      case 'counters':
        counters = a.counters();
        break;
    }
  }
  // (alerts of overflows that waited for reverse DNS were sunk between tasks: they leave now)
  const r: WorkerResult = { alerts: out, through };
  out = [];
  if (outGlobal.length) {
    r.global = outGlobal;
    outGlobal = [];
  }
  if (counters) {
    r.counters = counters;
    r.warnings = [...warnings].map(([m, n]) => `${n}x ${m}`);
  }
  return r;
}
