// Segmented JS extractor for grok patterns the whole-pattern safety analysis refuses (SYSLOGLINE's `(HOST)+`,
// sshd's many optional parts): the pattern's top-level items are grouped into segments, and each segment is
// made ATOMIC in the JS translation with the lookahead idiom `(?=(SEG))\N` (a JS lookahead never backtracks).
// Owns: the segmentation, the per-segment safety conditions, the JS source with its capture renumbering.
//
// Why results equal RE2's (leftmost-first, Perl order): a backtracking match of S1 S2 … Sn explores S1's
// choices in priority order, and for the first choice of S1 that completes S1 it explores S2, and so on. The
// atomic translation keeps, for every segment, exactly that first completing choice. If it then matches to the
// end, the path it took is the first complete path of the backtracking order, i.e. the very match RE2 reports
// (same submatches). If it fails (the real match needed another choice inside an earlier segment), the caller
// falls back to RE2 extraction: a wrong answer is impossible, only a slower one.
// A greedy loop over a group, `(G)+`, is translated with atomic iterations `(?:(?=(G))\N)+`: the first
// completion of `G+` alone is the run of first completions of G until one fails, which is what that loop does;
// its capture is the last iteration in both engines (G itself has no capture).
//
// Why it is linear: cutting makes each segment an independent anchored attempt with nothing after it. Every
// segment must pass analyzeBacktracking (safety.ts) on its own, and the body G of an atomic-iteration loop too;
// nothing backtracks across segments. An atomic-iteration loop may re-read a few characters per iteration,
// so the caller caps its input (SEGMENTED_MAX_INPUT) to keep that bounded by a constant factor of RE2's own
// worst case (program size x input length).

import { stripCaptures, toJsRegExp } from './regex.js';
import { analyzeBacktracking, regexStart } from './safety.js';
import { errorMessage } from '../core/errors.js';

/** Longest input the segmented extractor is given when it contains an atomic-iteration loop. */
export const SEGMENTED_MAX_INPUT = 1024;
/** rule 3's bound for the body of an atomic-iteration loop (IPORHOST: ~28k): with the input capped, the worst
 *  case stays linear, a constant factor above RE2's own bound (program size x length) */
const LOOP_BODY_MAX_PATHS = 32768;

export interface SegmentedExtractor {
  /** sticky JS RegExp (set lastIndex to the match start RE2 found) */
  readonly re: RegExp;
  /** original capture index -> index in `re`'s match array */
  readonly remap: Int32Array;
  /** true when an atomic-iteration loop is present (input length capped) */
  readonly capped: boolean;
  readonly segments: number;
}

interface Item {
  src: string;
  /** atom without its quantifier */
  atom: string;
  quant: string;
  lazy: boolean;
  unbounded: boolean;
  /** atom is a group; capturing when it is a plain `(`… */
  group: boolean;
  capturing: boolean;
  /** inside of a group atom */
  inner: string;
  /** a single character, escape or class (or zero-width), without quantifier */
  simple: boolean;
}

