// Address rules of Picket Central: normalising a signal's IP or CIDR (Go's parsing rules, src/store/iprange.ts),
// refusing private, reserved and special-purpose ranges (IANA special-purpose registries; never listable), unless
// the operator marks some of them acceptable (`signals.accept_ranges`, for lab federations), and the /24 (IPv4) or
// /48 (IPv6) network a reporter connects from (all that is kept of its address).

import net from 'node:net';
import { formatIpRange, parseIpOrRange } from '../store/iprange.js';
import type { EntryScope } from './consensus/types.js';

/** IPv4 special-purpose ranges (also the IPv4 part of the consensus's canaries, ./consensus/canaries.ts) */
export const RESERVED_V4: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
const RESERVED_V6 = [
  '::/8',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '2002::/16',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

function blockList(cidrs: readonly string[]): net.BlockList {
  const b = new net.BlockList();
  for (const c of cidrs) {
    const [a, p] = c.split('/');
    b.addSubnet(a!, Number(p), a!.includes(':') ? 'ipv6' : 'ipv4');
  }
  return b;
}

// one list per family: node's BlockList matches IPv4 addresses against IPv6 subnets through ::ffff:0:0/96
const RESERVED = { 4: blockList(RESERVED_V4), 6: blockList(RESERVED_V6) };

export interface Normalised {
  scope: EntryScope;
  value: string;
  family: 4 | 6;
  prefix: number;
}

/** `1.2.3.4`, `2001:db8::1`, `1.2.3.0/24` -> canonical text and scope (a /32 or /128 is an Ip); null if invalid */
export function normaliseAddress(text: string): Normalised | null {
  const r = parseIpOrRange(text.trim());
  if (!r) return null;
  const single = r.prefix === (r.family === 4 ? 32 : 128);
  return { scope: single ? 'Ip' : 'Range', value: formatIpRange(r), family: r.family, prefix: r.prefix };
}

/** Decides whether an address or range may be reported and listed. */
export class AddressPolicy {
  private readonly accepted: { 4: net.BlockList; 6: net.BlockList };
  private readonly acceptedAny: boolean;

  constructor(acceptRanges: readonly string[] = []) {
    this.accepted = {
      4: blockList(acceptRanges.filter((c) => !c.includes(':'))),
      6: blockList(acceptRanges.filter((c) => c.includes(':'))),
    };
    this.acceptedAny = acceptRanges.length > 0;
  }

  /** null when acceptable, else why not */
  refuse(n: Normalised): string | null {
    const base = n.value.split('/')[0]!;
    const type = n.family === 4 ? 'ipv4' : 'ipv6';
    if (this.acceptedAny && this.accepted[n.family].check(base, type)) return null;
    if (RESERVED[n.family].check(base, type)) return 'is a private, reserved or special-purpose address';
    if (n.scope === 'Range' && n.prefix < (n.family === 4 ? 16 : 32)) {
      return `is too wide a range (at most /${n.family === 4 ? 16 : 32})`;
    }
    if (n.scope === 'Range' && this.overlapsReserved(n)) return 'overlaps a private or reserved range';
    return null;
  }

  /** a range wider than a reserved block may contain it (e.g. 192.0.0.0/16 holds 192.0.2.0/24) */
  private overlapsReserved(n: Normalised): boolean {
    const range = new net.BlockList();
    const [a, p] = n.value.split('/');
    const type = n.family === 4 ? 'ipv4' : 'ipv6';
    range.addSubnet(a!, Number(p), type);
    return (n.family === 4 ? RESERVED_V4 : RESERVED_V6).some((c) => range.check(c.split('/')[0]!, type));
  }
}

/** the /24 or /48 of a connecting address ('' when it is not an address) */
export function reporterNetwork(address: string): string {
  let a = address;
  if (a.startsWith('::ffff:') && net.isIPv4(a.slice(7))) a = a.slice(7);
  const fam = net.isIP(a);
  if (fam === 0) return '';
  const n = normaliseAddress(`${a}/${fam === 4 ? 24 : 48}`);
  return n ? n.value : '';
}

/** the connecting address without an IPv4-mapped prefix */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}
