// Parser whitelists (parsing.md §8): compiled `whitelist: {reason, ip, cidr, expression}` of a node.
// Owns: prefixes over net/ip.ts parseAddr (Go netip semantics: IPv4 and IPv6 are distinct families, so
// `::ffff:1.2.3.4` != `1.2.3.4`), exact IP equality, CIDR containment, whitelist expressions, and the
// event side effects (first reason kept; OVFLW events also get Overflow.Whitelisted).

import { Event, LOG, OVFLW } from '../core/event.js';
import { parseAddr as parseIP, parseAddrInto, zeroHostBits } from '../net/ip.js';
import { compileExpr, type CompiledExpr } from './deps.js';
import { ParserLoadError, type WhitelistConfig } from './config.js';
import { errorMessage } from '../core/errors.js';

export interface Prefix {
  addr: Uint8Array;
  bits: number;
}

/** Parse `addr/bits` (Go net.ParseCIDR); the address is masked. */
export function parseCIDR(s: string): Prefix | null {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return null;
  const addr = parseIP(s.slice(0, slash));
  const bitsStr = s.slice(slash + 1);
  if (!addr || !/^[0-9]{1,3}$/.test(bitsStr)) return null;
  const bits = Number(bitsStr);
  if (bits > addr.length * 8) return null;
  zeroHostBits(addr, bits);
  return { addr, bits };
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

const SCRATCH4 = new Uint8Array(4);
const SCRATCH16 = new Uint8Array(16);

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
      if (!ip)
        throw new ParserLoadError(`${where}: field "whitelist.ip": parsing whitelist: '${raw}' is not an IP address`);
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
        throw new ParserLoadError(`${where}: field "whitelist.expression[${i}]": ${errorMessage(e)}`);
      }
    });
  }

  get hasEntries(): boolean {
    return this.ips.length + this.cidrs.length + this.exprs.length > 0;
  }
  get hasIPLists(): boolean {
    return this.ips.length + this.cidrs.length > 0;
  }

  /** IP/CIDR lists against the event's sources (evt.ParseIPSources()). */
  checkIPs(evt: Event): boolean {
    if (!this.hasIPLists) return false;
    if (evt.Type === LOG) {
      // ParseIPSources() of a LOG event is [Meta.source_ip] when set: no array for the one address
      const ip = evt.Meta.source_ip;
      return ip ? this.listed(ip) : false;
    }
    const srcs = evt.ParseIPSources();
    for (let s = 0; s < srcs.length; s++) if (this.listed(srcs[s]!)) return true;
    return false;
  }

  /** The address text `src` is in the IP or CIDR lists (parsed into scratch buffers: no allocation). */
  private listed(src: string): boolean {
    const ip = parseAddrInto(src, SCRATCH4, SCRATCH16);
    if (!ip) return false;
    for (let i = 0; i < this.ips.length; i++) if (ipEqual(this.ips[i]!, ip)) return true;
    for (let i = 0; i < this.cidrs.length; i++) if (prefixContains(this.cidrs[i]!, ip)) return true;
    return false;
  }

  /**
   * Expressions in order; first `true` wins; non-bool results are ignored.
   * Returns 1 (matched), 0 (not matched) or -1 (a runtime error stopped the check: not whitelisted).
   */
  checkExprs(env: { evt: Event }): number {
    for (let i = 0; i < this.exprs.length; i++) {
      let out: unknown;
      try {
        out = this.exprs[i]!.run(env);
      } catch {
        return -1;
      }
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
