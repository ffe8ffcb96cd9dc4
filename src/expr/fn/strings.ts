// CrowdSec string helpers over Go's strings package (Split*, Trim*, Fields, Index*, Replace*, Match, Sprintf, Atof,
// B64Decode ...) and the Go semantics they need.
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { RtError, lenStr, isAscii, upper as goUpper, lower as goLower } from '../runtime.js';
import { BOOL, FLOAT, INT, STRING, arr } from '../schema.js';
import { sprintf } from '../sprintf.js';
import { INF, s, n, a, toFloat, type FnDef } from './args.js';

export function goSplit(str: string, sep: string, n: number, after: boolean): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const chars = [...str];
    if (n < 0 || n >= chars.length) return chars;
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
  }
  const out: string[] = [];
  let start = 0;
  for (;;) {
    if (n > 0 && out.length === n - 1) break;
    const i = str.indexOf(sep, start);
    if (i < 0) break;
    out.push(str.slice(start, after ? i + sep.length : i));
    start = i + sep.length;
  }
  out.push(str.slice(start));
  return out;
}

export function byteIndex(str: string, i: number): number {
  if (i <= 0 || isAscii(str)) return i;
  return Buffer.byteLength(str.slice(0, i));
}

export function runeIndex(str: string, i: number): number {
  return i < 0 ? -1 : lenStr(str.slice(0, i));
}

export function cutsetTrim(str: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set([...cutset]);
  const chars = [...str];
  let b = 0;
  let e = chars.length;
  if (left) while (b < e && set.has(chars[b]!)) b++;
  if (right) while (e > b && set.has(chars[e - 1]!)) e--;
  return chars.slice(b, e).join('');
}

export const GO_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

export function goTrimSpace(str: string): string {
  return str.replace(GO_SPACE, '');
}

export function goFields(str: string): string[] {
  return str
    .split(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/)
    .filter((x) => x !== '');
}

export function goReplace(str: string, old: string, nw: string, cnt: number): string {
  if (cnt < 0) {
    if (old === '') return goReplace(str, old, nw, [...str].length + 1);
    return str.split(old).join(nw);
  }
  let out = '';
  let rest = str;
  let done = 0;
  if (old === '') {
    const chars = [...str];
    let i = 0;
    for (; i < chars.length && done < cnt; i++, done++) out += nw + chars[i];
    if (i === chars.length && done < cnt) return out + nw;
    return out + chars.slice(i).join('');
  }
  while (done < cnt) {
    const i = rest.indexOf(old);
    if (i < 0) break;
    out += rest.slice(0, i) + nw;
    rest = rest.slice(i + old.length);
    done++;
  }
  return out + rest;
}

export function globMatch(p: Buffer, sb: Buffer): boolean {
  let pi = 0,
    si = 0,
    star = -1,
    mark = 0;
  while (si < sb.length) {
    if (pi < p.length && (p[pi] === 0x3f || p[pi] === sb[si])) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === 0x2a) {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === 0x2a) pi++;
  return pi === p.length;
}

export function toFloatOr(x: string): number | null {
  try {
    return toFloat(x);
  } catch {
    return null;
  }
}

