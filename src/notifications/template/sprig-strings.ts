// Sprig (github.com/Masterminds/sprig/v3) string, regexp and encoding functions as CrowdSec's notification
// templates call them: argument order as Sprig's (`replace OLD NEW S`, `substr START END S`, `splitList SEP S`,
// `join SEP LIST` ...), Go's typed-argument errors for functions taking a `string`, `strval` for the ones
// taking `interface{}`. Owns strval and these functions; regular expressions run on RE2 (the `re2` package).

import crypto from 'node:crypto';
import RE2 from 're2';
import type { TemplateFunc } from './exec.js';
import { goTypeOf, printValue } from './values.js';

/** A `string` parameter: Go's text/template refuses other types. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  throw new Error(`wrong type for value; expected string; got ${goTypeOf(v)}`);
}

/** A Go `int` parameter (numbers only; fractional values refused as Go's conversion would). */
export function int(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new Error(`wrong type for value; expected int; got ${goTypeOf(v)}`);
}

/** Sprig's strval: strings as is, nil as "", the rest through fmt %v. */
export function strval(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return v === null ? '<nil>' : '';
  if (Buffer.isBuffer(v)) return v.toString();
  if (v instanceof Error) return v.message;
  return printValue(v);
}

/** Sprig's strslice: a list of strval, nil elements dropped. */
export function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

function re(pattern: string): RE2 {
  try {
    return new RE2(pattern, 'u');
  } catch (e) {
    throw new Error(`error parsing regexp: ${(e as Error).message}`, { cause: e });
  }
}

function re2g(pattern: string): RE2 {
  try {
    return new RE2(pattern, 'gu');
  } catch (e) {
    throw new Error(`error parsing regexp: ${(e as Error).message}`, { cause: e });
  }
}

/** Go regexp replacement template ($1, ${name}) -> JS replacement ($1, $<name>). */
function goRepl(repl: string): string {
  return (
    repl
      .replace(/\$\$/g, '\u0000')
      .replace(/\$\{(\w+)\}/g, (_m, n: string) => (/^\d+$/.test(n) ? `$${n}` : `$<${n}>`))
      // eslint-disable-next-line no-control-regex -- NUL stood for an escaped `$$` while the groups were rewritten
      .replace(/\u0000/g, '$$$$')
  );
}

function runes(s: string): string[] {
  return [...s];
}

function substr(start: unknown, end: unknown, s: unknown): string {
  const text = str(s);
  const a = int(start);
  const b = int(end);
  if (a < 0) return text.slice(0, b);
  if (b < 0 || b > text.length) return text.slice(a);
  return text.slice(a, b);
}

function trunc(n: unknown, s: unknown): string {
  const c = int(n);
  const text = str(s);
  if (c < 0 && text.length + c > 0) return text.slice(text.length + c);
  if (c >= 0 && text.length > c) return text.slice(0, c);
  return text;
}

function indent(n: unknown, s: unknown): string {
  const pad = ' '.repeat(int(n));
  return pad + str(s).replace(/\n/g, '\n' + pad);
}

function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase());
}

function splitMap(sep: unknown, s: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  str(s)
    .split(str(sep))
    .forEach((p, i) => {
      out[`_${i}`] = p;
    });
  return out;
}

function cutset(set: string): RegExp {
  return new RegExp(`[${set.replace(/[\\\]^-]/g, '\\$&')}]`, 'u');
}

function trimAll(set: unknown, s: unknown): string {
  const cs = str(set);
  const text = runes(str(s));
  if (cs === '') return text.join('');
  const r = cutset(cs);
  let a = 0,
    b = text.length;
  while (a < b && r.test(text[a]!)) a++;
  while (b > a && r.test(text[b - 1]!)) b--;
  return text.slice(a, b).join('');
}

export const SPRIG_STRINGS: Record<string, TemplateFunc> = {
  toString: (v: unknown) => strval(v),
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  title: (s) => title(str(s)),
  untitle: (s: unknown) => str(s).replace(/(^|\s)(\p{L})/gu, (_m, a: string, b: string) => a + b.toLowerCase()),
  trim: (s) => str(s).replace(/^\s+|\s+$/gu, ''),
  trimAll: (set, s) => trimAll(set, s),
  trimPrefix: (p, s) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
  trimSuffix: (p, s) => (str(p) !== '' && str(s).endsWith(str(p)) ? str(s).slice(0, -str(p).length) : str(s)),
  trunc: (n, s) => trunc(n, s),
  substr: (a, b, s) => substr(a, b, s),
  repeat: (n, s) => str(s).repeat(Math.max(0, int(n))),
  replace: (o, n, s) => str(s).split(str(o)).join(str(n)),
  contains: (sub, s) => str(s).includes(str(sub)),
  hasPrefix: (p, s) => str(s).startsWith(str(p)),
  hasSuffix: (p, s) => str(s).endsWith(str(p)),
  nospace: (s) => str(s).replace(/\s/gu, ''),
  indent: (n, s) => indent(n, s),
  nindent: (n, s) => '\n' + indent(n, s),
  abbrev: (w, s) => {
    const n = int(w);
    const t = str(s);
    return n < 4 || t.length <= n ? t : t.slice(0, n - 3) + '...';
  },
  quote: (...a) =>
    a
      .filter((x) => x !== null && x !== undefined)
      .map((x) => JSON.stringify(strval(x)))
      .join(' '),
  squote: (...a) =>
    a
      .filter((x) => x !== null && x !== undefined)
      .map((x) => `'${strval(x)}'`)
      .join(' '),
  cat: (...a) =>
    a
      .filter((x) => x !== null && x !== undefined)
      .map(strval)
      .join(' '),
  join: (sep, v) => strslice(v).join(str(sep)),
  splitList: (sep, s) => str(s).split(str(sep)),
  split: (sep, s) => splitMap(sep, s),
  plural: (one, many, n) => (int(n) === 1 ? str(one) : str(many)),
  regexMatch: (r, s) => re(str(r)).test(str(s)),
  regexFind: (r, s) => re(str(r)).exec(str(s))?.[0] ?? '',
  regexFindAll: (r, s, n) => {
    const all = str(s).match(re2g(str(r))) ?? [];
    return int(n) < 0 ? all : all.slice(0, int(n));
  },
  regexReplaceAll: (r, s, repl) => str(s).replace(re2g(str(r)), goRepl(str(repl))),
  regexReplaceAllLiteral: (r, s, repl) => str(s).replace(re2g(str(r)), () => str(repl)),
  regexSplit: (r, s, n) => {
    const p = str(s).split(re2g(str(r)));
    return int(n) < 0 ? p : p.slice(0, int(n));
  },
  b64enc: (s) => Buffer.from(str(s)).toString('base64'),
  b64dec: (s) => Buffer.from(str(s), 'base64').toString(),
  sha1sum: (s) => crypto.createHash('sha1').update(str(s)).digest('hex'),
  sha256sum: (s) => crypto.createHash('sha256').update(str(s)).digest('hex'),
};
