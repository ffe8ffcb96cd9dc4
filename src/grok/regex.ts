// One-pass scanner for RE2 (Go regexp) syntax used by the grok compiler.
// Owns: capturing-group counting (grok label -> group index), required-literal extraction for the
// cheap `includes` prefilter, and the RE2 -> JS RegExp translation used only by the benchmark backend.
// It never decides validity: RE2 itself reports syntax errors; this scanner only has to be
// conservative (a literal it reports is truly required by every match).

export interface ScanResult {
  /** An unbounded quantifier applied to something that itself contains one (backtracking-risky in JS). */
  nestedUnbounded: boolean;
  /** Number of capturing groups ((…), (?P<n>…), (?<n>…)). */
  groups: number;
  /** Literal substrings every match contains (case-sensitive), longest first, de-duplicated. */
  required: string[];
}

type Node =
  | { k: 'lit'; ch: string }
  | { k: 'any' }
  | { k: 'zero' }
  | { k: 'group'; alts: Node[][] }
  | { k: 'rep'; min: number; unb: boolean; node: Node };

class Scanner {
  i = 0;
  groups = 0;
  constructor(readonly s: string) {}

  parseAlts(ci: boolean, inGroup: boolean): Node[][] {
    const alts: Node[][] = [];
    let seq: Node[] = [];
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === ')') {
        if (inGroup) break;
        this.i++;
        seq.push({ k: 'any' });
        continue;
      }
      if (c === '|') {
        this.i++;
        alts.push(seq);
        seq = [];
        continue;
      }
      let atom: Node | Node[] | null;
      if (c === '(') {
        const r = this.parseGroup(ci);
        if (r.flagsOnly) {
          ci = r.ci;
          continue;
        }
        atom = r.node!;
      } else if (c === '[') {
        this.skipClass();
        atom = { k: 'any' };
      } else if (c === '\\') {
        atom = this.parseEscape(ci);
      } else if (c === '.') {
        this.i++;
        atom = { k: 'any' };
      } else if (c === '^' || c === '$') {
        this.i++;
        atom = { k: 'zero' };
      } else {
        const cp = s.codePointAt(this.i)!;
        const ch = String.fromCodePoint(cp);
        this.i += ch.length;
        atom = ci && ch.toLowerCase() !== ch.toUpperCase() ? { k: 'any' } : { k: 'lit', ch };
      }
      // \Q…\E yields several literal nodes; a quantifier then applies to the last one only.
      let last: Node;
      if (Array.isArray(atom)) {
        if (atom.length === 0) continue;
        for (let j = 0; j < atom.length - 1; j++) seq.push(atom[j]!);
        last = atom[atom.length - 1]!;
      } else last = atom;
      const q = this.parseQuant();
      seq.push(q === null ? last : { k: 'rep', min: q.min, unb: q.unb, node: last });
    }
    alts.push(seq);
    return alts;
  }

  /** Returns {min, unbounded} if a quantifier follows, else null. */
  parseQuant(): { min: number; unb: boolean } | null {
    const s = this.s;
    const c = s[this.i];
    let q: { min: number; unb: boolean } | null = null;
    if (c === '*') {
      q = { min: 0, unb: true };
      this.i++;
    } else if (c === '+') {
      q = { min: 1, unb: true };
      this.i++;
    } else if (c === '?') {
      q = { min: 0, unb: false };
      this.i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i, this.i + 24));
      if (m) {
        q = { min: parseInt(m[1]!, 10), unb: m[2] !== undefined && m[3] === '' };
        this.i += m[0].length;
      }
    }
    if (q !== null && s[this.i] === '?') this.i++;
    return q;
  }

  parseGroup(ci: boolean): { flagsOnly: boolean; ci: boolean; node?: Node } {
    const s = this.s;
    this.i++; // (
    let capturing = true;
    let innerCi = ci;
    if (s[this.i] === '?') {
      const rest = s.slice(this.i, this.i + 64);
      let m: RegExpExecArray | null;
      if ((m = /^\?P?<(\w+)>/.exec(rest))) {
        this.i += m[0].length;
      } else if ((m = /^\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest))) {
        this.i += m[0].length;
        let f = ci;
        if (m[1]!.includes('i')) f = true;
        if (m[2]?.includes('i')) f = false;
        if (m[3] === ')') return { flagsOnly: true, ci: f };
        capturing = false;
        innerCi = f;
      } else {
        // look-around etc.: RE2 rejects it; scan on conservatively
        this.i++;
        capturing = false;
      }
    }
    if (capturing) this.groups++;
    const alts = this.parseAlts(innerCi, true);
    if (s[this.i] === ')') this.i++;
    return { flagsOnly: false, ci, node: { k: 'group', alts } };
  }

  skipClass(): void {
    const s = this.s;
    this.i++; // [
    if (s[this.i] === '^') this.i++;
    if (s[this.i] === ']') this.i++;
    while (this.i < s.length && s[this.i] !== ']') {
      if (s[this.i] === '\\') this.i += 2;
      else if (s[this.i] === '[' && s[this.i + 1] === ':') {
        const e = s.indexOf(':]', this.i + 2);
        this.i = e >= 0 ? e + 2 : this.i + 1;
      } else this.i++;
    }
    this.i++; // ]
  }

  parseEscape(ci: boolean): Node | Node[] {
    const s = this.s;
    const c = s[this.i + 1];
    if (c === undefined) {
      this.i++;
      return { k: 'any' };
    }
    if (c === 'Q') {
      const e = s.indexOf('\\E', this.i + 2);
      const text = e >= 0 ? s.slice(this.i + 2, e) : s.slice(this.i + 2);
      this.i = e >= 0 ? e + 2 : s.length;
      return [...text].map(
        (ch) => (ci && ch.toLowerCase() !== ch.toUpperCase() ? { k: 'any' } : { k: 'lit', ch }) as Node,
      );
    }
    if (c === 'p' || c === 'P') {
      if (s[this.i + 2] === '{') {
        const e = s.indexOf('}', this.i);
        this.i = e >= 0 ? e + 1 : s.length;
      } else this.i += 3;
      return { k: 'any' };
    }
    if (c === 'x') {
      if (s[this.i + 2] === '{') {
        const e = s.indexOf('}', this.i);
        this.i = e >= 0 ? e + 1 : s.length;
      } else this.i += 4;
      return { k: 'any' };
    }
    this.i += 2;
    if ('bBAz'.includes(c)) return { k: 'zero' };
    if ('dDwWsS'.includes(c) || (c >= '0' && c <= '9')) return { k: 'any' };
    const ctl: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07' };
    if (ctl[c] !== undefined) return { k: 'lit', ch: ctl[c]! };
    if (/[A-Za-z]/.test(c)) return { k: 'any' }; // unknown letter escape: RE2 rejects
    return ci && c.toLowerCase() !== c.toUpperCase() ? { k: 'any' } : { k: 'lit', ch: c };
  }
}

