// Function table for expressions: expr-lang builtins (expr.md §4, the non-predicate ones; predicate
// builtins are generated inline by the compiler) and CrowdSec helpers (expr.md §5).
// Owns: signatures (arity + static result type) and implementations. Helpers that fail in Go with an
// error throw RtError; helpers that log and return a neutral value do so here.

import { RecentValues } from './recent.js';
import { hostname } from 'node:os';
import { GoTime, parseGoDuration } from '../core/gotime.js';
import { parseGoLayout, formatGoLayout } from '../core/golayout.js';
import { ANY, BOOL, DURATION, FLOAT, INT, STRING, TIME, arr, map, type T } from './schema.js';
import { RtError, eq, cmp, lenStr, typeOfValue, isAscii, strMaps, upper as goUpper, lower as goLower } from './runtime.js';
import { sprintf, formatValue } from './sprintf.js';
import { stringFiles, mapFiles, botFiles, matchRegexpFile } from './datafiles.js';
import { stashGet, stashSet, stashExists } from './stash.js';
import { exprHooks, hookLog } from './hooks.js';
import { parseIP, parseCIDR, cidrContains, maskIP, formatIP } from '../net/ipvalue.js';
import { parseXml, findElements } from './xml.js';
import { isMapObject } from '../core/event.js';

export interface FnDef {
  min: number;
  max: number;
  ret: T | ((args: T[]) => T);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fn: (...a: any[]) => unknown;
  /** the compiler passes the static kinds of the arguments as first parameter */
  kinds?: boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;
const INF = Infinity;


function s(v: unknown, fn: string, i = 0): string {
  if (typeof v === 'string') return v;
  throw new RtError(`${fn}: argument ${i + 1} must be a string, got ${typeOfValue(v)}`);
}
function n(v: unknown, fn: string): number {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && typeof (v as { valueOf(): unknown }).valueOf() === 'number') return (v as { valueOf(): number }).valueOf();
  throw new RtError(`${fn}: argument must be a number, got ${typeOfValue(v)}`);
}
function a(v: unknown, fn: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  throw new RtError(`${fn}: argument must be an array, got ${typeOfValue(v)}`);
}
function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && isMapObject(v);
}
function elemOf(t: T | undefined): T { return t && t.k === 'array' ? t.elem : ANY; }
function sameAs(i: number) { return (args: T[]): T => args[i] ?? ANY; }
function numRet(args: T[]): T { return args.length > 0 && args.every((t) => t.k === 'int') ? INT : args.some((t) => t.k === 'any') ? ANY : FLOAT; }

