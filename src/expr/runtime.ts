// Generic run-time operations used by compiled expressions when static types are not known
// (expr.md §3): Go-like equality, ordering with type checks, arithmetic, `in`, member/index/slice
// access with nil checks, string operators, and predicate loops. Errors are thrown as RtError and
// wrapped into ExprRuntimeError by the compiled expression's run().

import { AnswerMemory, RecentValues } from './recent.js';
import { GuardedRegex, regexOf } from './regex.js';
import { GoTime, GoWeekday, GoMonth } from '../core/gotime.js';
import { isGoMapObject, isMapObject } from '../core/event.js';

import { RtError } from './errors.js';
import { errorMessage } from '../core/errors.js';

export { RtError };

const hasOwn = Object.prototype.hasOwnProperty;

/** map[string]string values created at run time (ParseKV): a missing key reads as "". */
export const strMaps = new WeakSet<object>();
/** Event / Line fields that are map[string]string (string maps, nothing inherited): reached through an `any` value
 *  (e.g. hubtest `results`), they still read missing keys as "". */
const STRMAP_FIELDS = new Set(['Parsed', 'Meta', 'Enriched', 'Labels']);
function markStrMap(v: unknown): void {
  if (v !== null && typeof v === 'object' && isGoMapObject(v)) strMaps.add(v);
}

export function typeOfValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'function':
      return 'func';
  }
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof GoTime) return 'time.Time';
  if (v instanceof GoWeekday) return 'time.Weekday';
  if (isMapObject(v as object)) return 'map[string]interface {}';
  return (v as object).constructor?.name ?? 'struct';
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof GoWeekday || v instanceof GoMonth) return v.n;
  return undefined;
}

export function eq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  const na = num(a);
  const nb = num(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && na === nb;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof GoTime) return b instanceof GoTime && a.compare(b) === 0;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!eq(a[i], b[i])) return false;
    return true;
  }
  if (isMapObject(a) && isMapObject(b as object)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    for (const k of ka)
      if (!hasOwn.call(b, k) || !eq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    return true;
  }
  return false;
}

function cmpErr(op: string, a: unknown, b: unknown): never {
  throw new RtError(`invalid operation: ${typeOfValue(a)} ${op} ${typeOfValue(b)}`);
}

function strCmp(a: string, b: string): number {
  // Go compares bytes; UTF-16 order only differs for astral vs U+E000..U+FFFF, handle via Buffer then.
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function cmp(op: string, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return strCmp(a, b);
  if (a instanceof GoTime && b instanceof GoTime) return a.compare(b);
  const na = num(a);
  const nb = num(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  return cmpErr(op, a, b);
}
export function lt(a: unknown, b: unknown): boolean {
  const c = cmp('<', a, b);
  return c < 0;
}
export function le(a: unknown, b: unknown): boolean {
  const c = cmp('<=', a, b);
  return c <= 0;
}
export function gt(a: unknown, b: unknown): boolean {
  const c = cmp('>', a, b);
  return c > 0;
}
export function ge(a: unknown, b: unknown): boolean {
  const c = cmp('>=', a, b);
  return c >= 0;
}
export function strLt(a: string, b: string): boolean {
  return strCmp(a, b) < 0;
}

export function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (a instanceof GoTime && typeof b === 'number') return a.Add(b);
  if (typeof a === 'number' && b instanceof GoTime) return b.Add(a);
  if (Array.isArray(a) && Array.isArray(b)) return a.concat(b);
  throw new RtError(`invalid operation: ${typeOfValue(a)} + ${typeOfValue(b)}`);
}
export function sub(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a instanceof GoTime && b instanceof GoTime) return a.Sub(b);
  if (a instanceof GoTime && typeof b === 'number') return a.Add(-b);
  throw new RtError(`invalid operation: ${typeOfValue(a)} - ${typeOfValue(b)}`);
}
function numOp(op: string, a: unknown, b: unknown): [number, number] {
  const na = num(a);
  const nb = num(b);
  if (na === undefined || nb === undefined)
    throw new RtError(`invalid operation: ${typeOfValue(a)} ${op} ${typeOfValue(b)}`);
  return [na, nb];
}
export function mul(a: unknown, b: unknown): number {
  const [x, y] = numOp('*', a, b);
  return x * y;
}
export function div(a: unknown, b: unknown): number {
  const [x, y] = numOp('/', a, b);
  return x / y;
}
export function mod(a: unknown, b: unknown): number {
  const [x, y] = numOp('%', a, b);
  if (!Number.isInteger(x) || !Number.isInteger(y))
    throw new RtError(`invalid operation: operator % not defined on float64`);
  if (y === 0) throw new RtError('integer divide by zero');
  return x % y;
}
export function imod(x: number, y: number): number {
  if (y === 0) throw new RtError('integer divide by zero');
  return x % y;
}
export function pow(a: unknown, b: unknown): number {
  const [x, y] = numOp('**', a, b);
  return Math.pow(x, y);
}
export function neg(a: unknown): number {
  const n = num(a);
  if (n === undefined) throw new RtError(`invalid operation: -${typeOfValue(a)}`);
  return -n;
}
export function pos(a: unknown): number {
  const n = num(a);
  if (n === undefined) throw new RtError(`invalid operation: +${typeOfValue(a)}`);
  return n;
}
export function not(a: unknown): boolean {
  if (typeof a !== 'boolean') throw new RtError(`invalid operation: !${typeOfValue(a)}`);
  return !a;
}
export function bool(a: unknown, op: string): boolean {
  if (typeof a !== 'boolean') throw new RtError(`invalid operation: ${op} on ${typeOfValue(a)} (non-bool)`);
  return a;
}
/** Bounds of one evaluation (issue 11 §5: hostile content cannot hang or exhaust memory): a range has at most
 *  MAX_RANGE elements; ranges and the arrays predicates walk (any, all, map...) charge their length to a
 *  budget of MAX_STEPS per evaluation, reset by the caller (src/expr/index.ts) before each run. */
