// expr-lang builtins (expr.md §4, the non-predicate ones; predicate builtins are generated inline by the compiler).
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { GoTime, parseGoDuration } from '../../core/gotime.js';
import { RtError, cmp, lenStr, typeOfValue, upper as goUpper, lower as goLower } from '../runtime.js';
import { ANY, BOOL, DURATION, FLOAT, INT, STRING, TIME, arr, map } from '../schema.js';
import { formatValue } from '../sprintf.js';
import { hasOwn, INF, s, n, a, isMap, elemOf, sameAs, numRet, toFloat, type FnDef } from './args.js';
import { goJSON } from './json.js';
import { flattenDeep, distinct } from './lists.js';
import { goSplit, runeIndex, cutsetTrim, goTrimSpace, goReplace } from './strings.js';
import { parseDate } from './time.js';
import { errorMessage } from '../../core/errors.js';

export function toInt(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RtError(`int: invalid value ${v}`);
    return Math.trunc(v);
  }
  if (typeof v === 'string') {
    if (!/^[+-]?\d+$/.test(v)) throw new RtError(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
    return parseInt(v, 10);
  }
  if (typeof v === 'boolean' || v === null || v === undefined)
    throw new RtError(`invalid operation: int(${typeOfValue(v)})`);
  const nv = (v as { valueOf(): unknown }).valueOf();
  if (typeof nv === 'number') return nv;
  throw new RtError(`invalid operation: int(${typeOfValue(v)})`);
}

export function valuesOf(args: unknown[], fn: string): number[] {
  const src = args.length === 1 && Array.isArray(args[0]) ? flattenDeep(args[0], []) : flattenDeep(args, []);
  return src.map((x) => n(x, fn));
}

export function sortValues(v: unknown[], desc: boolean): unknown[] {
  const out = v.slice();
  out.sort((x, y) => cmp('<', x, y));
  if (desc) out.reverse();
  return out;
}

