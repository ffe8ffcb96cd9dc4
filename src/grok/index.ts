// Grok on RE2: pattern library (built-ins + pattern files + pattern_syntax), %{NAME[:label]} expansion
// with grokky's label rules, one compiled RE2 per distinct expanded regex, literal prefilters, and
// GrokSet (RE2.Set: which of several patterns can match, in one pass).
// Owns: src/grok/*. Semantics: docs spec parsing.md §7.

import { readdirSync, statSync } from 'node:fs';
import { readConfigText } from '../core/config-file.js';
import { join } from 'node:path';
import RE2 from 're2';
import { BASE_PATTERNS } from './base.js';
import { countGroups, grokkyCapCount, scanRegex, splitTrailingGreedy, stripCaptures, toJsRegExp } from './regex.js';
import { LiteralGuard } from './prefilter.js';
import { anchoredAtStart, buildExtractor, SEGMENTED_MAX_INPUT, type JsExtractor } from './segmented.js';
import { errorMessage, PicketError } from '../core/errors.js';

/** A pattern file or pattern definition that cannot be loaded (GROK_LOAD). */
export class GrokLoadError extends PicketError {
  constructor(message: string) {
    super('GROK_LOAD', message);
  }
}
/** A grok pattern that cannot be compiled (GROK_COMPILE). */
export class GrokCompileError extends PicketError {
  constructor(message: string) {
    super('GROK_COMPILE', message);
  }
}

/**
 * 'safe' (default): RE2 decides (DFA, linear) and gives the match start; a sticky JS RegExp then extracts the
 * labels from that start — only for patterns that pass the backtracking analysis of safety.ts (linear work per
 * attempt) and only for ASCII inputs of at most SAFE_MAX_INPUT chars; every other case extracts with RE2.
 * 're2': RE2 decides and extracts. 'js': JS RegExp translation only (benchmark comparison).
 * 'hybrid': RE2 `test` decides (linear time), then a JS RegExp translation extracts the labels — only for
 * patterns without nested unbounded quantifiers and only on lines RE2 already matched; falls back to RE2
 * extraction when the translation is impossible or disagrees.
 */
export type GrokEngine = 'safe' | 're2' | 'js' | 'hybrid';

/** Longest input the 'safe' engine hands to its JS extractor (longer inputs: RE2 extraction). */
export const SAFE_MAX_INPUT = 4096;
const NON_ASCII = /[\u0080-\uffff]/; // any UTF-16 code unit above ASCII
/** matches starting at 0 in a row before the 'safe' engine tries its JS extractor at 0 without an RE2 search */
const ZERO_STARTS = 8;
export interface PatternLibraryOptions {
  engine?: GrokEngine;
  /** Literal-substring prefilter before running the regex (default true; false only for benchmarks). */
  prefilter?: boolean;
}

export interface GrokPattern {
  readonly source: string;
  readonly expanded: string;
  readonly fields: readonly string[];
  /**
   * Unanchored leftmost match; writes EVERY label into target (non-participating group -> ""); false on no match
   * or when the pattern has no labels.
   */
  matchInto(input: string, target: Record<string, string>): boolean;
  /** Labels -> values (null-prototype object), or null (no match / no labels). */
  exec(input: string): Record<string, string> | null;
  /** Same success criterion as matchInto (false when the pattern has no labels), without extracting. */
  test(input: string): boolean;
  /** Literal substrings every match must contain (the prefilter), for diagnostics and benchmarks. */
  readonly required: readonly string[];
  /**
   * Which engine extracts the labels ('js' only with engine 'js' or 'hybrid'; 'safe-js' with engine 'safe' when
   * the pattern passed the safety analysis).
   */
  readonly extractor: 're2' | 'js' | 'safe-js';
  /** engine 'safe': why the JS extractor was refused ('' when accepted or not applicable). */
  readonly safetyReason: string;
  /** engine 'safe': segments of the segmented JS extractor (segmented.ts), 0 when the whole pattern is one */
  readonly segments: number;
  /** longest input the JS extractor is given (longer ones are extracted by RE2) */
  readonly fastInputLimit: number;
}

