// The JSON scanner (jsonparser.Get over the raw text, no full parse), Go encoding/json output, and the CrowdSec JSON
// helpers (UnmarshalJSON, JsonExtract*, ToJsonString).
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { GoTime } from '../../core/gotime.js';
import { hookLog } from '../hooks.js';
import { RtError } from '../runtime.js';
import { ANY, STRING, arr, map } from '../schema.js';
import { INF, s, isMap, type FnDef } from './args.js';
import { errorMessage } from '../../core/errors.js';

/** Skip whitespace. */
export function ws(t: string, i: number): number {
  while (i < t.length && (t[i] === ' ' || t[i] === '\n' || t[i] === '\r' || t[i] === '\t')) i++;
  return i;
}

export function skipString(t: string, i: number): number {
  i++;
  while (i < t.length) {
    if (t[i] === '\\') i += 2;
    else if (t[i] === '"') return i + 1;
    else i++;
  }
  throw new Error('unterminated string');
}

export function skipValue(t: string, i: number): number {
  i = ws(t, i);
  const c = t[i];
  if (c === '"') return skipString(t, i);
  if (c === '{' || c === '[') {
    const close = c === '{' ? '}' : ']';
    i = ws(t, i + 1);
    if (t[i] === close) return i + 1;
    for (;;) {
      if (c === '{') {
        i = ws(t, i);
        if (t[i] !== '"') throw new Error('bad key');
        i = ws(t, skipString(t, i));
        if (t[i] !== ':') throw new Error('expected :');
        i++;
      }
      i = ws(t, skipValue(t, i));
      if (t[i] === ',') {
        i++;
        continue;
      }
      if (t[i] === close) return i + 1;
      throw new Error('bad json');
    }
  }
  const m = /^(?:-?[0-9][0-9.eE+-]*|true|false|null)/.exec(t.slice(i, i + 64));
  if (!m) {
    // long numbers
    let j = i;
    while (j < t.length && /[-0-9.eE+]/.test(t[j]!)) j++;
    if (j === i) throw new Error('bad value');
    return j;
  }
  if (m[0].length === 64 || /[0-9.eE+-]/.test(t[i + m[0].length] ?? '')) {
    let j = i;
    while (j < t.length && /[-0-9.eE+]/.test(t[j]!)) j++;
    return j;
  }
  return i + m[0].length;
}

/** jsonparser.Get: raw span [start, end) of the value at path, or null. */
export function jsonGet(t: string, path: string[]): [number, number] | null {
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
        if (k === key) {
          found = true;
          break;
        }
        i = ws(t, skipValue(t, i));
        if (t[i] === ',') {
          i = ws(t, i + 1);
          continue;
        }
        return null;
      }
      if (!found) return null;
    }
    const end = skipValue(t, i);
    return [i, end];
  } catch {
    return null;
  }
}

/** CrowdSec JsonExtract path: split on '.', `name[n]` -> name, [n]. */
export function dotPath(p: string): string[] {
  const out: string[] = [];
  for (const part of p.split('.')) {
    const m = /^(.*?)((?:\[\d+\])+)$/.exec(part);
    if (m) {
      if (m[1]) out.push(m[1]);
      for (const x of m[2]!.matchAll(/\[\d+\]/g)) out.push(x[0]);
    } else out.push(part);
  }
  return out;
}

export function jsonRaw(t: string, path: string[]): string | null {
  const span = jsonGet(t, path);
  if (!span) return null;
  let [b, e] = span;
  if (t[b] === '"') {
    b++;
    e--;
  }
  return t.slice(b, e);
}

