// The parser stage loop (parsing.md §13, crowdsec pkg/parser/runtime.go `Parse`) and the ParserTree it runs.
// Owns: stage sequencing, per-stage node iteration, drop rules (stage not passed with next_stage, no node
// succeeded), Process flag, per-event error handling (event discarded + counted), the optional recorder hook
// used by hubtest/explain (deep snapshot taken only when a recorder is attached) and ParserMetrics.

import { Event, LOG, newStrMap } from '../core/event.js';
import { GoTime } from '../core/gotime.js';
import type { EnrichContext } from './deps.js';
import { CompiledNode, type NodeRuntime } from './node.js';
import type { StaticsSink } from './statics.js';
import { errorMessage } from '../core/errors.js';

/** Deep copy of the parts of an event that dumps and explain show. */
export interface EventSnapshot {
  Type: number;
  Stage: string;
  Process: boolean;
  Parsed: Record<string, string>;
  Meta: Record<string, string>;
  Enriched: Record<string, string>;
  Unmarshaled: Record<string, unknown>;
  Whitelisted: boolean;
  WhitelistReason: string;
  StrTime: string;
  StrTimeFormat: string;
  MarshaledTime: string;
  Time: string;
  /** OVFLW events: Overflow.Whitelisted */
  OverflowWhitelisted?: boolean;
}

/** Called after every top-level node evaluation with a deep copy of the event. */
export type ParseRecorder = (stage: string, nodeName: string, snapshot: EventSnapshot, success: boolean) => void;

function copyStrMap(m: Record<string, string>): Record<string, string> {
  const o = Object.create(null) as Record<string, string>;
  for (const k in m) o[k] = m[k]!;
  return o;
}

/** Deep copy of JSON-like data (GoTime and other class instances are rendered as strings). */
export function deepCopyValue(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth > 64) return null;
  if (Array.isArray(v)) return v.map((x) => deepCopyValue(x, depth + 1));
  if (v instanceof GoTime) return v.toRFC3339Nano();
  const o = Object.create(null) as Record<string, unknown>;
  for (const k in v as Record<string, unknown>) o[k] = deepCopyValue((v as Record<string, unknown>)[k], depth + 1);
  return o;
}

export function snapshotEvent(evt: Event): EventSnapshot {
  const s: EventSnapshot = {
    Type: evt.Type,
    Stage: evt.Stage,
    Process: evt.Process,
    Parsed: copyStrMap(evt.Parsed),
    Meta: copyStrMap(evt.Meta),
    Enriched: copyStrMap(evt.Enriched),
    Unmarshaled: deepCopyValue(evt.Unmarshaled) as Record<string, unknown>,
    Whitelisted: evt.Whitelisted,
    WhitelistReason: evt.WhitelistReason,
    StrTime: evt.StrTime,
    StrTimeFormat: evt.StrTimeFormat,
    MarshaledTime: evt.MarshaledTime,
    Time: evt.Time.toRFC3339Nano(),
  };
  if (evt.Overflow) s.OverflowWhitelisted = evt.Overflow.Whitelisted;
  return s;
}

/** The labels CrowdSec puts on per-event parser counters: Line.Src, Line.Module, Line.Labels.type. */
export interface SourceLabels {
  source: string;
  type: string;
  /** the acquisition's labels.type (CrowdSec's acquis_type label) */
  acquisType: string;
}
export interface NodeMetric extends SourceLabels {
  stage: string;
  name: string;
  hits: number;
  ok: number;
  ko: number;
}
export interface WhitelistMetric extends SourceLabels {
  name: string;
  reason: string;
  stage: string;
  hits: number;
  ok: number;
}
export interface SourceMetric extends SourceLabels {
  hits: number;
  ok: number;
  ko: number;
}
/** a source and its slot: the index of its counters in every node (CompiledNode.hits...) */
interface SourceSlot extends SourceMetric {
  slot: number;
}

const labelsOf = (c: SourceSlot): SourceLabels => ({ source: c.source, type: c.type, acquisType: c.acquisType });

/** Plain counters; prom-client wiring reads them (cs_parser_hits_ok_total / cs_parser_hits_ko_total per node). */
export class ParserMetrics {
  /** events given to parse() */
  events = 0;
  /** events that passed all stages (Process = true) */
  parsed = 0;
  /** events dropped (no stage passed) */
  unparsed = 0;
  /** events discarded because a node raised an error */
  errors = 0;
  /** events parsed but whitelisted */
  whitelisted = 0;
  /** every (source, type, acquis_type) seen, by slot; the parser counters count LOG events only:
   * cs_parser_hits_total {source, type}, cs_parser_hits_ok_total / _ko_total {source, type, acquis_type} */
  private readonly slots: SourceSlot[] = [];
  private readonly bySource = new Map<string, SourceSlot>();
  private last: SourceSlot | null = null;
  constructor(private readonly nodes: CompiledNode[]) {}

  /** counters of one (source, type, acquis_type), created on first use (the nodes get a slot for it) */
  source(src: string, module: string, acquisType: string): SourceSlot {
    const l = this.last;
    if (l !== null && l.source === src && l.type === module && l.acquisType === acquisType) return l;
    const k = `${src}\u0000${module}\u0000${acquisType}`;
    let c = this.bySource.get(k);
    if (c === undefined) {
      c = { source: src, type: module, acquisType, hits: 0, ok: 0, ko: 0, slot: this.slots.length };
      this.slots.push(c);
      this.bySource.set(k, c);
      for (const n of this.nodes) n.growSlots(this.slots.length);
    }
    this.last = c;
    return c;
  }