interface Expansion {
  re: string;
  sem: Map<string, number>;
  groups: number;
}

const REF = /%\{(\w+)(?::(\w+))?\}/g;

interface Matcher {
  exec(s: string): RegExpExecArray | null;
  test(s: string): boolean;
  lastIndex: number;
}
interface SearchMatcher {
  search(s: string): number;
  test(s: string): boolean;
}
/** one alternative of the 'safe' engine's JS extractor (segmented.ts ExtractorBranch, its check compiled) */
interface JsBranch {
  js: Matcher;
  remap: Int32Array | null;
  exact: boolean;
  check: SearchMatcher | null;
}

/** Counters of the 'safe' engine's decisions (tests and benchmarks read them). */
export const safeStats = { jsExtract: 0, re2Extract: 0, refusedLength: 0, refusedNonAscii: 0, jsDisagree: 0 };

// Process-wide cache: one compiled regex per (engine, expanded source).
const RE2_CACHE = new Map<string, Matcher>();
const JS_CACHE = new Map<string, Matcher>();

function compileRegex(expanded: string, engine: 're2' | 'js'): Matcher {
  const cache = engine === 're2' ? RE2_CACHE : JS_CACHE;
  let m = cache.get(expanded);
  if (!m) {
    m = engine === 're2' ? (new RE2(expanded) as unknown as Matcher) : toJsRegExp(expanded);
    cache.set(expanded, m);
  }
  return m;
}

class CompiledGrok implements GrokPattern {
  readonly fields: readonly string[];
  readonly required: readonly string[];
  private extractorKind: 're2' | 'js' | 'safe-js';
  private reason = '';
  /**
   * engine 'safe': the backtracking-safety analysis and the JS extractor, built on first use (a content's patterns
   * are compiled at load, many for parsers that never see a line, and the analysis was ~15% of a start-up).
   */
  private pending: (() => void) | null = null;
  /** engine 'safe': capture-free RE2 (search gives the match start) and the JS extractor's alternatives (sticky) */
  safeRe: SearchMatcher | null = null;
  branches: JsBranch[] | null = null;
  /** a failure of the JS extractor proves there is no match (every alternative exact) */
  private definitive = true;
  /**
   * engine 'safe': the pattern without its trailing GREEDYDATA group (regex.ts splitTrailingGreedy) and that
   * group's index
   */
  head: Matcher | null = null;
  tailIdx = 0;
  /**
   * segmented extractor with atomic-iteration loops or wide segments: inputs longer than SEGMENTED_MAX_INPUT go to
   * RE2
   */
  segCapped = false;
  /** segments of the segmented extractor (0: whole-pattern extractor or none) */
  private segmentCount = 0;
  /** every match starts at 0 (leading ^): the JS extractor runs first, without RE2 finding the start */
  anchored = false;
  get fastInputLimit(): number {
    this.settle();
    return this.segCapped ? SEGMENTED_MAX_INPUT : SAFE_MAX_INPUT;
  }
  get extractor(): 're2' | 'js' | 'safe-js' {
    this.settle();
    return this.extractorKind;
  }
  get safetyReason(): string {
    this.settle();
    return this.reason;
  }
  get segments(): number {
    this.settle();
    return this.segmentCount;
  }
  /** consecutive RE2 match starts at offset 0 (up to ZERO_STARTS) */
  private zeroStarts = 0;
  private segTries = 0;
  private segFails = 0;
  private readonly idx: Int32Array;
  /** group numbers of the last match returned by safeMatch (a JS alternative's remap: original -> its own, -1 = not
   *  participating), null when they are the pattern's own; read by matchInto instead of building a remapped array */
  private lastRemap: Int32Array | null = null;
  private readonly nf: number;
  private readonly guard: LiteralGuard;

