// IP helpers with Go `net` semantics (ParseIP, ParseCIDR, IPNet.Contains, IP.Mask, IP.String).
// Owns: IP parsing into 128-bit BigInt, v4/v4-mapped handling, canonical formatting.

import { isIPv4, isIPv6 } from 'node:net';

export interface IP { v: bigint; is4: boolean } // is4: IPv4 or IPv4-mapped; v holds the 16-byte value

const V4PREFIX = 0xffffn << 32n;

function parseV4(s: string): bigint | null {
  const p = s.split('.');
  if (p.length !== 4) return null;
  let v = 0n;
  for (const x of p) {
    if (!/^\d{1,3}$/.test(x) || (x.length > 1 && x[0] === '0')) return null;
    const n = Number(x);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIP(s: string): IP | null {
  if (s.includes('%')) return null;
  if (isIPv4(s)) { const v = parseV4(s); return v === null ? null : { v: V4PREFIX | v, is4: true }; }
  if (!isIPv6(s)) return null;
  let head = s; let tailV4: bigint | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tailV4 = parseV4(s.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  let groups: string[];
  if (dbl >= 0) {
    const l = head.slice(0, dbl) ? head.slice(0, dbl).split(':') : [];
    const r = head.slice(dbl + 2) ? head.slice(dbl + 2).split(':') : [];
    groups = [...l, ...Array(8 - l.length - r.length).fill('0'), ...r];
  } else groups = head.split(':');
  if (groups.length !== 8) return null;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(parseInt(g || '0', 16));
  if (tailV4 !== null) v = (v & ~0xffffffffn) | tailV4;
  return { v, is4: (v >> 32n) === 0xffffn };
}

export function formatIP(ip: IP): string {
  if (ip.is4) {
    const x = Number(ip.v & 0xffffffffn);
    return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
  }
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((ip.v >> BigInt(i * 16)) & 0xffffn));
  // longest run of zeros (len >= 2), first one wins
  let bs = -1, bl = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i; while (j < 8 && g[j] === 0) j++;
    if (j - i > bl && j - i >= 2) { bs = i; bl = j - i; }
    i = j;
  }
  if (bs < 0) return g.map((x) => x.toString(16)).join(':');
  return g.slice(0, bs).map((x) => x.toString(16)).join(':') + '::' + g.slice(bs + bl).map((x) => x.toString(16)).join(':');
}

export interface CIDR { ip: IP; bits: number; is4: boolean }

export function parseCIDR(s: string): CIDR | null {
  const i = s.indexOf('/');
  if (i < 0) return null;
  const addr = s.slice(0, i); const bs = s.slice(i + 1);
  if (!/^\d+$/.test(bs)) return null;
  const bits = Number(bs);
  const is4 = isIPv4(addr);
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
  return { v, is4: as4 || (v >> 32n) === 0xffffn };
}

export function cidrContains(c: CIDR, ip: IP): boolean {
  if (c.is4) {
    if (!ip.is4) return false;
    return maskIP(ip, c.bits, true).v === c.ip.v;
  }
  return maskIP({ v: ip.v, is4: false }, c.bits, false).v === maskIP({ v: c.ip.v, is4: false }, c.bits, false).v;
}
