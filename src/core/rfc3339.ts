// RFC 3339 times as Go marshals them (time.Time MarshalText), parsed to the microsecond without Date or regex:
// the bucket engine reads every event's MarshaledTime with it. Owns: parseRFC3339 and its one-entry cache.

/** A parsed time: µs since the epoch and the zone offset of the text, in seconds. */
export interface RFC3339Time {
  readonly us: number;
  readonly off: number;
}

/** The last text parsed and its result (consecutive events often carry the same time). */
let lastText = '';
let lastTime: RFC3339Time | null = null;

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Parses an RFC 3339 time (Go MarshalText output: `2006-01-02T15:04:05.999999999Z07:00`; also `t` or a space
 * as separator, `,` before the fraction, a ` UTC` suffix), to the microsecond; null when unparsable.
 */
export function parseRFC3339(s: string): RFC3339Time | null {
  if (s === lastText) return lastTime;
  const n = s.length;
  if (n < 19) return null;
  const y = digits(s, 0, 4),
    mo = digits(s, 5, 2),
    d = digits(s, 8, 2);
  const h = digits(s, 11, 2),
    mi = digits(s, 14, 2),
    se = digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
    return null;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58)
    return null;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return null;
  let i = 19;
  let frac = 0;
  if (i < n && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
    i++;
    let k = 0;
    while (i < n) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (k < 6) frac = frac * 10 + c;
      k++;
      i++;
    }
    if (k === 0) return null;
    for (; k < 6; k++) frac *= 10;
  }
  let off = 0;
  if (i < n) {
    const z = s.charCodeAt(i);
    if ((z === 90 || z === 122) && i + 1 === n) {
      /* Z */
    } else if (z === 43 || z === 45) {
      const oh = digits(s, i + 1, 2);
      let j = i + 3;
      if (s.charCodeAt(j) === 58) j++;
      const om = digits(s, j, 2);
      if (oh < 0 || om < 0 || j + 2 !== n) return null;
      off = (z === 45 ? -1 : 1) * (oh * 3600 + om * 60);
    } else if (s.slice(i).trim() === 'UTC') {
      /* UTC */
    } else return null;
  }
  const days = daysFromCivil(y, mo, d);
  const time: RFC3339Time = { us: (days * 86400 + h * 3600 + mi * 60 + se - off) * 1000000 + frac, off };
  lastText = s;
  lastTime = time;
  return time;
}
