// CrowdSec URL helpers (Go net/url escaping and query parsing): QueryUnescape, PathUnescape, QueryEscape, PathEscape,
// ParseUri, ParseQuery, ExtractQueryParam.
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { RecentValues } from '../recent.js';
import { STRING, arr, map } from '../schema.js';
import { s, type FnDef } from './args.js';

export const queryUnescape = new RecentValues((x) => unescapeURL(x, true) ?? x);

export const pathUnescape = new RecentValues((x) => unescapeURL(x, false) ?? x);

/** Go's url.QueryUnescape (query) / url.PathUnescape: null on a malformed escape. Most inputs have no '%':
 *  returned as is. */
export function unescapeURL(str: string, query: boolean): string | null {
  if (str.indexOf('%') < 0) return query && str.indexOf('+') >= 0 ? str.replaceAll('+', ' ') : str;
  const src = Buffer.from(str);
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === 0x25) {
      if (i + 2 >= src.length) return null;
      const h = hexDigit(src[i + 1]!),
        l = hexDigit(src[i + 2]!);
      if (h < 0 || l < 0) return null;
      out[n++] = h * 16 + l;
      i += 2;
    } else out[n++] = c === 0x2b && query ? 0x20 : c;
  }
  return out.toString('utf8', 0, n);
}

export function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

export function escapeURL(str: string, query: boolean): string {
  let out = '';
  for (const b of Buffer.from(str)) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (!query && /[$&+:=@]/.test(ch)) out += ch;
    else if (query && b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function parseQuery(q: string): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const part of q.split('&')) {
    if (part === '') continue;
    const eqi = part.indexOf('=');
    const k = eqi < 0 ? part : part.slice(0, eqi);
    const v = eqi < 0 ? '' : part.slice(eqi + 1);
    const kk = unescapeURL(k, true) ?? k;
    const vv = unescapeURL(v, true) ?? v;
    (out[kk] ??= []).push(vv);
  }
  return out;
}

export function uriQuery(uri: string): string {
  const i = uri.indexOf('?');
  if (i < 0) return '';
  const h = uri.indexOf('#', i);
  return uri.slice(i + 1, h < 0 ? undefined : h);
}

export const URL_FUNCTIONS: Record<string, FnDef> = {
  QueryUnescape: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => queryUnescape.get(s(v, 'QueryUnescape')) },
  PathUnescape: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => pathUnescape.get(s(v, 'PathUnescape')) },
  QueryEscape: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => escapeURL(s(v, 'QueryEscape'), true) },
  PathEscape: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => escapeURL(s(v, 'PathEscape'), false) },
  ParseUri: { min: 1, max: 1, ret: map(arr(STRING)), fn: (v: unknown) => parseQuery(uriQuery(s(v, 'ParseUri'))) },
  ParseQuery: { min: 1, max: 1, ret: map(arr(STRING)), fn: (v: unknown) => parseQuery(s(v, 'ParseQuery')) },
  ExtractQueryParam: {
    min: 2,
    max: 2,
    ret: arr(STRING),
    fn: (v: unknown, k: unknown) => parseQuery(uriQuery(s(v, 'ExtractQueryParam')))[s(k, 'ExtractQueryParam', 1)] ?? [],
  },
};