export const BUILTINS: Record<string, FnDef> = {
  // ---------------- expr builtins ----------------
  len: {
    min: 1,
    max: 1,
    ret: INT,
    fn: (v: unknown) => {
      if (typeof v === 'string') return lenStr(v);
      if (Array.isArray(v)) return v.length;
      if (isMap(v)) return Object.keys(v).length;
      throw new RtError(`invalid argument for len (type ${typeOfValue(v)})`);
    },
  },
  type: {
    min: 1,
    max: 1,
    ret: STRING,
    kinds: true,
    fn: (k: string[], v: unknown) => {
      if (v === null || v === undefined) return 'nil';
      if (typeof v === 'number') return k[0] === 'int' && Number.isInteger(v) ? 'int' : 'float';
      if (typeof v === 'string') return 'string';
      if (typeof v === 'boolean') return 'bool';
      if (Array.isArray(v)) return 'array';
      if (v instanceof GoTime) return 'time.Time';
      if (isMap(v)) return 'map';
      return 'struct';
    },
  },
  abs: { min: 1, max: 1, ret: sameAs(0), fn: (v: unknown) => Math.abs(n(v, 'abs')) },
  ceil: { min: 1, max: 1, ret: FLOAT, fn: (v: unknown) => Math.ceil(n(v, 'ceil')) },
  floor: { min: 1, max: 1, ret: FLOAT, fn: (v: unknown) => Math.floor(n(v, 'floor')) },
  round: {
    min: 1,
    max: 1,
    ret: FLOAT,
    fn: (v: unknown) => {
      const x = n(v, 'round');
      return x < 0 ? -Math.round(-x) : Math.round(x);
    },
  },
  int: { min: 1, max: 1, ret: INT, fn: toInt },
  float: { min: 1, max: 1, ret: FLOAT, fn: toFloat },
  string: { min: 1, max: 1, ret: STRING, kinds: true, fn: (k: string[], v: unknown) => formatValue(v, k[0]) },
  trim: {
    min: 1,
    max: 2,
    ret: STRING,
    fn: (v: unknown, c?: unknown) =>
      c === undefined ? goTrimSpace(s(v, 'trim')) : cutsetTrim(s(v, 'trim'), s(c, 'trim', 1), true, true),
  },
  trimPrefix: {
    min: 1,
    max: 2,
    ret: STRING,
    fn: (v: unknown, p: unknown = ' ') => {
      const x = s(v, 'trimPrefix');
      const q = s(p, 'trimPrefix', 1);
      return x.startsWith(q) ? x.slice(q.length) : x;
    },
  },
  trimSuffix: {
    min: 1,
    max: 2,
    ret: STRING,
    fn: (v: unknown, p: unknown = ' ') => {
      const x = s(v, 'trimSuffix');
      const q = s(p, 'trimSuffix', 1);
      return q && x.endsWith(q) ? x.slice(0, x.length - q.length) : x;
    },
  },
  upper: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goUpper(s(v, 'upper')) },
  lower: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goLower(s(v, 'lower')) },
  split: {
    min: 2,
    max: 3,
    ret: arr(STRING),
    fn: (v: unknown, sep: unknown, k?: unknown) =>
      goSplit(s(v, 'split'), s(sep, 'split', 1), k === undefined ? -1 : n(k, 'split'), false),
  },
  splitAfter: {
    min: 2,
    max: 3,
    ret: arr(STRING),
    fn: (v: unknown, sep: unknown, k?: unknown) =>
      goSplit(s(v, 'splitAfter'), s(sep, 'splitAfter', 1), k === undefined ? -1 : n(k, 'splitAfter'), true),
  },
  replace: {
    min: 3,
    max: 3,
    ret: STRING,
    fn: (v: unknown, o: unknown, w: unknown) => goReplace(s(v, 'replace'), s(o, 'replace', 1), s(w, 'replace', 2), -1),
  },
  repeat: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (v: unknown, k: unknown) => {
      const c = n(k, 'repeat');
      if (c < 0) throw new RtError('strings: negative Repeat count');
      return s(v, 'repeat').repeat(c);
    },
  },
  join: {
    min: 1,
    max: 2,
    ret: STRING,
    fn: (v: unknown, sep: unknown = '') =>
      a(v, 'join')
        .map((x) => s(x, 'join'))
        .join(s(sep, 'join', 1)),
  },
  indexOf: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (v: unknown, x: unknown) => {
      const str = s(v, 'indexOf');
      return runeIndex(str, str.indexOf(s(x, 'indexOf', 1)));
    },
  },
  lastIndexOf: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (v: unknown, x: unknown) => {
      const str = s(v, 'lastIndexOf');
      return runeIndex(str, str.lastIndexOf(s(x, 'lastIndexOf', 1)));
    },
  },
  hasPrefix: {
    min: 2,
    max: 2,
    ret: BOOL,
    fn: (v: unknown, p: unknown) => s(v, 'hasPrefix').startsWith(s(p, 'hasPrefix', 1)),
  },
  hasSuffix: {
    min: 2,
    max: 2,
    ret: BOOL,
    fn: (v: unknown, p: unknown) => s(v, 'hasSuffix').endsWith(s(p, 'hasSuffix', 1)),
  },
  max: {
    min: 1,
    max: INF,
    ret: (t) => (t.length === 1 && t[0]!.k === 'array' ? t[0]!.elem : numRet(t)),
    fn: (...v: unknown[]) => {
      const x = valuesOf(v, 'max');
      if (!x.length) throw new RtError('max: not enough arguments');
      return Math.max(...x);
    },
  },
  min: {
    min: 1,
    max: INF,
    ret: (t) => (t.length === 1 && t[0]!.k === 'array' ? t[0]!.elem : numRet(t)),
    fn: (...v: unknown[]) => {
      const x = valuesOf(v, 'min');
      if (!x.length) throw new RtError('min: not enough arguments');
      return Math.min(...x);
    },
  },
  mean: {
    min: 1,
    max: INF,
    ret: FLOAT,
    fn: (...v: unknown[]) => {
      const x = valuesOf(v, 'mean');
      return x.length ? x.reduce((p, c) => p + c, 0) / x.length : 0;
    },
  },
  median: {
    min: 1,
    max: INF,
    ret: FLOAT,
    fn: (...v: unknown[]) => {
      const x = valuesOf(v, 'median').sort((p, q) => p - q);
      if (!x.length) return 0;
      const m = x.length >> 1;
      return x.length % 2 ? x[m]! : (x[m - 1]! + x[m]!) / 2;
    },
  },
  toJSON: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goJSON(v, '  ') },
  fromJSON: {
    min: 1,
    max: 1,
    ret: ANY,
    fn: (v: unknown) => {
      try {
        return JSON.parse(s(v, 'fromJSON'));
      } catch (e) {
        throw new RtError(`fromJSON: ${errorMessage(e)}`);
      }
    },
  },
  toBase64: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => Buffer.from(s(v, 'toBase64')).toString('base64') },
  fromBase64: {
    min: 1,
    max: 1,
    ret: STRING,
    fn: (v: unknown) => {
      const str = s(v, 'fromBase64');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(str) || str.length % 4 !== 0) throw new RtError('illegal base64 data');
      return Buffer.from(str, 'base64').toString('utf8');
    },
  },
  now: { min: 0, max: 0, ret: TIME, fn: () => GoTime.now() },
  duration: {
    min: 1,
    max: 1,
    ret: DURATION,
    fn: (v: unknown) => {
      try {
        return parseGoDuration(s(v, 'duration'));
      } catch (e) {
        throw new RtError(errorMessage(e));
      }
    },
  },
  date: {
    min: 1,
    max: 3,
    ret: TIME,
    fn: (v: unknown, l?: unknown, tz?: unknown) =>
      parseDate(s(v, 'date'), l === undefined ? undefined : s(l, 'date', 1), tz as string | undefined),
  },
  timezone: { min: 1, max: 1, ret: ANY, fn: (v: unknown) => s(v, 'timezone') },
  first: {
    min: 1,
    max: 1,
    ret: (t) => elemOf(t[0]),
    fn: (v: unknown) => {
      const x = a(v, 'first');
      return x.length ? x[0] : null;
    },
  },
  last: {
    min: 1,
    max: 1,
    ret: (t) => elemOf(t[0]),
    fn: (v: unknown) => {
      const x = a(v, 'last');
      return x.length ? x[x.length - 1] : null;
    },
  },
  get: {
    min: 2,
    max: 2,
    ret: (t) => (t[0]?.k === 'array' || t[0]?.k === 'map' ? t[0].elem : ANY),
    fn: (v: unknown, k: unknown) => {
      if (Array.isArray(v)) {
        if (typeof k !== 'number') return null;
        const i = k < 0 ? v.length + k : k;
        return i >= 0 && i < v.length ? v[i] : null;
      }
      if (v !== null && typeof v === 'object' && typeof k === 'string')
        return hasOwn.call(v, k) || (!isMap(v) && k in v) ? ((v as Record<string, unknown>)[k] ?? null) : null;
      return null;
    },
  },
  take: {
    min: 2,
    max: 2,
    ret: sameAs(0),
    fn: (v: unknown, k: unknown) => a(v, 'take').slice(0, Math.max(0, n(k, 'take'))),
  },
  keys: {
    min: 1,
    max: 1,
    ret: arr(STRING),
    fn: (v: unknown) => {
      if (!isMap(v)) throw new RtError(`cannot get keys from ${typeOfValue(v)}`);
      return Object.keys(v);
    },
  },
  values: {
    min: 1,
    max: 1,
    ret: (t) => arr(t[0]?.k === 'map' ? t[0].elem : ANY),
    fn: (v: unknown) => {
      if (!isMap(v)) throw new RtError(`cannot get values from ${typeOfValue(v)}`);
      return Object.values(v);
    },
  },
  toPairs: {
    min: 1,
    max: 1,
    ret: arr(arr(ANY)),
    fn: (v: unknown) => {
      if (!isMap(v)) throw new RtError(`cannot transform ${typeOfValue(v)} to pairs`);
      return Object.keys(v).map((k) => [k, v[k]]);
    },
  },
  fromPairs: {
    min: 1,
    max: 1,
    ret: map(ANY),
    fn: (v: unknown) => {
      const out: Record<string, unknown> = {};
      for (const p of a(v, 'fromPairs')) {
        const pp = a(p, 'fromPairs');
        if (pp.length !== 2) throw new RtError('fromPairs: invalid pair');
        out[String(pp[0])] = pp[1];
      }
      return out;
    },
  },
  reverse: { min: 1, max: 1, ret: sameAs(0), fn: (v: unknown) => a(v, 'reverse').slice().reverse() },
  uniq: { min: 1, max: 1, ret: sameAs(0), fn: (v: unknown) => distinct(a(v, 'uniq')) },
  concat: {
    min: 1,
    max: INF,
    ret: sameAs(0),
    fn: (...v: unknown[]) => ([] as unknown[]).concat(...v.map((x) => a(x, 'concat'))),
  },
  flatten: { min: 1, max: 1, ret: arr(ANY), fn: (v: unknown) => flattenDeep(a(v, 'flatten'), []) },
  sort: {
    min: 1,
    max: 2,
    ret: sameAs(0),
    fn: (v: unknown, o: unknown = 'asc') => {
      if (o !== 'asc' && o !== 'desc') throw new RtError(`unknown order ${String(o)}, use asc or desc`);
      return sortValues(a(v, 'sort'), o === 'desc');
    },
  },
  bitand: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) & BigInt(toInt(y)))),
  },
  bitor: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) | BigInt(toInt(y)))),
  },
  bitxor: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) ^ BigInt(toInt(y)))),
  },
  bitnand: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) & ~BigInt(toInt(y)))),
  },
  bitnot: { min: 1, max: 1, ret: INT, fn: (x: unknown) => Number(BigInt.asIntN(64, ~BigInt(toInt(x)))) },
  bitshl: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) << BigInt(toInt(y)))),
  },
  bitshr: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) >> BigInt(toInt(y)))),
  },
  bitushr: {
    min: 2,
    max: 2,
    ret: INT,
    fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt.asUintN(64, BigInt(toInt(x))) >> BigInt(toInt(y)))),
  },
};
