// A compiled parser node and its evaluation (parsing.md §5, crowdsec pkg/parser/node.go `process`).
// Owns: the exact evaluation order filter -> whitelist -> grok (+ grok statics) -> stash -> children ->
// node statics -> next_stage, the parent/child success rules, per-node hit counters.
// Everything is compiled at load time; `process` allocates nothing on the success path.

import { Event } from '../core/event.js';
import { GrokSet, goValueToString, type CompiledExpr, type GrokPattern, type EnrichContext } from './deps.js';
import { CompiledStatic, applyStatics, DEST_PARSED, DEST_TARGET, type StaticsSink } from './statics.js';
import { CompiledWhitelist } from './whitelist.js';
import { CompiledStash } from './stash.js';
import { errorMessage, PicketError } from '../core/errors.js';

/** What a node needs from the tree while running. */
export interface NodeRuntime {
  readonly env: { evt: Event };
  readonly enrich: EnrichContext;
  readonly stages: string[];
  readonly sink: StaticsSink | null;
  /** the current event's source slot (ParserMetrics.source): index of the per-source node counters */
  readonly slot: number;
}

/** A node error: the event is discarded (§5 end). */
/** A parser node failing on an event (PARSER_NODE). */
export class NodeError extends PicketError {
  constructor(message: string) {
    super('PARSER_NODE', message);
  }
}

export const APPLY_NONE = 0;
export const APPLY_RAW = 1;
export const APPLY_PARSED = 2;
export const APPLY_EXPR = 3;

export class CompiledNode {
  name = '';
  stage = '';
  nextStage = false;
  filter: CompiledExpr | null = null;
  whitelist: CompiledWhitelist | null = null;
  grok: GrokPattern | null = null;
  grokApply = APPLY_NONE;
  grokField = '';
  grokExpr: CompiledExpr | null = null;
  grokStatics: CompiledStatic[] = [];
  stash: CompiledStash[] = [];
  children: CompiledNode[] = [];
  statics: CompiledStatic[] = [];
  /** file / document / node, for messages */
  where = '';
  /**
   * Optional prefilter over the grok children that read the same input (one RE2.Set pass tells which of them
   * can match). Only built when no descendant can modify that input, so results are identical.
   */
  childSet: GrokSet | null = null;
  childSetApply = APPLY_NONE;
  childSetField = '';
  /** set index -> child index */
  childSetMembers: Int32Array = new Int32Array(0);
  /** per child: 1 = its grok cannot match the current input (valid once childSetState is 2) */
  childSkip: Uint8Array = new Uint8Array(0);
  /** per child: 1 = its grok reads the prefiltered input (a member of childSet) */
  childMember: Uint8Array = new Uint8Array(0);
  /**
   * Per event, how far the prefilter went (see grokGate): 0 = no member asked yet, 1 = one member ran its own
   * matcher, 2 = candidates computed into childSkip.
   */
  private childSetState = 0;
  /** this node's index among its parent's children (set by the parent's buildChildPrefilter) */
  childIndex = -1;
  // counters per source slot (cs_node_hits_total / _ok_ / _ko_, cs_node_wl_hits_total / _ok_total)
  hits = new Float64Array(1);
  hitsOk = new Float64Array(1);
  hitsKo = new Float64Array(1);
  wlHits = new Float64Array(1);
  wlOk = new Float64Array(1);

