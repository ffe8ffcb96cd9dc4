// ParseDate (parsing.md §12): StrTimeFormat first, then CrowdSec's ordered layout list, then Unix seconds.
// Year-less results get `ctx.yearForYearless` added (Go `t.AddDate(year, 0, 0)`); output is Go MarshalText
// (RFC3339Nano keeping the parsed offset). Owns: only date parsing; the enricher wrapper is in index.ts.

import { GoTime } from '../../core/gotime.js';
import { addYears, parseGoLayout } from '../../core/golayout.js';

export interface DateContext {
  yearForYearless: number;
}

/** CrowdSec GenDateParse layout order. */
export const DATE_LAYOUTS: readonly string[] = [
  '2006-01-02T15:04:05Z07:00', // time.RFC3339
  '02/Jan/2006:15:04:05 -0700',
  'Mon Jan 2 15:04:05 2006',
  '02-Jan-2006 15:04:05 europe/paris',
  '01/02/2006 15:04:05',
  '2006-01-02 15:04:05.999999999 -0700 MST',
  'Jan  2 15:04:05',
  'Mon Jan 02 15:04:05.000000 2006',
  '2006-01-02T15:04:05Z07:00',
  '2006/01/02',
  '2006/01/02 15:04',
  '2006-01-02',
  '2006-01-02 15:04',
  '2006/01/02 15:04:05',
  '2006-01-02 15:04:05',
  '2006-01-02T15:04:05',
];

/** Go time.Parse + CrowdSec's "zero time = failure" and year-less rule. */
export function parseWithLayout(s: string, layout: string, ctx: DateContext): GoTime | null {
  let t = parseGoLayout(layout, s);
  if (t === null || t.isZero()) return null;
  if (t.Year() === 0) t = addYears(t, ctx.yearForYearless);
  return t;
}

/** the last answer: consecutive lines of a busy log carry the same timestamp (GoTime is immutable) */
let lastIn = '',
  lastFormat = '',
  lastYear = NaN;
let lastOut: { time: GoTime; marshaled: string } | null = null;

export function parseDate(
  s: string,
  strTimeFormat: string,
  ctx: DateContext,
): { time: GoTime; marshaled: string } | null {
  if (s === '') return null;
  if (s === lastIn && strTimeFormat === lastFormat && ctx.yearForYearless === lastYear) return lastOut;
  const r = parseDateUncached(s, strTimeFormat, ctx);
  lastIn = s;
  lastFormat = strTimeFormat;
  lastYear = ctx.yearForYearless;
  lastOut = r;
  return r;
}

function parseDateUncached(
  s: string,
  strTimeFormat: string,
  ctx: DateContext,
): { time: GoTime; marshaled: string } | null {
  if (strTimeFormat !== '') {
    const t = parseWithLayout(s, strTimeFormat, ctx);
    if (t) return { time: t, marshaled: t.toRFC3339Nano() };
  }
  for (const layout of DATE_LAYOUTS) {
    const t = parseWithLayout(s, layout, ctx);
    if (t) return { time: t, marshaled: t.toRFC3339Nano() };
  }
  // Unix seconds: integer part before the first '.' (Go strconv.ParseInt), positive.
  const intPart = s.split('.')[0]!;
  if (/^[+-]?\d+$/.test(intPart)) {
    const n = Number(intPart);
    if (n > 0 && Number.isSafeInteger(n)) {
      const t = new GoTime(n * 1000, 0, 0, 'UTC');
      return { time: t, marshaled: t.toRFC3339() };
    }
  }
  return null;
}