export const MAX_RANGE = 1_000_000;
export const MAX_STEPS = 10_000_000;
export const budget = { left: MAX_STEPS };
function charge(n: number): void {
  if ((budget.left -= n) < 0)
    throw new RtError(`expression too costly: more than ${MAX_STEPS} elements walked in one evaluation`);
}

export function range(a: unknown, b: unknown): number[] {
  const x = num(a);
  const y = num(b);
  if (x === undefined || y === undefined || !Number.isInteger(x) || !Number.isInteger(y))
    throw new RtError(`invalid operation: ${typeOfValue(a)} .. ${typeOfValue(b)}`);
  if (y - x + 1 > MAX_RANGE) throw new RtError(`range ${x}..${y} has ${y - x + 1} elements, limit ${MAX_RANGE}`);
  charge(Math.max(0, y - x + 1));
  const out: number[] = [];
  for (let i = x; i <= y; i++) out.push(i);
  return out;
}

function strOperands(op: string, a: unknown, b: unknown): void {
  if (typeof a !== 'string' || typeof b !== 'string')
    throw new RtError(`invalid operation: ${typeOfValue(a)} ${op} ${typeOfValue(b)}`);
}
export function contains(a: unknown, b: unknown): boolean {
  strOperands('contains', a, b);
  return (a as string).includes(b as string);
}
export function startsWith(a: unknown, b: unknown): boolean {
  strOperands('startsWith', a, b);
  return (a as string).startsWith(b as string);
}
export function endsWith(a: unknown, b: unknown): boolean {
  strOperands('endsWith', a, b);
  return (a as string).endsWith(b as string);
}

export function matches(a: unknown, p: unknown): boolean {
  strOperands('matches', a, p);
  let re: GuardedRegex;
  try {
    re = regexOf(p as string);
  } catch (e) {
    throw new RtError(`error parsing regexp: ${errorMessage(e)}`);
  }
  return re.test(a as string);
}
export function matchesConst(re: GuardedRegex, a: unknown): boolean {
  if (typeof a !== 'string') throw new RtError(`invalid operation: ${typeOfValue(a)} matches string`);
  return re.test(a);
}