  constructor(
    readonly source: string,
    readonly expanded: string,
    sem: Map<string, number>,
    private readonly re: Matcher,
    private readonly ex: Matcher | null = null,
    prefilter = true,
  ) {
    this.fields = [...sem.keys()];
    this.extractorKind = ex !== null || !(re instanceof RE2) ? 'js' : 're2';
    this.idx = Int32Array.from(sem.values());
    this.nf = this.fields.length;
    // Up to two longest required literals (longest is usually the most selective).
    const req = prefilter ? scanRegex(expanded).required : [];
    this.required = req.slice(0, 2);
    this.guard = new LiteralGuard(this.required);
  }

  /** engine 'safe': analysis to run on first use (see `pending`) */
  deferSafe(build: () => void): void {
    this.pending = build;
  }

  /** engine 'safe': the JS extractor found safe, its capture-free RE2 search and why it was limited */
  installSafe(safe: { re: SearchMatcher; js: JsExtractor } | null, reason: string, anchored: boolean): void {
    this.reason = reason;
    if (safe === null) return;
    this.safeRe = safe.re;
    this.branches = safe.js.branches.map((b) => ({
      js: b.re as unknown as Matcher,
      remap: b.remap,
      exact: b.exact,
      check: b.check === null ? null : (compileRegex(b.check, 're2') as unknown as SearchMatcher),
    }));
    this.definitive = this.branches.every((b) => b.exact);
    this.segCapped = safe.js.capped;
    this.segmentCount = safe.js.segments;
    this.extractorKind = 'safe-js';
    this.anchored = anchored;
  }

  private settle(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    try {
      p();
    } catch (e) {
      this.reason = `analysis failed: ${errorMessage(e)}`;
    } // RE2 extracts alone
  }

  matchInto(input: string, target: Record<string, string>): boolean {
    if (this.pending !== null) this.settle();
    if (this.nf === 0 || !this.guard.pass(input)) return false;
    let m: RegExpExecArray | null;
    if (this.branches !== null) {
      m = this.safeMatch(input);
      if (m === null) return false;
    } else if (this.ex !== null) {
      if (!this.re.test(input)) return false;
      m = this.ex.exec(input) ?? this.re.exec(input);
    } else m = this.re2Exec(input);
    if (m === null) return false;
    const f = this.fields,
      idx = this.idx,
      map = this.lastRemap;
    if (map === null) for (let j = 0; j < this.nf; j++) target[f[j]!] = m[idx[j]!] ?? '';
    else {
      for (let j = 0; j < this.nf; j++) {
        const k = map[idx[j]!]!;
        target[f[j]!] = k >= 0 ? (m[k] ?? '') : '';
      }
      this.lastRemap = null;
    }
    return true;
  }

  /**
   * engine 'safe': RE2 finds the leftmost match start (linear), the JS extractor (proven linear per attempt by
   * safety.ts / segmented.ts) runs sticky at that start; same leftmost-first semantics, so the same submatches.
   * A pattern anchored at 0 skips the RE2 search. Long or non-ASCII inputs, and any case the JS extractor cannot
   * decide, go to RE2 extraction.
   */
  private safeMatch(input: string): RegExpExecArray | null {
    if (input.length > SAFE_MAX_INPUT) {
      safeStats.refusedLength++;
      safeStats.re2Extract++;
      return this.re2Exec(input);
    }
    if (NON_ASCII.test(input)) {
      safeStats.refusedNonAscii++;
      safeStats.re2Extract++;
      return this.re2Exec(input);
    }
    if (this.segCapped && input.length > SEGMENTED_MAX_INPUT) {
      safeStats.refusedLength++;
      safeStats.re2Extract++;
      return this.re2Exec(input);
    }
    let start = 0;
    if (!this.anchored) {
      // A match at 0 is the leftmost one: when the recent matches all started at 0 (a log format matched from
      // its first character), the JS extractor tries 0 first and the RE2 search (the costlier call: ~10 us on
      // nginx's access pattern) only runs when that does not decide.
      if (this.zeroStarts >= ZERO_STARTS) {
        const m0 = this.jsAt(input, 0);
        if (m0 !== undefined && m0 !== null) {
          safeStats.jsExtract++;
          return m0;
        }
      }
      start = this.safeRe!.search(input);
      if (start < 0) return null;
      if (start !== 0) this.zeroStarts = 0;
      else if (this.zeroStarts < ZERO_STARTS) this.zeroStarts++;
    }
    const m = this.jsAt(input, start);
    if (m !== undefined && m !== null) {
      safeStats.jsExtract++;
      return m;
    }
    // anchored: a definitive failure is RE2's answer; otherwise RE2 `test` decides whether there is a match at all
    if (this.anchored && (m === null || !this.re.test(input))) return null;
    safeStats.jsDisagree++;
    safeStats.re2Extract++;
    if (!this.definitive) this.jsMissed();
    return this.re2Exec(input);
  }

