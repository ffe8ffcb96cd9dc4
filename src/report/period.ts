// The calendar month a report covers (UTC): parsing `--month 2026-11`, its bounds in epoch ms, the month
// before it, "last month" relative to a time, and the UTC day keys of a month (the x axis of the charts).

import { PicketError } from '../core/errors.js';

export interface Month {
  /** `YYYY-MM` */
  key: string;
  /** first millisecond of the month (UTC) */
  start: number;
  /** first millisecond of the next month (exclusive end) */
  end: number;
}

export class ReportError extends PicketError {}

function monthOf(year: number, month0: number): Month {
  const start = Date.UTC(year, month0, 1);
  const end = Date.UTC(year, month0 + 1, 1);
  const d = new Date(start);
  const key = `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  return { key, start, end };
}

/** `YYYY-MM` -> Month; throws REPORT_BAD_MONTH naming the value */
export function parseMonth(s: string): Month {
  const m = /^(\d{4})-(\d{2})$/.exec(s);
  const mm = m ? Number(m[2]) : 0;
  if (!m || mm < 1 || mm > 12)
    throw new ReportError('REPORT_BAD_MONTH', `month '${s}': expected YYYY-MM, e.g. 2026-11`);
  return monthOf(Number(m[1]), mm - 1);
}

/** the month containing `t` */
export function monthContaining(t: number): Month {
  const d = new Date(t);
  return monthOf(d.getUTCFullYear(), d.getUTCMonth());
}

/** the month before `m` */
export function previousMonth(m: Month): Month {
  const d = new Date(m.start);
  return monthOf(d.getUTCFullYear(), d.getUTCMonth() - 1);
}

/** the last complete month at time `now` */
export function lastMonth(now: number): Month {
  return previousMonth(monthContaining(now));
}

/** `YYYY-MM-DD` of every day of the month */
export function daysOf(m: Month): string[] {
  const out: string[] = [];
  for (let t = m.start; t < m.end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** an RFC 3339 time as the store keeps it (nanoseconds allowed) -> epoch ms, NaN when unreadable */
export function parseTime(s: string): number {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(\.\d+)?(.*)$/.exec(s);
  if (!m) return Date.parse(s);
  const frac = m[2] ? m[2].slice(0, 4) : '';
  return Date.parse(m[1] + frac + m[3]);
}
