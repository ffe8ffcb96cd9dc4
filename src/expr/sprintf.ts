// Go fmt formatting for Sprintf and string(): %v %+v %s %d %q %x %X %o %b %c %e %f %g %t %T %%, flags
// `-+# 0`, width and precision (incl. `*`). Static kinds of the arguments ('int' vs 'float'...) come from
// the compiler, since JS numbers do not say whether Go saw an int or a float64.
// Owns: formatValue (Go %v), goFloatG, sprintf.

import { GoTime, GoWeekday, GoMonth, formatGoDuration } from '../core/gotime.js';
import { isMapObject } from '../core/event.js';

export type Kind = string;

function isIntKind(v: unknown, k: Kind | undefined): boolean {
  return typeof v === 'number' && (k === 'int' || k === 'duration') && Number.isInteger(v);
}

/** strconv.FormatFloat(f, 'g', -1, 64) as used by %v. */
export function goFloatG(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const a = Math.abs(f);
  const exp = Math.floor(Math.log10(a));
  if (exp < -4 || exp >= 21) {
    let s = f.toExponential();
    s = s.replace(/e([+-])(\d)$/, 'e$10$2');
    return s;
  }
  return String(f);
}

function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

export function formatValue(v: unknown, kind?: Kind, plus = false, top = true): string {
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (kind === 'duration' && top) return formatGoDuration(v);
      return isIntKind(v, kind) ? String(v) : goFloatG(v);
    case 'bigint':
      return v.toString();
  }
  if (v instanceof GoTime) return v.String();
  if (v instanceof GoWeekday || v instanceof GoMonth) return v.String();
  if (Array.isArray(v)) return '[' + v.map((x) => formatValue(x, undefined, plus, false)).join(' ') + ']';
  if (Buffer.isBuffer(v)) return '[' + [...v].join(' ') + ']';
  const o = v as Record<string, unknown>;
  if (isMapObject(o)) {
    const keys = Object.keys(o).sort();
    return 'map[' + keys.map((k) => `${k}:${formatValue(o[k], undefined, plus, false)}`).join(' ') + ']';
  }
  const keys = Object.keys(o).filter((k) => typeof o[k] !== 'function');
  const body = keys.map((k) => (plus ? `${k}:` : '') + formatValue(o[k], undefined, plus, false)).join(' ');
  return (top ? '' : '&') + '{' + body + '}';
}

function goTypeName(v: unknown, k?: Kind): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isIntKind(v, k) ? 'int' : 'float64';
  if (v instanceof GoTime) return 'time.Time';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMapObject(v as object)) return 'map[string]interface {}';
  return '*' + ((v as object).constructor?.name ?? 'struct');
}

function pad(s: string, width: number | undefined, minus: boolean, zero: boolean): string {
  if (width === undefined || s.length >= width) return s;
  if (minus) return s + ' '.repeat(width - s.length);
  if (zero) {
    const sign = /^[+-]/.test(s) ? s[0] : '';
    const rest = sign ? s.slice(1) : s;
    return sign + '0'.repeat(width - s.length) + rest;
  }
  return ' '.repeat(width - s.length) + s;
}

function badVerb(verb: string, v: unknown, k?: Kind): string {
  return `%!${verb}(${goTypeName(v, k)}=${formatValue(v, k)})`;
}