  /**
   * The JS extractor at `start`: the match (its group numbers in lastRemap), null when every alternative proved it has
   * no match there, undefined when that cannot be told without RE2 (a segmented alternative failed).
   */
  private jsAt(input: string, start: number): RegExpExecArray | null | undefined {
    const br = this.branches!;
    const last = br.length - 1;
    if (!this.definitive) this.segTries++;
    for (let i = 0; i <= last; i++) {
      const b = br[i]!;
      b.js.lastIndex = start;
      const m = b.js.exec(input);
      if (m !== null && m.index === start) {
        this.lastRemap = b.remap;
        return m;
      }
      if (b.exact) continue;
      if (i === last || start !== 0 || b.check!.test(input)) return undefined;
    }
    return null;
  }

  /** An inexact extractor that keeps needing the RE2 fallback (cuts that do not suit this log) is dropped. */
  private jsMissed(): void {
    if (++this.segFails >= 64 && this.segFails * 2 > this.segTries) this.branches = null;
  }

  /** RE2 extraction; with a head (engine 'safe'), submatches are computed over the head's span only. */
  private re2Exec(input: string): RegExpExecArray | null {
    const h = this.head;
    if (h === null) return this.re.exec(input);
    const m = h.exec(input);
    if (m === null) return null;
    const end = m.index + m[0].length;
    let nl = input.indexOf('\n', end);
    if (nl < 0) nl = input.length;
    m[this.tailIdx] = input.slice(end, nl);
    return m;
  }

  exec(input: string): Record<string, string> | null {
    const out = Object.create(null) as Record<string, string>;
    return this.matchInto(input, out) ? out : null;
  }

  test(input: string): boolean {
    return this.nf !== 0 && this.guard.pass(input) && this.re.test(input);
  }
}

export class PatternLibrary {
  private readonly defs = new Map<string, { src: string; where: string }>();
  private readonly expCache = new Map<string, Expansion>();
  private readonly compiled = new Map<string, CompiledGrok>();
  readonly engine: GrokEngine;
  private readonly prefilter: boolean;

  constructor(opts: PatternLibraryOptions = {}) {
    this.engine = opts.engine ?? 'safe';
    this.prefilter = opts.prefilter ?? true;
  }

  static withBuiltins(opts: PatternLibraryOptions = {}): PatternLibrary {
    const lib = new PatternLibrary(opts);
    for (const [n, r] of BASE_PATTERNS) lib.defs.set(n, { src: r, where: 'builtin' });
    return lib;
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }
  names(): string[] {
    return [...this.defs.keys()];
  }
  definition(name: string): string | undefined {
    return this.defs.get(name)?.src;
  }

  /** Load every file whose name has no '.', sorted; duplicates are fatal. References resolve lazily. */
  loadDirectory(dir: string): void {
    const files = readdirSync(dir)
      .filter((f) => !f.includes('.'))
      .sort();
    for (const f of files) {
      const path = join(dir, f);
      if (!statSync(path).isFile()) continue;
      this.loadText(readConfigText(path), path);
    }
  }

