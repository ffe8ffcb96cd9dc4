// The single-thread agent core: raw lines (+ their source) -> Events -> parser tree -> bucket engine ->
// postoverflow tree -> alerts. Used as is by `--workers 0` and `picket run`, and once per worker shard by the
// worker pool (pool.ts / worker.ts).
// Owns: Event construction (Line.Raw/Src/Module/Labels, ExpectMode LIVE or TIMEMACHINE), pour batching
// (in input order), overflow handling as cmd/crowdsec/output.go does it (postoverflows; Whitelisted ->
// dropped; Reprocess -> poured again into all scenarios, scenarios.md §8), the alert sink (one call per
// APIAlert, i.e. per source) and the agent counters; with reverse DNS on (content.rdnsOverflows), an overflow
// whose source address is not in the resolver's cache waits for its lookup alone (rdns.ts explains why).
// Deterministic: with TIMEMACHINE events the same lines in the same order give the same alerts.

import { Event, LIVE, OVFLW, TIMEMACHINE, newStrMap, type Alert, type StrMap } from '../core/event.js';
import { GoTime } from '../core/gotime.js';
import { PARSE_ERROR, PARSE_OK } from '../parser/runtime.js';
import { BucketEngine, type EngineOptions } from '../buckets/index.js';
import type { LoadedContent } from './content.js';
import { snapshotOf, type MetricsSnapshot } from '../metrics/snapshot.js';
import { BatchHistograms, PARSE_BOUNDS, POUR_BOUNDS } from '../metrics/histogram.js';
import { reverseDns } from '../parser/enrich/rdns.js';

/** Where lines come from: Line.Src, Line.Module (datasource type) and Line.Labels (labels.type ...). */
export interface LineSource {
  src: string;
  module: string;
  labels: Record<string, string>;
  /** a backlog read by a LIVE agent (lines written while it was stopped, a file that appeared with content):
   *  poured with their own timestamps, as a replay pours them (FileTailer marks them) */
  timeMachine?: boolean;
}

export interface AgentCounters {
  /** lines read per source (Line.Src) */
  lines: Record<string, number>;
  parsed: number;
  unparsed: number;
  parseErrors: number;
  /** parsed but whitelisted (not poured) */
  whitelisted: number;
  /** events poured into the bucket engine (LOG events; reprocessed overflows not counted) */
  poured: number;
  /** events poured per scenario (the engine's counter: events that passed the scenario filter) */
  pouredByScenario: Record<string, number>;
  /** alerts (one per source) per scenario */
  alerts: Record<string, number>;
  /** overflows dropped by a postoverflow whitelist */
  overflowsWhitelisted: number;
  /** overflows poured again (reprocess) */
  reprocessed: number;
}

export function emptyCounters(): AgentCounters {
  return {
    lines: {},
    parsed: 0,
    unparsed: 0,
    parseErrors: 0,
    whitelisted: 0,
    poured: 0,
    pouredByScenario: {},
    alerts: {},
    overflowsWhitelisted: 0,
    reprocessed: 0,
  };
}

function addMap(into: Record<string, number>, from: Record<string, number>): void {
  for (const k of Object.keys(from)) into[k] = (into[k] ?? 0) + from[k]!;
}

/** Sums counters of several agents (worker shards). */
export function mergeCounters(list: AgentCounters[]): AgentCounters {
  const c = emptyCounters();
  for (const x of list) {
    addMap(c.lines, x.lines);
    c.parsed += x.parsed;
    c.unparsed += x.unparsed;
    c.parseErrors += x.parseErrors;
    c.whitelisted += x.whitelisted;
    c.poured += x.poured;
    c.overflowsWhitelisted += x.overflowsWhitelisted;
    c.reprocessed += x.reprocessed;
    addMap(c.pouredByScenario, x.pouredByScenario);
    addMap(c.alerts, x.alerts);
  }
  return c;
}

/** Receives every alert (one per source) with the overflow event it came from. */
export type AlertSink = (alert: Alert, overflow: Event) => void;

