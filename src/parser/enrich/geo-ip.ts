// Allocation-free IP helpers for the GeoIP enrichers: parse an IP string into a caller-owned 16-byte scratch
// buffer (IPv4 and IPv4-mapped IPv6 -> 4 bytes, like Go's To4()), and format a network as CIDR text.
// Owns: the enrichers' view of IP text <-> bytes only (the parsing itself is net/ip.ts).

import {
  formatIPv4,
  formatIPv6,
  isV4Mapped,
  MAX_IP_TEXT,
  parseIP16,
  parseIPv6At,
  zeroHostBits,
  zoneIndex,
} from '../../net/ip.js';

/**
 * Parse `s` into `out` (>= 16 bytes). Returns 4 (IPv4, or IPv4-mapped IPv6; bytes in out[0..3]), 16 (IPv6),
 * or 0 when `s` is not an IP: Go's net.ParseIP + To4() (net/ip.ts parseIP16), except that a well-formed
 * IPv6 zone (`%eth0`) is ignored rather than refused.
 */
export function parseIpInto(s: string, out: Uint8Array): 0 | 4 | 16 {
  const n = s.length;
  if (n === 0 || n > MAX_IP_TEXT) return 0;
  if (s.indexOf(':') < 0) {
    if (!parseIP16(s, 0, n, out)) return 0;
  } else {
    const zone = zoneIndex(s);
    if (zone === -2 || !parseIPv6At(s, 0, zone < 0 ? n : zone, out)) return 0;
  }
  if (!isV4Mapped(out)) return 16;
  out[0] = out[12]!;
  out[1] = out[13]!;
  out[2] = out[14]!;
  out[3] = out[15]!;
  return 4;
}

/** IPv4 bytes out[0..3] as an unsigned 32-bit number. */
export const v4ToU32 = (b: Uint8Array): number => ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;

/** `len` bytes of `b` masked to `prefix` bits, as CIDR text (IPv6 compressed as RFC 5952 / Go). */
export function bytesToCidr(b: Uint8Array, len: 4 | 16, prefix: number): string {
  const m = b.slice(0, len);
  zeroHostBits(m, prefix);
  return `${len === 4 ? formatIPv4(m, 0) : formatIPv6(m)}/${prefix}`;
}

/** Member states of the European Union (ISO 3166-1 alpha-2), for layouts without is_in_european_union. */
export const EU_COUNTRIES: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
]);