  /** Add definitions from pattern-file text (`where` names the file in errors). */
  loadText(text: string, where: string): void {
    const lines = text.split('\n');
    const added: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      const m = /^(\w+)\s+(.+)$/.exec(line);
      if (!m) continue;
      const name = m[1]!;
      if (this.defs.has(name)) {
        throw new GrokLoadError(
          `${where}:${i + 1}: grok pattern ${name} is already defined (${this.defs.get(name)!.where})`,
        );
      }
      this.defs.set(name, { src: m[2]!, where: `${where}:${i + 1}` });
      added.push(name);
    }
    // Definitions must reference known names (checked once the whole file is in).
    for (const name of added) {
      try {
        this.expandName(name, []);
      } catch (e) {
        throw new GrokLoadError(`${this.defs.get(name)!.where}: grok pattern ${name}: ${errorMessage(e)}`);
      }
    }
  }

  /**
   * pattern_syntax: first definition wins (returns false, no error, if the name exists). Throws GrokCompileError on
   * a bad definition.
   */
  addPatternSyntax(name: string, regex: string, where: string): boolean {
    if (this.defs.has(name)) return false;
    this.defs.set(name, { src: regex, where });
    try {
      const exp = this.expandName(name, []);
      compileRegex(exp.re, this.engine === 'js' ? 'js' : 're2');
    } catch (e) {
      this.defs.delete(name);
      this.expCache.delete(name);
      throw new GrokCompileError(`${where}: pattern_syntax ${name} "${regex}": ${errorMessage(e)}`);
    }
    return true;
  }

  compile(pattern: string, where: string): GrokPattern {
    const hit = this.compiled.get(pattern);
    if (hit) return hit;
    let exp: Expansion;
    let re: Matcher;
    try {
      exp = this.expandSource(pattern, []);
      // Only labelled groups are ever read: make every other group non-capturing (much cheaper submatches).
      // (A label whose upstream-computed group number does not exist reads as "".)
      const { re: slim, renum } = stripCaptures(exp.re, new Set(exp.sem.values()));
      const sem = new Map<string, number>();
      for (const [k, v] of exp.sem) sem.set(k, renum.get(v) ?? 0x7fffffff);
      exp = { re: slim, sem, groups: renum.size };
      re = compileRegex(exp.re, this.engine === 'js' ? 'js' : 're2');
    } catch (e) {
      throw new GrokCompileError(`${where}: grok pattern "${pattern}": ${errorMessage(e)}`);
    }
    let ex: Matcher | null = null;
    if (this.engine === 'hybrid' && !scanRegex(exp.re).nestedUnbounded) {
      try {
        ex = compileRegex(exp.re, 'js');
      } catch {
        ex = null;
      }
    }
    const g = new CompiledGrok(pattern, exp.re, exp.sem, re, ex, this.prefilter);
    if (this.engine === 'safe' && exp.sem.size > 0) {
      const slim = exp;
      g.deferSafe(() => {
        let safe: { re: SearchMatcher; js: JsExtractor } | null = null;
        let reason: string;
        const js = buildExtractor(slim.re, slim.groups);
        if (typeof js === 'string') reason = js;
        else {
          reason = js.reason;
          try {
            safe = { re: compileRegex(stripCaptures(slim.re, new Set()).re, 're2') as unknown as SearchMatcher, js };
          } catch (e) {
            reason = `${reason}; ${errorMessage(e)}`;
          }
        }
        const head = splitTrailingGreedy(slim.re);
        if (head !== null) {
          try {
            g.head = compileRegex(head, 're2');
            g.tailIdx = slim.groups;
          } catch {
            g.head = null;
          }
        }
        g.installSafe(safe, reason, safe !== null && anchoredAtStart(slim.re));
      });
    }
    this.compiled.set(pattern, g);
    return g;
  }

  /** Expand without compiling (diagnostics). */
  expand(pattern: string): string {
    return this.expandSource(pattern, []).re;
  }

  private expandName(name: string, stack: string[]): Expansion {
    const hit = this.expCache.get(name);
    if (hit) return hit;
    const def = this.defs.get(name);
    if (!def) throw new Error(`unknown grok pattern %{${name}}`);
    if (stack.includes(name)) throw new Error(`recursive grok pattern %{${name}} (${[...stack, name].join(' -> ')})`);
    stack.push(name);
    const exp = this.expandSource(def.src, stack);
    stack.pop();
    this.expCache.set(name, exp);
    return exp;
  }

  /**
   * grokky's expansion: every reference becomes "(" + expansion + ")"; its group number is 1 + grokkyCapCount
   * of the literal text so far + the (exact) group counts of earlier references; labels of the referenced
   * pattern propagate at their offset unless this pattern itself uses the same label.
   */
  private expandSource(src: string, stack: string[]): Expansion {
    const refs = [...src.matchAll(REF)];
    const sem = new Map<string, number>();
    if (refs.length === 0) return { re: src, sem, groups: countGroups(src) };
    const outer = new Set<string>();
    for (const r of refs) outer.add(r[2] ?? '');
    let res = '';
    let last = 0;
    let order = 1;
    for (const r of refs) {
      const frag = src.slice(last, r.index);
      order += grokkyCapCount(frag);
      res += frag;
      last = r.index! + r[0].length;
      const sub = this.expandName(r[1]!, stack);
      if (r[2]) sem.set(r[2], order);
      for (const [k, v] of sub.sem) if (!outer.has(k)) sem.set(k, order + v);
      res += '(' + sub.re + ')';
      order += sub.groups + 1;
    }
    res += src.slice(last);
    return { re: res, sem, groups: countGroups(res) };
  }
}