/** One verb applied to one argument (without the width padding). */
function formatArg(
  verb: string,
  v: unknown,
  k: Kind | undefined,
  prec: number | undefined,
  plus: boolean,
  sharp: boolean,
  space: boolean,
): string {
  let s: string;
  switch (verb) {
    case 'v':
      s = formatValue(v, k, plus);
      if (typeof v === 'number' && plus && v >= 0 && !isIntKind(v, k)) s = '+' + s;
      else if (typeof v === 'number' && plus && v >= 0) s = '+' + s;
      break;
    case 's':
      if (typeof v === 'string') s = prec !== undefined ? [...v].slice(0, prec).join('') : v;
      else if (typeof v === 'number' || typeof v === 'boolean') s = badVerb(verb, v, k);
      else s = formatValue(v, k);
      break;
    case 'q':
      if (typeof v === 'string') s = goQuote(v);
      else if (isIntKind(v, k)) s = `'${String.fromCodePoint(v as number)}'`;
      else s = badVerb(verb, v, k);
      break;
    case 'd':
      if (isIntKind(v, k)) {
        s = String(v);
        if (plus && (v as number) >= 0) s = '+' + s;
        else if (space && (v as number) >= 0) s = ' ' + s;
      } else if (Array.isArray(v))
        s = '[' + v.map((x) => (typeof x === 'number' ? String(Math.trunc(x)) : formatValue(x))).join(' ') + ']';
      else s = badVerb(verb, v, k);
      break;
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      const base = verb === 'o' ? 8 : verb === 'b' ? 2 : 16;
      if (isIntKind(v, k)) {
        const nv = v as number;
        s = Math.abs(nv).toString(base);
        if (sharp && base === 16) s = '0x' + s;
        else if (sharp && base === 8) s = '0' + s;
        if (nv < 0) s = '-' + s;
      } else if (typeof v === 'string' && base === 16) {
        s = Buffer.from(v).toString('hex');
      } else if (typeof v === 'number' && verb === 'b') {
        s = badVerb(verb, v, k);
      } else s = badVerb(verb, v, k);
      if (verb === 'X') s = s.toUpperCase();
      break;
    }
    case 'c':
      s = isIntKind(v, k) ? String.fromCodePoint(v as number) : badVerb(verb, v, k);
      break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      if (typeof v !== 'number' || isIntKind(v, k)) {
        s = badVerb(verb, v, k);
        break;
      }
      if (verb === 'f' || verb === 'F') s = v.toFixed(prec ?? 6);
      else if (verb === 'e' || verb === 'E') s = v.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      else s = prec === undefined ? goFloatG(v) : String(Number(v.toPrecision(prec)));
      if (verb === 'E' || verb === 'G') s = s.toUpperCase();
      if (plus && v >= 0) s = '+' + s;
      else if (space && v >= 0) s = ' ' + s;
      break;
    }
    case 't':
      s = typeof v === 'boolean' ? String(v) : badVerb(verb, v, k);
      break;
    case 'T':
      s = goTypeName(v, k);
      break;
    default:
      s = badVerb(verb, v, k);
  }
  return s;
}

export function sprintf(kinds: readonly (Kind | undefined)[], format: string, args: unknown[]): string {
  let out = '';
  let ai = 0;
  const n = format.length;
  for (let i = 0; i < n; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    i++;
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    let minus = false,
      plus = false,
      sharp = false,
      zero = false,
      space = false;
    for (; i < n; i++) {
      const f = format[i];
      if (f === '-') minus = true;
      else if (f === '+') plus = true;
      else if (f === '#') sharp = true;
      else if (f === '0') zero = true;
      else if (f === ' ') space = true;
      else break;
    }
    let width: number | undefined;
    let prec: number | undefined;
    if (format[i] === '*') {
      width = Number(args[ai++]);
      i++;
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        width = parseInt(m[0], 10);
        i += m[0].length;
      }
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        prec = Number(args[ai++]);
        i++;
      } else {
        const m = /^\d+/.exec(format.slice(i));
        prec = m ? parseInt(m[0], 10) : 0;
        if (m) i += m[0].length;
      }
    }
    const verb = format[i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const k = kinds[ai];
    const v = args[ai++];
    const s = formatArg(verb, v, k, prec, plus, sharp, space);
    out += pad(s, width, minus, zero && !minus && verb !== 's' && verb !== 'v' && verb !== 'q' ? true : false);
  }
  if (ai < args.length) {
    out +=
      '%!(EXTRA ' +
      args
        .slice(ai)
        .map((v, j) => `${goTypeName(v, kinds[ai + j])}=${formatValue(v, kinds[ai + j])}`)
        .join(', ') +
      ')';
  }
  return out;
}
