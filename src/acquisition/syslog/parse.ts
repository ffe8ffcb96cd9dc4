// Syslog frame parsing for the syslog acquisition: RFC 3164 (BSD) and RFC 5424 frames into
// {pri, timestamp, hostname, tag, pid, message}, and the line handed to the parsers.
//
// Line format (chosen to match CrowdSec, pkg/acquisition/modules/syslog/run.go `buildLogFromSyslog`):
//   `<Go "Jan 2 15:04:05" timestamp> <hostname|unknownhost> <tag>[<pid>]: <message>`
// i.e. month abbreviation, day NOT zero-padded, wall-clock time as written in the frame (Go keeps the
// frame's own offset), no year; the current UTC time when the frame has none; " unknownhost" when the
// hostname is missing; the tag is omitted when empty; `[pid]` only when a pid is present. As in
// CrowdSec, RFC 3164 is tried first and RFC 5424 second; a frame neither accepts is malformed.

export type SyslogRfc = 'RFC3164' | 'RFC5424';

export interface SyslogFrame {
  rfc: SyslogRfc;
  pri: number;
  /** wall clock as written in the frame, or null when absent (RFC 5424 NILVALUE) */
  ts: WallClock | null;
  hostname: string;
  tag: string;
  pid: string;
  message: string;
}

export interface WallClock {
  month: number;
  day: number;
  hh: number;
  mm: number;
  ss: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_INDEX: Record<string, number> = Object.create(null) as Record<string, number>;
MONTHS.forEach((m, i) => {
  MONTH_INDEX[m] = i;
});

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function two(s: string, i: number): number {
  const a = s.charCodeAt(i),
    b = s.charCodeAt(i + 1);
  if (!isDigit(a) || !isDigit(b)) return -1;
  return (a - 48) * 10 + (b - 48);
}

/** `<PRI>`: returns [pri, index after '>'] or null. PRI is 1 to 3 digits, at most 191. */
function parsePri(s: string): [number, number] | null {
  if (s.charCodeAt(0) !== 60 /* < */) return null;
  let pri = 0,
    i = 1;
  for (; i < s.length && i <= 4; i++) {
    const c = s.charCodeAt(i);
    if (c === 62 /* > */) break;
    if (!isDigit(c)) return null;
    pri = pri * 10 + (c - 48);
  }
  if (i === 1 || i > 4 || s.charCodeAt(i) !== 62 || pri > 191) return null;
  return [pri, i + 1];
}

/** RFC 3339 `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` at i: [wallclock, end index] or null. */
function parseRfc3339(s: string, i: number): [WallClock, number] | null {
  if (s.length < i + 20) return null;
  for (const k of [4, 7]) if (s.charCodeAt(i + k) !== 45 /* - */) return null;
  if (s[i + 10] !== 'T' && s[i + 10] !== 't') return null;
  if (s.charCodeAt(i + 13) !== 58 || s.charCodeAt(i + 16) !== 58) return null;
  for (let k = 0; k < 4; k++) if (!isDigit(s.charCodeAt(i + k))) return null;
  const month = two(s, i + 5) - 1,
    day = two(s, i + 8),
    hh = two(s, i + 11),
    mm = two(s, i + 14),
    ss = two(s, i + 17);
  if (month < 0 || month > 11 || day < 1 || day > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
    return null;
  let j = i + 19;
  if (s[j] === '.') {
    j++;
    const f = j;
    while (j < s.length && isDigit(s.charCodeAt(j))) j++;
    if (j === f || j - f > 9) return null;
  }
  if (s[j] === 'Z' || s[j] === 'z') j++;
  else if (s[j] === '+' || s[j] === '-') {
    if (two(s, j + 1) < 0 || s.charCodeAt(j + 3) !== 58 || two(s, j + 4) < 0) return null;
    j += 6;
  } else return null;
  return [{ month, day, hh, mm, ss }, j];
}

/** `Mmm dd hh:mm:ss` or `Mmm  d hh:mm:ss`, optionally followed by ` YYYY`. */
function parseBsdTime(s: string, i: number): [WallClock, number] | null {
  if (s.length < i + 15) return null;
  const month = MONTH_INDEX[s.slice(i, i + 3)];
  if (month === undefined || s.charCodeAt(i + 3) !== 32) return null;
  let day: number;
  if (s.charCodeAt(i + 4) === 32) {
    const c = s.charCodeAt(i + 5);
    day = isDigit(c) ? c - 48 : -1;
  } else day = two(s, i + 4);
  if (day < 1 || day > 31 || s.charCodeAt(i + 6) !== 32) return null;
  const hh = two(s, i + 7),
    mm = two(s, i + 10),
    ss = two(s, i + 13);
  if (
    s.charCodeAt(i + 9) !== 58 ||
    s.charCodeAt(i + 12) !== 58 ||
    hh < 0 ||
    hh > 23 ||
    mm < 0 ||
    mm > 59 ||
    ss < 0 ||
    ss > 60
  )
    return null;
  let j = i + 15;
  // optional year: " YYYY" followed by a space
  if (
    s.charCodeAt(j) === 32 &&
    isDigit(s.charCodeAt(j + 1)) &&
    isDigit(s.charCodeAt(j + 2)) &&
    isDigit(s.charCodeAt(j + 3)) &&
    isDigit(s.charCodeAt(j + 4)) &&
    s.charCodeAt(j + 5) === 32
  )
    j += 5;
  return [{ month, day, hh, mm, ss }, j];
}

/** tag characters as in CrowdSec's parser (alphanumerics) plus `-_./` seen in real tags */
function isTagChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 45 ||
    c === 95 ||
    c === 46 ||
    c === 47
  );
}

