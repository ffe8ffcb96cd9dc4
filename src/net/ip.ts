// The one home of IP text parsing. Owns: the dotted-quad and IPv6 text scanners (char codes, no regex, no
// BigInt, no allocation), and the named semantics built on them, because Go's two IP packages really differ:
//
//   Go `net` (net.ParseIP / net.ParseCIDR, + To4()) — parseIP16: one 16-byte space, an IPv4 address IS the
//     IPv4-mapped IPv6 `::ffff:a.b.c.d` (so `1.2.3.4` == `::ffff:1.2.3.4`); zones (`%eth0`) are refused.
//     Used by the LAPI store (store/iprange.ts), the expression helpers (net/ipvalue.ts) and, with the zone
//     dropped first, the GeoIP enrichers (parser/enrich/geo-ip.ts).
//   Go `netip` (netip.ParseAddr) — parseAddr: IPv4 (4 bytes) and IPv6 (16 bytes) are distinct families, so
//     `::ffff:1.2.3.4` != `1.2.3.4`; a `%zone` suffix is accepted (and dropped here). Used by parser whitelists.
//   Both refuse leading zeros in IPv4 octets (Go >= 1.17), accept 1-4 hex digits per IPv6 group, one `::`
//   standing for at least one group, and a dotted IPv4 tail only in the last 32 bits.
//   Free-text scanning (pipeline/ipscan.ts, which only shards raw lines before parsing) uses the same
//   scanners with leading zeros allowed: `quadEnd(..., true)` and `parseIPv6At(..., true)`.

const C_0 = 48,
  C_9 = 57,
  C_a = 97,
  C_f = 102,
  C_A = 65,
  C_F = 70,
  C_DOT = 46,
  C_COLON = 58;
/** No valid address text is longer (Go accepts zero-padded prefix lengths, so CIDR callers check it too). */
export const MAX_IP_TEXT = 64;

/**
 * A dotted quad starting at s[i] (4 decimal octets of 1-3 digits, each <= 255, separated by `.`), its bytes
 * written to out[at..at+3]. Returns the index just past the 4th octet (which may be < end), or -1.
 * `leadingZeros`: accept `01.2.3.4` (text scanning); parsers pass false.
 */
export function quadEnd(s: string, i: number, end: number, out: Uint8Array, at: number, leadingZeros: boolean): number {
  for (let part = 0; ; part++) {
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
    if (!leadingZeros && digits > 1 && s.charCodeAt(first) === C_0) return -1;
    out[at + part] = octet;
    if (part === 3) return i;
    if (i >= end || s.charCodeAt(i) !== C_DOT) return -1;
    i++;
  }
}

/** Exactly a dotted quad in s[start, end) (no leading zeros), bytes into out[at..at+3]. */
export function parseIPv4At(s: string, start: number, end: number, out: Uint8Array, at: number): boolean {
  return quadEnd(s, start, end, out, at, false) === end;
}

function hexValue(c: number): number {
  if (c >= C_0 && c <= C_9) return c - C_0;
  if (c >= C_a && c <= C_f) return c - C_a + 10;
  if (c >= C_A && c <= C_F) return c - C_A + 10;
  return -1;
}

/**
 * Exactly an IPv6 text in s[start, end) (no zone) into out[0..15]; false when malformed.
 * `tailLeadingZeros`: accept leading zeros in a dotted IPv4 tail (text scanning only).
 */
export function parseIPv6At(s: string, start: number, end: number, out: Uint8Array, tailLeadingZeros = false): boolean {
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
      if (quadEnd(s, groupStart, end, out, filled, tailLeadingZeros) !== end) return false;
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

/** True when out[0..15] is an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). */
export function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/**
 * Go `net.ParseIP` of s[start, end) into out[0..15]: IPv4 text gives `::ffff:a.b.c.d`; no zone.
 * `To4()` of the result is `isV4Mapped(out)` + out[12..15].
 */
export function parseIP16(s: string, start: number, end: number, out: Uint8Array): boolean {
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) === C_COLON) return parseIPv6At(s, start, end, out);
  }
  for (let j = 0; j < 10; j++) out[j] = 0;
  out[10] = 0xff;
  out[11] = 0xff;
  return parseIPv4At(s, start, end, out, 12);
}

/**
 * Go `netip.ParseAddr`: 4 bytes for IPv4 text, 16 for IPv6 text (IPv4-mapped stays IPv6), or null.
 * A `%zone` suffix of an IPv6 text is accepted and dropped.
 */
export function parseAddr(s: string): Uint8Array | null {
  const r = parseAddrInto(s, ADDR4, ADDR16);
  return r === null ? null : r.slice();
}
const ADDR4 = new Uint8Array(4);
const ADDR16 = new Uint8Array(16);

/** parseAddr into caller-owned buffers, no allocation: returns out4 (IPv4 text) or out16 (IPv6), or null. */
export function parseAddrInto(s: string, out4: Uint8Array, out16: Uint8Array): Uint8Array | null {
  const n = s.length;
  if (n === 0 || n > MAX_IP_TEXT) return null;
  if (s.indexOf(':') < 0) return parseIPv4At(s, 0, n, out4, 0) ? out4 : null;
  const pct = s.indexOf('%');
  return parseIPv6At(s, 0, pct < 0 ? n : pct, out16) ? out16 : null;
}

/** Index of the `%` of an IPv6 zone suffix (RFC 4007 text: `%` + one or more of [0-9A-Za-z.:-]), -1 if none,
 *  -2 when a `%` is there but the zone is malformed. */
export function zoneIndex(s: string): number {
  const pct = s.indexOf('%');
  if (pct < 0) return -1;
  if (pct + 1 === s.length) return -2;
  for (let i = pct + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= C_0 && c <= C_9) ||
      (c >= C_a && c <= 122) ||
      (c >= C_A && c <= 90) ||
      c === C_DOT ||
      c === C_COLON ||
      c === 45;
    if (!ok) return -2;
  }
  return pct;
}

/** Dotted text of b[at..at+3]. */
export function formatIPv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** RFC 5952 text of the 16 bytes b (as Go prints it: the first longest run of >= 2 zero groups becomes `::`).
 *  No IPv4-mapped special case: callers that print `::ffff:a.b.c.d` or `a.b.c.d` check isV4Mapped first. */
export function formatIPv6(b: Uint8Array): string {
  let bestStart = -1,
    bestLen = 1;
  for (let g = 0; g < 8;) {
    if (b[2 * g] !== 0 || b[2 * g + 1] !== 0) {
      g++;
      continue;
    }
    let e = g;
    while (e < 8 && b[2 * e] === 0 && b[2 * e + 1] === 0) e++;
    if (e - g > bestLen) {
      bestStart = g;
      bestLen = e - g;
    }
    g = e;
  }
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out += '::';
      g += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += ((b[2 * g]! << 8) | b[2 * g + 1]!).toString(16);
  }
  return out;
}

/** Zero the bits of b past `prefix` (b is 4 or 16 bytes). */
export function zeroHostBits(b: Uint8Array, prefix: number): void {
  let i = prefix >> 3;
  if (i >= b.length) return;
  const rest = prefix & 7;
  if (rest !== 0) {
    b[i] = b[i]! & (0xff << (8 - rest));
    i++;
  }
  for (; i < b.length; i++) b[i] = 0; // (TypedArray#fill costs more than this loop on 16 bytes)
}
