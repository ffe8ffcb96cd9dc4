// The pipeline front: one interface (`Pipeline`) over either the in-process Agent (`--workers 0`) or a
// piscina pool of shard workers (`--workers N`). Alerts come out as LAPI JSON through `onAlert`.
// Owns: sharding by source address (ipscan.ts) on the main thread, batching, back-pressure, counter merge.
//
// Why bucket state is per worker shard: buckets are keyed by scenario + groupby value, and nearly every
// scenario groups by the source IP (leaky/trigger buckets of one attacker). Routing every line of one
// address to the same worker keeps each attacker's buckets whole and fed in log order inside one
// BucketEngine, with no cross-thread locking or bucket migration; a shared engine would serialize all
// pours on one thread (or need shared memory + locks), and sharding lines round-robin would split one
// attacker's events between engines and miss overflows. Scenarios that aggregate across addresses
// (no groupby, or a groupby on something else than the IP, e.g. a user name) would only see the
// lines of their shard, so they run on the main thread instead, fed in line order by every shard
// (global-merge.ts): the same alerts with any number of workers. Which shard an address gets is
// ShardRouter's (ipscan.ts): the least loaded when it is first seen, then always the same one; lines without
// an address all go to the last shard.
//
// The main thread as a shard (`mainShard`, the default in replay): on a 2-core machine, main + 2 workers are
// three busy threads on two cores, and the main thread's own share (reading, splitting, sharding) is small, so
// it parses and pours shard 0 itself between two sends, and cores - 1 workers take the other shards: two
// isolates instead of three (one content copy less in memory, no start-up load of a third one) and no thread
// waiting for a core (bench/RESULTS.md: the same speed within the noise, less memory). Live (`picket run`) keeps
// the main thread free for tailing and the Local API, so a batch of parsing never delays an HTTP answer.
//
// Each shard is a Piscina instance with exactly one thread (min = max = 1). Piscina does not keep submission
// order even with a single thread (measured: tasks 0..19 ran as 0 2 4 ... 1 5 9 ...), and bucket state needs
// its lines in order, so tasks carry a per-shard sequence number and the worker runs them in that order
// (worker.ts holds early arrivals). Up to MAX_INFLIGHT tasks are posted to the worker at once
// (concurrentTasksPerWorker): with one task at a time the worker sat idle (half of its time, measured) until
// the busy main thread's event loop took its answer and posted the next one.

import os from 'node:os';
import type { Piscina } from 'piscina';
import { LIVE, TIMEMACHINE } from '../core/event.js';
import { Agent, mergeCounters, type AgentCounters, type AgentOptions, type LineSource } from './agent.js';
import { alertToLapiJSON, type LapiAlertJSON } from '../api/alerts.js';
import { loadContent, type LoadedContent, type SimulationSwitch } from './content.js';
import { ShardRouter } from './ipscan.js';
import { DEFAULT_MAX_LIVE_BUCKETS, perShardCeiling } from '../buckets/eviction.js';
import type { ContextSpec } from '../buckets/index.js';
import { eventFromWire } from './event-wire.js';
import { GlobalMerge, hasGlobalScenarios, perSource, shardOptions } from './global-merge.js';
import type { MetricsTask, Segment, WorkerInit, WorkerResult, WorkerTask } from './worker.js';
import type { RdnsOptions } from '../parser/enrich/rdns.js';
import { emptySnapshot, mergeSnapshots, type MetricsSnapshot } from '../metrics/snapshot.js';

/** a task without its sequence number (added per shard by enqueue) */
type TaskBody = WorkerTask extends infer T ? (T extends WorkerTask ? Omit<T, 'seq'> : never) : never;