function collect(seq: Node[], out: string[]): void {
  let run = '';
  const flush = (): void => {
    if (run) {
      out.push(run);
      run = '';
    }
  };
  const walk = (nodes: Node[]): void => {
    for (const n of nodes) {
      switch (n.k) {
        case 'lit':
          run += n.ch;
          break;
        case 'zero':
          break;
        case 'any':
          flush();
          break;
        case 'group':
          if (n.alts.length === 1) walk(n.alts[0]!);
          else flush();
          break;
        case 'rep':
          flush();
          if (n.min >= 1) {
            if (n.node.k === 'lit') out.push(n.node.ch);
            else if (n.node.k === 'group' && n.node.alts.length === 1) collect(n.node.alts[0]!, out);
          }
          break;
      }
    }
  };
  walk(seq);
  flush();
}

function hasUnbounded(n: Node): boolean {
  if (n.k === 'rep') return n.unb || hasUnbounded(n.node);
  if (n.k === 'group') return n.alts.some((a) => a.some(hasUnbounded));
  return false;
}

function nested(n: Node): boolean {
  if (n.k === 'rep') return (n.unb && hasUnbounded(n.node)) || nested(n.node);
  if (n.k === 'group') return n.alts.some((a) => a.some(nested));
  return false;
}

export function scanRegex(src: string): ScanResult {
  const sc = new Scanner(src);
  const alts = sc.parseAlts(false, false);
  const lits: string[] = [];
  if (alts.length === 1) collect(alts[0]!, lits);
  const uniq = [...new Set(lits)].sort((a, b) => b.length - a.length);
  return { groups: sc.groups, required: uniq, nestedUnbounded: alts.some((a) => a.some(nested)) };
}

