// Backtracking-safety analysis of an expanded grok regex (RE2 syntax), used by the 'safe' grok engine to decide
// whether a JS RegExp may extract captures after RE2 has proven the line matches.
// Owns: the safety rule below and nothing else (RE2 still decides every match).
//
// THE RULE (conservative; anything the analyser does not understand is unsafe). The JS extractor only runs on
// ASCII inputs of bounded length, anchored (sticky) at the match start RE2 found, so the analysis only has to
// bound the backtracking of ONE anchored attempt. A pattern is accepted when:
//  1. every unbounded quantifier (*, +, {n,}, lazy or greedy) applies to a "unit": a single character set, or a
//     group without alternation whose first item is a mandatory single character set S, with no other item of
//     the group able to match a character of S, and with no unbounded quantifier inside, or an alternation of
//     fixed-length branches (character sets only) whose first sets are pairwise disjoint (`(?:[^"\\]|\\.)`).
//     Iteration boundaries of a unit are then decided by one character, so a loop over a given text has exactly
//     one way to consume it (no (a|aa)* style exponential splits);
//  2. every unbounded quantifier is either
//     a. deterministic: the characters that can start one more iteration are disjoint from the characters that
//        can follow the loop (FOLLOW; end of pattern contributes none). Giving back an iteration then fails on
//        the very next character, so the loop is O(length) per arrival and never multiplies what follows; or
//     b. "confined" (e.g. DATA or GREEDYDATA before a literal): the loop may stop at any position p whose
//        character is in FOLLOW (a split point), and the rest of the pattern is tried from there. This is
//        accepted only when no unbounded loop anywhere in the rest of the pattern can consume a FOLLOW
//        character. The rest of the pattern is then a finite sequence of bounded-width items (total width W)
//        and k loops that all stop at a FOLLOW character, so the attempt from p dies or succeeds before
//        passing W + k + 1 FOLLOW characters: each input position is covered by the attempts of at most
//        W + k + 1 split points, and the loop costs O((W + k + 1) * length) in total (still linear).
//        A loop that ends the pattern (nothing at all after it, not even `$`) is not counted among those k
//        loops: an attempt that reaches it succeeds (greedy: after one run; lazy: at once), so it runs once;
//  3. the remaining non-determinism (alternations whose branches' first characters overlap, optional or
//     bounded repetitions whose first characters overlap their FOLLOW) only multiplies work by a constant:
//     the product/sum of branch counts along the pattern ("paths", an upper bound on the number of ways one
//     attempt can arrive at a point of the pattern) must stay <= MAX_PATHS;
//  4. no construct whose JS semantics could differ: (?m), (?U), \p classes, lookarounds, backreferences
//     (RE2 rejects the latter two anyway), and no capturing group inside a repetition that can iterate more
//     than once (JS resets such captures at each iteration, RE2 keeps the last participating value).
// Worst case per line is then O(paths * (pattern size + input length)): linear in the input, with the input
// length additionally capped by the caller.

import { errorMessage, PicketError } from '../core/errors.js';

const ALL = (1n << 128n) - 1n;
const MAX_PATHS = 4096;

function range(a: number, b: number): bigint {
  let s = 0n;
  for (let c = a; c <= b; c++) s |= 1n << BigInt(c);
  return s;
}
const DIGIT = range(48, 57);
const WORD = DIGIT | range(65, 90) | range(97, 122) | (1n << 95n);
const SPACE = (1n << 9n) | (1n << 10n) | (1n << 12n) | (1n << 13n) | (1n << 32n);
const POSIX: Record<string, bigint> = {
  alnum: DIGIT | range(65, 90) | range(97, 122),
  alpha: range(65, 90) | range(97, 122),
  ascii: range(0, 127),
  blank: (1n << 9n) | (1n << 32n),
  cntrl: range(0, 31) | (1n << 127n),
  digit: DIGIT,
  graph: range(33, 126),
  lower: range(97, 122),
  print: range(32, 126),
  punct: range(33, 47) | range(58, 64) | range(91, 96) | range(123, 126),
  space: SPACE | (1n << 11n),
  upper: range(65, 90),
  word: WORD,
  xdigit: DIGIT | range(65, 70) | range(97, 102),
};