export function inOp(x: unknown, coll: unknown): boolean {
  if (coll === null || coll === undefined) return false;
  if (Array.isArray(coll)) {
    for (let i = 0; i < coll.length; i++) if (eq(x, coll[i])) return true;
    return false;
  }
  if (typeof coll === 'object') {
    if (typeof x !== 'string') {
      if (isMapObject(coll)) return false;
      throw new RtError(`cannot use ${typeOfValue(x)} as field name of ${typeOfValue(coll)}`);
    }
    if (isMapObject(coll)) return hasOwn.call(coll, x);
    return x in coll && typeof (coll as Record<string, unknown>)[x] !== 'function';
  }
  throw new RtError(`operator "in" not defined on ${typeOfValue(coll)}`);
}
export function hasKey(m: unknown, k: unknown): boolean {
  if (m === null || m === undefined) return false;
  return typeof k === 'string' && hasOwn.call(m, k);
}

/** map[string]any lookup: missing -> nil. */
export function mget(m: unknown, k: string): unknown {
  if (m === null || m === undefined) return null;
  return hasOwn.call(m, k) ? (m as Record<string, unknown>)[k] : strMaps.has(m as object) ? '' : null;
}

/** Generic `a.b` / `a["b"]` / `a[i]` on an unknown value. */
export function member(o: unknown, k: unknown): unknown {
  if (o === null || o === undefined) throw new RtError(`cannot fetch ${String(k)} from nil`);
  if (Array.isArray(o)) return index(o, k);
  if (typeof o === 'string') return index(o, k);
  if (typeof o !== 'object') throw new RtError(`cannot fetch ${String(k)} from ${typeOfValue(o)}`);
  if (typeof k !== 'string') {
    if (typeof k === 'number' && isMapObject(o)) return mget(o, String(k));
    throw new RtError(`cannot fetch ${typeOfValue(k)} from ${typeOfValue(o)}`);
  }
  if (isMapObject(o)) {
    if (!hasOwn.call(o, k)) return strMaps.has(o) ? '' : null;
    const pv = (o as Record<string, unknown>)[k];
    if (STRMAP_FIELDS.has(k)) markStrMap(pv);
    return pv;
  }
  const v = (o as Record<string, unknown>)[k];
  if (v === undefined && !(k in o)) throw new RtError(`cannot fetch ${k} from ${typeOfValue(o)}`);
  if (typeof v === 'function') throw new RtError(`cannot fetch ${k} from ${typeOfValue(o)}`);
  if (STRMAP_FIELDS.has(k)) markStrMap(v);
  return v ?? null;
}
export function memberOpt(o: unknown, k: unknown): unknown {
  if (o === null || o === undefined) return null;
  return member(o, k);
}

export function index(o: unknown, i: unknown): unknown {
  if (Array.isArray(o)) {
    if (typeof i !== 'number' || !Number.isInteger(i))
      throw new RtError(`cannot use ${typeOfValue(i)} as index to ${typeOfValue(o)}`);
    const j = i < 0 ? o.length + i : i;
    if (j < 0 || j >= o.length) throw new RtError(`index out of range: ${i} (array length is ${o.length})`);
    return o[j];
  }
  if (typeof o === 'string') {
    if (typeof i !== 'number' || !Number.isInteger(i))
      throw new RtError(`cannot use ${typeOfValue(i)} as index to string`);
    const b = isAscii(o) ? null : Buffer.from(o);
    const len = b ? b.length : o.length;
    const j = i < 0 ? len + i : i;
    if (j < 0 || j >= len) throw new RtError(`index out of range: ${i} (array length is ${len})`);
    return b ? b[j] : o.charCodeAt(j);
  }
  return member(o, i);
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
export function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}

export function slice(o: unknown, from: unknown, to: unknown): unknown {
  if (o === null || o === undefined) throw new RtError('cannot slice nil');
  let len: number;
  let buf: Buffer | null = null;
  if (Array.isArray(o)) len = o.length;
  else if (typeof o === 'string') {
    if (isAscii(o)) len = o.length;
    else {
      buf = Buffer.from(o);
      len = buf.length;
    }
  } else throw new RtError(`cannot slice ${typeOfValue(o)}`);
  let a = from === null || from === undefined ? 0 : (num(from) ?? badIdx(from));
  let b = to === null || to === undefined ? len : (num(to) ?? badIdx(to));
  if (a < 0) a += len;
  if (b < 0) b += len;
  if (a < 0) a = 0;
  if (b > len) b = len;
  if (a > b) a = b;
  if (Array.isArray(o)) return o.slice(a, b);
  if (buf) return buf.subarray(a, b).toString('utf8');
  return (o as string).slice(a, b);
}
function badIdx(v: unknown): never {
  throw new RtError(`invalid slice index: ${typeOfValue(v)}`);
}

