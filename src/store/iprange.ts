// IP / CIDR text <-> IpRange (spec lapi.md §5.3). Owns: parsing an address or a CIDR of either family with
// Go's rules (net.ParseIP / net.ParseCIDR: no leading zeros in IPv4 octets, 1-4 hex digits per IPv6 group,
// one `::`, dotted IPv4 tail, no zone), IPv4-mapped IPv6 turned into IPv4 (Go `To4()`), host bits zeroed;
// containment between ranges; canonical formatting (RFC 5952 for IPv6, as Go prints it).
// Runs per HTTP request: hand-written scanners over char codes, no regex, no BigInt; the only allocations
// are the returned record and its byte array.

import type { IpRange } from './records.js';

const C_0 = 48, C_9 = 57, C_a = 97, C_f = 102, C_A = 65, C_F = 70, C_DOT = 46, C_COLON = 58, C_SLASH = 47;
/** No valid input is longer (IPv6 with IPv4 tail + `/128` is 49); Go accepts zero-padded prefix lengths. */
const MAX_INPUT = 64;

/**
 * Parses `1.2.3.4`, `2001:db8::1`, `10.0.0.0/8`, `2001:db8::/32`, `::ffff:1.2.3.4` (→ IPv4) into an IpRange
 * with host bits zeroed; null for anything else.
 */
export function parseIpOrRange(s: string): IpRange | null {
  const n = s.length;
  if (n === 0 || n > MAX_INPUT) return null;
  let slash = -1;
  let colon = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === C_SLASH) { slash = i; break; }
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
  if (!colon) {
    const v = parseIpv4(s, 0, addrEnd);
    if (v < 0) return null;
    if (prefix > 32) return null;
    const len = prefix < 0 ? 32 : prefix;
    const masked = len === 0 ? 0 : (v & (-1 << (32 - len))) >>> 0;
    const bytes = new Uint8Array(4);
    writeV4(bytes, 0, masked);
    return { family: 4, bytes, prefix: len };
  }
  const v6 = scratch16;
  if (!parseIpv6(s, 0, addrEnd, v6)) return null;
  const len = prefix < 0 ? 128 : prefix;
  const mapped = len >= 96 && isV4Mapped(v6);
  const bytes = new Uint8Array(mapped ? 4 : 16);
  for (let i = 0, from = mapped ? 12 : 0; i < bytes.length; i++) bytes[i] = v6[from + i]!;
  const bits = mapped ? len - 96 : len;
  zeroHostBits(bytes, bits);
  return { family: mapped ? 4 : 6, bytes, prefix: bits };
}

/** Parse buffer of IPv6 addresses (the result gets its own, right-sized copy). */
const scratch16 = new Uint8Array(16);

/** Dotted quad in s[start, end) as an unsigned 32-bit number, or -1. */
function parseIpv4(s: string, start: number, end: number): number {
  let value = 0;
  let fields = 0;
  let i = start;
  while (true) {
    let octet = 0;
    let digits = 0;
    const first = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < C_0 || c > C_9) break;
      octet = octet * 10 + (c - C_0);
      if (++digits > 3) return -1;
      i++;
    }
    if (digits === 0 || octet > 255) return -1;
    if (digits > 1 && s.charCodeAt(first) === C_0) return -1;
    value = value * 256 + octet;
    fields++;
    if (fields === 4) return i === end ? value : -1;
    if (i >= end || s.charCodeAt(i) !== C_DOT) return -1;
    i++;
  }
}

function hexValue(c: number): number {
  if (c >= C_0 && c <= C_9) return c - C_0;
  if (c >= C_a && c <= C_f) return c - C_a + 10;
  if (c >= C_A && c <= C_F) return c - C_A + 10;
  return -1;
}

/** IPv6 text in s[start, end) into out (16 bytes); false when malformed (zones are rejected). */
function parseIpv6(s: string, start: number, end: number, out: Uint8Array): boolean {
  for (let j = 0; j < 16; j++) out[j] = 0;
  let i = start;
  let filled = 0; // bytes written
  let ellipsis = -1; // byte offset where `::` stands
  if (end - i >= 2 && s.charCodeAt(i) === C_COLON && s.charCodeAt(i + 1) === C_COLON) {
    ellipsis = 0;
    i += 2;
    if (i === end) return true; // "::"
  }
  while (filled < 16) {
    const groupStart = i;
    let acc = 0;
    while (i < end) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      if (i - groupStart >= 4) return false;
      acc = (acc << 4) | h;
      i++;
    }
    if (i === groupStart) return false;
    if (i < end && s.charCodeAt(i) === C_DOT) {
      // dotted IPv4 tail: must end the address and fill the last 4 bytes
      if ((ellipsis < 0 && filled !== 12) || filled + 4 > 16) return false;
      const v4 = parseIpv4(s, groupStart, end);
      if (v4 < 0) return false;
      writeV4(out, filled, v4);
      filled += 4;
      i = end;
      break;
    }
    out[filled] = acc >> 8;
    out[filled + 1] = acc & 0xff;
    filled += 2;
    if (i === end) break;
    if (s.charCodeAt(i) !== C_COLON || i + 1 === end) return false;
    i++;
    if (s.charCodeAt(i) === C_COLON) {
      if (ellipsis >= 0) return false;
      ellipsis = filled;
      i++;
      if (i === end) break;
    }
  }
  if (i !== end) return false;
  if (filled < 16) {
    if (ellipsis < 0) return false;
    const gap = 16 - filled;
    for (let j = filled - 1; j >= ellipsis; j--) out[j + gap] = out[j]!;
    for (let j = ellipsis; j < ellipsis + gap; j++) out[j] = 0;
  } else if (ellipsis >= 0) {
    return false; // `::` must stand for at least one group
  }
  return true;
}

function writeV4(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

function zeroHostBits(b: Uint8Array, prefix: number): void {
  let i = prefix >> 3;
  if (i >= b.length) return;
  const rest = prefix & 7;
  if (rest !== 0) { b[i] = b[i]! & (0xff << (8 - rest)); i++; }
  for (; i < b.length; i++) b[i] = 0; // (TypedArray#fill costs more than this loop on 16 bytes)
}

/** True when `inner` lies inside `outer` (same family, outer.prefix <= inner.prefix, leading bits equal). */
export function ipRangeContains(outer: IpRange, inner: IpRange): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const a = outer.bytes, b = inner.bytes;
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
  const text = r.family === 4 ? formatV4(b, 0) : formatV6(b);
  return r.prefix === (r.family === 4 ? 32 : 128) ? text : `${text}/${r.prefix}`;
}

function formatV4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function formatV6(b: Uint8Array): string {
  if (isV4Mapped(b)) return `::ffff:${formatV4(b, 12)}`;
  // longest run (>= 2 groups) of zero groups, the first one on ties
  let bestStart = -1, bestLen = 1;
  for (let g = 0; g < 8;) {
    if (b[2 * g] !== 0 || b[2 * g + 1] !== 0) { g++; continue; }
    let e = g;
    while (e < 8 && b[2 * e] === 0 && b[2 * e + 1] === 0) e++;
    if (e - g > bestLen) { bestStart = g; bestLen = e - g; }
    g = e;
  }
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) { out += '::'; g += bestLen - 1; continue; }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += ((b[2 * g]! << 8) | b[2 * g + 1]!).toString(16);
  }
  return out;
}
