// Prometheus metrics (prom-client) for the agent, with CrowdSec's metric names and labels
// (spec metrics.md) where they exist, plus Picket's own (`picket_*`).
// The hot path only bumps plain counters (ParserMetrics, BucketEngine stats, exprMetrics, acquisition stats);
// this module reads them at scrape time through `collect()` callbacks, so scraping costs nothing per event.
// With a worker pool the parser/bucket counters live in the worker threads: `snapshot` (pool.ts) asks each
// worker for a MetricsSnapshot; one snapshot is taken per scrape (shared by all collectors) and reused for 1 s.
// Counters are fed from totals: only the increase since the last scrape is added, so nothing is counted twice.

import client from 'prom-client';
import type { ParserTree } from '../parser/runtime.js';
import type { BucketEngine } from '../buckets/index.js';
import type { CounterDef, CounterRow } from '../acquisition/source.js';
import { snapshotOf, type MetricsSnapshot } from './snapshot.js';
import { PARSE_BOUNDS, POUR_BOUNDS } from './histogram.js';
import { snapshotHistogram } from './prom-histogram.js';

export interface MetricSources {
  /** parser trees to report (in-process; ignored when `snapshot` is given) */
  parsers?: ParserTree[];
  /** bucket engines (in-process; ignored when `snapshot` is given) */
  engines?: BucketEngine[];
  /** parser/bucket/alert counters of the whole pipeline (e.g. merged from worker threads) */
  snapshot?: () => MetricsSnapshot | Promise<MetricsSnapshot>;
  /** the acquisition sources' counters (source.ts DataSource.counters), one Prometheus counter per def */
  sources?: { defs: readonly CounterDef[]; rows: () => CounterRow[] };
  /** lines waiting for the pipeline (held for or in flight to workers) */
  queueDepth?: () => number;
  /** worker pool utilization, 0..1 (piscina) */
  workerUtilization?: () => number;
}

export const PICKET_VERSION = '0.1.0';

type Rows = Array<[Record<string, string>, number]>;

/** Live buckets per scenario: created minus overflowed, expired and cancelled (evictions are not per scenario). */
function liveByName(s: MetricsSnapshot): Rows {
  return Object.entries(s.instantiated).map(([name, n]) => {
    const gone = (s.overflows[name] ?? 0) + (s.underflowedBy[name] ?? 0) + (s.cancelledBy[name] ?? 0);
    return [{ name }, Math.max(0, n - gone)];
  });
}
/** makes a counter or gauge filled at scrape time from `rows` (`needsSnap` false: `rows` gets no snapshot) */
type MetricFactory<M> = (
  name: string,
  help: string,
  labelNames: string[],
  rows: (s: MetricsSnapshot) => Rows,
  needsSnap?: boolean,
) => M;
type CounterFactory = MetricFactory<client.Counter<string>>;
type GaugeFactory = MetricFactory<client.Gauge<string>>;

/** One counter per def, filled at scrape time from the sources' rows (equal label sets summed). */
function sourceCounters(defs: readonly CounterDef[], rows: () => CounterRow[], counter: CounterFactory): void {
  for (const def of defs) {
    counter(
      def.name,
      def.help,
      def.labelNames,
      () => {
        const sums = new Map<string, [Record<string, string>, number]>();
        for (const r of rows()) {
          if (r.name !== def.name) continue;
          const key = JSON.stringify(r.labels);
          const s = sums.get(key);
          if (s) s[1] += r.value;
          else sums.set(key, [r.labels, r.value]);
        }
        return [...sums.values()];
      },
      false,
    );
  }
}

type Snap = () => Promise<MetricsSnapshot>;

/** one snapshot per scrape: the first collector takes it, the others (same scrape) reuse it; kept 1 s */
function snapshotCache(take: () => MetricsSnapshot | Promise<MetricsSnapshot>): Snap {
  let cached: Promise<MetricsSnapshot> | null = null;
  let cachedAt = 0;
  return (): Promise<MetricsSnapshot> => {
    const now = Date.now();
    if (cached === null || now - cachedAt > 1000) {
      cachedAt = now;
      const p = Promise.resolve().then(take);
      p.catch(() => {
        if (cached === p) cached = null;
      });
      cached = p;
    }
    return cached;
  };
}