// ---------- Go strings helpers ----------
function goSplit(str: string, sep: string, n: number, after: boolean): string[] {
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
function byteIndex(str: string, i: number): number {
  if (i <= 0 || isAscii(str)) return i;
  return Buffer.byteLength(str.slice(0, i));
}
function runeIndex(str: string, i: number): number { return i < 0 ? -1 : lenStr(str.slice(0, i)); }
function cutsetTrim(str: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set([...cutset]);
  const chars = [...str];
  let b = 0; let e = chars.length;
  if (left) while (b < e && set.has(chars[b]!)) b++;
  if (right) while (e > b && set.has(chars[e - 1]!)) e--;
  return chars.slice(b, e).join('');
}
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
function goTrimSpace(str: string): string { return str.replace(GO_SPACE, ''); }
function goFields(str: string): string[] {
  return str.split(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/).filter((x) => x !== '');
}
function goReplace(str: string, old: string, nw: string, cnt: number): string {
  if (cnt < 0) {
    if (old === '') return goReplace(str, old, nw, [...str].length + 1);
    return str.split(old).join(nw);
  }
  let out = ''; let rest = str; let done = 0;
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

// ---------- URL ----------
const queryUnescape = new RecentValues((x) => unescapeURL(x, true) ?? x);
const pathUnescape = new RecentValues((x) => unescapeURL(x, false) ?? x);

/** Go's url.QueryUnescape (query) / url.PathUnescape: null on a malformed escape. Most inputs have no '%': returned as is. */
function unescapeURL(str: string, query: boolean): string | null {
  if (str.indexOf('%') < 0) return query && str.indexOf('+') >= 0 ? str.replaceAll('+', ' ') : str;
  const src = Buffer.from(str);
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === 0x25) {
      if (i + 2 >= src.length) return null;
      const h = hexDigit(src[i + 1]!), l = hexDigit(src[i + 2]!);
      if (h < 0 || l < 0) return null;
      out[n++] = h * 16 + l; i += 2;
    } else out[n++] = c === 0x2b && query ? 0x20 : c;
  }
  return out.toString('utf8', 0, n);
}
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
function escapeURL(str: string, query: boolean): string {
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
function parseQuery(q: string): Record<string, string[]> {
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
function uriQuery(uri: string): string {
  const i = uri.indexOf('?');
  if (i < 0) return '';
  const h = uri.indexOf('#', i);
  return uri.slice(i + 1, h < 0 ? undefined : h);
}

// ---------- JSON ----------
/** Skip whitespace. */
function ws(t: string, i: number): number { while (i < t.length && (t[i] === ' ' || t[i] === '\n' || t[i] === '\r' || t[i] === '\t')) i++; return i; }
function skipString(t: string, i: number): number {
  i++;
  while (i < t.length) { if (t[i] === '\\') i += 2; else if (t[i] === '"') return i + 1; else i++; }
  throw new Error('unterminated string');
}
function skipValue(t: string, i: number): number {
  i = ws(t, i);
  const c = t[i];
  if (c === '"') return skipString(t, i);
  if (c === '{' || c === '[') {
    const close = c === '{' ? '}' : ']';
    i = ws(t, i + 1);
    if (t[i] === close) return i + 1;
    for (;;) {
      if (c === '{') { i = ws(t, i); if (t[i] !== '"') throw new Error('bad key'); i = ws(t, skipString(t, i)); if (t[i] !== ':') throw new Error('expected :'); i++; }
      i = ws(t, skipValue(t, i));
      if (t[i] === ',') { i++; continue; }
      if (t[i] === close) return i + 1;
      throw new Error('bad json');
    }
  }
  const m = /^(?:-?[0-9][0-9.eE+-]*|true|false|null)/.exec(t.slice(i, i + 64));
  if (!m) {
    // long numbers
    let j = i; while (j < t.length && /[-0-9.eE+]/.test(t[j]!)) j++;
    if (j === i) throw new Error('bad value');
    return j;
  }
  if (m[0].length === 64 || /[0-9.eE+-]/.test(t[i + m[0].length] ?? '')) { let j = i; while (j < t.length && /[-0-9.eE+]/.test(t[j]!)) j++; return j; }
  return i + m[0].length;
}
/** jsonparser.Get: raw span [start, end) of the value at path, or null. */
function jsonGet(t: string, path: string[]): [number, number] | null {
  try {
    let i = ws(t, 0);
    for (const key of path) {
      const am = /^\[(\d+)\]$/.exec(key);
      if (am && t[i] === '[') {
        const want = Number(am[1]);
        i = ws(t, i + 1);
        if (t[i] === ']') return null;
        for (let k = 0; ; k++) {
          if (k === want) break;
          i = ws(t, skipValue(t, i));
          if (t[i] !== ',') return null;
          i = ws(t, i + 1);
        }
        continue;
      }
      if (t[i] !== '{') return null;
      i = ws(t, i + 1);
      if (t[i] === '}') return null;
      let found = false;
      for (;;) {
        const ke = skipString(t, i);
        const k = JSON.parse(t.slice(i, ke)) as string;
        i = ws(t, ke);
        if (t[i] !== ':') return null;
        i = ws(t, i + 1);
        if (k === key) { found = true; break; }
        i = ws(t, skipValue(t, i));
        if (t[i] === ',') { i = ws(t, i + 1); continue; }
        return null;
      }
      if (!found) return null;
    }
    const end = skipValue(t, i);
    return [i, end];
  } catch { return null; }
}
/** CrowdSec JsonExtract path: split on '.', `name[n]` -> name, [n]. */
function dotPath(p: string): string[] {
  const out: string[] = [];
  for (const part of p.split('.')) {
    const m = /^(.*?)((?:\[\d+\])+)$/.exec(part);
    if (m) { if (m[1]) out.push(m[1]); for (const x of m[2]!.matchAll(/\[\d+\]/g)) out.push(x[0]); } else out.push(part);
  }
  return out;
}
function jsonRaw(t: string, path: string[]): string | null {
  const span = jsonGet(t, path);
  if (!span) return null;
  let [b, e] = span;
  if (t[b] === '"') { b++; e--; }
  return t.slice(b, e);
}

function goJSONString(str: string): string {
  return JSON.stringify(str).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
/** Go encoding/json (sorted map keys, HTML escaping). */
export function goJSON(v: unknown, indent = '', cur = ''): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return goJSONString(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new RtError(`json: unsupported value: ${v}`);
      return Math.abs(v) >= 1e21 || (v !== 0 && Math.abs(v) < 1e-6) ? v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2') : String(v);
  }
  if (v instanceof GoTime) return goJSONString(v.toRFC3339Nano());
  if (v instanceof Error) return '{}';
  const nl = indent ? '\n' : ''; const inner = cur + indent; const sep = indent ? ': ' : ':';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + nl + v.map((x) => inner + goJSON(x, indent, inner)).join(',' + nl) + nl + cur + ']';
  }
  const o = v as Record<string, unknown>;
  let keys = Object.keys(o).filter((k) => typeof o[k] !== 'function');
  if (isMap(v)) keys = keys.sort();
  if (keys.length === 0) return '{}';
  return '{' + nl + keys.map((k) => inner + goJSONString(k) + sep + goJSON(o[k], indent, inner)).join(',' + nl) + nl + cur + '}';
}

// ---------- time ----------
function toTimes(v: unknown, fn: string): GoTime[] {
  const out: GoTime[] = [];
  for (const x of a(v, fn)) {
    if (!(x instanceof GoTime)) throw new RtError(`${fn}: element is not a time (${typeOfValue(x)})`);
    out.push(x);
  }
  return out;
}
function intervals(v: unknown, fn: string): number[] {
  const ts = toTimes(v, fn);
  if (ts.length < 2) throw new RtError(`${fn}: need at least 2 times`);
  ts.sort((x, y) => x.compare(y));
  const gaps: number[] = [];
  for (let i = 1; i < ts.length; i++) gaps.push(ts[i]!.Sub(ts[i - 1]!));
  return gaps;
}
function parseDate(str: string, layout?: string, tz?: string): GoTime {
  void tz;
  if (layout !== undefined) {
    const t = parseGoLayout(layout, str);
    if (t === null) throw new RtError(`parsing time ${JSON.stringify(str)} as ${JSON.stringify(layout)}: cannot parse`);
    return t;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(str.trim());
  if (!m) throw new RtError(`date: cannot parse "${str}"`);
  let off = 0;
  if (m[8] && m[8] !== 'Z') { const z = m[8].replace(':', ''); off = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 3600 + Number(z.slice(3, 5)) * 60); }
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) - off * 1000;
  const frac = (m[7] ?? '').padEnd(9, '0');
  const ns = Number(frac);
  return new GoTime(ms + Math.floor(ns / 1e6), ns % 1e6, off, off === 0 ? 'UTC' : '');
}

// ---------- misc ----------
function toInt(v: unknown): number {
  if (typeof v === 'number') { if (!Number.isFinite(v)) throw new RtError(`int: invalid value ${v}`); return Math.trunc(v); }
  if (typeof v === 'string') {
    if (!/^[+-]?\d+$/.test(v)) throw new RtError(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
    return parseInt(v, 10);
  }
  if (typeof v === 'boolean' || v === null || v === undefined) throw new RtError(`invalid operation: int(${typeOfValue(v)})`);
  const nv = (v as { valueOf(): unknown }).valueOf();
  if (typeof nv === 'number') return nv;
  throw new RtError(`invalid operation: int(${typeOfValue(v)})`);
}
function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '' || t !== v || !/^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[iI]nf(?:inity)?|NaN)$/.test(v)) throw new RtError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    if (/inf/i.test(v)) return v[0] === '-' ? -Infinity : Infinity;
    return Number(v);
  }
  throw new RtError(`invalid operation: float(${typeOfValue(v)})`);
}
function flattenDeep(v: unknown[], out: unknown[]): unknown[] {
  for (const x of v) { if (Array.isArray(x)) flattenDeep(x, out); else out.push(x); }
  return out;
}
function distinct(v: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of v) if (!out.some((y) => eq(x, y))) out.push(x);
  return out;
}
function valuesOf(args: unknown[], fn: string): number[] {
  const src = args.length === 1 && Array.isArray(args[0]) ? flattenDeep(args[0], []) : flattenDeep(args, []);
  return src.map((x) => n(x, fn));
}
function globMatch(p: Buffer, sb: Buffer): boolean {
  let pi = 0, si = 0, star = -1, mark = 0;
  while (si < sb.length) {
    if (pi < p.length && (p[pi] === 0x3f || p[pi] === sb[si])) { pi++; si++; }
    else if (pi < p.length && p[pi] === 0x2a) { star = pi++; mark = si; }
    else if (star >= 0) { pi = star + 1; si = ++mark; }
    else return false;
  }
  while (pi < p.length && p[pi] === 0x2a) pi++;
  return pi === p.length;
}
function kvStore(target: unknown, prefix: string, fn: string): Record<string, string> {
  if (!isMap(target)) throw new RtError(`${fn}: target is not a map`);
  let m = target[prefix];
  if (m === undefined || m === null || !hasOwn.call(target, prefix)) {
    m = Object.create(null) as Record<string, string>;
    strMaps.add(m as object);
    target[prefix] = m;
  } else if (!isMap(m)) throw new RtError(`${fn}: target is not a map[string]string`);
  return m as Record<string, string>;
}
const KV_RE = /([^=\s]+)=(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^=\s]+)|\s*)/g;