export interface PipelineOptions {
  contentDir?: string | null;
  /** content.ts ContentOptions dataDir / hubDir */
  contentDataDir?: string | null;
  hubDir?: string | null;
  year?: number | null;
  /** simulation.yaml's switch and exclusions (content.ts) */
  simulation?: SimulationSwitch | null;
  /** alert context (console/context.yaml + hub contexts items; buckets/context.ts) */
  context?: ContextSpec | null;
  timeMachine: boolean;
  /** 0 = in-process; default: one per core */
  workers?: number;
  store?: 'wasm' | 'ts';
  /** ceiling on live buckets, shared among the shards (default DEFAULT_MAX_LIVE_BUCKETS; 0 = none) */
  maxBuckets?: number;
  onAlert: (a: LapiAlertJSON) => void;
  /** runtime warnings */
  log?: (msg: string) => void;
  /** lines per task sent to a worker (default 4096) */
  batchLines?: number;
  /** the main thread parses and pours one shard itself, beside the workers (default: in time-machine mode) */
  mainShard?: boolean;
  /** reverse DNS settings (rdns.ts; null/undefined: off) */
  rdns?: Partial<RdnsOptions> | null;
  /** already loaded content (in-process only; skips loading) */
  content?: LoadedContent;
}

export interface Pipeline {
  /** worker threads */
  readonly workers: number;
  /** the main thread is a shard too (besides the workers) */
  readonly mainShard: boolean;
  /** content origin and load warnings (loaded on the main thread once, also to fail early) */
  readonly content: LoadedContent;
  /** queue lines of one source; await the result for back-pressure */
  push(lines: readonly string[], source: LineSource): Promise<void> | void;
  /** LIVE housekeeping on every shard */
  tick(nowMs?: number): Promise<void>;
  /** push pending lines and wait until every shard processed them */
  drain(): Promise<void>;
  /** drain, then wait until no overflow waits for reverse DNS (their alerts delivered) */
  settle(): Promise<void>;
  /** end of input (replay): drain, flush buckets, return merged counters; the pipeline is closed after */
  finish(): Promise<AgentCounters>;
  /** counters so far (drains first) */
  counters(): Promise<AgentCounters>;
  close(): Promise<void>;
  /** metric counters of the whole pipeline, without draining (bounded wait; a late worker's last snapshot is reused) */
  metrics(): Promise<MetricsSnapshot>;
  /** lines queued for or in flight to workers (0 in-process) */
  queueDepth(): number;
  /** mean piscina utilization of the shards, 0..1 (0 in-process) */
  utilization(): number;
}

/**
 * One thread per core: in time-machine mode the main thread is one of them (mainShard), live it is not.
 * A replay on two cores stays in-process: the second isolate bought ~1.5x on nginx and nothing on sshd, for a
 * second copy of the content and heap (measured, 100k nginx lines: 93 MB in-process vs 147 MB with main + 1
 * worker; bench/RESULTS.md). `--workers 1` still asks for it.
 */
export function defaultWorkers(timeMachine = false): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  if (!timeMachine) return cores;
  return cores <= 2 ? 0 : cores - 1;
}

export async function createPipeline(o: PipelineOptions): Promise<Pipeline> {
  const workers = o.workers ?? defaultWorkers(o.timeMachine);
  // content is always loaded on the main thread: load errors surface here (naming the file), not in a worker
  const content =
    o.content ??
    loadContent({
      contentDir: o.contentDir,
      dataDir: o.contentDataDir,
      hubDir: o.hubDir,
      year: o.year,
      timeMachine: o.timeMachine,
      simulation: o.simulation,
      context: o.context,
      rdns: o.rdns,
    });
  if (workers <= 0) return new InProcessPipeline(content, o);
  // piscina is loaded only for a pool (in-process replays start faster without it)
  const { Piscina: PiscinaClass } = await import('piscina');
  const pool = new PoolPipeline(content, o, workers, o.mainShard ?? o.timeMachine, PiscinaClass);
  try {
    await pool.start();
  } catch (e) {
    await pool.close().catch(() => undefined);
    throw e;
  }
  return pool;
}

/** An agent on the main thread: its alerts leave through `onAlert` as LAPI JSON. */
function mainThreadAgent(
  content: LoadedContent,
  o: PipelineOptions,
  extra: Pick<AgentOptions, 'active' | 'tap'> = {},
  shardCount = 1,
): Agent {
  const onAlert = o.onAlert;
  return new Agent(content, {
    mode: o.timeMachine ? TIMEMACHINE : LIVE,
    store: o.store,
    log: o.log,
    maxBuckets: perShardCeiling(o.maxBuckets ?? DEFAULT_MAX_LIVE_BUCKETS, shardCount),
    sink: (a) => onAlert(alertToLapiJSON(a)),
    ...extra,
  });
}