export interface AgentOptions {
  /** TIMEMACHINE (replay: event time from the log) or LIVE (wall clock) */
  mode: typeof LIVE | typeof TIMEMACHINE;
  sink: AlertSink;
  /** bucket store (default wasm) */
  store?: EngineOptions['store'];
  /** ceiling on this agent's live buckets (default none; src/buckets/eviction.ts) */
  maxBuckets?: number;
  /** wall clock for LIVE mode (default Date.now) */
  now?: () => number;
  /** runtime warnings (engine errors are counted and reported here, never thrown) */
  log?: (msg: string) => void;
  /** parsed events poured per engine call (default 256) */
  pourBatch?: number;
  /** scenarios this agent's engine pours into (default all; EngineOptions.active) */
  active?: EngineOptions['active'];
  /** sees every parsed, non-whitelisted event with the index of its line in the pushLines call */
  tap?: (evt: Event, index: number) => void;
}

export class Agent {
  readonly engine: BucketEngine;
  private readonly c = emptyCounters();
  private readonly batch: Event[] = [];
  private readonly pourBatch: number;
  private readonly labelCache = new Map<string, StrMap>();
  /** cs_parsing_time_seconds / cs_bucket_pour_seconds, recorded once per call / per pour batch */
  private readonly parseTime = new BatchHistograms(PARSE_BOUNDS);
  private readonly pourTime = new BatchHistograms(POUR_BOUNDS);
  private pourSrc = '';
  private pourType = '';
  /** overflows waiting for the reverse DNS lookup of their source (settled() waits for them) */
  private readonly held = new Set<Promise<void>>();

  constructor(
    readonly content: LoadedContent,
    private readonly opts: AgentOptions,
  ) {
    this.engine = new BucketEngine(content.scenarios, {
      store: opts.store ?? 'wasm',
      maxBuckets: opts.maxBuckets,
      now: opts.now,
      log: opts.log,
      active: opts.active,
      liveAgent: opts.mode === LIVE,
      context: content.context,
    });
    this.pourBatch = opts.pourBatch ?? 256;
  }