/** Count capturing groups only. */
export function countGroups(src: string): number {
  const sc = new Scanner(src);
  sc.parseAlts(false, false);
  return sc.groups;
}

// ---------------------------------------------------------------------------------------------
// RE2 -> JS RegExp translation (benchmark backend only). Throws on constructs JS cannot express.

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function escJs(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? '\\' + ch : ch;
}

function hexToJs(hex: string): string {
  const cp = parseInt(hex, 16);
  if (cp <= 0xffff) return '\\u' + cp.toString(16).padStart(4, '0');
  return escJs(String.fromCodePoint(cp));
}

/** A character class at s[i] ('['), copied with POSIX classes, \s and \x{...} translated; `end` is past its ']'. */
function translateClass(s: string, i: number): { cls: string; end: number } {
  let j = i + 1;
  let cls = '[';
  if (s[j] === '^') {
    cls += '^';
    j++;
  }
  if (s[j] === ']') {
    cls += '\\]';
    j++;
  }
  while (j < s.length && s[j] !== ']') {
    if (s[j] === '\\') {
      const d = s[j + 1]!;
      if (d === 's') cls += '\\t\\n\\f\\r ';
      else if (d === 'S' || d === 'p' || d === 'P') throw new Error('class escape not supported by the js backend');
      else if (d === 'x' && s[j + 2] === '{') {
        const e = s.indexOf('}', j);
        cls += hexToJs(s.slice(j + 3, e));
        j = e + 1;
        continue;
      } else cls += '\\' + d;
      j += 2;
      continue;
    }
    if (s[j] === '[' && s[j + 1] === ':') {
      const e = s.indexOf(':]', j + 2);
      const name = s.slice(j + 2, e);
      if (name.startsWith('^')) throw new Error('negated POSIX class not supported by the js backend');
      cls +=
        POSIX[name] ??
        (() => {
          throw new Error(`unknown POSIX class ${name}`);
        })();
      j = e + 2;
      continue;
    }
    if (s[j] === '[') {
      cls += '\\[';
      j++;
      continue;
    }
    cls += s[j];
    j++;
  }
  return { cls: cls + ']', end: j + 1 };
}

export function toJsRegExp(src: string): RegExp {
  let flags = '';
  let s = src;
  for (;;) {
    const m = /^\(\?([ims]+)\)/.exec(s);
    if (!m) break;
    for (const f of m[1]!) if (!flags.includes(f)) flags += f;
    s = s.slice(m[0].length);
  }
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      const d = s[i + 1] ?? '';
      if (d === 'Q') {
        const e = s.indexOf('\\E', i + 2);
        const text = e >= 0 ? s.slice(i + 2, e) : s.slice(i + 2);
        out += [...text].map(escJs).join('');
        i = e >= 0 ? e + 2 : s.length;
        continue;
      }
      if (d === 'z') {
        out += '(?![\\s\\S])';
        i += 2;
        continue;
      }
      if (d === 'A') {
        out += '(?<![\\s\\S])';
        i += 2;
        continue;
      }
      if (d === 's') {
        out += '[\\t\\n\\f\\r ]';
        i += 2;
        continue;
      }
      if (d === 'S') {
        out += '[^\\t\\n\\f\\r ]';
        i += 2;
        continue;
      }
      if (d === 'x' && s[i + 2] === '{') {
        const e = s.indexOf('}', i);
        out += hexToJs(s.slice(i + 3, e));
        i = e + 1;
        continue;
      }
      if (d === 'p' || d === 'P') throw new Error('\\p classes are not supported by the js backend');
      out += c + d;
      i += 2;
      continue;
    }
    if (c === '[') {
      const k = translateClass(s, i);
      out += k.cls;
      i = k.end;
      continue;
    }
    if (c === '(' && s[i + 1] === '?') {
      const m = /^\(\?P?<(\w+)>/.exec(s.slice(i, i + 64));
      if (m) {
        out += '(';
        i += m[0].length;
        continue;
      }
      if (s[i + 2] === ':') {
        out += '(?:';
        i += 3;
        continue;
      }
      throw new Error(`inline flags or group kind not supported by the js backend at ${i}`);
    }
    if (c === '.' && !flags.includes('s')) {
      out += '[^\\n]';
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return new RegExp(out, flags);
}

/**
 * Rewrite capturing groups whose (1-based) index is not in `keep` as non-capturing `(?:`, named groups
 * included. Returns the new source and, for each kept old index, its new index. Matching is unchanged
 * (captures do not affect what RE2 matches) but submatch extraction gets much cheaper.
 */
export function stripCaptures(src: string, keep: ReadonlySet<number>): { re: string; renum: Map<number, number> } {
  const renum = new Map<number, number>();
  let out = '';
  let i = 0;
  let old = 0;
  let neu = 0;
  const s = src;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      if (s[i + 1] === 'Q') {
        const e = s.indexOf('\\E', i + 2);
        const end = e >= 0 ? e + 2 : s.length;
        out += s.slice(i, end);
        i = end;
        continue;
      }
      out += s.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '[') {
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
      out += s.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '(') {
      let capturing = false;
      let openLen = 1;
      if (s[i + 1] !== '?') capturing = true;
      else {
        const m = /^\(\?P?<(\w+)>/.exec(s.slice(i, i + 64));
        if (m) {
          capturing = true;
          openLen = m[0].length;
        }
      }
      if (capturing) {
        old++;
        if (keep.has(old)) {
          neu++;
          renum.set(old, neu);
          out += '(';
        } else out += '(?:';
        i += openLen;
        continue;
      }
    }
    out += c;
    i++;
  }
  return { re: out, renum };
}

