// Sprig (github.com/Masterminds/sprig/v3) defaults, JSON, lists, dicts, math, dates, env and uuid functions
// as CrowdSec's notification templates call them (cast-style number conversion for `add` / `sub` / `mulf` ...,
// `date` formatting with Go layouts — a non-time argument means "now", as in Sprig). Owns these functions.

import crypto from 'node:crypto';
import { GoTime } from '../../core/gotime.js';
import { formatGoLayout, parseGoLayout } from '../../core/golayout.js';
import type { TemplateFunc } from './exec.js';
import { goJson, goTypeOf, isMap, truth } from './values.js';
import { str, strval } from './sprig-strings.js';

/** cast.ToFloat64: numbers, numeric strings, bools; anything else 0. */
function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(n) ? n : 0;
  }
  return 0;
}

/** cast.ToInt64 */
function toInt(v: unknown): number {
  return Math.trunc(toFloat(v));
}

function list(v: unknown, fn: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new Error(`Cannot ${fn} on type ${goTypeOf(v)}`);
}

function dict(...kv: unknown[]): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (let i = 0; i < kv.length; i += 2) d[strval(kv[i])] = i + 1 < kv.length ? kv[i + 1] : '';
  return d;
}

function map(v: unknown): Record<string, unknown> {
  if (isMap(v)) return v;
  throw new Error(`wrong type for value; expected map[string]interface {}; got ${goTypeOf(v)}`);
}

/** Sprig `empty`: Go zero values (and empty collections) are empty. */
function empty(v: unknown): boolean {
  return !truth(v);
}

function tzOffset(zone: string, ms: number): { offset: number; name: string } {
  if (zone === 'UTC' || zone === 'Local' || zone === '') return { offset: 0, name: 'UTC' };
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(
      new Date(ms),
    );
    const tz = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{1,2})(?::(\d\d))?/.exec(tz);
    const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60) : 0;
    const short =
      new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' })
        .formatToParts(new Date(ms))
        .find((p) => p.type === 'timeZoneName')?.value ?? '';
    return { offset, name: /^[A-Z]{2,5}$/.test(short) ? short : '' };
  } catch {
    return { offset: 0, name: 'UTC' }; // Sprig falls back to UTC for an unknown zone
  }
}

/** Sprig dateInZone: time.Time or unix seconds; anything else is now. */
function dateInZone(layout: unknown, date: unknown, zone: unknown): string {
  let t: GoTime;
  if (date instanceof GoTime) t = date;
  else if (typeof date === 'number' && Number.isInteger(date)) t = new GoTime(date * 1000);
  else t = GoTime.now();
  const z = tzOffset(str(zone), t.ms);
  return formatGoLayout(new GoTime(t.ms, t.nsFrac, z.offset, z.name), str(layout));
}