/** Call a method on an unknown value. */
export function call(o: unknown, name: string, args: unknown[]): unknown {
  if (o === null || o === undefined) throw new RtError(`cannot call method ${name} on nil`);
  if (typeof o !== 'object') throw new RtError(`type ${typeOfValue(o)} has no method ${name}`);
  const f = (o as Record<string, unknown>)[name];
  if (typeof f !== 'function') return nilToNull(methodFallback(o as Record<string, unknown>, name, args));
  const r = (f as (...a: unknown[]) => unknown).apply(o, args);
  return r === undefined ? null : r;
}

/** len() of strings counts code points. */
export function lenStr(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      n--;
      i++;
    }
  }
  return n;
}
export function len(v: unknown): number {
  if (typeof v === 'string') return lenStr(v);
  if (Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object' && isMapObject(v)) return Object.keys(v).length;
  throw new RtError(`invalid argument for len (type ${typeOfValue(v)})`);
}

export function arrayOf(v: unknown, fn: string): unknown[] {
  if (Array.isArray(v)) {
    charge(v.length);
    return v;
  }
  if (v === null || v === undefined) return [];
  throw new RtError(`${fn}: cannot iterate over ${typeOfValue(v)}`);
}
export function truthy(v: unknown): boolean {
  return v !== null && v !== undefined && v !== false;
}
export function nilToNull(v: unknown): unknown {
  return v === undefined ? null : v;
}
export function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new RtError(`${what}: expected string, got ${typeOfValue(v)}`);
  return v;
}

// ---- predicate builtins (closures are created once per compiled expression) ----
type Pred = (el: unknown, i: number) => unknown;
export function p_all(a: unknown, f: Pred): boolean {
  const x = arrayOf(a, 'all');
  for (let i = 0; i < x.length; i++) if (f(x[i], i) !== true) return false;
  return true;
}
export function p_none(a: unknown, f: Pred): boolean {
  const x = arrayOf(a, 'none');
  for (let i = 0; i < x.length; i++) if (f(x[i], i) === true) return false;
  return true;
}
export function p_any(a: unknown, f: Pred): boolean {
  const x = arrayOf(a, 'any');
  for (let i = 0; i < x.length; i++) if (f(x[i], i) === true) return true;
  return false;
}
export function p_one(a: unknown, f: Pred): boolean {
  const x = arrayOf(a, 'one');
  let c = 0;
  for (let i = 0; i < x.length; i++) if (f(x[i], i) === true && ++c > 1) return false;
  return c === 1;
}
export function p_filter(a: unknown, f: Pred): unknown[] {
  const x = arrayOf(a, 'filter');
  const out: unknown[] = [];
  for (let i = 0; i < x.length; i++) if (f(x[i], i) === true) out.push(x[i]);
  return out;
}
export function p_map(a: unknown, f: Pred): unknown[] {
  const x = arrayOf(a, 'map');
  const out = new Array<unknown>(x.length);
  for (let i = 0; i < x.length; i++) out[i] = nilToNull(f(x[i], i));
  return out;
}
export function p_find(a: unknown, f: Pred): unknown {
  const x = arrayOf(a, 'find');
  for (let i = 0; i < x.length; i++) if (f(x[i], i) === true) return x[i];
  return null;
}
export function p_findIndex(a: unknown, f: Pred): number {
  const x = arrayOf(a, 'findIndex');
  for (let i = 0; i < x.length; i++) if (f(x[i], i) === true) return i;
  return -1;
}
export function p_findLast(a: unknown, f: Pred): unknown {
  const x = arrayOf(a, 'findLast');
  for (let i = x.length - 1; i >= 0; i--) if (f(x[i], i) === true) return x[i];
  return null;
}
export function p_findLastIndex(a: unknown, f: Pred): number {
  const x = arrayOf(a, 'findLastIndex');
  for (let i = x.length - 1; i >= 0; i--) if (f(x[i], i) === true) return i;
  return -1;
}
export function p_count(a: unknown, f: Pred | null): number {
  const x = arrayOf(a, 'count');
  let c = 0;
  for (let i = 0; i < x.length; i++) if ((f ? f(x[i], i) : x[i]) === true) c++;
  return c;
}
export function p_sum(a: unknown, f: Pred | null): number {
  const x = arrayOf(a, 'sum');
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = f ? f(x[i], i) : x[i];
    if (typeof v !== 'number') throw new RtError(`sum: invalid type ${typeOfValue(v)}`);
    s += v;
  }
  return s;
}
export function p_groupBy(a: unknown, f: Pred): Record<string, unknown[]> {
  const x = arrayOf(a, 'groupBy');
  const out: Record<string, unknown[]> = {};
  for (let i = 0; i < x.length; i++) {
    const k = String(nilToNull(f(x[i], i)));
    (hasOwn.call(out, k) ? out[k]! : (out[k] = [])).push(x[i]);
  }
  return out;
}
export function p_sortBy(a: unknown, f: Pred, order: unknown = 'asc'): unknown[] {
  if (order !== 'asc' && order !== 'desc') throw new RtError(`unknown order ${String(order)}, use asc or desc`);
  const x = arrayOf(a, 'sortBy');
  const keyed = x.map((el, i) => ({ el, k: f(el, i) }));
  keyed.sort((p, q) => cmp('<', p.k, q.k));
  if (order === 'desc') keyed.reverse();
  return keyed.map((e) => e.el);
}
export function p_reduce(
  a: unknown,
  f: (el: unknown, i: number, acc: unknown) => unknown,
  hasInit: boolean,
  init?: unknown,
): unknown {
  const x = arrayOf(a, 'reduce');
  let acc: unknown;
  let start = 0;
  if (hasInit) acc = init;
  else {
    if (x.length === 0) throw new RtError('reduce of empty array with no initial value');
    acc = x[0];
    start = 1;
  }
  for (let i = start; i < x.length; i++) acc = f(x[i], i, acc);
  return nilToNull(acc);
}
export function sget(m: unknown, k: unknown): string {
  if (m === null || m === undefined) return '';
  if (typeof k === 'string' && hasOwn.call(m, k)) {
    const v = (m as Record<string, unknown>)[k];
    return typeof v === 'string' ? v : '';
  }
  return '';
}
export function callOpt(o: unknown, name: string, args: unknown[]): unknown {
  if (o === null || o === undefined) return null;
  return call(o, name, args);
}
/** len() of a statically typed slice: a nil slice has length 0. */
export function lenArr(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (v === null || v === undefined) return 0;
  return len(v);
}

