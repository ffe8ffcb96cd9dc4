// Go time layouts (`2006-01-02T15:04:05Z07:00` style): parse and format like Go's `time.Parse` / `Time.Format`.
// Owns: layout tokenizing (Go nextStdChunk rules), value parsing (Go semantics: space runs, fraction after
// seconds even when the layout has none, case-insensitive month/day names, zone offsets/abbreviations with
// the process zone being UTC: unknown abbreviations get offset 0), and formatting.
// A layout without a year parses to year 0; callers that need "current year" semantics use `addYears`.

import { GoTime, MONTHS, WEEKDAYS } from './gotime.js';

const enum Std {
  Lit,
  LongMonth,
  Month,
  NumMonth,
  ZeroMonth,
  LongWeekDay,
  WeekDay,
  Day,
  UnderDay,
  ZeroDay,
  UnderYearDay,
  ZeroYearDay,
  Hour,
  Hour12,
  ZeroHour12,
  Minute,
  ZeroMinute,
  Second,
  ZeroSecond,
  LongYear,
  Year,
  PM,
  Pm,
  TZ,
  ISO8601TZ,
  ISO8601SecondsTZ,
  ISO8601ShortTZ,
  ISO8601ColonTZ,
  ISO8601ColonSecondsTZ,
  NumTZ,
  NumSecondsTz,
  NumShortTZ,
  NumColonTZ,
  NumColonSecondsTZ,
  FracSecond0,
  FracSecond9,
}

interface Chunk {
  std: Std;
  lit: string;
  digits: number;
  sep: string;
}

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LONG_MONTHS = MONTHS;
const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = WEEKDAYS;

const isDigitAt = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

const layoutCache = new Map<string, Chunk[]>();

