// CrowdSec time helpers (MedianInterval, AverageInterval, TimeNow, ParseUnix), expr-lang's date parsing, and the Go
// time methods GoTime does not carry (TIME_EXTRA).
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { parseGoLayout, formatGoLayout } from '../../core/golayout.js';
import { GoTime } from '../../core/gotime.js';
import { RtError, typeOfValue } from '../runtime.js';
import { DURATION, STRING } from '../schema.js';
import { s, a, type FnDef } from './args.js';

export function toTimes(v: unknown, fn: string): GoTime[] {
  const out: GoTime[] = [];
  for (const x of a(v, fn)) {
    if (!(x instanceof GoTime)) throw new RtError(`${fn}: element is not a time (${typeOfValue(x)})`);
    out.push(x);
  }
  return out;
}

export function intervals(v: unknown, fn: string): number[] {
  const ts = toTimes(v, fn);
  if (ts.length < 2) throw new RtError(`${fn}: need at least 2 times`);
  ts.sort((x, y) => x.compare(y));
  const gaps: number[] = [];
  for (let i = 1; i < ts.length; i++) gaps.push(ts[i]!.Sub(ts[i - 1]!));
  return gaps;
}

export function parseDate(str: string, layout?: string, tz?: string): GoTime {
  void tz;
  if (layout !== undefined) {
    const t = parseGoLayout(layout, str);
    if (t === null) throw new RtError(`parsing time ${JSON.stringify(str)} as ${JSON.stringify(layout)}: cannot parse`);
    return t;
  }
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      str.trim(),
    );
  if (!m) throw new RtError(`date: cannot parse "${str}"`);
  let off = 0;
  if (m[8] && m[8] !== 'Z') {
    const z = m[8].replace(':', '');
    off = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 3600 + Number(z.slice(3, 5)) * 60);
  }
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) - off * 1000;
  const frac = (m[7] ?? '').padEnd(9, '0');
  const ns = Number(frac);
  return new GoTime(ms + Math.floor(ns / 1e6), ns % 1e6, off, off === 0 ? 'UTC' : '');
}

export const TIME_FUNCTIONS: Record<string, FnDef> = {
  MedianInterval: {
    min: 1,
    max: 1,
    ret: DURATION,
    fn: (v: unknown) => {
      const g = intervals(v, 'MedianInterval').sort((x, y) => x - y);
      const m = g.length >> 1;
      return g.length % 2 ? g[m]! : Math.trunc((g[m - 1]! + g[m]!) / 2);
    },
  },
  AverageInterval: {
    min: 1,
    max: 1,
    ret: DURATION,
    fn: (v: unknown) => {
      const g = intervals(v, 'AverageInterval');
      return Math.trunc(g.reduce((p, c) => p + c, 0) / g.length);
    },
  },
  TimeNow: { min: 0, max: 0, ret: STRING, fn: () => GoTime.now().toRFC3339() },
  ParseUnix: {
    min: 1,
    max: 1,
    ret: STRING,
    fn: (v: unknown) => {
      const str = s(v, 'ParseUnix');
      const m = /^(-?\d+)(?:\.\d*)?$/.exec(str);
      if (!m) return '';
      const sec = Number(m[1]);
      if (!(sec > 0)) return '';
      return new GoTime(sec * 1000, 0, 0, 'UTC').toRFC3339();
    },
  },
};

/** Go time methods not carried by GoTime itself (called as F.$time_<name>(t, ...args)). */
export const TIME_EXTRA: Record<string, FnDef> = {
  Format: { min: 1, max: 1, ret: STRING, fn: (t: GoTime, layout: unknown) => formatGoLayout(t, s(layout, 'Format')) },
};
