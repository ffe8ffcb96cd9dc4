// Plain, structured-cloneable snapshot of one agent's metric counters (parser trees, bucket engine, expression
// errors, alerts), so a worker thread can send its counters to the main thread on request and the main
// thread can sum the shards. Taking one walks the parser nodes once (cost per scrape, not per event).
// Owns: snapshot shape, snapshot of an Agent or of loose trees/engines, merge across shards.

import type { ParserTree, NodeMetric, SourceMetric, WhitelistMetric } from '../parser/runtime.js';
import { mergeHistograms, type HistogramData } from './histogram.js';
import type { BucketEngine } from '../buckets/index.js';
import { exprMetrics } from '../expr/index.js';
import { rdnsStats, type RdnsStats } from '../parser/enrich/rdns.js';

export interface MetricsSnapshot {
  parserSources: SourceMetric[];
  nodes: NodeMetric[];
  parserErrors: number;
  /** per scenario */
  poured: Record<string, number>;
  overflows: Record<string, number>;
  underflows: number;
  liveBuckets: number;
  evictions: number;
  exprRuntimeErrors: number;
  /** alerts (one per source) per scenario */
  alerts: Record<string, number>;
  /** per (source, type, scenario) */
  pouredBySource: Array<{ source: string; type: string; name: string; n: number }>;
  /** per scenario */
  instantiated: Record<string, number>;
  underflowedBy: Record<string, number>;
  cancelledBy: Record<string, number>;
  /** whitelist node hits per (source, type, name, reason, stage): cs_node_wl_hits_total / _ok_total */
  whitelist: WhitelistMetric[];
  parseTime: HistogramData[];
  pourTime: HistogramData[];
  /** reverse DNS lookups of the thread (src/parser/enrich/rdns.ts) */
  rdns: RdnsStats;
}

export function emptySnapshot(): MetricsSnapshot {
  return {
    parserSources: [],
    nodes: [],
    parserErrors: 0,
    poured: {},
    overflows: {},
    underflows: 0,
    liveBuckets: 0,
    evictions: 0,
    exprRuntimeErrors: 0,
    alerts: {},
    pouredBySource: [],
    instantiated: {},
    underflowedBy: {},
    cancelledBy: {},
    whitelist: [],
    parseTime: [],
    pourTime: [],
    rdns: { lookups: 0, cacheHits: 0, timeouts: 0, failures: 0, dropped: 0 },
  };
}

/** Snapshot of loose parser trees and engines (exprMetrics is per thread: the caller's thread). */
export function snapshotOf(
  parsers: readonly ParserTree[],
  engines: readonly BucketEngine[],
  alerts: Record<string, number> = {},
): MetricsSnapshot {
  const parts: MetricsSnapshot[] = [];
  for (const p of parsers) {
    const s = emptySnapshot();
    s.parserSources = p.metrics.perSource();
    s.nodes = p.metrics.perNode();
    s.parserErrors = p.metrics.errors;
    s.whitelist = p.metrics.perWhitelist();
    parts.push(s);
  }
  for (const e of engines) {
    const st = e.stats();
    const s = emptySnapshot();
    s.poured = st.poured;
    s.overflows = st.overflows;
    s.underflows = st.underflows;
    s.liveBuckets = st.liveBuckets;
    s.evictions = st.evictions;
    s.pouredBySource = st.pouredBySource;
    s.instantiated = st.instantiated;
    s.underflowedBy = st.underflowedBy;
    s.cancelledBy = st.cancelledBy;
    parts.push(s);
  }
  const m = mergeSnapshots(parts);
  m.exprRuntimeErrors = exprMetrics.runtimeErrors;
  // (per thread, like exprMetrics: counted with the thread's parser tree, once)
  if (parsers.length) m.rdns = rdnsStats();
  m.alerts = { ...alerts };
  return m;
}

function addMap(into: Record<string, number>, from: Record<string, number>): void {
  for (const k of Object.keys(from)) into[k] = (into[k] ?? 0) + from[k]!;
}

/** Sums snapshots of several shards (per label set). */
export function mergeSnapshots(list: readonly MetricsSnapshot[]): MetricsSnapshot {
  const out = emptySnapshot();
  const src = new Map<string, SourceMetric>();
  const nodes = new Map<string, NodeMetric>();
  const poured = new Map<string, MetricsSnapshot['pouredBySource'][number]>();
  const wl = new Map<string, WhitelistMetric>();
  for (const x of list) {
    for (const m of x.parserSources) {
      const k = `${m.source}\u0000${m.type}\u0000${m.acquisType}`;
      const c = src.get(k);
      if (c) {
        c.hits += m.hits;
        c.ok += m.ok;
        c.ko += m.ko;
      } else src.set(k, { ...m });
    }
    for (const m of x.nodes) {
      const k = `${m.stage}\u0000${m.name}\u0000${m.source}\u0000${m.type}\u0000${m.acquisType}`;
      const c = nodes.get(k);
      if (c) {
        c.hits += m.hits;
        c.ok += m.ok;
        c.ko += m.ko;
      } else nodes.set(k, { ...m });
    }
    out.parserErrors += x.parserErrors;
    out.underflows += x.underflows;
    out.liveBuckets += x.liveBuckets;
    out.evictions += x.evictions;
    out.exprRuntimeErrors += x.exprRuntimeErrors;
    for (const k of Object.keys(out.rdns) as Array<keyof RdnsStats>) out.rdns[k] += x.rdns?.[k] ?? 0;
    addMap(out.poured, x.poured);
    addMap(out.overflows, x.overflows);
    addMap(out.alerts, x.alerts);
    addMap(out.instantiated, x.instantiated);
    addMap(out.underflowedBy, x.underflowedBy);
    addMap(out.cancelledBy, x.cancelledBy);
    for (const p of x.pouredBySource) {
      const k = `${p.source}\u0000${p.type}\u0000${p.name}`;
      const c = poured.get(k);
      if (c) c.n += p.n;
      else poured.set(k, { ...p });
    }
    for (const w of x.whitelist) {
      const k = `${w.source}\u0000${w.type}\u0000${w.acquisType}\u0000${w.name}\u0000${w.reason}\u0000${w.stage}`;
      const c = wl.get(k);
      if (c) {
        c.hits += w.hits;
        c.ok += w.ok;
      } else wl.set(k, { ...w });
    }
  }
  out.pouredBySource = [...poured.values()];
  out.whitelist = [...wl.values()];
  out.parseTime = mergeHistograms(list.map((x) => x.parseTime));
  out.pourTime = mergeHistograms(list.map((x) => x.pourTime));
  out.parserSources = [...src.values()];
  out.nodes = [...nodes.values()];
  return out;
}