// ---- Go method calls on schema structs. Objects normally carry the methods (src/core/event.ts); plain
// objects (e.g. an Alert decoded from JSON) get Go-like fallbacks for the getters. ----
function methodFallback(o: Record<string, unknown>, name: string, args: unknown[]): unknown {
  if (name === 'GetMeta' && args.length === 1) {
    const meta = o.Meta;
    if (Array.isArray(meta)) {
      for (const m of meta as { Key?: unknown; Value?: unknown }[]) if (m && m.Key === args[0]) return m.Value ?? '';
      if (Array.isArray(o.Events)) {
        for (const e of o.Events as Record<string, unknown>[]) {
          const v = methodFallback(e, 'GetMeta', args);
          if (v !== '') return v;
        }
      }
      return '';
    }
    if (meta && typeof meta === 'object') return (meta as Record<string, unknown>)[args[0] as string] ?? '';
    return '';
  }
  if (name === 'GetSources' && o.Sources && typeof o.Sources === 'object') return Object.keys(o.Sources);
  if (name === 'GetQueue' && 'Queue' in o) return o.Queue;
  if (name.startsWith('Get') && args.length === 0) {
    const field = name.slice(3);
    if (field in o) return o[field] ?? null;
    if ((field === 'Scope' || field === 'Value') && 'Source' in o) {
      const src = o.Source as Record<string, unknown> | null;
      if (src === null || src === undefined) throw new RtError('invalid memory address or nil pointer dereference');
      return src[field] ?? '';
    }
  }
  throw new RtError(`type ${typeOfValue(o)} has no method ${name}`);
}
export function m0(o: unknown, name: string): unknown {
  if (o === null || o === undefined) throw new RtError(`cannot call method ${name} on nil`);
  const f = (o as Record<string, unknown>)[name];
  return typeof f === 'function'
    ? (f as () => unknown).call(o)
    : methodFallback(o as Record<string, unknown>, name, []);
}
export function m1(o: unknown, name: string, a: unknown): unknown {
  if (o === null || o === undefined) throw new RtError(`cannot call method ${name} on nil`);
  const f = (o as Record<string, unknown>)[name];
  return typeof f === 'function'
    ? (f as (x: unknown) => unknown).call(o, a)
    : methodFallback(o as Record<string, unknown>, name, [a]);
}
export function mN(o: unknown, name: string, args: unknown[]): unknown {
  if (o === null || o === undefined) throw new RtError(`cannot call method ${name} on nil`);
  const f = (o as Record<string, unknown>)[name];
  return typeof f === 'function'
    ? (f as (...x: unknown[]) => unknown).apply(o, args)
    : methodFallback(o as Record<string, unknown>, name, args);
}

