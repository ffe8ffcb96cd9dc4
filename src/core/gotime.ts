// GoTime: a Go `time.Time` value as CrowdSec expressions and dumps see it.
// Owns: instant (epoch ms + sub-ms nanoseconds), the zone offset it was parsed with,
// RFC3339Nano rendering (Go MarshalText) and the Go methods hub expressions call
// (`evt.Time.Hour()`, `.Weekday().String()`, `.Sub()`, `.Unix()` ...).
// Durations are plain numbers of nanoseconds (Go `time.Duration` is int64 ns).

/** Go's time.Weekday and time.Month names (golayout.ts formats and parses with them too) */
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Go `time.Weekday`: compares as its number, prints as its name. */
export class GoWeekday {
  constructor(readonly n: number) {}
  String(): string {
    return WEEKDAYS[this.n] ?? `%!Weekday(${this.n})`;
  }
  valueOf(): number {
    return this.n;
  }
  toString(): string {
    return this.String();
  }
}

/** Go `time.Month` (1..12). */
export class GoMonth {
  constructor(readonly n: number) {}
  String(): string {
    return MONTHS[this.n - 1] ?? `%!Month(${this.n})`;
  }
  valueOf(): number {
    return this.n;
  }
  toString(): string {
    return this.String();
  }
}

function pad(n: number, w: number): string {
  const s = String(Math.abs(n));
  return s.length >= w ? s : '0'.repeat(w - s.length) + s;
}

let zeroTime: GoTime | null = null;
let nowMs = NaN;
let nowTime: GoTime | null = null;

export class GoTime {
  /**
   * @param ms      milliseconds since the Unix epoch (integer)
   * @param nsFrac  extra nanoseconds inside that millisecond, 0..999999
   * @param offset  zone offset in seconds east of UTC used for rendering and field access
   * @param zone    zone abbreviation ("UTC" for offset 0 when parsed as UTC, "" when numeric)
   */
  constructor(
    readonly ms: number,
    readonly nsFrac: number = 0,
    readonly offset: number = 0,
    readonly zone: string = 'UTC',
  ) {}

  static readonly ZERO_MS = -62135596800000; // 0001-01-01T00:00:00Z, Go's zero time

  /** Go's zero time (one shared instance: GoTime is immutable, and every new event starts with two) */
  static zero(): GoTime {
    return (zeroTime ??= new GoTime(GoTime.ZERO_MS, 0, 0, 'UTC'));
  }
  /** (one instance per millisecond: GoTime is immutable, and every parsed line asks for the time) */
  static now(): GoTime {
    const ms = Date.now();
    if (ms !== nowMs) {
      nowMs = ms;
      nowTime = new GoTime(ms, 0, 0, 'UTC');
    }
    return nowTime!;
  }
  static fromUnixNano(ns: bigint | number, offset = 0, zone = 'UTC'): GoTime {
    const big = typeof ns === 'bigint' ? ns : BigInt(Math.trunc(ns));
    const ms = big / 1000000n;
    let rem = Number(big - ms * 1000000n);
    let msn = Number(ms);
    if (rem < 0) {
      rem += 1000000;
      msn -= 1;
    }
    return new GoTime(msn, rem, offset, zone);
  }

  isZero(): boolean {
    return this.ms === GoTime.ZERO_MS && this.nsFrac === 0;
  }
  IsZero(): boolean {
    return this.isZero();
  }

  /** Nanoseconds since epoch as a float (exact to ~0.25µs for current dates; fine for ordering). */
  unixNanoApprox(): number {
    return this.ms * 1e6 + this.nsFrac;
  }

  /** Shifted wall-clock fields in the time's own zone. */
  private local(): Date {
    return new Date(this.ms + this.offset * 1000);
  }

  Year(): number {
    return this.local().getUTCFullYear();
  }
  Month(): GoMonth {
    return new GoMonth(this.local().getUTCMonth() + 1);
  }
  Day(): number {
    return this.local().getUTCDate();
  }
  Hour(): number {
    return this.local().getUTCHours();
  }
  Minute(): number {
    return this.local().getUTCMinutes();
  }
  Second(): number {
    return this.local().getUTCSeconds();
  }
  Nanosecond(): number {
    return (((this.ms % 1000) + 1000) % 1000) * 1e6 + this.nsFrac;
  }
  Weekday(): GoWeekday {
    return new GoWeekday(this.local().getUTCDay());
  }
  YearDay(): number {
    const d = this.local();
    const start = Date.UTC(d.getUTCFullYear(), 0, 1);
    return Math.floor((d.getTime() - start) / 86400000) + 1;
  }
  Unix(): number {
    return Math.floor(this.ms / 1000);
  }
  UnixMilli(): number {
    return this.ms;
  }
  UnixNano(): number {
    return this.unixNanoApprox();
  }
  UTC(): GoTime {
    return new GoTime(this.ms, this.nsFrac, 0, 'UTC');
  }
  Local(): GoTime {
    return this.UTC();
  }

