// CrowdSec data-file helpers (File, RegexpInFile, LookupFile, FileMap, MatchKnownBot) over expr/datafiles.ts.
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { parseIP, parseCIDR, cidrContains } from '../../net/ipvalue.js';
import { stringFiles, mapFiles, botFiles, matchRegexpFile } from '../datafiles.js';
import { exprHooks, hookLog } from '../hooks.js';
import { BOOL, STRING, arr, map } from '../schema.js';
import { INF, s, type FnDef } from './args.js';

export function lookupFile(hay: string, file: string): string {
  const entries = mapFiles.get(file);
  if (!entries) {
    hookLog('error', `LookupFile: file ${file} not found`);
    return '';
  }
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

export function matchKnownBot(ip: string, ua: string, path: string, files: string[]): boolean {
  const pip = parseIP(ip);
  for (const f of files) {
    for (const b of botFiles.get(f) ?? []) {
      if (b.ua.length && !b.ua.some((r) => r.test(ua))) continue;
      if (b.paths.length && !b.paths.some((r) => r.test(path))) continue;
      if (
        pip &&
        b.ips.some((x) => {
          const q = parseIP(x);
          return q !== null && q.v === pip.v;
        })
      )
        return true;
      if (
        pip &&
        b.ranges.some((x) => {
          const c = parseCIDR(x);
          return c !== null && cidrContains(c, pip);
        })
      )
        return true;
      if (b.rdns.length && exprHooks.reverseDNS) {
        const names = exprHooks.reverseDNS(ip);
        for (const name of names) {
          if (!b.rdns.some((r) => r.test(name))) continue;
          const fwd = exprHooks.lookupHost ? exprHooks.lookupHost(name) : [];
          if (
            fwd.some((x) => {
              const q = parseIP(x);
              return q !== null && pip !== null && q.v === pip.v;
            })
          )
            return true;
        }
      }
    }
  }
  return false;
}

export const FILE_FUNCTIONS: Record<string, FnDef> = {
  File: {
    min: 1,
    max: 1,
    ret: arr(STRING),
    fn: (f: unknown) => {
      const l = stringFiles.get(s(f, 'File'));
      if (!l) {
        hookLog('error', `file '${String(f)}' (type:string) not found in expr library`);
        return [];
      }
      return l;
    },
  },
  RegexpInFile: {
    min: 2,
    max: 2,
    ret: BOOL,
    fn: (v: unknown, f: unknown) => {
      const r = matchRegexpFile(s(f, 'RegexpInFile', 1), s(v, 'RegexpInFile'));
      if (r === undefined) {
        hookLog('error', `file '${String(f)}' (type:regexp) not found in expr library`);
        return false;
      }
      return r;
    },
  },
  LookupFile: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (h: unknown, f: unknown) => lookupFile(s(h, 'LookupFile'), s(f, 'LookupFile', 1)),
  },
  FileMap: {
    min: 1,
    max: 1,
    ret: arr(map(STRING)),
    fn: (f: unknown) =>
      (mapFiles.get(s(f, 'FileMap')) ?? []).map((e) => ({ pattern: e.pattern, tag: e.tag, type: e.type })),
  },
  MatchKnownBot: {
    min: 3,
    max: INF,
    ret: BOOL,
    fn: (ip: unknown, ua: unknown, p: unknown, ...files: unknown[]) =>
      matchKnownBot(
        s(ip, 'MatchKnownBot'),
        s(ua, 'MatchKnownBot', 1),
        s(p, 'MatchKnownBot', 2),
        files.map((x, i) => s(x, 'MatchKnownBot', i + 3)),
      ),
  },
};
