// Allocation-free IP helpers for the GeoIP enrichers: parse an IP string into a caller-owned 16-byte scratch
// buffer (IPv4 and IPv4-mapped IPv6 -> 4 bytes, like Go's To4()), and format a network as CIDR text.
// Owns: IP text <-> bytes only.

import { isIPv6 } from 'node:net';

/**
 * Parse `s` into `out` (>= 16 bytes). Returns 4 (IPv4, or IPv4-mapped IPv6; bytes in out[0..3]), 16 (IPv6),
 * or 0 when `s` is not an IP. IPv4 follows Go's net.ParseIP: exactly 4 decimal parts <= 255, no leading zeros.
 * An IPv6 zone (`%eth0`) is ignored.
 */
export function parseIpInto(s: string, out: Uint8Array): 0 | 4 | 16 {
  const n = s.length;
  if (n === 0 || n > 64) return 0;
  if (s.indexOf(':') < 0) return parseV4(s, 0, n, out, 0) ? 4 : 0;
  if (!isIPv6(s)) return 0;
  let end = s.indexOf('%');
  if (end < 0) end = n;
  // groups written left to right; `gap` = index where '::' was seen
  let g = 0, gap = -1, i = 0;
  if (s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) { gap = 0; i = 2; }
  while (i < end) {
    // embedded IPv4 tail
    let j = i, dot = false;
    while (j < end && s.charCodeAt(j) !== 58) { if (s.charCodeAt(j) === 46) dot = true; j++; }
    if (dot) {
      if (g > 6 || !parseV4(s, i, end, out, g * 2)) return 0;
      g += 2; i = end; break;
    }
    let v = 0;
    for (let k = i; k < j; k++) v = v * 16 + hex(s.charCodeAt(k));
    if (g >= 8) return 0;
    out[g * 2] = v >> 8; out[g * 2 + 1] = v & 0xff; g++;
    i = j;
    if (i < end) { // at ':'
      if (s.charCodeAt(i + 1) === 58) { gap = g; i += 2; } else i += 1;
    }
  }
  if (gap >= 0) {
    const move = g - gap, fill = 8 - g;
    for (let k = move - 1; k >= 0; k--) { out[(gap + fill + k) * 2] = out[(gap + k) * 2]!; out[(gap + fill + k) * 2 + 1] = out[(gap + k) * 2 + 1]!; }
    for (let k = 0; k < fill; k++) { out[(gap + k) * 2] = 0; out[(gap + k) * 2 + 1] = 0; }
  } else if (g !== 8) return 0;
  // IPv4-mapped (::ffff:a.b.c.d) -> 4 bytes
  for (let k = 0; k < 10; k++) if (out[k] !== 0) return 16;
  if (out[10] !== 0xff || out[11] !== 0xff) return 16;
  out[0] = out[12]!; out[1] = out[13]!; out[2] = out[14]!; out[3] = out[15]!;
  return 4;
}

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return c - 55; // A-F (input already validated by isIPv6)
}

function parseV4(s: string, from: number, to: number, out: Uint8Array, at: number): boolean {
  let part = 0, v = 0, digits = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part === 3) return false;
      out[at + part++] = v; v = 0; digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && v === 0) return false; // leading zero
      v = v * 10 + (c - 48); digits++;
      if (v > 255) return false;
    } else return false;
  }
  if (digits === 0 || part !== 3) return false;
  out[at + 3] = v;
  return true;
}

/** IPv4 bytes out[0..3] as an unsigned 32-bit number. */
export const v4ToU32 = (b: Uint8Array): number => ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;

/** `len` bytes of `b` masked to `prefix` bits, as CIDR text (IPv6 compressed as RFC 5952 / Go). */
export function bytesToCidr(b: Uint8Array, len: 4 | 16, prefix: number): string {
  const m = (i: number): number => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return b[i]! & (bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff);
  };
  if (len === 4) return `${m(0)}.${m(1)}.${m(2)}.${m(3)}/${prefix}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((m(i) << 8) | m(i + 1)).toString(16));
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i; while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const txt = best < 0 ? groups.join(':') : `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
  return `${txt}/${prefix}`;
}

/** Member states of the European Union (ISO 3166-1 alpha-2), for layouts without is_in_european_union. */
export const EU_COUNTRIES: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU',
  'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
]);