function fold(s: bigint): bigint {
  const up = (s >> 97n) & ((1n << 26n) - 1n);
  const lo = (s >> 65n) & ((1n << 26n) - 1n);
  return s | (up << 65n) | (lo << 97n);
}

type Node =
  | { k: 'set'; s: bigint }
  | { k: 'zero' }
  | { k: 'seq'; items: Node[] }
  | { k: 'alt'; alts: Node[] }
  | { k: 'rep'; min: number; max: number; node: Node };

/** Internal: the analysis met a construct it cannot bound (GROK_UNSAFE). */
class Unsafe extends PicketError {
  constructor(message: string) {
    super('GROK_UNSAFE', message);
  }
}

class Parser {
  i = 0;
  caps = 0;
  /** lenient: only the shape is wanted (regexStart), captures inside repetitions are not a reason to stop */
  constructor(
    readonly s: string,
    readonly lenient = false,
  ) {}

  parseAlt(ci: { v: boolean }): Node {
    const alts: Node[] = [];
    let seq: Node[] = [];
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === ')') break;
      if (c === '|') {
        this.i++;
        alts.push({ k: 'seq', items: seq });
        seq = [];
        continue;
      }
      let atom: Node;
      const caps0 = this.caps;
      if (c === '(') {
        this.i++;
        let inner = { v: ci.v };
        if (s[this.i] !== '?' || /^\?P?<\w+>/.test(s.slice(this.i, this.i + 40))) this.caps++;
        if (s[this.i] === '?') {
          const m = /^\?(?:P?<\w+>|([is]*)(?:-([is]*))?(:|\)))/.exec(s.slice(this.i, this.i + 40));
          if (!m) throw new Unsafe('group kind');
          this.i += m[0].length;
          if (m[3] !== undefined) {
            const f = m[1]!.includes('i') ? true : m[2]?.includes('i') ? false : ci.v;
            if (m[3] === ')') {
              ci.v = f;
              continue;
            }
            inner = { v: f };
          }
        }
        atom = this.parseAlt(inner);
        if (s[this.i] !== ')') throw new Unsafe('unbalanced');
        this.i++;
      } else if (c === '[') atom = { k: 'set', s: this.parseClass(ci.v) };
      else if (c === '\\') atom = this.parseEscape(ci.v);
      else if (c === '.') {
        this.i++;
        atom = { k: 'set', s: ALL & ~(1n << 10n) };
      } else if (c === '^' || c === '$') {
        this.i++;
        atom = { k: 'zero' };
      } else if (c === '*' || c === '+' || c === '?' || c === '{') throw new Unsafe('bare quantifier');
      else {
        const cp = c.charCodeAt(0);
        this.i++;
        // the extractor only sees ASCII input: a non-ASCII literal can never match there (empty set)
        if (cp >= 0xd800 && cp <= 0xdbff) this.i++;
        atom = { k: 'set', s: cp > 127 ? 0n : ci.v ? fold(1n << BigInt(cp)) : 1n << BigInt(cp) };
      }
      seq.push(this.parseQuant(atom, this.caps > caps0));
    }
    alts.push({ k: 'seq', items: seq });
    return alts.length === 1 ? alts[0]! : { k: 'alt', alts };
  }

  parseQuant(atom: Node, hasCapture: boolean): Node {
    const s = this.s;
    for (;;) {
      const c = s[this.i];
      let min: number, max: number;
      if (c === '*') {
        min = 0;
        max = Infinity;
        this.i++;
      } else if (c === '+') {
        min = 1;
        max = Infinity;
        this.i++;
      } else if (c === '?') {
        min = 0;
        max = 1;
        this.i++;
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i, this.i + 24));
        if (!m) return atom; // literal '{' handled by caller as an unsafe bare quantifier next round
        min = +m[1]!;
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : +m[3]!;
        this.i += m[0].length;
      } else return atom;
      if (s[this.i] === '?') this.i++; // lazy: same analysis
      if (atom.k === 'zero') throw new Unsafe('quantified assertion');
      if (hasCapture && max > 1 && !this.lenient) throw new Unsafe('capture inside a repetition');
      atom = { k: 'rep', min, max, node: atom };
    }
  }

  parseClass(ci: boolean): bigint {
    const s = this.s;
    this.i++;
    let neg = false;
    if (s[this.i] === '^') {
      neg = true;
      this.i++;
    }
    let set = 0n;
    let first = true;
    while (this.i < s.length && (s[this.i] !== ']' || first)) {
      first = false;
      let lo: number;
      if (s[this.i] === '[' && s[this.i + 1] === ':') {
        const e = s.indexOf(':]', this.i + 2);
        const name = s.slice(this.i + 2, e);
        const p = POSIX[name];
        if (e < 0 || p === undefined) throw new Unsafe('posix class');
        set |= p;
        this.i = e + 2;
        continue;
      }
      if (s[this.i] === '\\') {
        const d = s[this.i + 1]!;
        const cls = { d: DIGIT, w: WORD, s: SPACE, D: ALL & ~DIGIT, W: ALL & ~WORD, S: ALL & ~SPACE }[d];
        if (cls !== undefined) {
          set |= cls;
          this.i += 2;
          continue;
        }
        lo = this.escChar();
      } else {
        lo = s.charCodeAt(this.i);
        this.i++;
      }
      let hi = lo;
      if (s[this.i] === '-' && s[this.i + 1] !== ']') {
        this.i++;
        if (s[this.i] === '\\') hi = this.escChar();
        else {
          hi = s.charCodeAt(this.i);
          this.i++;
        }
      }
      if (hi < lo) throw new Unsafe('class range');
      // ASCII part only (the extractor only sees ASCII input)
      if (lo <= 127) set |= range(lo, Math.min(hi, 127));
    }
    if (s[this.i] !== ']') throw new Unsafe('unterminated class');
    this.i++;
    if (ci) set = fold(set);
    return neg ? ALL & ~set : set;
  }

  /** escape inside a class or as a literal: returns the char code (ASCII only) */
  escChar(): number {
    const s = this.s;
    const d = s[this.i + 1];
    if (d === undefined) throw new Unsafe('trailing backslash');
    const ctl: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };
    if (ctl[d] !== undefined) {
      this.i += 2;
      return ctl[d]!;
    }
    if (d === 'x') {
      const m = /^\\x([0-9A-Fa-f]{2})/.exec(s.slice(this.i, this.i + 4));
      if (!m) throw new Unsafe('hex escape');
      this.i += 4;
      const v = parseInt(m[1]!, 16);
      if (v > 127) throw new Unsafe('non-ASCII escape');
      return v;
    }
    if (/[A-Za-z0-9]/.test(d)) throw new Unsafe(`escape \\${d}`);
    this.i += 2;
    return d.charCodeAt(0);
  }

  parseEscape(ci: boolean): Node {
    const d = this.s[this.i + 1];
    const cls =
      d === undefined
        ? undefined
        : { d: DIGIT, w: WORD, s: SPACE, D: ALL & ~DIGIT, W: ALL & ~WORD, S: ALL & ~SPACE }[d];
    if (cls !== undefined) {
      this.i += 2;
      return { k: 'set', s: cls };
    }
    if (d === 'b' || d === 'B' || d === 'A' || d === 'z') {
      this.i += 2;
      return { k: 'zero' };
    }
    const c = this.escChar();
    return { k: 'set', s: ci ? fold(1n << BigInt(c)) : 1n << BigInt(c) };
  }
}

