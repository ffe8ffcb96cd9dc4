// Parser whitelists (parsing.md §8): compiled `whitelist: {reason, ip, cidr, expression}` of a node.
// Owns: IP/prefix parsing into bytes (Go netip semantics: IPv4 and IPv6 are distinct families, so
// `::ffff:1.2.3.4` != `1.2.3.4`), exact IP equality, CIDR containment, whitelist expressions, and the
// event side effects (first reason kept; OVFLW events also get Overflow.Whitelisted).

import { Event, OVFLW } from '../core/event.js';
import { compileExpr, type CompiledExpr } from './deps.js';
import { ParserLoadError, type WhitelistConfig } from './config.js';

/** Parse an IP address (netip.ParseAddr-like). Returns 4 or 16 bytes, or null. A `%zone` suffix is ignored. */
export function parseIP(s: string): Uint8Array | null {
  if (s.length === 0 || s.length > 64) return null;
  if (s.indexOf(':') < 0) return parseIPv4(s);
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  return parseIPv6(s);
}

function parseIPv4(s: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let part = 0; let val = 0; let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 3) return null;
      out[part++] = val; val = 0; digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && val === 0) return null; // leading zero
      val = val * 10 + (c - 48); digits++;
      if (val > 255) return null;
    } else return null;
  }
  return part === 4 ? out : null;
}

function parseIPv6(s: string): Uint8Array | null {
  const out = new Uint8Array(16);
  let ellipsis = -1;
  let i = 0; let n = 0; // n = bytes written
  if (s.startsWith('::')) { ellipsis = 0; i = 2; if (i === s.length) return out; }
  while (i < s.length) {
    // hex group or trailing IPv4
    let j = i; let val = 0;
    while (j < s.length && j - i < 5) {
      const c = s.charCodeAt(j);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else break;
      val = val * 16 + d; j++;
    }
    if (j < s.length && s[j] === '.') {
      if (ellipsis < 0 && n !== 12) return null;
      if (n + 4 > 16) return null;
      const v4 = parseIPv4(s.slice(i));
      if (!v4) return null;
      out.set(v4, n); n += 4; i = s.length; break;
    }
    const len = j - i;
    if (len === 0 || len > 4) return null;
    if (n + 2 > 16) return null;
    out[n] = val >> 8; out[n + 1] = val & 0xff; n += 2;
    i = j;
    if (i === s.length) break;
    if (s[i] !== ':') return null;
    i++;
    if (s[i] === ':') {
      if (ellipsis >= 0) return null;
      ellipsis = n; i++;
      if (i === s.length) break;
    } else if (i === s.length) return null;
  }
  if (n < 16) {
    if (ellipsis < 0) return null;
    const tail = n - ellipsis;
    for (let k = tail - 1; k >= 0; k--) out[16 - tail + k] = out[ellipsis + k]!;
    for (let k = ellipsis; k < 16 - tail; k++) out[k] = 0;
  } else if (ellipsis >= 0) return null;
  return out;
}

export interface Prefix { addr: Uint8Array; bits: number }

/** Parse `addr/bits` (Go net.ParseCIDR); the address is masked. */
export function parseCIDR(s: string): Prefix | null {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return null;
  const addr = parseIP(s.slice(0, slash));
  const bitsStr = s.slice(slash + 1);
  if (!addr || !/^[0-9]{1,3}$/.test(bitsStr)) return null;
  const bits = Number(bitsStr);
  if (bits > addr.length * 8) return null;
  const masked = new Uint8Array(addr);
  for (let i = 0; i < masked.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    masked[i]! &= (0xff << (8 - keep)) & 0xff;
  }
  return { addr: masked, bits };
}

export function ipEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function prefixContains(p: Prefix, ip: Uint8Array): boolean {
  if (p.addr.length !== ip.length) return false;
  let bits = p.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip[i]! & mask) !== p.addr[i]) return false;
  }
  return true;
}

export class CompiledWhitelist {
  readonly reason: string;
  readonly ips: Uint8Array[] = [];
  readonly cidrs: Prefix[] = [];
  readonly exprs: CompiledExpr[] = [];
  readonly warnings: string[] = [];

  constructor(cfg: WhitelistConfig, where: string) {
    this.reason = cfg.reason;
    for (const raw of cfg.ip) {
      const ip = parseIP(raw.trim());
      if (!ip) throw new ParserLoadError(`${where}: field "whitelist.ip": parsing whitelist: '${raw}' is not an IP address`);
      this.ips.push(ip);
    }
    for (const raw of cfg.cidr) {
      const p = parseCIDR(raw.trim());
      if (!p) throw new ParserLoadError(`${where}: field "whitelist.cidr": unable to parse cidr whitelist '${raw}'`);
      this.cidrs.push(p);
    }
    cfg.expression.forEach((src, i) => {
      try {
        this.exprs.push(compileExpr(src, { env: 'evt', where: `${where} whitelist.expression[${i}]` }));
      } catch (e) {
        throw new ParserLoadError(`${where}: field "whitelist.expression[${i}]": ${(e as Error).message}`);
      }
    });
  }

  get hasEntries(): boolean { return this.ips.length + this.cidrs.length + this.exprs.length > 0; }
  get hasIPLists(): boolean { return this.ips.length + this.cidrs.length > 0; }

  /** IP/CIDR lists against the event's sources. */
  checkIPs(evt: Event): boolean {
    if (!this.hasIPLists) return false;
    const srcs = evt.ParseIPSources();
    for (let s = 0; s < srcs.length; s++) {
      const ip = parseIP(srcs[s]!);
      if (!ip) continue;
      for (let i = 0; i < this.ips.length; i++) if (ipEqual(this.ips[i]!, ip)) return true;
      for (let i = 0; i < this.cidrs.length; i++) if (prefixContains(this.cidrs[i]!, ip)) return true;
    }
    return false;
  }

  /**
   * Expressions in order; first `true` wins; non-bool results are ignored.
   * Returns 1 (matched), 0 (not matched) or -1 (a runtime error stopped the check: not whitelisted).
   */
  checkExprs(env: { evt: Event }): number {
    for (let i = 0; i < this.exprs.length; i++) {
      let out: unknown;
      try { out = this.exprs[i]!.run(env); } catch { return -1; }
      if (out === true) return 1;
    }
    return 0;
  }

  /** Mark the event whitelisted (first reason kept). */
  static apply(evt: Event, reason: string): void {
    if (evt.Whitelisted) return;
    evt.Whitelisted = true;
    evt.WhitelistReason = reason;
    if (evt.Type === OVFLW && evt.Overflow) evt.Overflow.Whitelisted = true;
  }
}
