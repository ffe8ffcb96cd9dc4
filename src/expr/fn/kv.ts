// CrowdSec key=value helpers (ParseKV, ParseKVLax) writing into a target map.
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { RtError, strMaps } from '../runtime.js';
import { ANY } from '../schema.js';
import { hasOwn, s, isMap, type FnDef } from './args.js';

export function kvStore(target: unknown, prefix: string, fn: string): Record<string, string> {
  if (!isMap(target)) throw new RtError(`${fn}: target is not a map`);
  let m = target[prefix];
  if (m === undefined || m === null || !hasOwn.call(target, prefix)) {
    m = Object.create(null) as Record<string, string>;
    strMaps.add(m as object);
    target[prefix] = m;
  } else if (!isMap(m)) throw new RtError(`${fn}: target is not a map[string]string`);
  return m as Record<string, string>;
}

export const KV_RE = /([^=\s]+)=(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^=\s]+)|\s*)/g;

export function parseKV(blob: string, target: unknown, prefix: string): null {
  KV_RE.lastIndex = 0;
  const found: [string, string][] = [];
  let m: RegExpExecArray | null;
  while ((m = KV_RE.exec(blob)) !== null) {
    if (m[0] === '') {
      KV_RE.lastIndex++;
      continue;
    }
    found.push([m[1]!, m[2] || m[3] || '']);
  }
  if (found.length === 0) throw new RtError('ParseKV: invalid input format (no key/value pair)');
  const store = kvStore(target, prefix, 'ParseKV');
  for (const [k, v] of found) store[k] = v;
  return null;
}

export function parseKVLax(blob: string, target: unknown, prefix: string): null {
  const re = /(?:^|\s)([a-zA-Z_][a-zA-Z0-9_.-]*)=/g;
  const keys: { k: string; start: number; vstart: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(blob)) !== null)
    keys.push({ k: m[1]!, start: m.index + (m[0].length - m[1]!.length - 1), vstart: re.lastIndex });
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

export const KV_FUNCTIONS: Record<string, FnDef> = {
  ParseKV: {
    min: 3,
    max: 3,
    ret: ANY,
    fn: (b: unknown, t: unknown, p: unknown) => parseKV(s(b, 'ParseKV'), t, s(p, 'ParseKV', 2)),
  },
  ParseKVLax: {
    min: 3,
    max: 3,
    ret: ANY,
    fn: (b: unknown, t: unknown, p: unknown) => parseKVLax(s(b, 'ParseKVLax'), t, s(p, 'ParseKVLax', 2)),
  },
};