class InProcessPipeline implements Pipeline {
  readonly workers = 0;
  readonly mainShard = true;
  private readonly agent: Agent;
  constructor(
    readonly content: LoadedContent,
    o: PipelineOptions,
  ) {
    this.agent = mainThreadAgent(content, o);
    if (!o.timeMachine) content.warmGeo();
  }
  push(lines: readonly string[], source: LineSource): void {
    this.agent.pushLines(lines, source);
  }
  tick(nowMs?: number): Promise<void> {
    this.agent.tick(nowMs ?? Date.now());
    return Promise.resolve();
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
  settle(): Promise<void> {
    return this.agent.settled();
  }
  async finish(): Promise<AgentCounters> {
    this.agent.flush();
    await this.agent.settled();
    return this.agent.counters();
  }
  counters(): Promise<AgentCounters> {
    return Promise.resolve(this.agent.counters());
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  metrics(): Promise<MetricsSnapshot> {
    return Promise.resolve(this.agent.metricsSnapshot());
  }
  queueDepth(): number {
    return 0;
  }
  utilization(): number {
    return 0;
  }
}

interface Shard {
  pool: Piscina;
  segments: Segment[];
  /** lines held in `segments` */
  held: number;
  /** per-segment line arrays, joined when the task is sent */
  parts: string[][];
  /** per-segment line numbers (only with global scenarios) */
  nos: number[][];
  /** highest line number given to this shard / processed by it (global scenarios' watermark) */
  assigned: number;
  done: number;
  pending: Promise<void>[];
  /** next task sequence number */
  seq: number;
  /** lines sent to the worker and not yet processed */
  inflight: number;
  /** last metrics snapshot received from the worker (counters only go up) */
  metrics: MetricsSnapshot;
  /** metrics request under way */
  metricsReq: Promise<void> | null;
}

const MAX_INFLIGHT = 4;
/** lines of the main thread's shard parsed at a time (short, so that sends to the workers come often) */
const LOCAL_BATCH = 512;
/** how long a scrape waits for a busy worker before reusing that worker's previous snapshot */
const METRICS_WAIT_MS = 500;

class PoolPipeline implements Pipeline {
  private readonly shards: Shard[] = [];
  private readonly batchLines: number;
  private failure: Error | null = null;
  /** the main thread's shard (ShardRouter index 0) and its pending lines, all of one source */
  private readonly local: Agent | null = null;
  private localLines: string[] = [];
  private localSource: LineSource | null = null;
  private readonly router: ShardRouter;
  /** global scenarios (global-merge.ts): their engine on this thread, and the number of the next line */
  private readonly merge: GlobalMerge | null = null;
  private nextLine = 0;
  private localNos: number[] = [];
  constructor(
    readonly content: LoadedContent,
    private readonly o: PipelineOptions,
    readonly workers: number,
    readonly mainShard: boolean,
    PiscinaClass: typeof Piscina,
  ) {
    this.batchLines = o.batchLines ?? 4096;
    // lines without an address (half of an auth.log: sessions, sudo...) stay together on the last shard: a
    // worker, never the main thread, which also reads and shards
    const shards = workers + (mainShard ? 1 : 0);
    this.router = new ShardRouter(shards, shards - 1);
    if (hasGlobalScenarios(content.scenarios))
      this.merge = new GlobalMerge(mainThreadAgent(content, o, { active: (x) => !perSource(x) }));
    if (mainShard) {
      const merge = this.merge;
      const opts = shardOptions(content.scenarios, (evt, i) => merge!.add(this.runningNos[i]!, evt));
      this.local = mainThreadAgent(content, o, opts, shards);
      if (!o.timeMachine) content.warmGeo();
    }
    const init: WorkerInit = {
      contentDir: o.contentDir ?? null,
      dataDir: o.contentDataDir ?? null,
      hubDir: o.hubDir ?? null,
      year: o.year ?? null,
      timeMachine: o.timeMachine,
      store: o.store ?? 'wasm',
      simulation: o.simulation ?? null,
      context: o.context ?? null,
      maxBuckets: perShardCeiling(o.maxBuckets ?? DEFAULT_MAX_LIVE_BUCKETS, shards),
      rdns: o.rdns ?? null,
    };
    const filename = new URL('./worker.js', import.meta.url).href;
    for (let i = 0; i < workers; i++) {
      this.shards.push({
        pool: new PiscinaClass({
          filename,
          minThreads: 1,
          maxThreads: 1,
          concurrentTasksPerWorker: MAX_INFLIGHT + 2,
          idleTimeout: 2 ** 31 - 1,
          // piscina's default ('sync') parks an idle worker in Atomics.wait, its event loop stopped: the answers
          // of reverse DNS lookups would wait for the next task; with messages only, they are read at once
          atomics: o.rdns ? 'disabled' : 'sync',
          workerData: init,
        }),
        segments: [],
        held: 0,
        parts: [],
        nos: [],
        assigned: -1,
        done: -1,
        pending: [],
        seq: 0,
        inflight: 0,
        metrics: emptySnapshot(),
        metricsReq: null,
      });
    }
  }

  /** Loads the content in every worker up front (a no-op task), so load time is not counted as work. */
  async start(): Promise<void> {
    await Promise.all(this.shards.map((s) => this.enqueue(s, { op: 'counters' })));
  }

  push(lines: readonly string[], source: LineSource): Promise<void> | void {
    if (this.failure) throw this.failure;
    const local = this.local !== null ? 1 : 0;
    let wait: Promise<void> | null = null;
    if (local && this.localSource !== source) this.runLocal();
    const numbered = this.merge !== null;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const k = this.router.route(line);
      const no = this.nextLine++;
      if (k < local) {
        this.localSource = source;
        if (numbered) this.localNos.push(no);
        if (this.localLines.push(line) >= LOCAL_BATCH) this.runLocal();
        continue;
      }
      const sh = this.shards[k - local]!;
      const segs = sh.segments;
      let parts: string[];
      const last = segs.length - 1;
      const sl = last >= 0 ? segs[last]! : null;
      if (
        sl !== null &&
        sl.src === source.src &&
        sl.labels === source.labels &&
        sl.module === source.module &&
        sl.timeMachine === source.timeMachine
      )
        parts = sh.parts[last]!;
      else {
        segs.push({
          src: source.src,
          module: source.module,
          labels: source.labels,
          timeMachine: source.timeMachine,
          text: '',
        });
        parts = [];
        sh.parts.push(parts);
        if (numbered) sh.nos.push([]);
      }
      parts.push(line);
      if (numbered) {
        sh.nos[sh.nos.length - 1]!.push(no);
        sh.assigned = no;
      }
      if (++sh.held >= this.batchLines) {
        const w = this.send(sh);
        if (w) wait = w;
      }
    }
    // live: no line waits for a batch to fill (replay batches for throughput)
    if (!this.o.timeMachine) {
      for (const sh of this.shards) {
        const w = this.send(sh);
        if (w) wait = w;
      }
      this.runLocal();
    }
    return wait ?? undefined;
  }

  /** line numbers of the local batch being parsed (the local tap reads them) */
  private runningNos: number[] = [];

  /** Parses and pours the main thread's pending lines (in order, synchronously). */
  private runLocal(): void {
    if (this.localLines.length === 0 || this.local === null) return;
    const lines = this.localLines;
    this.localLines = [];
    this.runningNos = this.localNos;
    this.localNos = [];
    this.local.pushLines(lines, this.localSource!);
    this.drainGlobal();
  }

  /** Pours the global scenarios' events of every line that all shards have processed. */
  private drainGlobal(): void {
    const m = this.merge;
    if (m === null) return;
    let w = this.localNos.length ? this.localNos[0]! - 1 : Infinity;
    for (const sh of this.shards) if (sh.done < sh.assigned) w = Math.min(w, sh.done);
    m.drain(w);
  }

  /** Sends the shard's held lines; returns a promise to wait on when too many tasks are in flight. */
  private send(sh: Shard): Promise<void> | null {
    if (sh.held === 0) return null;
    const segments = sh.segments;
    for (let i = 0; i < segments.length; i++) {
      segments[i]!.text = sh.parts[i]!.join('\n');
      if (this.merge !== null) segments[i]!.lineNos = sh.nos[i]!;
    }
    const n = sh.held;
    sh.segments = [];
    sh.parts = [];
    sh.nos = [];
    sh.held = 0;
    sh.inflight += n;
    this.enqueue(sh, { op: 'lines', segments }).then(
      () => {
        sh.inflight -= n;
      },
      () => {
        sh.inflight -= n;
      },
    );
    if (sh.pending.length > MAX_INFLIGHT) return sh.pending[0]!;
    return null;
  }

  private enqueue(sh: Shard, task: TaskBody): Promise<WorkerResult> {
    const p = sh.pool.run({ ...task, seq: sh.seq++ }) as Promise<WorkerResult>;
    const done = p
      .then(
        (r) => {
          for (const a of r.alerts) this.o.onAlert(a);
          const m = this.merge;
          if (m !== null) {
            if (r.global) for (const g of r.global) m.add(g.n, eventFromWire(g.e));
            if (r.through !== undefined && r.through > sh.done) sh.done = r.through;
            this.drainGlobal();
          }
        },
        (e: Error) => {
          this.failure ??= e;
        },
      )
      .finally(() => {
        const i = sh.pending.indexOf(done);
        if (i >= 0) sh.pending.splice(i, 1);
      });
    sh.pending.push(done);
    return p;
  }

  async drain(): Promise<void> {
    for (const sh of this.shards) this.send(sh);
    this.runLocal();
    // the tasks pending now, not the ones sent meanwhile: under steady input the queue is never empty, and a
    // read-position checkpoint waiting for an empty queue was never written (issue 11 §2)
    const now = this.shards.flatMap((sh) => sh.pending.slice());
    for (const p of now) await p;
    if (this.failure) throw this.failure;
    this.drainGlobal();
  }

  async tick(nowMs?: number): Promise<void> {
    const t = nowMs ?? Date.now();
    for (const sh of this.shards) this.send(sh);
    for (const sh of this.shards) this.enqueue(sh, { op: 'tick', nowMs: t }).catch(() => undefined);
    this.runLocal();
    this.local?.tick(t);
    await this.drain();
    this.merge?.agent.tick(t);
  }

  async counters(): Promise<AgentCounters> {
    await this.drain();
    const rs = await Promise.all(this.shards.map((s) => this.enqueue(s, { op: 'counters' })));
    if (this.o.log) for (const r of rs) for (const w of r.warnings ?? []) this.o.log(w);
    const all = rs.map((r) => r.counters!);
    if (this.local !== null) all.unshift(this.local.counters());
    if (this.merge !== null) all.push(this.merge.agent.counters());
    return mergeCounters(all);
  }

  async metrics(): Promise<MetricsSnapshot> {
    const waits = this.shards.map((sh) => {
      if (!sh.metricsReq) {
        const task: MetricsTask = { op: 'metrics' };
        sh.metricsReq = (sh.pool.run(task) as Promise<WorkerResult>)
          .then(
            (r) => {
              if (r.metrics) sh.metrics = r.metrics;
            },
            () => undefined,
          )
          .finally(() => {
            sh.metricsReq = null;
          });
      }
      return sh.metricsReq;
    });
    // bounded: a worker busy with a long batch answers later (its reply updates the cached snapshot)
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(waits),
      new Promise<void>((r) => {
        timer = setTimeout(r, METRICS_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    const snaps = this.shards.map((sh) => sh.metrics);
    if (this.local !== null) snaps.unshift(this.local.metricsSnapshot());
    if (this.merge !== null) snaps.push(this.merge.agent.metricsSnapshot(false));
    return mergeSnapshots(snaps);
  }

  queueDepth(): number {
    let n = this.localLines.length;
    for (const sh of this.shards) n += sh.held + sh.inflight;
    return n;
  }

  utilization(): number {
    let u = 0;
    for (const sh of this.shards) u += sh.pool.utilization;
    return this.shards.length ? u / this.shards.length : 0;
  }

  async settle(): Promise<void> {
    await this.drain();
    for (const sh of this.shards) this.enqueue(sh, { op: 'settle' }).catch(() => undefined);
    await this.local?.settled();
    await this.merge?.agent.settled();
    await this.drain();
  }

  async finish(): Promise<AgentCounters> {
    await this.drain();
    for (const sh of this.shards) this.enqueue(sh, { op: 'flush' }).catch(() => undefined);
    this.local?.flush();
    this.merge?.agent.flush();
    await this.settle();
    const c = await this.counters();
    await this.close();
    return c;
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.pool.destroy()));
  }
}