function show(s: bigint): string {
  let o = '';
  for (let c = 32; c < 127; c++) if ((s >> BigInt(c)) & 1n) o += String.fromCharCode(c);
  return o.length > 20 ? o.slice(0, 20) + '…' : o;
}

function nullable(n: Node): boolean {
  switch (n.k) {
    case 'set':
      return false;
    case 'zero':
      return true;
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.alts.some(nullable);
    case 'rep':
      return n.min === 0 || nullable(n.node);
  }
}

/** characters a non-empty match of n can start with */
function first(n: Node): bigint {
  switch (n.k) {
    case 'set':
      return n.s;
    case 'zero':
      return 0n;
    case 'seq': {
      let s = 0n;
      for (const it of n.items) {
        s |= first(it);
        if (!nullable(it)) break;
      }
      return s;
    }
    case 'alt': {
      let s = 0n;
      for (const a of n.alts) s |= first(a);
      return s;
    }
    case 'rep':
      return first(n.node);
  }
}

/** every character n can consume */
function chars(n: Node): bigint {
  switch (n.k) {
    case 'set':
      return n.s;
    case 'zero':
      return 0n;
    case 'seq': {
      let s = 0n;
      for (const it of n.items) s |= chars(it);
      return s;
    }
    case 'alt': {
      let s = 0n;
      for (const a of n.alts) s |= chars(a);
      return s;
    }
    case 'rep':
      return chars(n.node);
  }
}