  /** Difference in nanoseconds (Go Duration). */
  Sub(o: GoTime): number {
    return (this.ms - o.ms) * 1e6 + (this.nsFrac - o.nsFrac);
  }
  Add(d: number): GoTime {
    const totalNs = this.nsFrac + d;
    const addMs = Math.floor(totalNs / 1e6);
    return new GoTime(this.ms + addMs, totalNs - addMs * 1e6, this.offset, this.zone);
  }
  After(o: GoTime): boolean {
    return this.compare(o) > 0;
  }
  Before(o: GoTime): boolean {
    return this.compare(o) < 0;
  }
  Equal(o: GoTime): boolean {
    return this.compare(o) === 0;
  }
  compare(o: GoTime): number {
    return this.ms !== o.ms ? this.ms - o.ms : this.nsFrac - o.nsFrac;
  }

  /** Go `MarshalText` / RFC3339Nano: fraction only when non-zero, trailing zeros trimmed; `Z` for offset 0. */
  toRFC3339Nano(): string {
    const d = this.local();
    let s = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
    const frac = this.Nanosecond();
    if (frac !== 0) s += '.' + pad(frac, 9).replace(/0+$/, '');
    return s + this.offsetSuffix(true);
  }

  /** RFC3339 without fraction. */
  toRFC3339(): string {
    const d = this.local();
    return (
      `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
      this.offsetSuffix(true)
    );
  }

  private offsetSuffix(zForUtc: boolean): string {
    if (this.offset === 0 && zForUtc) return 'Z';
    const sign = this.offset < 0 ? '-' : '+';
    const a = Math.abs(this.offset);
    return `${sign}${pad(Math.floor(a / 3600), 2)}:${pad(Math.floor((a % 3600) / 60), 2)}`;
  }

  /** Go `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`. */
  String(): string {
    const d = this.local();
    let s = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
    const frac = this.Nanosecond();
    if (frac !== 0) s += '.' + pad(frac, 9).replace(/0+$/, '');
    const sign = this.offset < 0 ? '-' : '+';
    const a = Math.abs(this.offset);
    s += ` ${sign}${pad(Math.floor(a / 3600), 2)}${pad(Math.floor((a % 3600) / 60), 2)}`;
    s +=
      ' ' +
      (this.zone || `${sign}${pad(Math.floor(a / 3600), 2)}${a % 3600 ? pad(Math.floor((a % 3600) / 60), 2) : ''}`);
    return s;
  }

  toString(): string {
    return this.String();
  }
  toJSON(): string {
    return this.toRFC3339Nano();
  }
}

/** Go `Duration.String()`: "1h2m3.5s", "500ms", "0s". Input in nanoseconds. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(Math.round(ns));
  let out: string;
  if (u < 1e9) {
    // sub-second: ns, µs, ms with fraction
    let unit: string;
    let div: number;
    if (u < 1e3) {
      unit = 'ns';
      div = 1;
    } else if (u < 1e6) {
      unit = 'µs';
      div = 1e3;
    } else {
      unit = 'ms';
      div = 1e6;
    }
    out = trimFrac(u, div) + unit;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    out = '';
    if (h > 0) out += `${h}h`;
    if (h > 0 || m > 0) out += `${m}m`;
    out += trimFrac(u, 1e9) + 's';
  }
  return neg ? '-' + out : out;
}

function trimFrac(v: number, div: number): string {
  const whole = Math.floor(v / div);
  const frac = v - whole * div;
  if (frac === 0) return String(whole);
  const digits = Math.round(Math.log10(div));
  return `${whole}.${pad(frac, digits).replace(/0+$/, '')}`;
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
};
const DURATION_PART = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
const DURATION_PART_DAYS = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h|d)/;

/** Options of parseGoDuration: which units the text may use and which unit the result is in. */
export interface GoDurationOptions {
  /** accept the `d` (24 h) unit, as CrowdSec's LAPI, profiles and cscli do (`7d`, `1d12h`); Go itself does not */
  days?: boolean;
  /** unit of the returned number: `ns` (default, Go `time.Duration`) or `ms` (epoch-millisecond arithmetic) */
  unit?: 'ns' | 'ms';
}

/**
 * Go `time.ParseDuration`, the one duration parser of Picket (wire, config, content and expressions). Returns
 * nanoseconds (or milliseconds with `unit: 'ms'`); throws an Error with Go's message on bad input (a number too
 * large to represent is an invalid duration, as Go's overflow is).
 */
export function parseGoDuration(s: string, opts?: GoDurationOptions): number {
  const orig = s;
  if (s === '') throw new Error(`time: invalid duration ""`);
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`time: invalid duration "${orig}"`);
  let total = 0;
  const re = opts?.days ? DURATION_PART_DAYS : DURATION_PART;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m || m[1] === '' || m[1] === '.') {
      if (/^[0-9.]+$/.test(s)) throw new Error(`time: missing unit in duration "${orig}"`);
      throw new Error(`time: invalid duration "${orig}"`);
    }
    total += parseFloat(m[1]!) * DURATION_UNITS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  if (!Number.isFinite(total)) throw new Error(`time: invalid duration "${orig}"`);
  const ns = neg ? -Math.round(total) : Math.round(total);
  return opts?.unit === 'ms' ? ns / 1e6 : ns;
}