function parseKV(blob: string, target: unknown, prefix: string): null {
  KV_RE.lastIndex = 0;
  const found: [string, string][] = [];
  let m: RegExpExecArray | null;
  while ((m = KV_RE.exec(blob)) !== null) {
    if (m[0] === '') { KV_RE.lastIndex++; continue; }
    found.push([m[1]!, m[2] || m[3] || '']);
  }
  if (found.length === 0) throw new RtError('ParseKV: invalid input format (no key/value pair)');
  const store = kvStore(target, prefix, 'ParseKV');
  for (const [k, v] of found) store[k] = v;
  return null;
}
function parseKVLax(blob: string, target: unknown, prefix: string): null {
  const re = /(?:^|\s)([a-zA-Z_][a-zA-Z0-9_.-]*)=/g;
  const keys: { k: string; start: number; vstart: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(blob)) !== null) keys.push({ k: m[1]!, start: m.index + (m[0].length - m[1]!.length - 1), vstart: re.lastIndex });
  if (keys.length === 0) throw new RtError('ParseKVLax: invalid input format (no key/value pair)');
  const store = kvStore(target, prefix, 'ParseKVLax');
  for (let i = 0; i < keys.length; i++) {
    const end = i + 1 < keys.length ? keys[i + 1]!.start : blob.length;
    let v = blob.slice(keys[i]!.vstart, end).trim();
    if (v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"') v = v.slice(1, -1).replace(/\\(["\\])/g, '$1');
    store[keys[i]!.k] = v;
  }
  return null;
}

// Parsers call XMLGetNodeValue many times on the same line: keep the last parsed document.
let lastXml: string | null = null;
let lastDoc: ReturnType<typeof parseXml> | Error | null = null;
function xmlDoc(xml: string): ReturnType<typeof parseXml> {
  if (xml !== lastXml) {
    lastXml = xml;
    try { lastDoc = parseXml(xml); } catch (e) { lastDoc = e as Error; }
  }
  if (lastDoc instanceof Error) throw lastDoc;
  return lastDoc!;
}

function xmlValue(xml: string, path: string): string {
  try {
    const els = findElements(xmlDoc(xml), path);
    return els.length ? els[0]!.text : '';
  } catch (e) { hookLog('error', `XMLGetNodeValue: ${(e as Error).message}`); return ''; }
}
function xmlAttr(xml: string, path: string, attr: string): string {
  try {
    const els = findElements(xmlDoc(xml), path);
    if (!els.length) return '';
    const at = els[0]!.attrs;
    return hasOwn.call(at, attr) ? at[attr]! : '';
  } catch (e) { hookLog('error', `XMLGetAttributeValue: ${(e as Error).message}`); return ''; }
}

function lookupFile(hay: string, file: string): string {
  const entries = mapFiles.get(file);
  if (!entries) { hookLog('error', `LookupFile: file ${file} not found`); return ''; }
  for (const e of entries) if (e.type === 'equals' && e.pattern === hay) return e.tag;
  let best: { pos: number; tag: string } | null = null;
  for (const e of entries) {
    if (e.type !== 'contains' || e.pattern === '') continue;
    const p = hay.indexOf(e.pattern);
    if (p >= 0 && (best === null || p < best.pos)) best = { pos: p, tag: e.tag };
  }
  if (best) return best.tag;
  for (const e of entries) if (e.type === 'regex' && e.re && e.re.test(hay)) return e.tag;
  return '';
}

function matchKnownBot(ip: string, ua: string, path: string, files: string[]): boolean {
  const pip = parseIP(ip);
  for (const f of files) {
    for (const b of botFiles.get(f) ?? []) {
      if (b.ua.length && !b.ua.some((r) => r.test(ua))) continue;
      if (b.paths.length && !b.paths.some((r) => r.test(path))) continue;
      if (pip && b.ips.some((x) => { const q = parseIP(x); return q !== null && q.v === pip.v; })) return true;
      if (pip && b.ranges.some((x) => { const c = parseCIDR(x); return c !== null && cidrContains(c, pip); })) return true;
      if (b.rdns.length && exprHooks.reverseDNS) {
        const names = exprHooks.reverseDNS(ip);
        for (const name of names) {
          if (!b.rdns.some((r) => r.test(name))) continue;
          const fwd = exprHooks.lookupHost ? exprHooks.lookupHost(name) : [];
          if (fwd.some((x) => { const q = parseIP(x); return q !== null && pip !== null && q.v === pip.v; })) return true;
        }
      }
    }
  }
  return false;
}