/**
 * grokky's `capCount` for the literal text between two %{…} references: it counts "(" minus "(?flags:"
 * minus "flags)" (an optional "(" then [imsU-]+ then ")", which also hits text like "bytes)") minus "\\(".
 * Approximate on purpose: upstream derives label group numbers from it, and we must derive the same ones.
 */
export function grokkyCapCount(fragment: string): number {
  const left = fragment.split('(').length - 1;
  const nonCapLeft = (fragment.match(/\(\?[imsU-]*:/g) ?? []).length;
  const nonCapBoth = (fragment.match(/\(?[imsU-]+\)/g) ?? []).length;
  const escaped = fragment.split('\\(').length - 1;
  return left - nonCapLeft - nonCapBoth - escaped;
}

/**
 * If `src` ends with a capturing `(.*)` (GREEDYDATA) that is the last item of the whole pattern — every group
 * enclosing it non-capturing and free of top-level `|`, no `(?s)` anywhere so `.` stops at "\n" — return the
 * pattern without it (the head). Leftmost-first semantics then give: P matches at s iff the head does (`.*`
 * matches the empty string), with the head's first-priority submatches, and the tail group = the text from the
 * head's match end up to the first "\n" (or the end). Lets RE2 extract submatches over the head's span only.
 * Returns null when the shape does not apply.
 */
export function splitTrailingGreedy(src: string): string | null {
  const m = /\(\.\*\)(\)*)$/.exec(src);
  if (m === null || src.includes('(?s') || /\(\?[a-zA-Z]*s[a-zA-Z]*[):-]/.test(src)) return null;
  const tailAt = m.index;
  // stack of open groups: capturing? has top-level '|'?
  const stack: Array<{ cap: boolean; alt: boolean }> = [];
  let topAlt = false;
  let i = 0;
  const s = src;
  while (i < tailAt) {
    const c = s[i]!;
    if (c === '\\') {
      if (s[i + 1] === 'Q') {
        const e = s.indexOf('\\E', i + 2);
        if (e < 0 || e + 2 > tailAt) return null;
        i = e + 2;
        continue;
      }
      i += 2;
      continue;
    }
    if (c === '[') {
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
      i = j + 1;
      continue;
    }
    if (c === '(') {
      const cap = s[i + 1] !== '?' || /^\(\?P?<\w+>/.test(s.slice(i, i + 64));
      const flagsOnly = /^\(\?[a-zA-Z-]*\)/.test(s.slice(i, i + 16));
      if (!flagsOnly) stack.push({ cap, alt: false });
      i++;
      continue;
    }
    if (c === ')') {
      if (stack.pop() === undefined) return null;
      i++;
      continue;
    }
    if (c === '|') {
      if (stack.length === 0) topAlt = true;
      else stack[stack.length - 1]!.alt = true;
    }
    i++;
  }
  const closing = m[1]!.length;
  if (stack.length !== closing || topAlt) return null;
  for (const g of stack) if (g.cap || g.alt) return null;
  return src.slice(0, tailAt) + m[1]!;
}