export const STRING_FUNCTIONS: Record<string, FnDef> = {
  // ---------------- CrowdSec helpers ----------------
  Lower: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goLower(s(v, 'Lower')) },
  Upper: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goUpper(s(v, 'Upper')) },
  Match: {
    min: 2,
    max: 2,
    ret: BOOL,
    fn: (p: unknown, v: unknown) => globMatch(Buffer.from(s(p, 'Match')), Buffer.from(s(v, 'Match', 1))),
  },
  Split: {
    min: 2,
    max: 2,
    ret: arr(STRING),
    fn: (v: unknown, sep: unknown) => goSplit(s(v, 'Split'), s(sep, 'Split', 1), -1, false),
  },
  SplitN: {
    min: 3,
    max: 3,
    ret: arr(STRING),
    fn: (v: unknown, sep: unknown, k: unknown) => goSplit(s(v, 'SplitN'), s(sep, 'SplitN', 1), n(k, 'SplitN'), false),
  },
  SplitAfter: {
    min: 2,
    max: 2,
    ret: arr(STRING),
    fn: (v: unknown, sep: unknown) => goSplit(s(v, 'SplitAfter'), s(sep, 'SplitAfter', 1), -1, true),
  },
  SplitAfterN: {
    min: 3,
    max: 3,
    ret: arr(STRING),
    fn: (v: unknown, sep: unknown, k: unknown) =>
      goSplit(s(v, 'SplitAfterN'), s(sep, 'SplitAfterN', 1), n(k, 'SplitAfterN'), true),
  },
  TrimSpace: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goTrimSpace(s(v, 'TrimSpace')) },
  Trim: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (v: unknown, c: unknown) => cutsetTrim(s(v, 'Trim'), s(c, 'Trim', 1), true, true),
  },
  TrimLeft: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (v: unknown, c: unknown) => cutsetTrim(s(v, 'TrimLeft'), s(c, 'TrimLeft', 1), true, false),
  },
  TrimRight: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (v: unknown, c: unknown) => cutsetTrim(s(v, 'TrimRight'), s(c, 'TrimRight', 1), false, true),
  },
  TrimPrefix: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (v: unknown, p: unknown) => {
      const x = s(v, 'TrimPrefix');
      const q = s(p, 'TrimPrefix', 1);
      return x.startsWith(q) ? x.slice(q.length) : x;
    },
  },
  TrimSuffix: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (v: unknown, p: unknown) => {
      const x = s(v, 'TrimSuffix');
      const q = s(p, 'TrimSuffix', 1);
      return q && x.endsWith(q) ? x.slice(0, x.length - q.length) : x;
    },
  },
  Fields: { min: 1, max: 1, ret: arr(STRING), fn: (v: unknown) => goFields(s(v, 'Fields')) },
  Index: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (v: unknown, x: unknown) => {
      const str = s(v, 'Index');
      const i = str.indexOf(s(x, 'Index', 1));
      return i < 0 ? -1 : byteIndex(str, i);
    },
  },
  IndexAny: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (v: unknown, x: unknown) => {
      const str = s(v, 'IndexAny');
      const set = new Set([...s(x, 'IndexAny', 1)]);
      let i = 0;
      for (const ch of str) {
        if (set.has(ch)) return byteIndex(str, i);
        i += ch.length;
      }
      return -1;
    },
  },
  Join: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (v: unknown, sep: unknown) =>
      a(v, 'Join')
        .map((x) => s(x, 'Join'))
        .join(s(sep, 'Join', 1)),
  },
  Replace: {
    min: 4,
    max: 4,
    ret: STRING,
    fn: (v: unknown, o: unknown, w: unknown, k: unknown) =>
      goReplace(s(v, 'Replace'), s(o, 'Replace', 1), s(w, 'Replace', 2), n(k, 'Replace')),
  },
  ReplaceAll: {
    min: 3,
    max: 3,
    ret: STRING,
    fn: (v: unknown, o: unknown, w: unknown) =>
      goReplace(s(v, 'ReplaceAll'), s(o, 'ReplaceAll', 1), s(w, 'ReplaceAll', 2), -1),
  },
  Sprintf: {
    min: 1,
    max: INF,
    ret: STRING,
    kinds: true,
    fn: (k: string[], f: unknown, ...args: unknown[]) => sprintf(k.slice(1), s(f, 'Sprintf'), args),
  },
  ToString: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => (typeof v === 'string' ? v : '') },
  Atof: { min: 1, max: 1, ret: FLOAT, fn: (v: unknown) => toFloatOr(s(v, 'Atof')) ?? 0 },
  B64Decode: {
    min: 1,
    max: 1,
    ret: STRING,
    fn: (v: unknown) => {
      const str = s(v, 'B64Decode');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(str) || str.length % 4 !== 0) throw new RtError('illegal base64 data');
      return Buffer.from(str, 'base64').toString('utf8');
    },
  },
  FloatApproxEqual: {
    min: 2,
    max: 2,
    ret: BOOL,
    fn: (x: unknown, y: unknown) => Math.abs(n(x, 'FloatApproxEqual') - n(y, 'FloatApproxEqual')) < 1e-6,
  },
};