export function parseRfc3164(s: string): SyslogFrame | null {
  const p = parsePri(s);
  if (!p) return null;
  let i = p[1];
  const t = parseRfc3339(s, i) ?? parseBsdTime(s, i);
  if (!t) return null;
  i = t[1];
  if (s.charCodeAt(i) !== 32) return null;
  i++;
  // hostname: up to the next space, non-empty
  const hs = i;
  while (i < s.length && s.charCodeAt(i) !== 32) i++;
  if (i === hs || i >= s.length) return null;
  const hostname = s.slice(hs, i);
  i++;
  const ts = i;
  while (i < s.length && isTagChar(s.charCodeAt(i))) i++;
  if (i === ts) return null;
  const tag = s.slice(ts, i);
  let pid = '';
  if (s.charCodeAt(i) === 91 /* [ */) {
    const ps = ++i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 93 /* ] */) return null;
    pid = s.slice(ps, i);
    i++;
  }
  if (s.charCodeAt(i) === 58 /* : */) i++;
  while (s.charCodeAt(i) === 32) i++;
  if (i >= s.length) return null; // empty message
  return { rfc: 'RFC3164', pri: p[0], ts: t[0], hostname, tag, pid, message: s.slice(i) };
}

function field(s: string, i: number, max: number): [string, number] | null {
  const st = i;
  while (i < s.length && s.charCodeAt(i) !== 32) i++;
  if (i === st || i - st > max || i >= s.length) return null;
  return [s.slice(st, i), i + 1];
}

/** STRUCTURED-DATA: `-` or one or more `[id param="v\"..."]`; returns the index after it. */
function skipStructuredData(s: string, i: number): number {
  if (s[i] === '-') return i + 1;
  if (s[i] !== '[') return -1;
  while (s[i] === '[') {
    i++;
    let inQuote = false;
    for (;;) {
      if (i >= s.length) return -1;
      const c = s[i];
      if (inQuote) {
        if (c === '\\') i++;
        else if (c === '"') inQuote = false;
      } else if (c === '"') inQuote = true;
      else if (c === ']') {
        i++;
        break;
      }
      i++;
    }
  }
  return i;
}

export function parseRfc5424(s: string): SyslogFrame | null {
  const p = parsePri(s);
  if (!p) return null;
  let i = p[1];
  // VERSION: 1-2 digits, non-zero first
  const vs = i;
  while (i < s.length && isDigit(s.charCodeAt(i)) && i - vs < 3) i++;
  if (i === vs || i - vs > 2 || s.charCodeAt(vs) === 48 || s.charCodeAt(i) !== 32) return null;
  i++;
  let wc: WallClock | null = null;
  if (s[i] === '-') i++;
  else {
    const t = parseRfc3339(s, i);
    if (!t) return null;
    wc = t[0];
    i = t[1];
  }
  if (s.charCodeAt(i) !== 32) return null;
  i++;
  const host = field(s, i, 255);
  if (!host) return null;
  const app = field(s, host[1], 48);
  if (!app) return null;
  const proc = field(s, app[1], 128);
  if (!proc) return null;
  const msgid = field(s, proc[1], 32);
  if (!msgid) return null;
  i = skipStructuredData(s, msgid[1]);
  if (i < 0) return null;
  let message = '';
  if (i < s.length) {
    if (s.charCodeAt(i) !== 32) return null;
    message = s.slice(i + 1);
    if (message.charCodeAt(0) === 0xfeff) message = message.slice(1); // UTF-8 BOM
  }
  const nil = (v: string): string => (v === '-' ? '' : v);
  return { rfc: 'RFC5424', pri: p[0], ts: wc, hostname: nil(host[0]), tag: nil(app[0]), pid: nil(proc[0]), message };
}

/** RFC 3164 first, then RFC 5424 (CrowdSec's order); null when neither accepts the frame. */
export function parseSyslogFrame(s: string): SyslogFrame | null {
  return parseRfc3164(s) ?? parseRfc5424(s);
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** The line CrowdSec builds (see the header comment). `now` is used when the frame has no timestamp. */
export function buildSyslogLine(f: SyslogFrame, now: Date = new Date()): string {
  const wc = f.ts ?? {
    month: now.getUTCMonth(),
    day: now.getUTCDate(),
    hh: now.getUTCHours(),
    mm: now.getUTCMinutes(),
    ss: now.getUTCSeconds(),
  };
  let line = `${MONTHS[wc.month]} ${wc.day} ${pad2(wc.hh)}:${pad2(wc.mm)}:${pad2(wc.ss)} ${f.hostname || 'unknownhost'}`;
  if (f.tag) line += ' ' + f.tag;
  line += f.pid ? `[${f.pid}]: ` : ': ';
  line += f.message;
  return line.endsWith('\n') ? line.slice(0, -1) : line;
}