/** Go strings.ToUpper / ToLower: per-rune simple case mapping (no 'ß' -> "SS" expansion). */
/** f(arr[i]) cached per element while `slot` sees the same (immutable) array: Upper(#) over a data file. */
export function elemMemo(
  slot: { src: unknown; vals: unknown[] },
  arr: unknown,
  i: number,
  f: (s: string) => string,
): string {
  if (slot.src !== arr) {
    slot.src = arr;
    slot.vals = [];
  }
  let v = slot.vals[i] as string | undefined;
  if (v === undefined) {
    const x = (arr as unknown[])[i];
    if (typeof x !== 'string') return f(x as string);
    v = f(x);
    slot.vals[i] = v;
  }
  return v;
}
/**
 * `any(File(f), {x op E(#)})` (compile.ts anyOverFile): op 0 ==, 1 contains, 2 startsWith, 3 endsWith; E = f
 * (upper/lower) or the line itself. The transformed lines (and for == a Set of them) are kept per file array.
 */
export interface AnyStrSlot {
  src: unknown;
  vals: string[];
  set: Set<string> | null;
  seen: AnswerMemory | null;
}
export function anyStrOp(
  slot: AnyStrSlot,
  arr: string[],
  op: number,
  f: ((s: string) => string) | null,
  x: string,
): boolean {
  if (slot.src !== arr) {
    slot.src = arr;
    slot.vals = f === null ? arr : arr.map(f);
    slot.set = null;
    slot.seen = null;
  }
  const v = slot.vals;
  if (op === 0) {
    if (slot.set === null) slot.set = new Set(v);
    return slot.set.has(x);
  }
  // a long list: answers remembered per subject (the same user agents and paths come back line after line)
  const remember = v.length >= SEEN_MIN_LIST;
  if (remember) {
    const known = slot.seen?.get(x);
    if (known !== undefined) return known;
  }
  let hit = false;
  if (op === 1) {
    for (let i = 0; i < v.length; i++)
      if (x.includes(v[i]!)) {
        hit = true;
        break;
      }
  } else if (op === 2) {
    for (let i = 0; i < v.length; i++)
      if (x.startsWith(v[i]!)) {
        hit = true;
        break;
      }
  } else {
    for (let i = 0; i < v.length; i++)
      if (x.endsWith(v[i]!)) {
        hit = true;
        break;
      }
  }
  if (remember) (slot.seen ??= new AnswerMemory(SEEN_MAX)).set(x, hit);
  return hit;
}
const SEEN_MIN_LIST = 8,
  SEEN_MAX = 4096;

// Remembered answers (recent.ts): most of the hub's http scenarios upper-case the same few fields of an event.
const upperRecent = new RecentValues(upperOf);
const lowerRecent = new RecentValues(lowerOf);
export function upper(s: string): string {
  return upperRecent.get(s);
}
export function lower(s: string): string {
  return lowerRecent.get(s);
}
function upperOf(s: string): string {
  const u = s.toUpperCase();
  if (u.length === s.length) return u;
  let out = '';
  for (const ch of s) {
    const x = ch.toUpperCase();
    out += x.length === ch.length ? x : ch;
  }
  return out;
}
function lowerOf(s: string): string {
  const l = s.toLowerCase();
  if (l.length === s.length) return l;
  let out = '';
  for (const ch of s) {
    const x = ch.toLowerCase();
    out += x.length === ch.length ? x : String.fromCodePoint(x.codePointAt(0)!);
  }
  return out;
}