function haversine(lat1s: string, lon1s: string, lat2s: string, lon2s: string): number {
  const p = (x: string, name: string): number => {
    const v = toFloatOr(x);
    if (v === null) throw new RtError(`Distance: unable to parse ${name} ${JSON.stringify(x)}`);
    return v;
  };
  const lat1 = p(lat1s, 'lat1'), lon1 = p(lon1s, 'lon1'), lat2 = p(lat2s, 'lat2'), lon2 = p(lon2s, 'lon2');
  if ((lat1 === 0 && lon1 === 0) || (lat2 === 0 && lon2 === 0)) return 0;
  const rad = Math.PI / 180;
  const dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dlon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
function toFloatOr(x: string): number | null {
  try { return toFloat(x); } catch { return null; }
}

function sortValues(v: unknown[], desc: boolean): unknown[] {
  const out = v.slice();
  out.sort((x, y) => cmp('<', x, y));
  if (desc) out.reverse();
  return out;
}

function netDisabled(name: string): never { throw new RtError(`${name}: disabled: no network access from expressions`); }


export const FUNCTIONS: Record<string, FnDef> = {
  // ---------------- expr builtins ----------------
  len: { min: 1, max: 1, ret: INT, fn: (v: unknown) => {
    if (typeof v === 'string') return lenStr(v);
    if (Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new RtError(`invalid argument for len (type ${typeOfValue(v)})`);
  } },
  type: { min: 1, max: 1, ret: STRING, kinds: true, fn: (k: string[], v: unknown) => {
    if (v === null || v === undefined) return 'nil';
    if (typeof v === 'number') return k[0] === 'int' && Number.isInteger(v) ? 'int' : 'float';
    if (typeof v === 'string') return 'string';
    if (typeof v === 'boolean') return 'bool';
    if (Array.isArray(v)) return 'array';
    if (v instanceof GoTime) return 'time.Time';
    if (isMap(v)) return 'map';
    return 'struct';
  } },
  abs: { min: 1, max: 1, ret: sameAs(0), fn: (v: unknown) => Math.abs(n(v, 'abs')) },
  ceil: { min: 1, max: 1, ret: FLOAT, fn: (v: unknown) => Math.ceil(n(v, 'ceil')) },
  floor: { min: 1, max: 1, ret: FLOAT, fn: (v: unknown) => Math.floor(n(v, 'floor')) },
  round: { min: 1, max: 1, ret: FLOAT, fn: (v: unknown) => { const x = n(v, 'round'); return x < 0 ? -Math.round(-x) : Math.round(x); } },
  int: { min: 1, max: 1, ret: INT, fn: toInt },
  float: { min: 1, max: 1, ret: FLOAT, fn: toFloat },
  string: { min: 1, max: 1, ret: STRING, kinds: true, fn: (k: string[], v: unknown) => formatValue(v, k[0]) },
  trim: { min: 1, max: 2, ret: STRING, fn: (v: unknown, c?: unknown) => c === undefined ? goTrimSpace(s(v, 'trim')) : cutsetTrim(s(v, 'trim'), s(c, 'trim', 1), true, true) },
  trimPrefix: { min: 1, max: 2, ret: STRING, fn: (v: unknown, p: unknown = ' ') => { const x = s(v, 'trimPrefix'); const q = s(p, 'trimPrefix', 1); return x.startsWith(q) ? x.slice(q.length) : x; } },
  trimSuffix: { min: 1, max: 2, ret: STRING, fn: (v: unknown, p: unknown = ' ') => { const x = s(v, 'trimSuffix'); const q = s(p, 'trimSuffix', 1); return q && x.endsWith(q) ? x.slice(0, x.length - q.length) : x; } },
  upper: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goUpper(s(v, 'upper')) },
  lower: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goLower(s(v, 'lower')) },
  split: { min: 2, max: 3, ret: arr(STRING), fn: (v: unknown, sep: unknown, k?: unknown) => goSplit(s(v, 'split'), s(sep, 'split', 1), k === undefined ? -1 : n(k, 'split'), false) },
  splitAfter: { min: 2, max: 3, ret: arr(STRING), fn: (v: unknown, sep: unknown, k?: unknown) => goSplit(s(v, 'splitAfter'), s(sep, 'splitAfter', 1), k === undefined ? -1 : n(k, 'splitAfter'), true) },
  replace: { min: 3, max: 3, ret: STRING, fn: (v: unknown, o: unknown, w: unknown) => goReplace(s(v, 'replace'), s(o, 'replace', 1), s(w, 'replace', 2), -1) },
  repeat: { min: 2, max: 2, ret: STRING, fn: (v: unknown, k: unknown) => { const c = n(k, 'repeat'); if (c < 0) throw new RtError('strings: negative Repeat count'); return s(v, 'repeat').repeat(c); } },
  join: { min: 1, max: 2, ret: STRING, fn: (v: unknown, sep: unknown = '') => a(v, 'join').map((x) => s(x, 'join')).join(s(sep, 'join', 1)) },
  indexOf: { min: 2, max: 2, ret: INT, fn: (v: unknown, x: unknown) => { const str = s(v, 'indexOf'); return runeIndex(str, str.indexOf(s(x, 'indexOf', 1))); } },
  lastIndexOf: { min: 2, max: 2, ret: INT, fn: (v: unknown, x: unknown) => { const str = s(v, 'lastIndexOf'); return runeIndex(str, str.lastIndexOf(s(x, 'lastIndexOf', 1))); } },
  hasPrefix: { min: 2, max: 2, ret: BOOL, fn: (v: unknown, p: unknown) => s(v, 'hasPrefix').startsWith(s(p, 'hasPrefix', 1)) },
  hasSuffix: { min: 2, max: 2, ret: BOOL, fn: (v: unknown, p: unknown) => s(v, 'hasSuffix').endsWith(s(p, 'hasSuffix', 1)) },
  max: { min: 1, max: INF, ret: (t) => (t.length === 1 && t[0]!.k === 'array' ? t[0]!.elem : numRet(t)), fn: (...v: unknown[]) => { const x = valuesOf(v, 'max'); if (!x.length) throw new RtError('max: not enough arguments'); return Math.max(...x); } },
  min: { min: 1, max: INF, ret: (t) => (t.length === 1 && t[0]!.k === 'array' ? t[0]!.elem : numRet(t)), fn: (...v: unknown[]) => { const x = valuesOf(v, 'min'); if (!x.length) throw new RtError('min: not enough arguments'); return Math.min(...x); } },
  mean: { min: 1, max: INF, ret: FLOAT, fn: (...v: unknown[]) => { const x = valuesOf(v, 'mean'); return x.length ? x.reduce((p, c) => p + c, 0) / x.length : 0; } },
  median: { min: 1, max: INF, ret: FLOAT, fn: (...v: unknown[]) => {
    const x = valuesOf(v, 'median').sort((p, q) => p - q);
    if (!x.length) return 0;
    const m = x.length >> 1;
    return x.length % 2 ? x[m]! : (x[m - 1]! + x[m]!) / 2;
  } },
  toJSON: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goJSON(v, '  ') },
  fromJSON: { min: 1, max: 1, ret: ANY, fn: (v: unknown) => { try { return JSON.parse(s(v, 'fromJSON')); } catch (e) { throw new RtError(`fromJSON: ${(e as Error).message}`); } } },
  toBase64: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => Buffer.from(s(v, 'toBase64')).toString('base64') },
  fromBase64: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => {
    const str = s(v, 'fromBase64');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(str) || str.length % 4 !== 0) throw new RtError('illegal base64 data');
    return Buffer.from(str, 'base64').toString('utf8');
  } },
  now: { min: 0, max: 0, ret: TIME, fn: () => GoTime.now() },
  duration: { min: 1, max: 1, ret: DURATION, fn: (v: unknown) => { try { return parseGoDuration(s(v, 'duration')); } catch (e) { throw new RtError((e as Error).message); } } },
  date: { min: 1, max: 3, ret: TIME, fn: (v: unknown, l?: unknown, tz?: unknown) => parseDate(s(v, 'date'), l === undefined ? undefined : s(l, 'date', 1), tz as string | undefined) },
  timezone: { min: 1, max: 1, ret: ANY, fn: (v: unknown) => s(v, 'timezone') },
  first: { min: 1, max: 1, ret: (t) => elemOf(t[0]), fn: (v: unknown) => { const x = a(v, 'first'); return x.length ? x[0] : null; } },
  last: { min: 1, max: 1, ret: (t) => elemOf(t[0]), fn: (v: unknown) => { const x = a(v, 'last'); return x.length ? x[x.length - 1] : null; } },
  get: { min: 2, max: 2, ret: (t) => (t[0]?.k === 'array' || t[0]?.k === 'map' ? t[0].elem : ANY), fn: (v: unknown, k: unknown) => {
    if (Array.isArray(v)) { if (typeof k !== 'number') return null; const i = k < 0 ? v.length + k : k; return i >= 0 && i < v.length ? v[i] : null; }
    if (v !== null && typeof v === 'object' && typeof k === 'string') return hasOwn.call(v, k) || (!isMap(v) && k in v) ? (v as Record<string, unknown>)[k] ?? null : null;
    return null;
  } },
  take: { min: 2, max: 2, ret: sameAs(0), fn: (v: unknown, k: unknown) => a(v, 'take').slice(0, Math.max(0, n(k, 'take'))) },
  keys: { min: 1, max: 1, ret: arr(STRING), fn: (v: unknown) => { if (!isMap(v)) throw new RtError(`cannot get keys from ${typeOfValue(v)}`); return Object.keys(v); } },
  values: { min: 1, max: 1, ret: (t) => arr(t[0]?.k === 'map' ? t[0].elem : ANY), fn: (v: unknown) => { if (!isMap(v)) throw new RtError(`cannot get values from ${typeOfValue(v)}`); return Object.values(v); } },
  toPairs: { min: 1, max: 1, ret: arr(arr(ANY)), fn: (v: unknown) => { if (!isMap(v)) throw new RtError(`cannot transform ${typeOfValue(v)} to pairs`); return Object.keys(v).map((k) => [k, v[k]]); } },
  fromPairs: { min: 1, max: 1, ret: map(ANY), fn: (v: unknown) => {
    const out: Record<string, unknown> = {};
    for (const p of a(v, 'fromPairs')) { const pp = a(p, 'fromPairs'); if (pp.length !== 2) throw new RtError('fromPairs: invalid pair'); out[String(pp[0])] = pp[1]; }
    return out;
  } },
  reverse: { min: 1, max: 1, ret: sameAs(0), fn: (v: unknown) => a(v, 'reverse').slice().reverse() },
  uniq: { min: 1, max: 1, ret: sameAs(0), fn: (v: unknown) => distinct(a(v, 'uniq')) },
  concat: { min: 1, max: INF, ret: sameAs(0), fn: (...v: unknown[]) => ([] as unknown[]).concat(...v.map((x) => a(x, 'concat'))) },
  flatten: { min: 1, max: 1, ret: arr(ANY), fn: (v: unknown) => flattenDeep(a(v, 'flatten'), []) },
  sort: { min: 1, max: 2, ret: sameAs(0), fn: (v: unknown, o: unknown = 'asc') => {
    if (o !== 'asc' && o !== 'desc') throw new RtError(`unknown order ${String(o)}, use asc or desc`);
    return sortValues(a(v, 'sort'), o === 'desc');
  } },
  bitand: { min: 2, max: 2, ret: INT, fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) & BigInt(toInt(y)))) },
  bitor: { min: 2, max: 2, ret: INT, fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) | BigInt(toInt(y)))) },
  bitxor: { min: 2, max: 2, ret: INT, fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) ^ BigInt(toInt(y)))) },
  bitnand: { min: 2, max: 2, ret: INT, fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) & ~BigInt(toInt(y)))) },
  bitnot: { min: 1, max: 1, ret: INT, fn: (x: unknown) => Number(BigInt.asIntN(64, ~BigInt(toInt(x)))) },
  bitshl: { min: 2, max: 2, ret: INT, fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) << BigInt(toInt(y)))) },
  bitshr: { min: 2, max: 2, ret: INT, fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt(toInt(x)) >> BigInt(toInt(y)))) },
  bitushr: { min: 2, max: 2, ret: INT, fn: (x: unknown, y: unknown) => Number(BigInt.asIntN(64, BigInt.asUintN(64, BigInt(toInt(x))) >> BigInt(toInt(y)))) },

  // ---------------- CrowdSec helpers ----------------
  Lower: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goLower(s(v, 'Lower')) },
  Upper: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goUpper(s(v, 'Upper')) },
  File: { min: 1, max: 1, ret: arr(STRING), fn: (f: unknown) => {
    const l = stringFiles.get(s(f, 'File'));
    if (!l) { hookLog('error', `file '${String(f)}' (type:string) not found in expr library`); return []; }
    return l;
  } },
  UnmarshalJSON: { min: 3, max: 3, ret: ANY, fn: (blob: unknown, target: unknown, key: unknown) => {
    let out: unknown;
    try { out = JSON.parse(s(blob, 'UnmarshalJSON')); } catch (e) {
      hookLog('error', `UnmarshalJSON: ${(e as Error).message}`);
      return new Error(`UnmarshalJSON: ${(e as Error).message}`);
    }
    if (!isMap(target)) throw new RtError('UnmarshalJSON: target is not a map');
    target[s(key, 'UnmarshalJSON', 2)] = out;
    return null;
  } },
  JsonExtract: { min: 2, max: 2, ret: STRING, fn: (blob: unknown, path: unknown) => jsonRaw(s(blob, 'JsonExtract'), dotPath(s(path, 'JsonExtract', 1))) ?? '' },
  JsonExtractLib: { min: 1, max: INF, ret: STRING, fn: (blob: unknown, ...keys: unknown[]) => jsonRaw(s(blob, 'JsonExtractLib'), keys.map((k, i) => s(k, 'JsonExtractLib', i + 1))) ?? '' },
  JsonExtractUnescape: { min: 1, max: INF, ret: STRING, fn: (blob: unknown, ...keys: unknown[]) => {
    const t = s(blob, 'JsonExtractUnescape');
    const span = jsonGet(t, keys.map((k, i) => s(k, 'JsonExtractUnescape', i + 1)));
    if (!span || t[span[0]] !== '"') return '';
    try { return JSON.parse(t.slice(span[0], span[1])) as string; } catch { return ''; }
  } },
  JsonExtractSlice: { min: 2, max: 2, ret: arr(ANY), fn: (blob: unknown, path: unknown) => {
    const t = s(blob, 'JsonExtractSlice');
    const span = jsonGet(t, dotPath(s(path, 'JsonExtractSlice', 1)));
    if (!span || t[span[0]] !== '[') return null;
    try { return JSON.parse(t.slice(span[0], span[1])) as unknown[]; } catch { return null; }
  } },
  JsonExtractObject: { min: 2, max: 2, ret: map(ANY), fn: (blob: unknown, path: unknown) => {
    const t = s(blob, 'JsonExtractObject');
    const span = jsonGet(t, dotPath(s(path, 'JsonExtractObject', 1)));
    if (!span || t[span[0]] !== '{') return null;
    try { return JSON.parse(t.slice(span[0], span[1])) as unknown; } catch { return null; }
  } },
  ToJsonString: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => { try { return goJSON(v); } catch { return ''; } } },
  ParseKV: { min: 3, max: 3, ret: ANY, fn: (b: unknown, t: unknown, p: unknown) => parseKV(s(b, 'ParseKV'), t, s(p, 'ParseKV', 2)) },
  ParseKVLax: { min: 3, max: 3, ret: ANY, fn: (b: unknown, t: unknown, p: unknown) => parseKVLax(s(b, 'ParseKVLax'), t, s(p, 'ParseKVLax', 2)) },
  IpInRange: { min: 2, max: 2, ret: BOOL, fn: (ip: unknown, cidr: unknown) => {
    const p = parseIP(s(ip, 'IpInRange')); const c = parseCIDR(s(cidr, 'IpInRange', 1));
    return p !== null && c !== null && cidrContains(c, p);
  } },
  IpToRange: { min: 2, max: 2, ret: STRING, fn: (ip: unknown, mask: unknown) => {
    const p = parseIP(s(ip, 'IpToRange'));
    let m = s(mask, 'IpToRange', 1);
    if (m.startsWith('/')) m = m.slice(1);
    if (!p || !/^\d+$/.test(m)) return '';
    const bits = Number(m);
    if (bits > (p.is4 ? 32 : 128)) return '';
    return `${formatIP(maskIP(p, bits, p.is4))}/${bits}`;
  } },
  IsIP: { min: 1, max: 1, ret: BOOL, fn: (v: unknown) => parseIP(s(v, 'IsIP')) !== null },
  IsIPV4: { min: 1, max: 1, ret: BOOL, fn: (v: unknown) => parseIP(s(v, 'IsIPV4'))?.is4 === true },
  IsIPV6: { min: 1, max: 1, ret: BOOL, fn: (v: unknown) => parseIP(s(v, 'IsIPV6'))?.is4 === false },
  XMLGetNodeValue: { min: 2, max: 2, ret: STRING, fn: (x: unknown, p: unknown) => xmlValue(s(x, 'XMLGetNodeValue'), s(p, 'XMLGetNodeValue', 1)) },
  XMLGetAttributeValue: { min: 3, max: 3, ret: STRING, fn: (x: unknown, p: unknown, at: unknown) => xmlAttr(s(x, 'XMLGetAttributeValue'), s(p, 'XMLGetAttributeValue', 1), s(at, 'XMLGetAttributeValue', 2)) },
  Match: { min: 2, max: 2, ret: BOOL, fn: (p: unknown, v: unknown) => globMatch(Buffer.from(s(p, 'Match')), Buffer.from(s(v, 'Match', 1))) },
  Split: { min: 2, max: 2, ret: arr(STRING), fn: (v: unknown, sep: unknown) => goSplit(s(v, 'Split'), s(sep, 'Split', 1), -1, false) },
  SplitN: { min: 3, max: 3, ret: arr(STRING), fn: (v: unknown, sep: unknown, k: unknown) => goSplit(s(v, 'SplitN'), s(sep, 'SplitN', 1), n(k, 'SplitN'), false) },
  SplitAfter: { min: 2, max: 2, ret: arr(STRING), fn: (v: unknown, sep: unknown) => goSplit(s(v, 'SplitAfter'), s(sep, 'SplitAfter', 1), -1, true) },
  SplitAfterN: { min: 3, max: 3, ret: arr(STRING), fn: (v: unknown, sep: unknown, k: unknown) => goSplit(s(v, 'SplitAfterN'), s(sep, 'SplitAfterN', 1), n(k, 'SplitAfterN'), true) },
  TrimSpace: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => goTrimSpace(s(v, 'TrimSpace')) },
  Trim: { min: 2, max: 2, ret: STRING, fn: (v: unknown, c: unknown) => cutsetTrim(s(v, 'Trim'), s(c, 'Trim', 1), true, true) },
  TrimLeft: { min: 2, max: 2, ret: STRING, fn: (v: unknown, c: unknown) => cutsetTrim(s(v, 'TrimLeft'), s(c, 'TrimLeft', 1), true, false) },
  TrimRight: { min: 2, max: 2, ret: STRING, fn: (v: unknown, c: unknown) => cutsetTrim(s(v, 'TrimRight'), s(c, 'TrimRight', 1), false, true) },
  TrimPrefix: { min: 2, max: 2, ret: STRING, fn: (v: unknown, p: unknown) => { const x = s(v, 'TrimPrefix'); const q = s(p, 'TrimPrefix', 1); return x.startsWith(q) ? x.slice(q.length) : x; } },
  TrimSuffix: { min: 2, max: 2, ret: STRING, fn: (v: unknown, p: unknown) => { const x = s(v, 'TrimSuffix'); const q = s(p, 'TrimSuffix', 1); return q && x.endsWith(q) ? x.slice(0, x.length - q.length) : x; } },
  Fields: { min: 1, max: 1, ret: arr(STRING), fn: (v: unknown) => goFields(s(v, 'Fields')) },
  Index: { min: 2, max: 2, ret: INT, fn: (v: unknown, x: unknown) => { const str = s(v, 'Index'); const i = str.indexOf(s(x, 'Index', 1)); return i < 0 ? -1 : byteIndex(str, i); } },
  IndexAny: { min: 2, max: 2, ret: INT, fn: (v: unknown, x: unknown) => {
    const str = s(v, 'IndexAny'); const set = new Set([...s(x, 'IndexAny', 1)]);
    let i = 0;
    for (const ch of str) { if (set.has(ch)) return byteIndex(str, i); i += ch.length; }
    return -1;
  } },
  Join: { min: 2, max: 2, ret: STRING, fn: (v: unknown, sep: unknown) => a(v, 'Join').map((x) => s(x, 'Join')).join(s(sep, 'Join', 1)) },
  Replace: { min: 4, max: 4, ret: STRING, fn: (v: unknown, o: unknown, w: unknown, k: unknown) => goReplace(s(v, 'Replace'), s(o, 'Replace', 1), s(w, 'Replace', 2), n(k, 'Replace')) },
  ReplaceAll: { min: 3, max: 3, ret: STRING, fn: (v: unknown, o: unknown, w: unknown) => goReplace(s(v, 'ReplaceAll'), s(o, 'ReplaceAll', 1), s(w, 'ReplaceAll', 2), -1) },
  RegexpInFile: { min: 2, max: 2, ret: BOOL, fn: (v: unknown, f: unknown) => {
    const r = matchRegexpFile(s(f, 'RegexpInFile', 1), s(v, 'RegexpInFile'));
    if (r === undefined) { hookLog('error', `file '${String(f)}' (type:regexp) not found in expr library`); return false; }
    return r;
  } },
  LookupFile: { min: 2, max: 2, ret: STRING, fn: (h: unknown, f: unknown) => lookupFile(s(h, 'LookupFile'), s(f, 'LookupFile', 1)) },
  FileMap: { min: 1, max: 1, ret: arr(map(STRING)), fn: (f: unknown) => (mapFiles.get(s(f, 'FileMap')) ?? []).map((e) => ({ pattern: e.pattern, tag: e.tag, type: e.type })) },
  MatchKnownBot: { min: 3, max: INF, ret: BOOL, fn: (ip: unknown, ua: unknown, p: unknown, ...files: unknown[]) => matchKnownBot(s(ip, 'MatchKnownBot'), s(ua, 'MatchKnownBot', 1), s(p, 'MatchKnownBot', 2), files.map((x, i) => s(x, 'MatchKnownBot', i + 3))) },
  QueryUnescape: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => queryUnescape.get(s(v, 'QueryUnescape')) },
  PathUnescape: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => pathUnescape.get(s(v, 'PathUnescape')) },
  QueryEscape: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => escapeURL(s(v, 'QueryEscape'), true) },
  PathEscape: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => escapeURL(s(v, 'PathEscape'), false) },
  ParseUri: { min: 1, max: 1, ret: map(arr(STRING)), fn: (v: unknown) => parseQuery(uriQuery(s(v, 'ParseUri'))) },
  ParseQuery: { min: 1, max: 1, ret: map(arr(STRING)), fn: (v: unknown) => parseQuery(s(v, 'ParseQuery')) },
  ExtractQueryParam: { min: 2, max: 2, ret: arr(STRING), fn: (v: unknown, k: unknown) => parseQuery(uriQuery(s(v, 'ExtractQueryParam')))[s(k, 'ExtractQueryParam', 1)] ?? [] },
  Sprintf: { min: 1, max: INF, ret: STRING, kinds: true, fn: (k: string[], f: unknown, ...args: unknown[]) => sprintf(k.slice(1), s(f, 'Sprintf'), args) },
  Distance: { min: 4, max: 4, ret: FLOAT, fn: (a1: unknown, b1: unknown, a2: unknown, b2: unknown) => haversine(s(a1, 'Distance'), s(b1, 'Distance', 1), s(a2, 'Distance', 2), s(b2, 'Distance', 3)) },
  GetFromStash: { min: 2, max: 2, ret: STRING, fn: (c: unknown, k: unknown) => {
    const name = s(c, 'GetFromStash');
    if (!stashExists(name)) throw new RtError(`GetFromStash: cache ${name} not found`);
    return stashGet(name, s(k, 'GetFromStash', 1));
  } },
  SetInStash: { min: 3, max: 4, ret: ANY, fn: (c: unknown, k: unknown, v: unknown, d?: unknown) => {
    const err = stashSet(s(c, 'SetInStash'), s(k, 'SetInStash', 1), s(v, 'SetInStash', 2), typeof d === 'number' ? d : undefined);
    return err;
  } },
  MedianInterval: { min: 1, max: 1, ret: DURATION, fn: (v: unknown) => {
    const g = intervals(v, 'MedianInterval').sort((x, y) => x - y);
    const m = g.length >> 1;
    return g.length % 2 ? g[m]! : Math.trunc((g[m - 1]! + g[m]!) / 2);
  } },
  AverageInterval: { min: 1, max: 1, ret: DURATION, fn: (v: unknown) => { const g = intervals(v, 'AverageInterval'); return Math.trunc(g.reduce((p, c) => p + c, 0) / g.length); } },
  Get: { min: 2, max: 2, ret: STRING, fn: (v: unknown, i: unknown) => { const x = a(v, 'Get'); const k = n(i, 'Get'); return k >= 0 && k < x.length ? x[k] : ''; } },
  ToString: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => (typeof v === 'string' ? v : '') },
  KeyExists: { min: 2, max: 2, ret: BOOL, fn: (k: unknown, m: unknown) => m !== null && typeof m === 'object' && typeof k === 'string' && hasOwn.call(m, k) },
  Atof: { min: 1, max: 1, ret: FLOAT, fn: (v: unknown) => toFloatOr(s(v, 'Atof')) ?? 0 },
  B64Decode: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => {
    const str = s(v, 'B64Decode');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(str) || str.length % 4 !== 0) throw new RtError('illegal base64 data');
    return Buffer.from(str, 'base64').toString('utf8');
  } },
  Flatten: { min: 0, max: INF, ret: arr(ANY), fn: (...v: unknown[]) => flattenDeep(v, []) },
  Distinct: { min: 0, max: INF, ret: arr(ANY), fn: (...v: unknown[]) => distinct(v.length === 1 && Array.isArray(v[0]) ? v[0] : v) },
  FlattenDistinct: { min: 0, max: INF, ret: arr(ANY), fn: (...v: unknown[]) => distinct(flattenDeep(v, [])) },
  FloatApproxEqual: { min: 2, max: 2, ret: BOOL, fn: (x: unknown, y: unknown) => Math.abs(n(x, 'FloatApproxEqual') - n(y, 'FloatApproxEqual')) < 1e-6 },
  LogInfo: { min: 1, max: INF, ret: BOOL, kinds: true, fn: (k: string[], f: unknown, ...args: unknown[]) => { hookLog('info', sprintf(k.slice(1), s(f, 'LogInfo'), args)); return true; } },
  Hostname: { min: 0, max: 0, ret: STRING, fn: () => hostname() },
  TimeNow: { min: 0, max: 0, ret: STRING, fn: () => GoTime.now().toRFC3339() },
  ParseUnix: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => {
    const str = s(v, 'ParseUnix');
    const m = /^(-?\d+)(?:\.\d*)?$/.exec(str);
    if (!m) return '';
    const sec = Number(m[1]);
    if (!(sec > 0)) return '';
    return new GoTime(sec * 1000, 0, 0, 'UTC').toRFC3339();
  } },
  LookupHost: { min: 1, max: 1, ret: arr(STRING), fn: (v: unknown) => exprHooks.lookupHost ? exprHooks.lookupHost(s(v, 'LookupHost')) : [] },
  GeoIPEnrich: { min: 1, max: 1, ret: ANY, fn: (v: unknown) => exprHooks.geoipCity ? exprHooks.geoipCity(s(v, 'GeoIPEnrich')) ?? null : null },
  GeoIPASNEnrich: { min: 1, max: 1, ret: ANY, fn: (v: unknown) => exprHooks.geoipASN ? exprHooks.geoipASN(s(v, 'GeoIPASNEnrich')) ?? null : null },
  GeoIPRangeEnrich: { min: 1, max: 1, ret: ANY, fn: (v: unknown) => exprHooks.geoipRange ? exprHooks.geoipRange(s(v, 'GeoIPRangeEnrich')) ?? null : null },
  IPToCountry: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => exprHooks.ipToCountry ? exprHooks.ipToCountry(s(v, 'IPToCountry')) : '' },
  GetDecisionsCount: { min: 1, max: 1, ret: INT, fn: (v: unknown) => exprHooks.decisionsCount ? exprHooks.decisionsCount(s(v, 'GetDecisionsCount')) : 0 },
  GetDecisionsSinceCount: { min: 2, max: 2, ret: INT, fn: (v: unknown, since: unknown) => {
    if (!exprHooks.decisionsSinceCount) return 0;
    let d = s(since, 'GetDecisionsSinceCount', 1);
    let ns: number;
    try {
      const dm = /^(\d+)d(.*)$/.exec(d);
      ns = 0;
      if (dm) { ns = Number(dm[1]) * 86400e9; d = dm[2]!; }
      if (d) ns += parseGoDuration(d);
    } catch (e) { hookLog('error', `GetDecisionsSinceCount: ${(e as Error).message}`); return 0; }
    return exprHooks.decisionsSinceCount(s(v, 'GetDecisionsSinceCount'), ns);
  } },
  GetActiveDecisionsCount: { min: 1, max: 1, ret: INT, fn: (v: unknown) => exprHooks.activeDecisionsCount ? exprHooks.activeDecisionsCount(s(v, 'GetActiveDecisionsCount')) : 0 },
  GetActiveDecisionsTimeLeft: { min: 1, max: 1, ret: DURATION, fn: (v: unknown) => exprHooks.activeDecisionsTimeLeft ? exprHooks.activeDecisionsTimeLeft(s(v, 'GetActiveDecisionsTimeLeft')) : 0 },
  CrowdsecCTI: { min: 1, max: 1, ret: ANY, fn: () => netDisabled('CrowdsecCTI') },
  HTTPGet: { min: 1, max: 1, ret: ANY, fn: () => netDisabled('HTTPGet') },
  HTTPHead: { min: 1, max: 1, ret: ANY, fn: () => netDisabled('HTTPHead') },
  HTTPPost: { min: 3, max: 3, ret: ANY, fn: () => netDisabled('HTTPPost') },
  HTTPRequest: { min: 4, max: 4, ret: ANY, fn: () => netDisabled('HTTPRequest') },
  LibInjectionIsSQLI: { min: 1, max: 1, ret: BOOL, fn: () => { throw new RtError('LibInjectionIsSQLI: not implemented'); } },
  LibInjectionIsXSS: { min: 1, max: 1, ret: BOOL, fn: () => { throw new RtError('LibInjectionIsXSS: not implemented'); } },
  JA4H: { min: 1, max: 1, ret: STRING, fn: () => { throw new RtError('JA4H: not implemented (AppSec only)'); } },
};

