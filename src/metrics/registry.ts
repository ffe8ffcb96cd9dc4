// Prometheus metrics (prom-client) for the agent, with CrowdSec's metric names and labels
// (spec metrics.md) where they exist, plus Picket's own (`picket_*`).
// The hot path only bumps plain counters (ParserMetrics, BucketEngine stats, exprMetrics); this
// module reads them at scrape time through `collect()` callbacks, so scraping costs nothing per event.

import client from 'prom-client';
import type { ParserTree } from '../parser/runtime.js';
import type { BucketEngine } from '../buckets/index.js';
import { exprMetrics } from '../expr/index.js';

export interface MetricSources {
  /** parser trees to report (the log parsers; postoverflows may be added too) */
  parsers?: ParserTree[];
  /** bucket engines (one per worker shard in the pipeline) */
  engines?: BucketEngine[];
  /** lines read per acquisition source: returns [source, datasource_type, acquis_type, count] rows */
  fileSourceHits?: () => Array<[string, string, string, number]>;
}

export const PICKET_VERSION = '0.1.0';

/** Build a registry whose gauges/counters are filled from `src` when scraped. */
export function createAgentRegistry(src: MetricSources): client.Registry {
  const reg = new client.Registry();
  const info = new client.Gauge({ name: 'cs_info', help: 'Picket build information', labelNames: ['version'], registers: [reg] });
  info.set({ version: `picket-v${PICKET_VERSION}` }, 0);

  // Counters that are filled from totals at scrape time: prom-client counters only go up via inc(),
  // so we keep the last reported value per label set and add the delta.
  const counter = (name: string, help: string, labelNames: string[], rows: () => Array<[Record<string, string>, number]>) => {
    const last = new Map<string, number>();
    return new client.Counter({
      name, help, labelNames, registers: [reg],
      collect(this: client.Counter<string>) {
        for (const [labels, total] of rows()) {
          const key = JSON.stringify(labels);
          const prev = last.get(key) ?? 0;
          if (total > prev) { this.inc(labels, total - prev); last.set(key, total); }
          else if (!last.has(key)) { this.inc(labels, 0); last.set(key, total); }
        }
      },
    });
  };

  const parsers = src.parsers ?? [];
  const engines = src.engines ?? [];

  if (src.fileSourceHits) {
    const f = src.fileSourceHits;
    counter('cs_filesource_hits_total', 'Lines read from a file', ['source', 'datasource_type', 'acquis_type'],
      () => f().map(([source, dt, at, n]) => [{ source, datasource_type: dt, acquis_type: at }, n]));
  }

  counter('cs_parser_hits_total', 'Events entering the parsers', ['source', 'type'], () => parsers.flatMap((p) =>
    p.metrics.perSource().map((m) => [{ source: m.source, type: m.type }, m.hits] as [Record<string, string>, number])));
  counter('cs_parser_hits_ok_total', 'Events parsed', ['source', 'type'], () => parsers.flatMap((p) =>
    p.metrics.perSource().map((m) => [{ source: m.source, type: m.type }, m.ok] as [Record<string, string>, number])));
  counter('cs_parser_hits_ko_total', 'Events left unparsed', ['source', 'type'], () => parsers.flatMap((p) =>
    p.metrics.perSource().map((m) => [{ source: m.source, type: m.type }, m.ko] as [Record<string, string>, number])));
  counter('cs_node_hits_total', 'Events entering a parser node', ['name', 'stage'], () => parsers.flatMap((p) =>
    p.metrics.perNode().map((m) => [{ name: m.name, stage: m.stage }, m.hits] as [Record<string, string>, number])));
  counter('cs_node_hits_ok_total', 'Events accepted by a parser node', ['name', 'stage'], () => parsers.flatMap((p) =>
    p.metrics.perNode().map((m) => [{ name: m.name, stage: m.stage }, m.ok] as [Record<string, string>, number])));
  counter('cs_node_hits_ko_total', 'Events rejected by a parser node', ['name', 'stage'], () => parsers.flatMap((p) =>
    p.metrics.perNode().map((m) => [{ name: m.name, stage: m.stage }, m.ko] as [Record<string, string>, number])));

  const perScenario = (pick: (s: ReturnType<BucketEngine['stats']>) => Record<string, number>) => () => {
    const sum = new Map<string, number>();
    for (const e of engines) for (const [k, v] of Object.entries(pick(e.stats()))) sum.set(k, (sum.get(k) ?? 0) + v);
    return [...sum].map(([name, n]) => [{ name }, n] as [Record<string, string>, number]);
  };
  counter('cs_bucket_poured_total', 'Events poured into buckets', ['name'], perScenario((s) => s.poured));
  counter('cs_bucket_overflowed_total', 'Buckets that overflowed', ['name'], perScenario((s) => s.overflows));

  new client.Gauge({
    name: 'picket_buckets_live', help: 'Buckets currently alive (all scenarios)', registers: [reg],
    collect(this: client.Gauge<string>) { this.set(engines.reduce((a, e) => a + e.stats().liveBuckets, 0)); },
  });
  counter('picket_bucket_evictions_total', 'Buckets evicted by the live-bucket cap', [], () => [[{}, engines.reduce((a, e) => a + e.stats().evictions, 0)]]);
  counter('picket_expr_runtime_errors_total', 'Expression evaluations that raised a runtime error', [], () => [[{}, exprMetrics.runtimeErrors]]);
  counter('picket_parser_errors_total', 'Events discarded because a parser node raised an error', [], () => [[{}, parsers.reduce((a, p) => a + p.metrics.errors, 0)]]);
  return reg;
}
