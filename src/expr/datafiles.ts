// Data files used by File / RegexpInFile / LookupFile / FileMap / MatchKnownBot (parsing.md §10).
// Owns: loading (once per (dest_file, type)), storage keyed by dest_file, lookup helpers.

import { AnswerMemory } from './recent.js';
import { join, isAbsolute } from 'node:path';
import RE2 from 're2';
import { errorMessage } from '../core/errors.js';
import { DataFileTooLargeError, readDataText } from '../core/config-file.js';

export interface MapEntry {
  pattern: string;
  tag: string;
  type: string;
  re?: RE2;
}
export interface BotEntry {
  raw: Record<string, unknown>;
  ua: RE2[];
  paths: RE2[];
  ips: string[];
  ranges: string[];
  rdns: RE2[];
}

export const stringFiles = new Map<string, string[]>();
/** One matcher per regexp file: the regexes grouped into RE2.Set chunks, so `RegexpInFile` scans a line
 *  once per chunk instead of once per regex (hub bad_user_agents has ~590 regexes per request). Built at load,
 *  which is also where a bad line is reported; no RE2 object per line is kept (600 held ~2 MiB native). */
type RegexSet = { test(s: string): boolean };
const RE2Set = (RE2 as unknown as { Set: new (patterns: string[]) => RegexSet }).Set;
interface RegexpMatcher {
  sets: RegexSet[];
  singles: RE2[];
  seen: AnswerMemory;
}
const regexpMatchers = new Map<string, RegexpMatcher>();
const SET_CHUNK = 64;
/** answers remembered per regexp file (a file's answer for a string never changes once the file is loaded) */
const SEEN_MAX = 8192;

/** true when any regex of the loaded `regexp` data file `destFile` matches `s`; undefined if no such file. */
export function matchRegexpFile(destFile: string, s: string): boolean | undefined {
  const m = regexpMatchers.get(destFile);
  if (!m) return undefined;
  const known = m.seen.get(s);
  if (known !== undefined) return known;
  let hit = false;
  for (let i = 0; !hit && i < m.sets.length; i++) hit = m.sets[i]!.test(s);
  for (let i = 0; !hit && i < m.singles.length; i++) hit = m.singles[i]!.test(s);
  m.seen.set(s, hit);
  return hit;
}

/** Adds `patterns` to destFile's matcher, a chunk at a time as one RE2.Set, regex by regex when RE2 refuses a
 *  chunk as a set (a pattern may be refused in a set and accepted alone); throws naming a pattern RE2 refuses. */
function addRegexps(destFile: string, patterns: readonly string[]): void {
  const sets: RegexSet[] = [],
    singles: RE2[] = [];
  for (let i = 0; i < patterns.length; i += SET_CHUNK) {
    const chunk = patterns.slice(i, i + SET_CHUNK);
    try {
      sets.push(new RE2Set(chunk));
      continue;
    } catch {
      /* regex by regex, below */
    }
    for (const p of chunk) {
      try {
        singles.push(new RE2(p));
      } catch (e) {
        throw new Error(`regexp ${JSON.stringify(p)}: ${errorMessage(e)}`, { cause: e });
      }
    }
  }
  const m = regexpMatchers.get(destFile);
  if (!m) {
    regexpMatchers.set(destFile, { sets, singles, seen: new AnswerMemory(SEEN_MAX) });
    return;
  }
  m.sets.push(...sets);
  m.singles.push(...singles);
  m.seen = new AnswerMemory(SEEN_MAX); // more patterns: earlier answers may change
}
export const mapFiles = new Map<string, MapEntry[]>();
export const botFiles = new Map<string, BotEntry[]>();
const loaded = new Set<string>();

function lines(text: string): string[] {
  const out: string[] = [];
  for (let l of text.split('\n')) {
    if (l.endsWith('\r')) l = l.slice(0, -1);
    if (l === '' || l.startsWith('#')) continue;
    out.push(l);
  }
  return out;
}

function toRe2List(v: unknown, flags = ''): RE2[] {
  const arr = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return arr.filter((x): x is string => typeof x === 'string').map((p) => new RE2(p, flags));
}

/** Load `dataDir/destFile` as `type`. Returns an Error (naming the file) on failure; callers log and continue. */
export function loadDataFile(destFile: string, type: string, dataDir: string): Error | null {
  if (!type) return null;
  const key = `${destFile}\u0000${type}`;
  if (loaded.has(key)) return null;
  const path = isAbsolute(destFile) ? destFile : join(dataDir, destFile);
  let text: string;
  try {
    text = readDataText(path);
  } catch (e) {
    if (e instanceof DataFileTooLargeError) return e;
    return new Error(`failed to open data file ${path}: ${errorMessage(e)}`);
  }
  const ls = lines(text);
  try {
    switch (type) {
      case 'string': {
        const cur = stringFiles.get(destFile) ?? [];
        cur.push(...ls);
        stringFiles.set(destFile, cur);
        break;
      }
      case 'regexp':
      case 'regex':
        addRegexps(destFile, ls);
        break;
      case 'map': {
        const cur = mapFiles.get(destFile) ?? [];
        for (const l of ls) {
          const o = JSON.parse(l) as Record<string, unknown>;
          const e: MapEntry = {
            pattern: String(o.pattern ?? ''),
            tag: String(o.tag ?? ''),
            type: String(o.type ?? 'equals'),
          };
          if (e.type === 'regex') e.re = new RE2(e.pattern);
          cur.push(e);
        }
        mapFiles.set(destFile, cur);
        break;
      }
      case 'bots': {
        const cur = botFiles.get(destFile) ?? [];
        for (const l of ls) {
          const o = JSON.parse(l) as Record<string, unknown>;
          cur.push({
            raw: o,
            ua: toRe2List(o.user_agent ?? o.ua ?? o.user_agents, 'i'),
            paths: toRe2List(o.path ?? o.paths),
            ips: Array.isArray(o.ips) ? (o.ips as string[]) : [],
            ranges: Array.isArray(o.ranges) ? (o.ranges as string[]) : [],
            rdns: toRe2List(o.rdns),
          });
        }
        botFiles.set(destFile, cur);
        break;
      }
      default:
        return new Error(`unknown data type '${type}' for ${destFile}`);
    }
  } catch (e) {
    return new Error(`failed to load data file ${path} (${type}): ${errorMessage(e)}`);
  }
  loaded.add(key);
  return null;
}

/** Test / reload hook. */
export function resetDataFiles(): void {
  stringFiles.clear();
  regexpMatchers.clear();
  mapFiles.clear();
  botFiles.clear();
  loaded.clear();
}