/** Go time methods not carried by GoTime itself (called as F.$time_<name>(t, ...args)). */
export const TIME_EXTRA: Record<string, FnDef> = {
  Format: { min: 1, max: 1, ret: STRING, fn: (t: GoTime, layout: unknown) => formatGoLayout(t, s(layout, 'Format')) },
};

/** Helpers only present in some environments. */
export const HUBTEST_FUNCTIONS: Record<string, FnDef> = {
  basename: { min: 1, max: 1, ret: STRING, fn: (v: unknown) => { const x = s(v, 'basename'); if (x === '') return '.'; const t = x.replace(/\/+$/, ''); if (t === '') return '/'; return t.slice(t.lastIndexOf('/') + 1); } },
};


/** Go parameter types of the CrowdSec helpers, checked at compile time when the argument's static type is known.
 *  s string, i int, f float64 (int accepted), m map, l slice, a any; `*x` = variadic x. */
export const HELPER_PARAMS: Record<string, string> = {
  Lower: 's', Upper: 's', File: 's', UnmarshalJSON: 'sms', JsonExtract: 'ss', JsonExtractLib: 's*s', JsonExtractUnescape: 's*s',
  JsonExtractSlice: 'ss', JsonExtractObject: 'ss', ToJsonString: 'a', ParseKV: 'sms', ParseKVLax: 'sms', IpInRange: 'ss',
  IpToRange: 'ss', IsIP: 's', IsIPV4: 's', IsIPV6: 's', XMLGetNodeValue: 'ss', XMLGetAttributeValue: 'sss', Match: 'ss',
  Split: 'ss', SplitN: 'ssi', SplitAfter: 'ss', SplitAfterN: 'ssi', TrimSpace: 's', Trim: 'ss', TrimLeft: 'ss', TrimRight: 'ss',
  TrimPrefix: 'ss', TrimSuffix: 'ss', Fields: 's', Index: 'ss', IndexAny: 'ss', Join: 'ls', Replace: 'sssi', ReplaceAll: 'sss',
  RegexpInFile: 'ss', LookupFile: 'ss', FileMap: 's', MatchKnownBot: 'sss*s', QueryUnescape: 's', PathUnescape: 's',
  QueryEscape: 's', PathEscape: 's', ParseUri: 's', ParseQuery: 's', ExtractQueryParam: 'ss', Sprintf: 's*a', Distance: 'ssss',
  GetFromStash: 'ss', SetInStash: 'sssa', MedianInterval: 'l', AverageInterval: 'l', Get: 'li', ToString: 'a', KeyExists: 'sm',
  Atof: 's', B64Decode: 's', FloatApproxEqual: 'ff', LogInfo: 's*a', ParseUnix: 's', LookupHost: 's', GeoIPEnrich: 's',
  GeoIPASNEnrich: 's', GeoIPRangeEnrich: 's', IPToCountry: 's', GetDecisionsCount: 's', GetDecisionsSinceCount: 'ss',
  GetActiveDecisionsCount: 's', GetActiveDecisionsTimeLeft: 's', CrowdsecCTI: 's', HTTPGet: 's', HTTPHead: 's',
  HTTPPost: 'sss', HTTPRequest: 'ssms', LibInjectionIsSQLI: 's', LibInjectionIsXSS: 's', basename: 's',
};
