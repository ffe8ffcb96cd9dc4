// Go time formats as they appear on the wire of the Local API (spec lapi.md §2.2): Go `time.Duration` strings
// (emitted in whole seconds, read with fractions, units ns..h and the `d` day suffix), RFC 3339 timestamps
// (emitted at second precision in UTC, read with fractions and offsets) and Go's default `time.Time.String()`
// rendering used for event timestamps in alert listings. The duration parser itself is src/core/gotime.ts
// parseGoDuration (the one definition); this module fixes the options the wire uses.

import { parseGoDuration } from '../core/gotime.js';

export { parseGoDuration, formatGoDuration, type GoDurationOptions } from '../core/gotime.js';

/**
 * Seconds (already rounded) -> Go duration string: `0s`, `59s`, `1m0s`, `4h0m0s`, `-2s`. The whole-second case of
 * src/core/gotime.ts formatGoDuration, kept apart because it runs once per decision on the bouncer routes.
 */
export function formatGoSeconds(totalSeconds: number): string {
  if (totalSeconds === 0) return '0s';
  const neg = totalSeconds < 0;
  let s = neg ? -totalSeconds : totalSeconds;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  let out = neg ? '-' : '';
  if (h > 0) out += h + 'h';
  if (h > 0 || m > 0) out += m + 'm';
  return out + s + 's';
}

/** Milliseconds -> whole seconds, rounding halves away from zero (Go `Duration.Round(time.Second)`). */
export function roundToSeconds(ms: number): number {
  const r = ms < 0 ? -Math.round(-ms / 1000) : Math.round(ms / 1000);
  return r === 0 ? 0 : r; // no -0
}

/** Remaining time `until - now` as a whole-second Go duration string. */
export function formatRemaining(until: number, now: number): string {
  return formatGoSeconds(roundToSeconds(until - now));
}

/**
 * A duration as the LAPI, cscli, profiles and config files write it: Go `time.ParseDuration` syntax plus the `d`
 * (24 h) unit, surrounding blanks ignored -> milliseconds. `0` alone is accepted, as in Go. Null when the text is
 * not a duration.
 */
export function parseWireDuration(text: string): number | null {
  try {
    return parseGoDuration(text.trim(), { days: true, unit: 'ms' });
  } catch {
    return null;
  }
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Epoch ms -> RFC 3339 UTC with second precision: `2026-11-25T05:14:39Z`. */
export function formatRfc3339(ms: number): string {
  const d = new Date(ms);
  return (
    d.getUTCFullYear() +
    '-' +
    pad2(d.getUTCMonth() + 1) +
    '-' +
    pad2(d.getUTCDate()) +
    'T' +
    pad2(d.getUTCHours()) +
    ':' +
    pad2(d.getUTCMinutes()) +
    ':' +
    pad2(d.getUTCSeconds()) +
    'Z'
  );
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?([Zz]|[+-]\d\d:\d\d)$/;

/** RFC 3339 (fractions and offsets accepted) -> epoch ms (sub-millisecond digits dropped); NaN when invalid. */
export function parseRfc3339(text: string): number {
  const m = RFC3339.exec(text);
  if (m === null) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo),
    day = Number(d),
    hour = Number(h),
    min = Number(mi),
    sec = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return Number.NaN;
  let ms = Date.UTC(Number(y), month - 1, day, hour, min, sec, frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0);
  if (zone !== 'Z' && zone !== 'z') {
    const off = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
    ms += zone[0] === '+' ? -off : off;
  }
  return ms;
}

/**
 * RFC 3339 text -> Go's `time.Time.String()` form (`2026-11-25 05:16:51 +0000 UTC`, fraction kept without
 * trailing zeros), as CrowdSec prints event timestamps. Unparsable text is returned unchanged.
 */
export function goTimeString(text: string): string {
  const m = RFC3339.exec(text);
  if (m === null) return text;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const f = frac ? frac.replace(/0+$/, '') : '';
  const z =
    zone === 'Z' || zone === 'z'
      ? '+0000 UTC'
      : zone.slice(0, 3) + zone.slice(4) + ' ' + zone.slice(0, 3) + zone.slice(4);
  return `${y}-${mo}-${d} ${h}:${mi}:${s}${f ? '.' + f : ''} ${z}`;
}
