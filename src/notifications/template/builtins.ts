// The predefined functions of Go's text/template (except the lazy `and` / `or`, which the executor runs):
// not, len, index, slice, print, printf, println, html, js, urlquery, call, eq, ne, lt, le, gt, ge.
// Owns their Go semantics on the values of values.ts (errors as Go words them).

import { sprintf } from '../../expr/sprintf.js';
import type { TemplateFunc } from './exec.js';
import { goSprint, goSprintln, goTypeOf, isMap, truth } from './values.js';

function lenOf(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  if (v === null || v === undefined) throw new Error('len of nil pointer');
  throw new Error(`len of type ${goTypeOf(v)}`);
}

function intArg(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new Error(`cannot index slice/array with type ${goTypeOf(v)}`);
  if (v < 0) throw new Error(`${what} out of range: ${v}`);
  return v;
}

function indexOne(item: unknown, key: unknown): unknown {
  if (Array.isArray(item) || typeof item === 'string') {
    const i = intArg(key, 'index');
    const n = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
    if (i >= n) throw new Error(`index out of range: ${i}`);
    return typeof item === 'string' ? Buffer.from(item)[i] : item[i];
  }
  if (isMap(item)) {
    if (typeof key !== 'string') throw new Error(`value has type ${goTypeOf(key)}; should be string`);
    return Object.prototype.hasOwnProperty.call(item, key) ? item[key] : undefined;
  }
  if (item === null || item === undefined) throw new Error('index of untyped nil');
  throw new Error(`can't index item of type ${goTypeOf(item)}`);
}

function slice(item: unknown, ...idx: unknown[]): unknown {
  if (typeof item !== 'string' && !Array.isArray(item)) throw new Error(`can't slice item of type ${goTypeOf(item)}`);
  if (idx.length > 3 || (typeof item === 'string' && idx.length > 2)) throw new Error('too many slice indexes');
  const len = typeof item === 'string' ? item.length : item.length;
  const i = idx.map((x) => intArg(x, 'slice index'));
  const lo = i[0] ?? 0,
    hi = i[1] ?? len;
  if (lo > hi || hi > len) throw new Error(`invalid slice index: ${lo} > ${hi}`);
  return item.slice(lo, hi);
}

type Cmp = 'bool' | 'number' | 'string' | 'nil';

function basic(v: unknown): Cmp | null {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return null;
}

function eq(a: unknown, ...bs: unknown[]): boolean {
  if (bs.length === 0) throw new Error('missing argument for comparison');
  const ka = basic(a);
  for (const b of bs) {
    const kb = basic(b);
    if (ka === null || kb === null) {
      if (a === b) return true;
      throw new Error(`incompatible types for comparison: ${goTypeOf(a)} and ${goTypeOf(b)}`);
    }
    if (ka === 'nil' || kb === 'nil') {
      if (ka === kb) return true;
      continue;
    }
    if (ka !== kb) throw new Error('incompatible types for comparison');
    if (a === b) return true;
  }
  return false;
}

function less(a: unknown, b: unknown): boolean {
  const ka = basic(a),
    kb = basic(b);
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (ka !== 'number' && ka !== 'string') throw new Error(`invalid type for comparison`);
  return (a as number | string) < (b as number | string);
}

const HTML: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&#39;',
  '"': '&#34;',
  '\0': '\uFFFD',
};

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<' || ch === '>' || ch === '&' || ch === '=' || c < 0x20)
      out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}

/** url.QueryEscape */
export function queryEscape(s: string): string {
  return [...Buffer.from(s)]
    .map((b) => {
      const ch = String.fromCharCode(b);
      if (/[A-Za-z0-9\-_.~]/.test(ch)) return ch;
      if (ch === ' ') return '+';
      return '%' + b.toString(16).toUpperCase().padStart(2, '0');
    })
    .join('');
}

function kinds(args: unknown[]): (string | undefined)[] {
  return args.map((a) => (typeof a === 'number' && Number.isInteger(a) ? 'int' : undefined));
}

export const BUILTINS: Record<string, TemplateFunc> = {
  not: (v) => !truth(v),
  len: (v) => lenOf(v),
  index: (item, ...keys) => keys.reduce((cur, k) => indexOne(cur, k), item),
  slice: (item, ...idx) => slice(item, ...idx),
  print: (...a) => goSprint(a),
  println: (...a) => goSprintln(a),
  printf: (format, ...a) => {
    if (typeof format !== 'string') throw new Error(`wrong type for value; expected string; got ${goTypeOf(format)}`);
    return sprintf(kinds(a), format, a);
  },
  html: (...a) => goSprint(a).replace(/[<>&'"\0]/g, (c) => HTML[c]!),
  js: (...a) => jsEscape(goSprint(a)),
  urlquery: (...a) => queryEscape(goSprint(a)),
  call: (fn, ...a) => {
    if (typeof fn !== 'function') throw new Error(`non-function of type ${goTypeOf(fn)}`);
    return (fn as TemplateFunc)(...a);
  },
  eq: (a, ...b) => eq(a, ...b),
  ne: (a, b) => !eq(a, b),
  lt: (a, b) => less(a, b),
  le: (a, b) => less(a, b) || eq(a, b),
  gt: (a, b) => !less(a, b) && !eq(a, b),
  ge: (a, b) => !less(a, b),
};