type RE2SetT = { match(s: string): number[] };
type RE2SetCtor = new (p: string[], f?: string, o?: object) => RE2SetT;

/**
 * Several grok patterns checked at once: `candidates(input)` returns the indices (ascending) of the patterns
 * that may match input: every pattern whose regex matches somewhere in it, and possibly one more (when the
 * literal prefilters leave a single pattern, it is returned without running RE2; its matcher decides).
 * RE2 caps a set's memory, so a large list is split into as few sets as fit; a pattern that cannot be put
 * in any set is always reported as a candidate.
 */
export class GrokSet {
  private readonly sets: Array<{ set: RE2SetT; idx: number[] }> = [];
  private readonly always: number[] = [];
  /** each pattern's literal prefilter (the one its matcher applies) */
  private readonly guards: readonly LiteralGuard[];
  constructor(
    readonly patterns: readonly GrokPattern[],
    opts: { maxPerSet?: number } = {},
  ) {
    this.guards = patterns.map((p) => new LiteralGuard(p.required));
    const max = opts.maxPerSet ?? 16;
    const Ctor = (RE2 as unknown as { Set: RE2SetCtor }).Set;
    const build = (idx: number[]): void => {
      if (idx.length === 0) return;
      try {
        this.sets.push({
          set: new Ctor(
            idx.map((i) => patterns[i]!.expanded),
            '',
            { anchor: 'unanchored' },
          ),
          idx,
        });
      } catch {
        if (idx.length === 1) {
          this.always.push(idx[0]!);
          return;
        }
        const h = idx.length >> 1;
        build(idx.slice(0, h));
        build(idx.slice(h));
      }
    };
    const all = patterns.map((_, i) => i);
    for (let i = 0; i < all.length; i += max) build(all.slice(i, i + max));
  }
  /** Number of RE2.Set objects used (diagnostics). */
  get setCount(): number {
    return this.sets.length;
  }
  candidates(input: string): number[] {
    // the patterns' literal prefilters first (~0.7 us for sshd's set vs ~1.8 us for RE2.Set, which converts the
    // input to UTF-8 on every call): when they leave at most one pattern (most lines: none), that is the answer
    // (a superset is fine: a candidate's own matcher still decides)
    const guards = this.guards;
    let only = -1,
      n = 0;
    for (let i = 0; i < guards.length && n < 2; i++)
      if (guards[i]!.pass(input)) {
        only = i;
        n++;
      }
    if (n === 0) return [];
    if (n === 1) return [only];
    const out: number[] = this.always.slice();
    for (const { set, idx } of this.sets) for (const k of set.match(input)) out.push(idx[k]!);
    return out.length > 1 ? out.sort((a, b) => a - b) : out;
  }
}