function closeGroup(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j]!;
    if (c === '\\') {
      if (s[j + 1] === 'Q') {
        const e = s.indexOf('\\E', j + 2);
        j = e < 0 ? s.length : e + 1;
      } else j++;
      continue;
    }
    if (c === '[') {
      j = closeClass(s, j);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function closeClass(s: string, i: number): number {
  let j = i + 1;
  if (s[j] === '^') j++;
  if (s[j] === ']') j++;
  while (j < s.length && s[j] !== ']') {
    if (s[j] === '\\') j += 2;
    else if (s[j] === '[' && s[j + 1] === ':') {
      const e = s.indexOf(':]', j + 2);
      j = e >= 0 ? e + 2 : j + 1;
    } else j++;
  }
  return j;
}

/** Top-level items of an RE2 regex body; null when the top level is an alternation or holds a flag group. */
function splitTopLevel(s: string): Item[] | null {
  const items: Item[] = [];
  let i = 0;
  while (i < s.length) {
    const start = i;
    const c = s[i]!;
    let group = false,
      capturing = false,
      inner = '';
    if (c === '|' || c === ')') return null;
    if (c === '(') {
      const end = closeGroup(s, i);
      if (end < 0) return null;
      const open = /^\((\?P?<\w+>|\?[ims-]*:|\?)?/.exec(s.slice(i, i + 64))![0];
      if (open === '(?') return null; // (?i) flag group or unknown kind
      group = true;
      capturing = open === '(' || open.includes('<');
      inner = s.slice(i + open.length, end);
      i = end + 1;
    } else if (c === '[') {
      i = closeClass(s, i) + 1;
    } else if (c === '\\') {
      if (s[i + 1] === 'Q') {
        const e = s.indexOf('\\E', i + 2);
        i = e < 0 ? s.length : e + 2;
      } else if (s[i + 1] === 'x' && s[i + 2] === '{') i = s.indexOf('}', i) + 1;
      else if (s[i + 1] === 'p' || s[i + 1] === 'P') i += s[i + 2] === '{' ? s.indexOf('}', i) - i + 1 : 3;
      else i += 2;
    } else {
      i += c.codePointAt(0)! > 0xffff ? 2 : 1;
    }
    const atom = s.slice(start, i);
    const q = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/.exec(s.slice(i, i + 16));
    const quant = q ? q[0] : '';
    i += quant.length;
    const lazy = quant.length > 1 && quant.endsWith('?');
    const unbounded = /^[*+]/.test(quant) || /^\{\d+,\}/.test(quant);
    if (group && !capturing && quant === '' && atom.startsWith('(?:')) {
      // a plain (?:…) group is only a bracket: its items belong to this level (unless it alternates)
      const sub = splitTopLevel(inner);
      if (sub !== null) {
        items.push(...sub);
        continue;
      }
    }
    items.push({
      src: atom + quant,
      atom,
      quant,
      lazy,
      unbounded,
      group,
      capturing,
      inner,
      simple: !group && quant === '',
    });
  }
  return items;
}

/** True when the regex holds a lazy quantifier (`*?`, `+?`, `??`, `{n,m}?`), e.g. inside DATA's group. */
function hasLazy(src: string): boolean {
  for (let i = 0; i < src.length - 1; i++) {
    const c = src[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      i = closeClass(src, i);
      continue;
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && src[i + 1] === '?' && src[i - 1] !== '(') return true;
  }
  return false;
}

/** A JS character class for an ASCII set (bit c = character code c). */
function classOf(set: bigint): string {
  let cls = '';
  for (let c = 0; c < 128; c++) if ((set >> BigInt(c)) & 1n) cls += `\\x${c.toString(16).padStart(2, '0')}`;
  return `[${cls}]`;
}

function countCaptures(src: string): number {
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      i = closeClass(src, i);
      continue;
    }
    if (c === '(' && (src[i + 1] !== '?' || /^\(\?P?</.test(src.slice(i, i + 4)))) n++;
  }
  return n;
}

/** True when every match of `src` starts at offset 0: a leading `^` (no multi-line flag), no top-level alternation. */
export function anchoredAtStart(src: string): boolean {
  const fm = /^(?:\(\?[ims]+\))*/.exec(src)![0];
  if (fm.includes('m')) return false;
  const items = splitTopLevel(src.slice(fm.length));
  return items !== null && items.length > 0 && items[0]!.src === '^';
}

/**
 * Builds the segmented extractor of an expanded, capture-stripped RE2 regex with `groups` capturing groups;
 * returns a reason string when the pattern does not fit (the caller keeps RE2 extraction).
 */
export function buildSegmented(src: string, groups: number): SegmentedExtractor | string {
  try {
    // strategies, from the fewest cuts to the most: a cut that is wrong costs a fallback (and, past a threshold,
    // the extractor: index.ts), never a wrong result; a segment that is too long may fail the safety analysis
    let first: string | null = null;
    for (const mode of [CUT_AFTER_LAZY_TAIL, CUT_SIMPLE, CUT_ALL]) {
      const r = build(src, groups, mode);
      if (typeof r !== 'string') return r;
      first ??= r;
    }
    return first!;
  } catch (e) {
    return `no JS translation: ${errorMessage(e)}`;
  }
}

/** Where build() may cut. CUT_AFTER_LAZY_TAIL: after a lazy item (DATA) the segment goes on through the next
 *  non-simple item (`%{DATA:request} HTTP/%{NUMBER:v}"`: the first " HTTP/" may not be followed by a version and
 *  a quote, so the lazy loop must still be able to grow). CUT_SIMPLE: after any single character.
 *  CUT_ALL: after every item but a lazy one (DIR's `^.*\/` + an optional tail needs it). */
const CUT_AFTER_LAZY_TAIL = 0,
  CUT_SIMPLE = 1,
  CUT_ALL = 2;

function build(src: string, groups: number, mode: number): SegmentedExtractor | string {
  const fm = /^(?:\(\?[ims]+\))*/.exec(src)![0];
  const items = splitTopLevel(src.slice(fm.length));
  if (items === null) return 'top-level alternation or inline flags';
  if (items.length < 2) return 'single item';
  // cut after item i unless the rest may need a different choice inside it: a lazy quantifier always needs
  // its continuation; a quantified/optional item whose start characters can also start what follows may have
  // to give something back. (Only a performance heuristic: a wrong cut costs a fallback, never a wrong result.)
  const segs: Item[][] = [];
  let cur: Item[] = [];
  // CUT_AFTER_LAZY_TAIL: 1 = a lazy item is open (no cut), 2 = a non-simple item followed it (cut at the next
  // simple one)
  let lazyTail = 0;
  for (let k = 0; k < items.length; k++) {
    const it = items[k]!;
    cur.push(it);
    let cut = k === items.length - 1;
    let hold = false;
    if (mode === CUT_AFTER_LAZY_TAIL) {
      if (it.lazy || hasLazy(it.atom)) lazyTail = 1;
      else if (lazyTail === 1 && !it.simple) {
        lazyTail = 2;
        hold = true;
      }
    }
    if (!cut && !it.lazy && lazyTail !== 1 && !hold) {
      if (it.simple || mode === CUT_ALL) cut = true;
      else {
        const me = regexStart(fm + it.atom);
        const rest = regexStart(
          fm +
            items
              .slice(k + 1)
              .map((x) => x.src)
              .join(''),
        );
        cut = me !== null && rest !== null && (me.first & rest.first) === 0n;
      }
    }
    if (cut) {
      segs.push(cur);
      cur = [];
      lazyTail = 0;
    }
  }
  if (cur.length) segs.push(cur);
  if (segs.length < 2) return 'no cut point';

  let out = '';
  let next = 0; // last group number used in the JS source
  let orig = 0; // last original group number seen
  let capped = false;
  const remap = new Int32Array(groups + 1).fill(-1);
  remap[0] = 0;
  const translate = (s: string): string => toJsRegExp(fm + s).source;
  for (const seg of segs) {
    const segSrc = seg.map((x) => x.src).join('');
    const caps = countCaptures(segSrc);
    if (seg.length === 1 && seg[0]!.simple) {
      // a single character, escape or class: deterministic, no wrapper needed
      out += translate(segSrc);
      continue;
    }
    const only = seg.length === 1 ? seg[0]! : null;
    if (
      only &&
      only.group &&
      only.unbounded &&
      !only.lazy &&
      countCaptures(only.inner) === 0 &&
      caps === (only.capturing ? 1 : 0)
    ) {
      // (G)+ : atomic iterations, the capture (if any) is the last iteration
      const g = analyzeBacktracking(fm + only.inner, LOOP_BODY_MAX_PATHS);
      const gs = regexStart(fm + only.inner);
      if (g.safe && gs !== null && !gs.nullable) {
        const outerIdx = ++next;
        const iterIdx = ++next;
        if (only.capturing) remap[++orig] = iterIdx;
        out += `(?=((?:(?=(${translate(only.inner)}))(?:\\${iterIdx}))${only.quant}))(?:\\${outerIdx})`;
        capped = true;
        continue;
      }
    }
    let v = analyzeBacktracking(fm + segSrc);
    if (!v.safe && v.reason === 'too many paths') {
      // e.g. one IPORHOST (the IPv6 alternation, ~28k paths): an atomic segment with nothing after it inside,
      // so the bound of an atomic-iteration body applies, with the input capped the same way
      v = analyzeBacktracking(fm + segSrc, LOOP_BODY_MAX_PATHS);
      if (v.safe) capped = true;
    }
    if (!v.safe && only && !only.lazy && (only.quant === '?' || only.quant === '*')) {
      // an optional item the analysis refuses, e.g. `(?:<%{NONNEGINT:facility}.%{NONNEGINT:priority}> )?`: when
      // the next character cannot start it, its first completion is the empty match, decided by one character.
      // When it can, the extractor fails on purpose (`(?!…)`) and RE2 extracts that line.
      const st = regexStart(fm + only.atom);
      if (st !== null && !st.nullable && st.first !== 0n) {
        out += `(?!${classOf(st.first)})`;
        orig += caps; // its captures do not participate: left at -1 (undefined)
        continue;
      }
    }
    if (!v.safe) return `segment ${segSrc.length > 60 ? segSrc.slice(0, 60) + '…' : segSrc}: ${v.reason}`;
    const wrap = ++next;
    for (let c = 0; c < caps; c++) remap[++orig] = ++next;
    out += `(?=(${translate(segSrc)}))(?:\\${wrap})`;
  }
  if (orig !== groups) return `capture count mismatch (${orig} of ${groups})`;
  const flags = toJsRegExp(fm + 'x').flags;
  let re: RegExp;
  try {
    re = new RegExp(out, flags + 'y');
  } catch (e) {
    return `no JS translation: ${errorMessage(e)}`;
  }
  return { re, remap, capped, segments: segs.length };
}

/** One alternative of a JS extractor, tried sticky at the match start RE2 found. */
export interface ExtractorBranch {
  readonly re: RegExp;
  /** original capture index -> index in `re`'s match array (null: the same numbers) */
  readonly remap: Int32Array | null;
  /** a failure of `re` proves this alternative has no match at that position (whole-pattern safe translation) */
  readonly exact: boolean;
  /** inexact alternative that is not the last: capture-free RE2 source `^(?:…)` that decides, at offset 0,
   *  whether it matches after all (then its cut was wrong and RE2 extracts) */
  readonly check: string | null;
}

export interface JsExtractor {
  /** tried in order; the first that matches gives RE2's leftmost-first submatches */
  readonly branches: readonly ExtractorBranch[];
  /** inputs longer than SEGMENTED_MAX_INPUT go to RE2 */
  readonly capped: boolean;
  /** segments over all branches (0 when the whole pattern translates as one) */
  readonly segments: number;
  /** why the whole pattern was refused by the safety analysis ('' when it was not) */
  readonly reason: string;
}

const MAX_BRANCH_DEPTH = 3;

/**
 * The JS extractor of an expanded, capture-stripped RE2 regex: the whole pattern when safety.ts accepts it, else
 * the segmented extractor, else, when the pattern starts with an optional item `(X)?` (nginx's
 * `(%{IPORHOST:target_fqdn} )?%{IPORHOST:remote_addr} …`), two alternatives: `(X)REST` then `REST`.
 * Why the alternatives give RE2's answer: in leftmost-first (Perl) order every path that takes the optional
 * item comes before every path that skips it, so the match at a given start is `(X)REST`'s first match there if
 * it has one, else `REST`'s. Each alternative is itself whole, segmented or split again. When an inexact
 * (segmented) alternative fails, its RE2 `check` tells whether it really has no match; a match means a wrong
 * cut and RE2 extracts that line.
 */
export function buildExtractor(src: string, groups: number): JsExtractor | string {
  const whole = analyzeBacktracking(src);
  const r = extractorOf(src, groups, 0, whole.safe);
  if (typeof r === 'string') return whole.safe ? r : `${whole.reason}; segmented: ${r}`;
  return { ...r, reason: whole.reason };
}

/** `safe`: the safety analysis of the whole of `src` (done by the caller at depth 0, here below it) */
function extractorOf(
  src: string,
  groups: number,
  depth: number,
  safe = analyzeBacktracking(src).safe,
): Omit<JsExtractor, 'reason'> | string {
  if (safe) {
    try {
      const js = toJsRegExp(src);
      return {
        branches: [{ re: new RegExp(js.source, js.flags + 'y'), remap: null, exact: true, check: null }],
        capped: false,
        segments: 0,
      };
    } catch (e) {
      return `no JS translation: ${errorMessage(e)}`;
    }
  }
  const split = depth < MAX_BRANCH_DEPTH ? splitLeadingOptional(src) : null;
  // a leading optional item that can start like what follows it (nginx's target_fqdn before remote_addr): the
  // segmented extractor could only refuse such lines (its `(?!…)` guard), so the two alternatives come first
  let branched: Omit<JsExtractor, 'reason'> | string = 'no leading optional item';
  if (split !== null && split.overlaps) {
    branched = branchesOf(split, groups, depth);
    if (typeof branched !== 'string') return branched;
  }
  const seg = buildSegmented(src, groups);
  if (typeof seg !== 'string') {
    return {
      branches: [{ re: seg.re, remap: seg.remap, exact: false, check: null }],
      capped: seg.capped,
      segments: seg.segments,
    };
  }
  if (split === null) return seg;
  if (!split.overlaps) branched = branchesOf(split, groups, depth);
  return typeof branched === 'string' ? `${seg}; ${branched}` : branched;
}

function branchesOf(split: LeadingOptional, groups: number, depth: number): Omit<JsExtractor, 'reason'> | string {
  const withIt = extractorOf(split.withItem, groups, depth + 1);
  if (typeof withIt === 'string') return `with the leading optional item: ${withIt}`;
  const without = extractorOf(split.without, groups - split.caps, depth + 1);
  if (typeof without === 'string') return `without the leading optional item: ${without}`;
  const branches: ExtractorBranch[] = [];
  for (const b of withIt.branches) {
    const check = b.exact
      ? null
      : `${split.flags}^(?:${stripCaptures(split.withItem.slice(split.flags.length), new Set()).re})`;
    branches.push({ ...b, check });
  }
  // the alternative without the item: its captures (groups first+1 … first+caps) do not participate
  for (const b of without.branches) {
    const map = new Int32Array(groups + 1).fill(-1);
    for (let g = 0; g <= groups - split.caps; g++) {
      const to = b.remap === null ? g : b.remap[g]!;
      map[g <= split.first ? g : g + split.caps] = to;
    }
    branches.push({ ...b, remap: map });
  }
  return { branches, capped: withIt.capped || without.capped, segments: withIt.segments + without.segments };
}

/** `[flags][^](X)?REST` -> `(X)REST` and `REST` (same flags and anchor); null when the pattern does not start so. */
interface LeadingOptional {
  withItem: string;
  without: string;
  flags: string;
  /** captures before the item, captures inside it */
  first: number;
  caps: number;
  /** the item can start with a character that can also start the rest */
  overlaps: boolean;
}

function splitLeadingOptional(src: string): LeadingOptional | null {
  const fm = /^(?:\(\?[ims]+\))*/.exec(src)![0];
  const items = splitTopLevel(src.slice(fm.length));
  if (items === null) return null;
  let k = 0;
  let head = '';
  if (items[0]?.src === '^') {
    head = '^';
    k = 1;
  }
  const it = items[k];
  if (it === undefined || it.quant !== '?' || k + 1 >= items.length) return null;
  const rest = items
    .slice(k + 1)
    .map((x) => x.src)
    .join('');
  return {
    withItem: fm + head + it.atom + rest,
    without: fm + head + rest,
    flags: fm,
    first: countCaptures(head),
    caps: countCaptures(it.atom),
    overlaps: (() => {
      const a = regexStart(fm + it.atom),
        b = regexStart(fm + rest);
      return a === null || b === null || (a.first & b.first) !== 0n;
    })(),
  };
}
