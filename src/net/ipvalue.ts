// IP values with Go `net` semantics for the expression helpers (IpInRange, IpToRange, IsIPV4...) and the
// bucket alert's source range: ParseIP, ParseCIDR, IPNet.Contains, IP.Mask, IP.String over a 128-bit BigInt.
// Owns: the BigInt value model only; text parsing is net/ip.ts (parseIP16: IPv4 == IPv4-mapped, no zone).

import { formatIPv6, isV4Mapped, MAX_IP_TEXT, parseIP16 } from './ip.js';

export interface IP {
  v: bigint;
  is4: boolean;
} // is4: IPv4 or IPv4-mapped; v holds the 16-byte value

const V4PREFIX = 0xffffn << 32n;
const scratch = new Uint8Array(16);

const word = (b: Uint8Array, i: number): bigint =>
  BigInt(((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!);

export function parseIP(s: string): IP | null {
  if (s.length > MAX_IP_TEXT || !parseIP16(s, 0, s.length, scratch)) return null;
  const v = (word(scratch, 0) << 96n) | (word(scratch, 4) << 64n) | (word(scratch, 8) << 32n) | word(scratch, 12);
  return { v, is4: isV4Mapped(scratch) };
}

export function formatIP(ip: IP): string {
  if (ip.is4) {
    const x = Number(ip.v & 0xffffffffn);
    return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
  }
  const b = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = Number((ip.v >> BigInt(96 - 32 * i)) & 0xffffffffn);
    b[4 * i] = w >>> 24;
    b[4 * i + 1] = (w >>> 16) & 255;
    b[4 * i + 2] = (w >>> 8) & 255;
    b[4 * i + 3] = w & 255;
  }
  return formatIPv6(b);
}

export interface CIDR {
  ip: IP;
  bits: number;
  is4: boolean;
}

export function parseCIDR(s: string): CIDR | null {
  const i = s.indexOf('/');
  if (i < 0) return null;
  const addr = s.slice(0, i);
  const bs = s.slice(i + 1);
  if (!/^\d+$/.test(bs)) return null;
  const bits = Number(bs);
  const is4 = addr.indexOf(':') < 0; // IPv4 text (a valid address without ':' is dotted decimal)
  const ip = parseIP(addr);
  if (!ip) return null;
  if (bits > (is4 ? 32 : 128)) return null;
  return { ip: maskIP(ip, bits, is4), bits, is4 };
}

export function maskIP(ip: IP, bits: number, as4: boolean): IP {
  const total = as4 ? 32 : 128;
  const hostBits = BigInt(total - bits);
  const base = as4 ? ip.v & 0xffffffffn : ip.v;
  const masked = (base >> hostBits) << hostBits;
  const v = as4 ? V4PREFIX | masked : masked;
  return { v, is4: as4 || v >> 32n === 0xffffn };
}

export function cidrContains(c: CIDR, ip: IP): boolean {
  if (c.is4) {
    if (!ip.is4) return false;
    return maskIP(ip, c.bits, true).v === c.ip.v;
  }
  return maskIP({ v: ip.v, is4: false }, c.bits, false).v === maskIP({ v: c.ip.v, is4: false }, c.bits, false).v;
}