/** prom-client counters only go up via inc(): keep the last reported total per label set and add the increase */
function counterFactory(reg: client.Registry, snap: Snap): CounterFactory {
  return (name, help, labelNames, rows, needsSnap = true) => {
    const last = new Map<string, number>();
    return new client.Counter({
      name,
      help,
      labelNames,
      registers: [reg],
      async collect(this: client.Counter<string>) {
        const r = rows(needsSnap ? await snap() : (null as unknown as MetricsSnapshot));
        for (const [labels, total] of r) {
          const key = JSON.stringify(labels);
          const prev = last.get(key);
          if (prev === undefined) {
            this.inc(labels, total);
            last.set(key, total);
          } else if (total > prev) {
            this.inc(labels, total - prev);
            last.set(key, total);
          }
        }
      },
    });
  };
}

/** a gauge set at scrape time from `rows` */
function gaugeFactory(reg: client.Registry, snap: Snap): GaugeFactory {
  return (name, help, labelNames, rows, needsSnap = true) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [reg],
      async collect(this: client.Gauge<string>) {
        const r = rows(needsSnap ? await snap() : (null as unknown as MetricsSnapshot));
        for (const [labels, v] of r) this.set(labels, v);
      },
    });
}

/** the parser counters and the parse/pour time histograms (CrowdSec's names) */
function parserMetrics(reg: client.Registry, snap: Snap, counter: CounterFactory): void {
  // CrowdSec's labels (spec metrics.md §4): acquis_type is the acquisition's labels.type
  const perSource =
    (pick: 'hits' | 'ok' | 'ko') =>
    (s: MetricsSnapshot): Rows => {
      // cs_parser_hits_total has no acquis_type: sources differing only by it are summed
      const sums = new Map<string, [Record<string, string>, number]>();
      for (const m of s.parserSources) {
        const labels: Record<string, string> = { source: m.source, type: m.type };
        if (pick !== 'hits') labels.acquis_type = m.acquisType;
        const k = JSON.stringify(labels);
        const e = sums.get(k);
        if (e) e[1] += m[pick];
        else sums.set(k, [labels, m[pick]]);
      }
      return [...sums.values()];
    };
  const okLabels = ['source', 'type', 'acquis_type'];
  counter('cs_parser_hits_total', 'Events entering the parsers', ['source', 'type'], perSource('hits'));
  counter('cs_parser_hits_ok_total', 'Events parsed', okLabels, perSource('ok'));
  counter('cs_parser_hits_ko_total', 'Events left unparsed', okLabels, perSource('ko'));
  const nodeLabels = ['source', 'type', 'name', 'stage', 'acquis_type'];
  const perNode =
    (pick: 'hits' | 'ok' | 'ko') =>
    (s: MetricsSnapshot): Rows =>
      s.nodes.map((m) => [
        { source: m.source, type: m.type, name: m.name, stage: m.stage, acquis_type: m.acquisType },
        m[pick],
      ]);
  const wl =
    (pick: 'hits' | 'ok') =>
    (s: MetricsSnapshot): Rows =>
      s.whitelist.map((w) => [
        { source: w.source, type: w.type, name: w.name, reason: w.reason, stage: w.stage, acquis_type: w.acquisType },
        w[pick],
      ]);
  const wlLabels = ['source', 'type', 'name', 'reason', 'stage', 'acquis_type'];
  counter('cs_node_wl_hits_total', 'Events checked by a whitelist node', wlLabels, wl('hits'));
  counter('cs_node_wl_hits_ok_total', 'Events whitelisted by a whitelist node', wlLabels, wl('ok'));
  snapshotHistogram(
    reg,
    'cs_parsing_time_seconds',
    'Time to parse one line',
    PARSE_BOUNDS,
    async () => (await snap()).parseTime,
  );
  snapshotHistogram(
    reg,
    'cs_bucket_pour_seconds',
    'Time to pour one event into the buckets',
    POUR_BOUNDS,
    async () => (await snap()).pourTime,
  );
  counter('cs_node_hits_total', 'Events entering a parser node', nodeLabels, perNode('hits'));
  counter('cs_node_hits_ok_total', 'Events accepted by a parser node', nodeLabels, perNode('ok'));
  counter('cs_node_hits_ko_total', 'Events rejected by a parser node', nodeLabels, perNode('ko'));
}