  perSource(): SourceMetric[] {
    return this.slots.filter((c) => c.hits > 0).map((c) => ({ ...labelsOf(c), hits: c.hits, ok: c.ok, ko: c.ko }));
  }

  /** Per whitelist node and source: cs_node_wl_hits_total / cs_node_wl_hits_ok_total. */
  perWhitelist(): WhitelistMetric[] {
    const out: WhitelistMetric[] = [];
    const visit = (n: CompiledNode) => {
      const reason = n.whitelist?.reason ?? '';
      for (const c of this.slots) {
        const hits = n.wlHits[c.slot] ?? 0;
        if (hits > 0) out.push({ ...labelsOf(c), name: n.name, reason, stage: n.stage, hits, ok: n.wlOk[c.slot]! });
      }
      for (const ch of n.children) visit(ch);
    };
    for (const n of this.nodes) visit(n);
    return out;
  }

  /** Per named node and source (children included, keyed by name + stage + source, summed when names repeat). */
  perNode(): NodeMetric[] {
    const map = new Map<string, NodeMetric>();
    const visit = (n: CompiledNode) => {
      for (const c of this.slots) {
        const hits = n.hits[c.slot] ?? 0;
        if (hits === 0) continue;
        const k = `${n.stage}\u0000${n.name}\u0000${c.slot}`;
        let m = map.get(k);
        if (!m) {
          m = { ...labelsOf(c), stage: n.stage, name: n.name, hits: 0, ok: 0, ko: 0 };
          map.set(k, m);
        }
        m.hits += hits;
        m.ok += n.hitsOk[c.slot]!;
        m.ko += n.hitsKo[c.slot]!;
      }
      for (const ch of n.children) visit(ch);
    };
    for (const n of this.nodes) visit(n);
    return [...map.values()];
  }
}

export const PARSE_OK = 0;
export const PARSE_DROPPED = 1;
export const PARSE_ERROR = 2;

export class ParserTree implements NodeRuntime {
  readonly env: { evt: Event } = { evt: null as unknown as Event };
  readonly metrics: ParserMetrics;
  /** recorder hook (hubtest, explain); null = zero cost */
  recorder: ParseRecorder | null = null;
  /** last per-event error message (PARSE_ERROR) */
  lastError = '';
  /** the source slot of the event being parsed (NodeRuntime) */
  slot = 0;
  /** node ranges per stage: nodes[stageStart[i] .. stageStart[i+1]) belong to stages[i] */
  private readonly stageStart: number[];

  constructor(
    readonly stages: string[],
    /** top-level nodes in evaluation order (grouped by stage, in stage order) */
    readonly nodes: CompiledNode[],
    readonly enrich: EnrichContext,
    readonly sink: StaticsSink | null = null,
    /** non-fatal load problems (skipped documents, unknown methods ...) */
    readonly warnings: string[] = [],
  ) {
    this.metrics = new ParserMetrics(nodes);
    this.stageStart = [];
    let j = 0;
    for (let i = 0; i < stages.length; i++) {
      while (j < nodes.length && nodes[j]!.stage !== stages[i]) j++;
      this.stageStart.push(j);
    }
    this.stageStart.push(nodes.length);
  }

  /**
   * Run the stage loop on `evt` (mutated in place). Returns PARSE_OK (evt.Process = true),
   * PARSE_DROPPED (a stage was not passed) or PARSE_ERROR (a node error; the event must be discarded).
   */
  parse(evt: Event): number {
    const stages = this.stages;
    this.metrics.events++;
    if (evt.Stage === '' && stages.length > 0) evt.Stage = stages[0]!;
    evt.Process = false;
    if (evt.Time.isZero()) evt.Time = GoTime.now();
    if (!evt.Parsed) evt.Parsed = newStrMap();
    if (!evt.Enriched) evt.Enriched = newStrMap();
    if (!evt.Meta) evt.Meta = newStrMap();
    if (!evt.Unmarshaled) evt.Unmarshaled = Object.create(null) as Record<string, unknown>;
    const line = evt.Line;
    const source = this.metrics.source(line.Src, line.Module, line.Labels.type ?? '');
    const src = evt.Type === LOG ? source : null;
    if (src !== null) src.hits++;
    const env = this.env;
    const prev = env.evt;
    const prevSlot = this.slot;
    env.evt = evt;
    this.slot = source.slot;
    try {
      for (let s = 0; s < stages.length; s++) {
        const stage = stages[s]!;
        const cur = stages.indexOf(evt.Stage);
        if (cur > s) continue; // injected at a later stage
        if (evt.Stage !== stage) {
          this.metrics.unparsed++;
          if (src !== null) src.ko++;
          return PARSE_DROPPED;
        }
        let ok = false;
        const end = this.stageStart[s + 1]!;
        for (let i = this.stageStart[s]!; i < end; i++) {
          const node = this.nodes[i]!;
          let r: boolean;
          try {
            r = node.process(evt, this);
          } catch (e) {
            this.lastError = errorMessage(e);
            this.metrics.errors++;
            if (src !== null) src.ko++;
            return PARSE_ERROR;
          }
          if (this.recorder !== null) this.recorder(stage, node.name, snapshotEvent(evt), r);
          if (r) {
            ok = true;
            if (node.nextStage) break;
          }
          if (evt.Stage !== stage) break;
        }
        if (!ok) {
          this.metrics.unparsed++;
          if (src !== null) src.ko++;
          return PARSE_DROPPED;
        }
      }
      evt.Process = true;
      this.metrics.parsed++;
      if (src !== null) src.ok++;
      if (evt.Whitelisted) this.metrics.whitelisted++;
      return PARSE_OK;
    } finally {
      env.evt = prev;
      this.slot = prevSlot;
    }
  }
}
