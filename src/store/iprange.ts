// IP / CIDR text <-> IpRange (spec lapi.md §5.3). Owns: an address or a CIDR of either family with Go's
// net.ParseIP / net.ParseCIDR rules (the text parsing is net/ip.ts parseIP16), IPv4-mapped IPv6 turned into
// IPv4 (Go `To4()`), host bits zeroed; containment between ranges; canonical formatting (RFC 5952 for IPv6,
// as Go prints it). Runs per HTTP request: no regex, no BigInt; the only allocations are the returned record
// and its byte array.

import { formatIPv4, formatIPv6, isV4Mapped, MAX_IP_TEXT, parseIP16, zeroHostBits } from '../net/ip.js';
import type { IpRange } from './records.js';

const C_0 = 48,
  C_9 = 57,
  C_COLON = 58,
  C_SLASH = 47;

/**
 * Parses `1.2.3.4`, `2001:db8::1`, `10.0.0.0/8`, `2001:db8::/32`, `::ffff:1.2.3.4` (→ IPv4) into an IpRange
 * with host bits zeroed; null for anything else.
 */
export function parseIpOrRange(s: string): IpRange | null {
  const n = s.length;
  if (n === 0 || n > MAX_IP_TEXT) return null;
  let slash = -1;
  let colon = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === C_SLASH) {
      slash = i;
      break;
    }
    if (c === C_COLON) colon = true;
  }
  const addrEnd = slash < 0 ? n : slash;
  let prefix = -1;
  if (slash >= 0) {
    if (slash + 1 >= n) return null;
    prefix = 0;
    for (let i = slash + 1; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < C_0 || c > C_9) return null;
      prefix = prefix * 10 + (c - C_0);
      if (prefix > 128) return null;
    }
  }
  const v6 = scratch16;
  if (!parseIP16(s, 0, addrEnd, v6)) return null;
  if (!colon && prefix > 32) return null;
  const len = prefix < 0 ? (colon ? 128 : 32) : prefix;
  // IPv4 text, or IPv4-mapped IPv6 text with a prefix covering the mapping: an IPv4 range (Go To4())
  const mapped = !colon || (len >= 96 && isV4Mapped(v6));
  const bytes = new Uint8Array(mapped ? 4 : 16);
  for (let i = 0, from = mapped ? 12 : 0; i < bytes.length; i++) bytes[i] = v6[from + i]!;
  const bits = mapped && colon ? len - 96 : len;
  zeroHostBits(bytes, bits);
  return { family: mapped ? 4 : 6, bytes, prefix: bits };
}

/** Parse buffer (the result gets its own, right-sized copy). */
const scratch16 = new Uint8Array(16);

/** True when `inner` lies inside `outer` (same family, outer.prefix <= inner.prefix, leading bits equal). */
export function ipRangeContains(outer: IpRange, inner: IpRange): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const a = outer.bytes,
    b = inner.bytes;
  const full = outer.prefix >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = outer.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[full]! & mask) === (b[full]! & mask);
}

/** The 16-byte form of a range's network address (IPv4 as IPv4-mapped `::ffff:a.b.c.d`). */
export function ipRangeToBytes16(r: IpRange): Uint8Array {
  if (r.family === 6) return r.bytes.slice(0, 16);
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(r.bytes.subarray(0, 4), 12);
  return out;
}

/** Canonical text: dotted IPv4 or RFC 5952 IPv6 (as Go prints it), `/prefix` unless a single address. */
export function formatIpRange(r: IpRange): string {
  const b = r.bytes;
  const text = r.family === 4 ? formatIPv4(b, 0) : formatV6(b);
  return r.prefix === (r.family === 4 ? 32 : 128) ? text : `${text}/${r.prefix}`;
}

function formatV6(b: Uint8Array): string {
  return isV4Mapped(b) ? `::ffff:${formatIPv4(b, 12)}` : formatIPv6(b);
}