  /** Makes room for `n` source slots (a new event source appeared), in the children too. */
  growSlots(n: number): void {
    if (this.hits.length < n) {
      const grow = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
        const b = new Float64Array(Math.max(n, a.length * 2));
        b.set(a);
        return b;
      };
      this.hits = grow(this.hits);
      this.hitsOk = grow(this.hitsOk);
      this.hitsKo = grow(this.hitsKo);
      this.wlHits = grow(this.wlHits);
      this.wlOk = grow(this.wlOk);
    }
    for (const c of this.children) c.growSlots(n);
  }

  /** Evaluate the node on `evt` (which is `rt.env.evt`). Returns success; throws NodeError (event discarded). */
  process(evt: Event, rt: NodeRuntime, gate: CompiledNode | null = null): boolean {
    const env = rt.env;
    // 1. filter
    if (this.filter !== null) {
      let out: unknown;
      try {
        out = this.filter.run(env);
      } catch {
        return false;
      }
      if (out !== true) return false;
    }
    const slot = rt.slot;
    this.hits[slot]++;
    let state = true;
    // 2. whitelist
    let wlMatched = false;
    const wl = this.whitelist;
    if (wl !== null) {
      if (wl.checkIPs(evt)) {
        wlMatched = true;
      } else if (wl.exprs.length > 0) {
        // a runtime error stops the check: not whitelisted, the node goes on (crowdsec processWhitelist)
        wlMatched = wl.checkExprs(env) === 1;
      }
      if (wlMatched) CompiledWhitelist.apply(evt, wl.reason);
      this.wlHits[slot]++;
      if (wlMatched) this.wlOk[slot]++;
    }
    // 3. grok (crowdsec processGrok: a missing apply_on field or an expression runtime error fails the grok
    // without matching; an expression result of another type is logged and "" is matched)
    let grokOk = false;
    if (this.grok !== null) {
      let input = '';
      let run = gate === null || gate.grokGate(this.childIndex, evt);
      switch (this.grokApply) {
        case APPLY_RAW:
          input = evt.Line.Raw;
          break;
        case APPLY_PARSED: {
          const v = evt.Parsed[this.grokField];
          if (v === undefined) run = false;
          else input = v;
          break;
        }
        case APPLY_EXPR: {
          let out: unknown;
          try {
            out = this.grokExpr!.run(env);
          } catch {
            run = false;
            out = undefined;
          }
          if (typeof out === 'string') input = out;
          else if (typeof out === 'number') {
            const s = goValueToString(out, this.grokExpr!.kind);
            input = typeof s === 'string' ? s : '';
          }
          break;
        }
      }
      if (run && this.grok.matchInto(input, evt.Parsed)) {
        grokOk = true;
        if (this.grokStatics.length > 0) this.runStatics(this.grokStatics, evt, rt);
      } else {
        state = false;
      }
    }
    // 4. stash
    if (grokOk || this.grok === null) {
      for (let i = 0; i < this.stash.length; i++) this.stash[i]!.run(env);
    }
    // 5. children
    const ch = this.children;
    this.childSetState = 0;
    const childGate = this.childSet !== null ? this : null;
    for (let i = 0; i < ch.length; i++) {
      const r = ch[i]!.process(evt, rt, childGate);
      if (r) {
        state = true;
        if (this.nextStage) break;
      } else if (!grokOk) {
        state = false;
      }
    }
    // 6.
    if (!state) {
      this.hitsKo[slot]++;
      return false;
    }
    this.hitsOk[slot]++;
    // 7. node statics
    if (this.statics.length > 0 && (wlMatched || wl === null || !wl.hasEntries)) this.runStatics(this.statics, evt, rt);
    // 8. next_stage
    if (this.nextStage) {
      const stages = rt.stages;
      const idx = stages.indexOf(evt.Stage);
      if (idx + 1 < stages.length) evt.Stage = stages[idx + 1]!;
    }
    return true;
  }

  /**
   * Asked by child `i` about to run its grok on the current event: false when the children prefilter tells that
   * it cannot match. Lazy: the first member to ask runs its own matcher (its literal guard and regex decide, as
   * cheap as the prefilter and often the only grok an event reaches, its siblings' filters failing); the
   * prefilter runs once a second member asks. No child writes the prefiltered input (buildChildPrefilter), so
   * computing it late gives the answer it would have given first.
   */
  grokGate(i: number, evt: Event): boolean {
    if (this.childMember[i] !== 1) return true;
    const state = this.childSetState;
    if (state === 0) {
      this.childSetState = 1;
      return true;
    }
    const skip = this.childSkip;
    if (state === 1) {
      this.childSetState = 2;
      const members = this.childSetMembers;
      for (let j = 0; j < members.length; j++) skip[members[j]!] = 1;
      const input = this.childSetApply === APPLY_RAW ? evt.Line.Raw : (evt.Parsed[this.childSetField] ?? '');
      let cand: number[] | null;
      try {
        cand = this.childSet!.candidates(input);
      } catch {
        cand = null;
      } // RE2.Set DFA failure: no prefilter
      if (cand === null) skip.fill(0);
      else for (let j = 0; j < cand.length; j++) skip[members[cand[j]!]!] = 0;
    }
    return skip[i] === 0;
  }

  /** Build the children prefilter when it is safe (see childSet). `minChildren` grok children at least. */
  buildChildPrefilter(minChildren: number): void {
    const groups = new Map<string, number[]>();
    this.children.forEach((c, i) => {
      if (c.grok === null || (c.grokApply !== APPLY_RAW && c.grokApply !== APPLY_PARSED)) return;
      const key = c.grokApply === APPLY_RAW ? '\u0000raw' : c.grokField;
      let g = groups.get(key);
      if (!g) {
        g = [];
        groups.set(key, g);
      }
      g.push(i);
    });
    let best: [string, number[]] | null = null;
    for (const e of groups) if (best === null || e[1].length > best[1].length) best = e;
    if (best === null || best[1].length < minChildren) return;
    const [key, idx] = best;
    const raw = key === '\u0000raw';
    for (const c of this.children) if (c.mayWrite(raw, key)) return;
    let set: GrokSet;
    try {
      set = new GrokSet(idx.map((i) => this.children[i]!.grok!));
    } catch {
      return;
    }
    this.childSet = set;
    this.childSetApply = raw ? APPLY_RAW : APPLY_PARSED;
    this.childSetField = raw ? '' : key;
    this.childSetMembers = Int32Array.from(idx);
    this.childSkip = new Uint8Array(this.children.length);
    this.childMember = new Uint8Array(this.children.length);
    for (const i of idx) this.childMember[i] = 1;
    this.children.forEach((c, i) => (c.childIndex = i));
  }

  /** Could evaluating this node (or its descendants) change Line.Raw (raw) or Parsed[field]? Conservative. */
  mayWrite(raw: boolean, field: string): boolean {
    const exprs: (CompiledExpr | null)[] = [this.filter, this.grokExpr];
    for (const st of [...this.grokStatics, ...this.statics]) {
      exprs.push(st.expr);
      if (raw) {
        if (
          st.dest === DEST_TARGET &&
          st.targetPath.length === 2 &&
          st.targetPath[0] === 'Line' &&
          st.targetPath[1] === 'Raw'
        )
          return true;
      } else {
        if (st.dest === DEST_PARSED && st.key === field) return true;
        if (st.dest === DEST_TARGET && st.targetPath[0] === 'Parsed' && st.targetPath[1] === field) return true;
      }
    }
    if (this.whitelist) exprs.push(...this.whitelist.exprs);
    for (const s of this.stash) exprs.push(s.key, s.value);
    for (const e of exprs) if (e !== null && /Set[A-Z]|Unmarshal/.test(e.source)) return true;
    if (!raw && this.grok !== null && this.grok.fields.includes(field)) return true;
    for (const c of this.children) if (c.mayWrite(raw, field)) return true;
    return false;
  }

  private runStatics(list: CompiledStatic[], evt: Event, rt: NodeRuntime): void {
    try {
      applyStatics(list, evt, rt.env, rt.enrich, rt.sink);
    } catch (e) {
      throw new NodeError(`${this.where}: failed to process statics: ${errorMessage(e)}`);
    }
  }
}