function hasUnbounded(n: Node): boolean {
  if (n.k === 'rep') return n.max === Infinity || hasUnbounded(n.node);
  if (n.k === 'seq') return n.items.some(hasUnbounded);
  if (n.k === 'alt') return n.alts.some(hasUnbounded);
  return false;
}

/**
 * characters the unbounded loops inside n can consume; with atEnd (nothing follows n in the pattern), an
 * unbounded loop that is the last item of n is left out (an attempt reaching it always succeeds).
 */
function loopChars(n: Node, atEnd = false): bigint {
  if (n.k === 'rep') return n.max === Infinity ? (atEnd && n.node.k === 'set' ? 0n : chars(n.node)) : loopChars(n.node);
  if (n.k === 'seq') {
    let s = 0n;
    const l = n.items.length;
    for (let j = 0; j < l; j++) s |= loopChars(n.items[j]!, atEnd && j === l - 1);
    return s;
  }
  if (n.k === 'alt') {
    let s = 0n;
    for (const a of n.alts) s |= loopChars(a, atEnd);
    return s;
  }
  return 0n;
}

function flat(n: Node): Node[] {
  return n.k === 'seq' ? n.items.flatMap(flat) : [n];
}

/** Rule 1: a loop body whose iteration boundaries are decided by one character. */
function isUnit(body: Node): boolean {
  if (body.k === 'set') return true;
  if (body.k === 'alt') return isAltUnit(body);
  if (hasUnbounded(body)) return false;
  const items = flat(body);
  const lead = items[0];
  if (lead === undefined || lead.k !== 'set') return false;
  let rest = 0n;
  for (let j = 1; j < items.length; j++) {
    const it = items[j]!;
    if (it.k === 'alt') return false;
    rest |= chars(it);
  }
  return (rest & lead.s) === 0n;
}

/**
 * Rule 1, alternation form: branches of fixed length (single character sets only) whose first sets are pairwise
 * disjoint, e.g. an escape-aware quoted string `(?:[^"\\]|\\.)`. The first character of an iteration selects its
 * only possible branch and that branch's length ends it, so a loop over a given text has one way to consume it.
 */
function isAltUnit(body: Extract<Node, { k: 'alt' }>): boolean {
  let seen = 0n;
  for (const a of body.alts) {
    const items = flat(a);
    if (items.length === 0) return false;
    for (const it of items) if (it.k !== 'set') return false;
    const lead = (items[0] as Extract<Node, { k: 'set' }>).s;
    if ((lead & seen) !== 0n) return false;
    seen |= lead;
  }
  return true;
}