/** the bucket, alert and error counters and the live-bucket gauges */
function bucketMetrics(counter: CounterFactory, gauge: GaugeFactory): void {
  const perName = (m: Record<string, number>, label = 'name'): Rows =>
    Object.entries(m).map(([k, n]) => [{ [label]: k }, n]);
  counter('cs_bucket_poured_total', 'Events poured into buckets', ['source', 'type', 'name'], (s) =>
    s.pouredBySource.map((p) => [{ source: p.source, type: p.type, name: p.name }, p.n]),
  );
  counter('cs_bucket_overflowed_total', 'Buckets that overflowed', ['name'], (s) => perName(s.overflows));
  counter('cs_bucket_underflowed_total', 'Buckets that expired without overflowing', ['name'], (s) =>
    perName(s.underflowedBy),
  );
  counter('cs_bucket_canceled_total', 'Buckets cancelled (cancel_on)', ['name'], (s) => perName(s.cancelledBy));
  // CrowdSec's BucketsInstantiation is exported as cs_bucket_created_total (what the Grafana dashboards query)
  counter('cs_bucket_created_total', 'Buckets created', ['name'], (s) => perName(s.instantiated));
  counter('cs_bucket_instantiation_total', 'Buckets created', ['name'], (s) => perName(s.instantiated));
  gauge('cs_buckets', 'Buckets currently alive', ['name'], liveByName);
  gauge('cs_cache_size', 'Entries in the named caches', ['name', 'type'], (s) => [
    [{ name: 'live_buckets', type: 'buckets' }, s.liveBuckets],
  ]);
  gauge('picket_buckets_live', 'Buckets currently alive (all scenarios)', [], (s) => [[{}, s.liveBuckets]]);
  counter('picket_bucket_evictions_total', 'Buckets evicted by the live-bucket cap', [], (s) => [[{}, s.evictions]]);
  counter('picket_expr_runtime_errors_total', 'Expression evaluations that raised a runtime error', [], (s) => [
    [{}, s.exprRuntimeErrors],
  ]);
  counter('picket_parser_errors_total', 'Events discarded because a parser node raised an error', [], (s) => [
    [{}, s.parserErrors],
  ]);
  counter('picket_rdns_lookups_total', 'Reverse DNS queries sent (reverse_dns enricher)', [], (s) => [
    [{}, s.rdns.lookups],
  ]);
  counter('picket_rdns_cache_hits_total', 'Reverse DNS answers taken from the cache', [], (s) => [
    [{}, s.rdns.cacheHits],
  ]);
  counter('picket_rdns_timeouts_total', 'Reverse DNS queries that timed out', [], (s) => [[{}, s.rdns.timeouts]]);
  counter('picket_rdns_failures_total', 'Reverse DNS queries that failed otherwise (no name, error)', [], (s) => [
    [{}, s.rdns.failures],
  ]);
  counter('picket_rdns_dropped_total', 'Reverse DNS lookups refused because the queue was full', [], (s) => [
    [{}, s.rdns.dropped],
  ]);
  counter('picket_alerts_total', 'Alerts raised (one per source), per scenario', ['scenario'], (s) =>
    perName(s.alerts, 'scenario'),
  );
}

/** Build a registry whose gauges/counters are filled from `src` when scraped. */
export function createAgentRegistry(src: MetricSources): client.Registry {
  const reg = new client.Registry();
  const info = new client.Gauge({
    name: 'cs_info',
    help: 'Picket build information',
    labelNames: ['version'],
    registers: [reg],
  });
  info.set({ version: `picket-v${PICKET_VERSION}` }, 1);
  client.collectDefaultMetrics({ register: reg });

  const snap = snapshotCache(src.snapshot ?? (() => snapshotOf(src.parsers ?? [], src.engines ?? [])));
  const counter = counterFactory(reg, snap);
  const gauge = gaugeFactory(reg, snap);

  if (src.sources) sourceCounters(src.sources.defs, src.sources.rows, counter);
  parserMetrics(reg, snap, counter);
  bucketMetrics(counter, gauge);

  if (src.queueDepth) {
    const f = src.queueDepth;
    gauge('picket_pipeline_queue_depth', 'Lines waiting for the pipeline workers', [], () => [[{}, f()]], false);
  }
  if (src.workerUtilization) {
    const f = src.workerUtilization;
    gauge('picket_worker_utilization', 'Worker pool utilization (0..1, piscina)', [], () => [[{}, f()]], false);
  }
  return reg;
}