export function goJSONString(str: string): string {
  return JSON.stringify(str).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** Go encoding/json (sorted map keys, HTML escaping). */
export function goJSON(v: unknown, indent = '', cur = ''): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return goJSONString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new RtError(`json: unsupported value: ${v}`);
      return Math.abs(v) >= 1e21 || (v !== 0 && Math.abs(v) < 1e-6)
        ? v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2')
        : String(v);
  }
  if (v instanceof GoTime) return goJSONString(v.toRFC3339Nano());
  if (v instanceof Error) return '{}';
  const nl = indent ? '\n' : '';
  const inner = cur + indent;
  const sep = indent ? ': ' : ':';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + nl + v.map((x) => inner + goJSON(x, indent, inner)).join(',' + nl) + nl + cur + ']';
  }
  const o = v as Record<string, unknown>;
  let keys = Object.keys(o).filter((k) => typeof o[k] !== 'function');
  if (isMap(v)) keys = keys.sort();
  if (keys.length === 0) return '{}';
  return (
    '{' +
    nl +
    keys.map((k) => inner + goJSONString(k) + sep + goJSON(o[k], indent, inner)).join(',' + nl) +
    nl +
    cur +
    '}'
  );
}

export const JSON_FUNCTIONS: Record<string, FnDef> = {
  UnmarshalJSON: {
    min: 3,
    max: 3,
    ret: ANY,
    fn: (blob: unknown, target: unknown, key: unknown) => {
      let out: unknown;
      try {
        out = JSON.parse(s(blob, 'UnmarshalJSON'));
      } catch (e) {
        hookLog('error', `UnmarshalJSON: ${errorMessage(e)}`);
        return new Error(`UnmarshalJSON: ${errorMessage(e)}`);
      }
      if (!isMap(target)) throw new RtError('UnmarshalJSON: target is not a map');
      target[s(key, 'UnmarshalJSON', 2)] = out;
      return null;
    },
  },
  JsonExtract: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (blob: unknown, path: unknown) => jsonRaw(s(blob, 'JsonExtract'), dotPath(s(path, 'JsonExtract', 1))) ?? '',
  },
  JsonExtractLib: {
    min: 1,
    max: INF,
    ret: STRING,
    fn: (blob: unknown, ...keys: unknown[]) =>
      jsonRaw(
        s(blob, 'JsonExtractLib'),
        keys.map((k, i) => s(k, 'JsonExtractLib', i + 1)),
      ) ?? '',
  },
  JsonExtractUnescape: {
    min: 1,
    max: INF,
    ret: STRING,
    fn: (blob: unknown, ...keys: unknown[]) => {
      const t = s(blob, 'JsonExtractUnescape');
      const span = jsonGet(
        t,
        keys.map((k, i) => s(k, 'JsonExtractUnescape', i + 1)),
      );
      if (!span || t[span[0]] !== '"') return '';
      try {
        return JSON.parse(t.slice(span[0], span[1])) as string;
      } catch {
        return '';
      }
    },
  },
  JsonExtractSlice: {
    min: 2,
    max: 2,
    ret: arr(ANY),
    fn: (blob: unknown, path: unknown) => {
      const t = s(blob, 'JsonExtractSlice');
      const span = jsonGet(t, dotPath(s(path, 'JsonExtractSlice', 1)));
      if (!span || t[span[0]] !== '[') return null;
      try {
        return JSON.parse(t.slice(span[0], span[1])) as unknown[];
      } catch {
        return null;
      }
    },
  },
  JsonExtractObject: {
    min: 2,
    max: 2,
    ret: map(ANY),
    fn: (blob: unknown, path: unknown) => {
      const t = s(blob, 'JsonExtractObject');
      const span = jsonGet(t, dotPath(s(path, 'JsonExtractObject', 1)));
      if (!span || t[span[0]] !== '{') return null;
      try {
        return JSON.parse(t.slice(span[0], span[1])) as unknown;
      } catch {
        return null;
      }
    },
  },
  ToJsonString: {
    min: 1,
    max: 1,
    ret: STRING,
    fn: (v: unknown) => {
      try {
        return goJSON(v);
      } catch {
        return '';
      }
    },
  },
};