/** Split a layout into literal and std chunks (Go `nextStdChunk`). */
export function tokenizeLayout(layout: string): Chunk[] {
  const hit = layoutCache.get(layout);
  if (hit) return hit;
  const out: Chunk[] = [];
  let lit = '';
  const push = (std: Std, len: number, digits = 0, sep = ''): number => {
    if (lit) {
      out.push({ std: Std.Lit, lit, digits: 0, sep: '' });
      lit = '';
    }
    out.push({ std, lit: '', digits, sep });
    return len;
  };
  let i = 0;
  const L = layout;
  const at = (p: string): boolean => L.startsWith(p, i);
  while (i < L.length) {
    const c = L[i]!;
    let n = 0;
    switch (c) {
      case 'J':
        if (at('January')) n = push(Std.LongMonth, 7);
        else if (at('Jan')) n = push(Std.Month, 3);
        break;
      case 'M':
        if (at('Monday')) n = push(Std.LongWeekDay, 6);
        else if (at('Mon')) n = push(Std.WeekDay, 3);
        else if (at('MST')) n = push(Std.TZ, 3);
        break;
      case '0':
        if (i + 1 < L.length && L[i + 1]! >= '1' && L[i + 1]! <= '6') {
          n = push(
            [Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year][
              L.charCodeAt(i + 1) - 49
            ]!,
            2,
          );
        } else if (at('002')) n = push(Std.ZeroYearDay, 3);
        break;
      case '1':
        if (at('15')) n = push(Std.Hour, 2);
        else n = push(Std.NumMonth, 1);
        break;
      case '2':
        if (at('2006')) n = push(Std.LongYear, 4);
        else n = push(Std.Day, 1);
        break;
      case '_':
        if (at('_2')) {
          if (at('_2006')) {
            lit += '_';
            i += 1;
            n = push(Std.LongYear, 4);
          } else n = push(Std.UnderDay, 2);
        } else if (at('__2')) n = push(Std.UnderYearDay, 3);
        break;
      case '3':
        n = push(Std.Hour12, 1);
        break;
      case '4':
        n = push(Std.Minute, 1);
        break;
      case '5':
        n = push(Std.Second, 1);
        break;
      case 'P':
        if (at('PM')) n = push(Std.PM, 2);
        break;
      case 'p':
        if (at('pm')) n = push(Std.Pm, 2);
        break;
      case '-':
        if (at('-070000')) n = push(Std.NumSecondsTz, 7);
        else if (at('-07:00:00')) n = push(Std.NumColonSecondsTZ, 9);
        else if (at('-0700')) n = push(Std.NumTZ, 5);
        else if (at('-07:00')) n = push(Std.NumColonTZ, 6);
        else if (at('-07')) n = push(Std.NumShortTZ, 3);
        break;
      case 'Z':
        if (at('Z070000')) n = push(Std.ISO8601SecondsTZ, 7);
        else if (at('Z07:00:00')) n = push(Std.ISO8601ColonSecondsTZ, 9);
        else if (at('Z0700')) n = push(Std.ISO8601TZ, 5);
        else if (at('Z07:00')) n = push(Std.ISO8601ColonTZ, 6);
        else if (at('Z07')) n = push(Std.ISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (i + 1 < L.length && (L[i + 1] === '0' || L[i + 1] === '9')) {
          const ch = L[i + 1]!;
          let j = i + 1;
          while (j < L.length && L[j] === ch) j++;
          if (!isDigitAt(L, j)) n = push(ch === '0' ? Std.FracSecond0 : Std.FracSecond9, j - i, j - i - 1, c);
        }
        break;
    }
    if (n > 0) {
      i += n;
      continue;
    }
    lit += c;
    i++;
  }
  if (lit) out.push({ std: Std.Lit, lit, digits: 0, sep: '' });
  layoutCache.set(layout, out);
  return out;
}

function cutspace(s: string): string {
  let i = 0;
  while (i < s.length && s[i] === ' ') i++;
  return s.slice(i);
}

/** Go `skip`: a space run in the layout matches any run of spaces (possibly none) in the value. */
function skip(value: string, prefix: string): string | null {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') return null;
      prefix = cutspace(prefix);
      value = cutspace(value);
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) return null;
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

/** Go getnum: 1 or 2 digits (fixed: exactly 2). Returns [n, rest] or null. */
function getnum(v: string, fixed: boolean): [number, string] | null {
  if (!isDigitAt(v, 0)) return null;
  if (!isDigitAt(v, 1)) {
    if (fixed) return null;
    return [v.charCodeAt(0) - 48, v.slice(1)];
  }
  return [(v.charCodeAt(0) - 48) * 10 + v.charCodeAt(1) - 48, v.slice(2)];
}

function getnum3(v: string, fixed: boolean): [number, string] | null {
  let n = 0,
    i = 0;
  for (; i < 3 && isDigitAt(v, i); i++) n = n * 10 + v.charCodeAt(i) - 48;
  if (i === 0 || (fixed && i !== 3)) return null;
  return [n, v.slice(i)];
}

function lookup(tab: string[], v: string): [number, string] | null {
  for (let i = 0; i < tab.length; i++) {
    const name = tab[i]!;
    if (v.length >= name.length && v.slice(0, name.length).toLowerCase() === name.toLowerCase())
      return [i, v.slice(name.length)];
  }
  return null;
}

/** Fraction `.ddd` / `,ddd` of n chars (separator included) -> nanoseconds. */
function parseNanos(v: string, n: number): number | null {
  if (v[0] !== '.' && v[0] !== ',') return null;
  let digits = v.slice(1, n);
  if (!/^\d+$/.test(digits)) return null;
  if (digits.length > 9) digits = digits.slice(0, 9);
  return parseInt(digits.padEnd(9, '0'), 10);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** Milliseconds since epoch of a UTC wall clock (any year, including 0..99 and negatives). */
export function wallToMs(year: number, month: number, day: number, hour: number, min: number, sec: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, min, sec, 0);
  return d.getTime();
}

function parseTZAbbrev(v: string): number {
  // Go parseTimeZone (simplified): GMT[+-]h, ChST/MeST, 3-5 upper-case letters ending in T or 3 letters.
  if (v.length < 3) return 0;
  if (v.startsWith('ChST') || v.startsWith('MeST')) return 4;
  if (v.startsWith('GMT')) {
    const m = /^GMT([+-]\d{1,2})?/.exec(v)!;
    return m[0].length;
  }
  if (v[0] === '+' || v[0] === '-') {
    const m = /^[+-]\d{2,4}/.exec(v);
    return m ? m[0].length : 0;
  }
  let n = 0;
  while (n < 6 && n < v.length && v[n]! >= 'A' && v[n]! <= 'Z') n++;
  if (n === 3) return 3;
  if (n === 4 || n === 5) return v[n - 1] === 'T' || v.startsWith('WITA') ? n : v[3] === 'T' ? 4 : 0;
  return 0;
}

/** The fields a layout's chunks have read so far (Go time.Parse's locals). */
interface LayoutFields {
  year: number;
  month: number;
  day: number;
  yday: number;
  hour: number;
  min: number;
  sec: number;
  nsec: number;
  pmSet: boolean;
  amSet: boolean;
  offset: number | null;
  zoneName: string;
  isUTC: boolean;
}

/** Parse `value` with Go layout `layout`. Returns null when Go's time.Parse would fail. Zone-less layouts are UTC. */
export function parseGoLayout(layout: string, value: string): GoTime | null {
  const chunks = tokenizeLayout(layout);
  let v = value;
  const p: LayoutFields = {
    year: 0,
    month: -1,
    day: -1,
    yday: -1,
    hour: 0,
    min: 0,
    sec: 0,
    nsec: 0,
    pmSet: false,
    amSet: false,
    offset: null,
    zoneName: '',
    isUTC: false,
  };
  for (let ci = 0; ci < chunks.length; ci++) {
    const ch = chunks[ci]!;
    let r: string | null | undefined;
    if (ch.std === Std.Lit) r = skip(v, ch.lit);
    else {
      r = readDateChunk(p, ch, v);
      if (r === undefined) r = readClockChunk(p, ch, chunks[ci + 1], v);
      if (r === undefined) r = readZoneChunk(p, ch, v);
    }
    if (r === null) return null;
    v = r;
  }
  if (v.length > 0) return null; // extra text
  return timeOfFields(p);
}

/** A date chunk (year, month, weekday, day, year day): the rest of the value, null on failure, undefined if not one. */
function readDateChunk(p: LayoutFields, ch: Chunk, v: string): string | null | undefined {
  let r: [number, string] | null;
  switch (ch.std) {
    case Std.Year: {
      if (v.length < 2 || !isDigitAt(v, 0) || !isDigitAt(v, 1)) return null;
      const y = parseInt(v.slice(0, 2), 10);
      p.year = y >= 69 ? y + 1900 : y + 2000;
      v = v.slice(2);
      break;
    }
    case Std.LongYear:
      if (v.length < 4 || !/^\d{4}/.test(v)) return null;
      p.year = parseInt(v.slice(0, 4), 10);
      v = v.slice(4);
      break;
    case Std.Month:
      if (!(r = lookup(SHORT_MONTHS, v))) return null;
      p.month = r[0] + 1;
      v = r[1];
      break;
    case Std.LongMonth:
      if (!(r = lookup(LONG_MONTHS, v))) return null;
      p.month = r[0] + 1;
      v = r[1];
      break;
    case Std.NumMonth:
    case Std.ZeroMonth:
      if (!(r = getnum(v, ch.std === Std.ZeroMonth)) || r[0] <= 0 || r[0] > 12) return null;
      p.month = r[0];
      v = r[1];
      break;
    case Std.WeekDay:
      if (!(r = lookup(SHORT_DAYS, v))) return null;
      v = r[1];
      break;
    case Std.LongWeekDay:
      if (!(r = lookup(LONG_DAYS, v))) return null;
      v = r[1];
      break;
    case Std.Day:
    case Std.UnderDay:
    case Std.ZeroDay:
      if (ch.std === Std.UnderDay && v[0] === ' ') v = v.slice(1);
      if (!(r = getnum(v, ch.std === Std.ZeroDay))) return null;
      p.day = r[0];
      v = r[1];
      break;
    case Std.UnderYearDay:
    case Std.ZeroYearDay:
      for (let k = 0; k < 2; k++) if (ch.std === Std.UnderYearDay && v[0] === ' ') v = v.slice(1);
      if (!(r = getnum3(v, ch.std === Std.ZeroYearDay)) || r[0] < 1 || r[0] > 366) return null;
      p.yday = r[0];
      v = r[1];
      break;
    default:
      return undefined;
  }
  return v;
}

/** A clock chunk (hour, minute, second, AM/PM, fraction): like readDateChunk; `next` is the chunk after it. */
function readClockChunk(p: LayoutFields, ch: Chunk, next: Chunk | undefined, v: string): string | null | undefined {
  let r: [number, string] | null;
  switch (ch.std) {
    case Std.Hour:
      if (!(r = getnum(v, false)) || r[0] > 23) return null;
      p.hour = r[0];
      v = r[1];
      break;
    case Std.Hour12:
    case Std.ZeroHour12:
      if (!(r = getnum(v, ch.std === Std.ZeroHour12)) || r[0] > 12) return null;
      p.hour = r[0];
      v = r[1];
      break;
    case Std.Minute:
    case Std.ZeroMinute:
      if (!(r = getnum(v, ch.std === Std.ZeroMinute)) || r[0] > 59) return null;
      p.min = r[0];
      v = r[1];
      break;
    case Std.Second:
    case Std.ZeroSecond: {
      if (!(r = getnum(v, ch.std === Std.ZeroSecond)) || r[0] > 59) return null;
      p.sec = r[0];
      v = r[1];
      // fractional second in the value but not in the layout
      if (v.length >= 2 && (v[0] === '.' || v[0] === ',') && isDigitAt(v, 1)) {
        if (next && (next.std === Std.FracSecond0 || next.std === Std.FracSecond9)) break;
        let n = 2;
        while (n < v.length && isDigitAt(v, n)) n++;
        p.nsec = parseNanos(v, n)!;
        v = v.slice(n);
      }
      break;
    }
    case Std.PM:
      if (v.length < 2) return null;
      if (v.startsWith('PM')) p.pmSet = true;
      else if (v.startsWith('AM')) p.amSet = true;
      else return null;
      v = v.slice(2);
      break;
    case Std.Pm:
      if (v.length < 2) return null;
      if (v.startsWith('pm')) p.pmSet = true;
      else if (v.startsWith('am')) p.amSet = true;
      else return null;
      v = v.slice(2);
      break;
    case Std.FracSecond0: {
      const nd = 1 + ch.digits;
      if (v.length < nd) return null;
      const ns = parseNanos(v, nd);
      if (ns === null) return null;
      p.nsec = ns;
      v = v.slice(nd);
      break;
    }
    case Std.FracSecond9: {
      if (v.length < 2 || (v[0] !== '.' && v[0] !== ',') || !isDigitAt(v, 1)) break;
      let k = 0;
      while (k < 9 && isDigitAt(v, k + 1)) k++;
      p.nsec = parseNanos(v, 1 + k)!;
      v = v.slice(1 + k);
      break;
    }
    default:
      return undefined;
  }
  return v;
}

/** numeric zone offsets by kind: 0 hhmm, 1 hhmmss, 2 hh, 3 hh:mm, 4 hh:mm:ss */
const ZONE_OFFSET = [
  /^([+-])(\d\d)(\d\d)/,
  /^([+-])(\d\d)(\d\d)(\d\d)/,
  /^([+-])(\d\d)/,
  /^([+-])(\d\d):(\d\d)/,
  /^([+-])(\d\d):(\d\d):(\d\d)/,
];

/** A zone chunk (numeric offset, ISO 8601 offset or Z, abbreviation): the rest of the value, or null on failure. */
function readZoneChunk(p: LayoutFields, ch: Chunk, v: string): string | null {
  switch (ch.std) {
    case Std.ISO8601TZ:
    case Std.ISO8601ColonTZ:
    case Std.ISO8601SecondsTZ:
    case Std.ISO8601ShortTZ:
    case Std.ISO8601ColonSecondsTZ:
    case Std.NumTZ:
    case Std.NumShortTZ:
    case Std.NumColonTZ:
    case Std.NumSecondsTz:
    case Std.NumColonSecondsTZ: {
      const iso = ch.std <= Std.ISO8601ColonSecondsTZ;
      if (iso && v[0] === 'Z') {
        v = v.slice(1);
        p.isUTC = true;
        break;
      }
      const kind = iso ? ch.std - Std.ISO8601TZ : ch.std - Std.NumTZ; // 0 hhmm, 1 hhmmss, 2 hh, 3 hh:mm, 4 hh:mm:ss
      const m = ZONE_OFFSET[kind]!.exec(v);
      if (!m) return null;
      const hh = parseInt(m[2]!, 10),
        mm = m[3] ? parseInt(m[3], 10) : 0,
        ss = m[4] ? parseInt(m[4], 10) : 0;
      if (hh > 24 || mm > 60 || ss > 60) return null;
      p.offset = (m[1] === '-' ? -1 : 1) * (hh * 3600 + mm * 60 + ss);
      v = v.slice(m[0].length);
      break;
    }
    case Std.TZ: {
      if (v.startsWith('UTC')) {
        v = v.slice(3);
        p.isUTC = true;
        break;
      }
      const n = parseTZAbbrev(v);
      if (n === 0) return null;
      p.zoneName = v.slice(0, n);
      v = v.slice(n);
      break;
    }
  }
  return v;
}

/** The time the fields name (Go time.Parse after its loop: AM/PM, year day, zone). */
function timeOfFields(p: LayoutFields): GoTime | null {
  if (p.pmSet && p.hour < 12) p.hour += 12;
  else if (p.amSet && p.hour === 12) p.hour = 0;
  if (p.yday >= 0) {
    // derive month/day from year day
    const leap = daysIn(2, p.year) === 29;
    if (p.yday > (leap ? 366 : 365)) return null;
    let d = p.yday,
      mo = 1;
    while (d > daysIn(mo, p.year)) {
      d -= daysIn(mo, p.year);
      mo++;
    }
    if ((p.month >= 0 && p.month !== mo) || (p.day >= 0 && p.day !== d)) return null;
    p.month = mo;
    p.day = d;
  } else {
    if (p.month < 0) p.month = 1;
    if (p.day < 0) p.day = 1;
  }
  if (p.day < 1 || p.day > daysIn(p.month, p.year)) return null;
  const wall = wallToMs(p.year, p.month, p.day, p.hour, p.min, p.sec);
  const msFrac = Math.floor(p.nsec / 1e6);
  const nsFrac = p.nsec - msFrac * 1e6;
  if (p.isUTC) return new GoTime(wall + msFrac, nsFrac, 0, 'UTC');
  if (p.offset !== null)
    return new GoTime(
      wall - p.offset * 1000 + msFrac,
      nsFrac,
      p.offset,
      p.offset === 0 && (p.zoneName === '' || p.zoneName === 'UTC') ? 'UTC' : p.zoneName,
    );
  if (p.zoneName) {
    let off = 0;
    const g = /^GMT([+-]\d{1,2})$/.exec(p.zoneName);
    if (g) off = parseInt(g[1]!, 10) * 3600;
    return new GoTime(wall - off * 1000 + msFrac, nsFrac, off, p.zoneName);
  }
  return new GoTime(wall + msFrac, nsFrac, 0, 'UTC');
}

/** Go `t.AddDate(years, 0, 0)` on the time's own wall clock (Feb 29 normalises to Mar 1). */
export function addYears(t: GoTime, years: number): GoTime {
  const wall = new Date(t.ms + t.offset * 1000);
  const y = wall.getUTCFullYear() + years;
  const ms =
    wallToMs(
      y,
      wall.getUTCMonth() + 1,
      wall.getUTCDate(),
      wall.getUTCHours(),
      wall.getUTCMinutes(),
      wall.getUTCSeconds(),
    ) +
    wall.getUTCMilliseconds() -
    t.offset * 1000;
  return new GoTime(ms, t.nsFrac, t.offset, t.zone);
}

function p2(n: number, w = 2, padCh = '0'): string {
  const s = String(n);
  return s.length >= w ? s : padCh.repeat(w - s.length) + s;
}

/** Format `t` with a Go layout (Go `Time.Format`). */
export function formatGoLayout(t: GoTime, layout: string): string {
  const d = new Date(t.ms + t.offset * 1000);
  const year = d.getUTCFullYear(),
    month = d.getUTCMonth() + 1,
    day = d.getUTCDate();
  const hour = d.getUTCHours(),
    min = d.getUTCMinutes(),
    sec = d.getUTCSeconds();
  const nsec = t.Nanosecond();
  let out = '';
  for (const ch of tokenizeLayout(layout)) {
    switch (ch.std) {
      case Std.Lit:
        out += ch.lit;
        break;
      case Std.Year:
        out += p2(((year % 100) + 100) % 100);
        break;
      case Std.LongYear:
        out += year < 0 ? '-' + p2(-year, 4) : p2(year, 4);
        break;
      case Std.Month:
        out += SHORT_MONTHS[month - 1];
        break;
      case Std.LongMonth:
        out += LONG_MONTHS[month - 1];
        break;
      case Std.NumMonth:
        out += String(month);
        break;
      case Std.ZeroMonth:
        out += p2(month);
        break;
      case Std.WeekDay:
        out += SHORT_DAYS[d.getUTCDay()];
        break;
      case Std.LongWeekDay:
        out += LONG_DAYS[d.getUTCDay()];
        break;
      case Std.Day:
        out += String(day);
        break;
      case Std.UnderDay:
        out += p2(day, 2, ' ');
        break;
      case Std.ZeroDay:
        out += p2(day);
        break;
      case Std.UnderYearDay:
      case Std.ZeroYearDay:
        out += p2(t.YearDay(), 3, ch.std === Std.UnderYearDay ? ' ' : '0');
        break;
      case Std.Hour:
        out += p2(hour);
        break;
      case Std.Hour12:
        out += String(hour % 12 === 0 ? 12 : hour % 12);
        break;
      case Std.ZeroHour12:
        out += p2(hour % 12 === 0 ? 12 : hour % 12);
        break;
      case Std.Minute:
        out += String(min);
        break;
      case Std.ZeroMinute:
        out += p2(min);
        break;
      case Std.Second:
        out += String(sec);
        break;
      case Std.ZeroSecond:
        out += p2(sec);
        break;
      case Std.PM:
        out += hour >= 12 ? 'PM' : 'AM';
        break;
      case Std.Pm:
        out += hour >= 12 ? 'pm' : 'am';
        break;
      case Std.TZ:
        if (t.zone) out += t.zone;
        else {
          const a = Math.abs(t.offset);
          out +=
            (t.offset < 0 ? '-' : '+') + p2(Math.floor(a / 3600)) + (a % 3600 ? p2(Math.floor((a % 3600) / 60)) : '');
        }
        break;
      case Std.FracSecond0:
        out += ch.sep + p2(nsec, 9).slice(0, ch.digits);
        break;
      case Std.FracSecond9: {
        const f = p2(nsec, 9).slice(0, ch.digits).replace(/0+$/, '');
        if (f) out += ch.sep + f;
        break;
      }
      default: {
        // zones
        const iso = ch.std >= Std.ISO8601TZ && ch.std <= Std.ISO8601ColonSecondsTZ;
        if (iso && t.offset === 0) {
          out += 'Z';
          break;
        }
        const a = Math.abs(t.offset);
        const sign = t.offset < 0 ? '-' : '+';
        const hh = p2(Math.floor(a / 3600)),
          mm = p2(Math.floor((a % 3600) / 60)),
          ss = p2(a % 60);
        const kind = iso ? ch.std - Std.ISO8601TZ : ch.std - Std.NumTZ;
        out += sign + [hh + mm, hh + mm + ss, hh, hh + ':' + mm, hh + ':' + mm + ':' + ss][kind];
      }
    }
  }
  return out;
}