/**
 * Returns the number of paths (rule 3); throws Unsafe on rules 1-2. `follow` = chars that may come right after
 * n; `cont` = chars that unbounded loops in the rest of the pattern (after n) can consume.
 */
function paths(n: Node, follow: bigint, cont: bigint, atEnd: boolean, maxPaths = MAX_PATHS): number {
  switch (n.k) {
    case 'set':
    case 'zero':
      return 1;
    case 'seq': {
      let p = 1;
      let f = follow;
      let c = cont;
      const l = n.items.length;
      for (let j = l - 1; j >= 0; j--) {
        const it = n.items[j]!;
        const end = atEnd && j === l - 1;
        p *= paths(it, f, c, end, maxPaths);
        f = nullable(it) ? f | first(it) : first(it);
        c |= loopChars(it, end);
        if (p > maxPaths) throw new Unsafe('too many paths');
      }
      return p;
    }
    case 'alt': {
      let sum = 0,
        max = 0,
        seen = 0n,
        disjoint = true;
      for (const a of n.alts) {
        const fa = first(a);
        if ((fa & seen) !== 0n || nullable(a)) disjoint = false;
        seen |= fa;
        const q = paths(a, follow, cont, atEnd, maxPaths);
        sum += q;
        if (q > max) max = q;
      }
      return disjoint ? max : sum;
    }
    case 'rep': {
      const body = n.node;
      const fb = first(body);
      const det = (fb & follow) === 0n;
      if (n.max === Infinity) {
        if (!isUnit(body)) throw new Unsafe('unbounded quantifier over a non-unit');
        if (!det && (cont & follow) !== 0n)
          throw new Unsafe(
            `ambiguous unbounded quantifier not confined (follow ${show(follow)}, later loops ${show(cont & follow)})`,
          );
        paths(body, follow | fb, cont | chars(body), false, maxPaths);
        return 1;
      }
      // another iteration can only follow an iteration when max > 1
      const again = n.max > 1;
      const inner = paths(
        body,
        again ? follow | fb : follow,
        again ? cont | loopChars(body) : cont,
        atEnd && !again,
        maxPaths,
      );
      if (n.max === 0) return 1;
      const isSet = body.k === 'set';
      if (isSet && det) return 1;
      let p = Math.pow(inner, n.max) * (det && isUnit(body) ? 1 : n.max - n.min + 1);
      if (!Number.isFinite(p)) p = Infinity;
      return p;
    }
  }
}

export interface SafetyVerdict {
  safe: boolean;
  reason: string;
  paths: number;
}

/**
 * Analyse an expanded RE2 regex (see THE RULE above); `maxPaths` raises rule 3's bound (segmented.ts, capped
 * inputs).
 */
export function analyzeBacktracking(src: string, maxPaths = MAX_PATHS): SafetyVerdict {
  try {
    const p = new Parser(src);
    const ci = { v: false };
    const root = p.parseAlt(ci);
    if (p.i !== src.length) throw new Unsafe('unbalanced');
    const n = paths(root, 0n, 0n, true, maxPaths);
    if (n > maxPaths) throw new Unsafe('too many paths');
    return { safe: true, reason: '', paths: n };
  } catch (e) {
    if (e instanceof Unsafe) return { safe: false, reason: e.message, paths: 0 };
    return { safe: false, reason: `analysis error: ${errorMessage(e)}`, paths: 0 };
  }
}

/**
 * First characters and nullability of an expanded RE2 regex (segmented.ts decides where to cut with them); null
 * if not understood.
 */
export function regexStart(src: string): { first: bigint; nullable: boolean } | null {
  try {
    const p = new Parser(src, true);
    const root = p.parseAlt({ v: false });
    if (p.i !== src.length) return null;
    return { first: first(root), nullable: nullable(root) };
  } catch {
    return null;
  }
}