  /**
   * Parses and pours lines of one source, in order. Overflows produced are handled (and alerts sunk)
   * before this returns; pours are batched inside the call only, so nothing is held across calls.
   */
  pushLines(lines: readonly string[], source: LineSource): void {
    const c = this.c;
    c.lines[source.src] = (c.lines[source.src] ?? 0) + lines.length;
    const labels = this.labelsOf(source);
    const tm = this.opts.mode === TIMEMACHINE || source.timeMachine === true;
    const tree = this.content.parsers;
    const batch = this.batch;
    const tap = this.opts.tap;
    this.setPourSource(source.src, source.module);
    const t0 = performance.now();
    let pourMs = 0;
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      // Labels: one shared string map per source (parsers read it, never write it)
      const evt = new Event({
        Raw: raw,
        Src: source.src,
        Module: source.module,
        Labels: labels,
        Time: tm ? GoTime.zero() : GoTime.now(),
      });
      evt.ExpectMode = tm ? TIMEMACHINE : LIVE;
      const r = tree.parse(evt);
      if (r !== PARSE_OK) {
        if (r === PARSE_ERROR) c.parseErrors++;
        else c.unparsed++;
        continue;
      }
      c.parsed++;
      if (evt.Whitelisted) {
        c.whitelisted++;
        continue;
      }
      if (tap !== undefined) tap(evt, i);
      batch.push(evt);
      if (batch.length >= this.pourBatch) pourMs += this.pourPending();
    }
    pourMs += this.pourPending();
    this.parseTime.record(source.src, source.module, (performance.now() - t0 - pourMs) / 1000, lines.length);
  }

  /**
   * Pours events parsed elsewhere (the pool's global scenarios: global-merge.ts), in order; they are not
   * counted again as parsed or poured lines.
   */
  pourEvents(events: readonly Event[]): void {
    const batch = this.batch;
    const first = events[0];
    if (first !== undefined) this.setPourSource(first.Line.Src, first.Line.Module);
    for (const e of events) {
      batch.push(e);
      if (batch.length >= this.pourBatch) this.pourPending(false);
    }
    this.pourPending(false);
  }

  /** LIVE housekeeping: timed (counter) overflows and bucket expiry at wall time nowMs. */
  tick(nowMs: number = Date.now()): void {
    this.handleOverflows(this.engine.tick(nowMs));
  }

  /** End of a replay: pending pours done, leftover buckets discarded (as CrowdSec's replay does). */
  flush(): void {
    this.pourPending();
    this.handleOverflows(this.engine.flush());
  }

  counters(): AgentCounters {
    const c = this.c;
    const st = this.engine.stats();
    return { ...c, lines: { ...c.lines }, alerts: { ...c.alerts }, pouredByScenario: { ...st.poured } };
  }

  /** Prometheus counters of this agent (parser tree, engine, alerts); cost per call, none per event. */
  metricsSnapshot(withParsers = true): MetricsSnapshot {
    // (an agent that parses nothing and shares its parser tree with another one leaves it to that one)
    const s = snapshotOf(withParsers ? [this.content.parsers] : [], [this.engine], this.c.alerts);
    s.parseTime = withParsers ? this.parseTime.data() : [];
    s.pourTime = this.pourTime.data();
    return s;
  }

  private labelsOf(source: LineSource): StrMap {
    const key = `${source.src}\u0000${source.module}\u0000${JSON.stringify(source.labels)}`;
    let m = this.labelCache.get(key);
    if (m === undefined) {
      m = newStrMap(source.labels);
      this.labelCache.set(key, m);
    }
    return m;
  }

  private setPourSource(src: string, module: string): void {
    if (src === this.pourSrc && module === this.pourType) return;
    this.pourSrc = src;
    this.pourType = module;
    this.engine.pourSource(src, module);
  }

  /** Pours the pending batch; returns the milliseconds it took (overflow handling included). */
  private pourPending(count = true): number {
    const batch = this.batch;
    const n = batch.length;
    if (n === 0) return 0;
    const t0 = performance.now();
    if (count) this.c.poured += n;
    const ovs = this.engine.pourMany(batch);
    batch.length = 0;
    if (ovs.length) this.handleOverflows(ovs);
    const ms = performance.now() - t0;
    this.pourTime.record(this.pourSrc, this.pourType, ms / 1000, n);
    return ms;
  }

  /** Resolves once no overflow waits for a reverse DNS lookup (their alerts have gone to the sink). */
  async settled(): Promise<void> {
    while (this.held.size) await Promise.all([...this.held]);
  }

  /** Overflows waiting for a reverse DNS lookup. */
  get heldOverflows(): number {
    return this.held.size;
  }

  /**
   * Holds `ov` when the postoverflows will ask reverse_dns for a source address the resolver has no answer for
   * yet: the lookup runs, then the overflow is handled alone (its answer put back in the cache just before).
   */
  private holdForRdns(ov: Event): boolean {
    if (!this.content.rdnsOverflows) return false;
    const r = reverseDns();
    const ip = ov.Overflow?.Alert?.Source?.IP ?? '';
    if (r === null || ip === '' || r.has(ip)) return false;
    const p = r.lookup(ip).then((name) => {
      this.held.delete(p);
      r.remember(ip, name);
      this.handleOverflows([ov], false);
    });
    this.held.add(p);
    return true;
  }

  /** cmd/crowdsec/output.go: postoverflows, whitelist, reprocess (breadth-first, in emission order). */
  private handleOverflows(ovs: Event[], mayHold = true): void {
    if (ovs.length === 0) return;
    const queue = ovs.slice();
    const po = this.content.postoverflows;
    for (let qi = 0; qi < queue.length; qi++) {
      const ov = queue[qi]!;
      const ra = ov.Overflow;
      if (!ra || ra.Alert === null) continue;
      if ((mayHold || qi > 0) && this.holdForRdns(ov)) continue;
      ov.Type = OVFLW;
      po.parse(ov); // the Process flag is ignored for postoverflows
      if (ra.Whitelisted) {
        this.c.overflowsWhitelisted++;
        continue;
      }
      if (ra.Reprocess) {
        this.c.reprocessed++;
        for (const o of this.engine.pour(ov)) queue.push(o);
      }
      for (const a of ra.APIAlerts) {
        this.c.alerts[a.Scenario] = (this.c.alerts[a.Scenario] ?? 0) + 1;
        this.opts.sink(a, ov);
      }
    }
  }
}