function toDate(layout: unknown, value: unknown): GoTime {
  const t = parseGoLayout(str(layout), str(value));
  if (t === null) throw new Error(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse`);
  return t;
}

function numbers(args: unknown[], fn: (a: number, b: number) => number, conv: (v: unknown) => number): number {
  if (args.length === 0) return 0;
  return args.map(conv).reduce(fn);
}

function uniq(v: unknown): unknown[] {
  const out: unknown[] = [];
  for (const x of list(v, 'uniq')) if (!out.some((y) => y === x)) out.push(x);
  return out;
}

export const SPRIG_MISC: Record<string, TemplateFunc> = {
  default: (d, ...given) => (given.length === 0 || empty(given[0]) ? d : given[0]),
  empty: (v) => empty(v),
  coalesce: (...a) => a.find((x) => !empty(x)) ?? null,
  ternary: (vt, vf, cond) => (cond === true ? vt : vf),
  toJson: (v) => goJson(v),
  toPrettyJson: (v) => goJson(v, '  '),
  toRawJson: (v) => JSON.stringify(v ?? null),
  fromJson: (s) => {
    try {
      return JSON.parse(str(s)) as unknown;
    } catch {
      return {};
    }
  },
  list: (...a) => a,
  dict: (...kv) => dict(...kv),
  get: (d, k) => {
    const m = map(d);
    const key = str(k);
    return Object.prototype.hasOwnProperty.call(m, key) ? m[key] : '';
  },
  set: (d, k, v) => {
    map(d)[str(k)] = v;
    return d;
  },
  unset: (d, k) => {
    delete map(d)[str(k)];
    return d;
  },
  hasKey: (d, k) => Object.prototype.hasOwnProperty.call(map(d), str(k)),
  keys: (...ds) => ds.flatMap((d) => Object.keys(map(d))),
  values: (d) => Object.values(map(d)),
  first: (v) => list(v, 'first')[0] ?? null,
  last: (v) => {
    const l = list(v, 'last');
    return l.length ? l[l.length - 1] : null;
  },
  rest: (v) => list(v, 'rest').slice(1),
  initial: (v) => list(v, 'initial').slice(0, -1),
  append: (v, x) => [...list(v, 'append'), x],
  push: (v, x) => [...list(v, 'push'), x],
  prepend: (v, x) => [x, ...list(v, 'prepend')],
  concat: (...ls) => ls.flatMap((l) => list(l, 'concat')),
  reverse: (v) => [...list(v, 'reverse')].reverse(),
  uniq: (v) => uniq(v),
  compact: (v) => list(v, 'compact').filter((x) => !empty(x)),
  has: (needle, v) => list(v, 'has').some((x) => x === needle),
  without: (v, ...omit) => list(v, 'without').filter((x) => !omit.includes(x)),
  sortAlpha: (v) => (Array.isArray(v) ? v.map(strval) : [strval(v)]).sort(),
  until: (n) => Array.from({ length: Math.max(0, toInt(n)) }, (_x, i) => i),
  add: (...a) => numbers(a, (x, y) => x + y, toInt),
  add1: (a) => toInt(a) + 1,
  sub: (a, b) => toInt(a) - toInt(b),
  mul: (...a) => numbers(a, (x, y) => x * y, toInt),
  div: (a, b) => {
    const d = toInt(b);
    if (d === 0) throw new Error('integer divide by zero');
    return Math.trunc(toInt(a) / d);
  },
  mod: (a, b) => {
    const d = toInt(b);
    if (d === 0) throw new Error('integer divide by zero');
    return toInt(a) % d;
  },
  max: (...a) => numbers(a, (x, y) => Math.max(x, y), toInt),
  min: (...a) => numbers(a, (x, y) => Math.min(x, y), toInt),
  addf: (...a) => numbers(a, (x, y) => x + y, toFloat),
  subf: (...a) => numbers(a, (x, y) => x - y, toFloat),
  mulf: (...a) => numbers(a, (x, y) => x * y, toFloat),
  divf: (...a) => numbers(a, (x, y) => x / y, toFloat),
  maxf: (...a) => numbers(a, (x, y) => Math.max(x, y), toFloat),
  minf: (...a) => numbers(a, (x, y) => Math.min(x, y), toFloat),
  floor: (a) => Math.floor(toFloat(a)),
  ceil: (a) => Math.ceil(toFloat(a)),
  round: (a, p) => {
    const f = 10 ** toInt(p);
    return Math.round(toFloat(a) * f) / f;
  },
  int: (a) => toInt(a),
  int64: (a) => toInt(a),
  float64: (a) => toFloat(a),
  atoi: (s) => {
    const n = Number.parseInt(str(s), 10);
    return Number.isNaN(n) ? 0 : n;
  },
  now: () => GoTime.now(),
  date: (layout, d) => dateInZone(layout, d, 'Local'),
  dateInZone: (layout, d, zone) => dateInZone(layout, d, zone),
  htmlDate: (d) => dateInZone('2006-01-02', d, 'Local'),
  htmlDateInZone: (d, zone) => dateInZone('2006-01-02', d, zone),
  unixEpoch: (t) => {
    if (!(t instanceof GoTime)) throw new Error('wrong type for value; expected time.Time');
    return String(t.Unix());
  },
  toDate: (layout, value) => toDate(layout, value),
  env: (name) => process.env[str(name)] ?? '',
  expandenv: (s) =>
    str(s).replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a?: string, b?: string) => process.env[a ?? b ?? ''] ?? ''),
  uuidv4: () => crypto.randomUUID(),
  kindOf: (v) => (Array.isArray(v) ? 'slice' : isMap(v) ? 'map' : goTypeOf(v).replace(/^\*.*/, 'ptr')),
  typeOf: (v) => goTypeOf(v),
};
