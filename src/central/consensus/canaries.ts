// Canaries: addresses the community list must never carry. Owns the built-in data (reserved and private ranges of
// both families, the public resolvers, and published CDN and search-crawler ranges, as their operators publish
// them) and `CanarySet`, which answers "is this address or range a canary?" in a few set lookups (one per prefix
// length present). The operator's allowlist (config `allowlist`) is added to the same set.

import { parseIpOrRange } from '../../store/iprange.js';
import type { IpRange } from '../../store/records.js';
import { RESERVED_V4 } from '../ipnet.js';

export type CanaryKind = 'reserved' | 'resolver' | 'cdn' | 'crawler' | 'allowlist';

/** Reserved, private, loopback, link-local, multicast, documentation and benchmark ranges (RFC 6890 and kin). */
const RESERVED = [
  ...RESERVED_V4,
  '::/128',
  '::1/128',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '3fff::/20',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

/** Public DNS resolvers (Google, Cloudflare, Quad9, OpenDNS, AdGuard, CleanBrowsing, Level3). */
const RESOLVERS = [
  '8.8.8.8',
  '8.8.4.4',
  '1.1.1.1',
  '1.0.0.1',
  '1.1.1.2',
  '1.0.0.2',
  '1.1.1.3',
  '1.0.0.3',
  '9.9.9.9',
  '149.112.112.112',
  '9.9.9.10',
  '149.112.112.10',
  '9.9.9.11',
  '149.112.112.11',
  '208.67.222.222',
  '208.67.220.220',
  '208.67.222.123',
  '208.67.220.123',
  '94.140.14.14',
  '94.140.15.15',
  '185.228.168.9',
  '185.228.169.9',
  '4.2.2.1',
  '4.2.2.2',
  '4.2.2.3',
  '4.2.2.4',
  '4.2.2.5',
  '4.2.2.6',
  '76.76.2.0',
  '76.76.10.0',
  '2001:4860:4860::8888',
  '2001:4860:4860::8844',
  '2606:4700:4700::1111',
  '2606:4700:4700::1001',
  '2620:fe::fe',
  '2620:fe::9',
  '2620:119:35::35',
  '2620:119:53::53',
  '2a10:50c0::ad1:ff',
  '2a10:50c0::ad2:ff',
];

/** CDN edges as published (Cloudflare ips-v4/ips-v6, Fastly public-ip-list). */
const CDN = [
  '173.245.48.0/20',
  '103.21.244.0/22',
  '103.22.200.0/22',
  '103.31.4.0/22',
  '141.101.64.0/18',
  '108.162.192.0/18',
  '190.93.240.0/20',
  '188.114.96.0/20',
  '197.234.240.0/22',
  '198.41.128.0/17',
  '162.158.0.0/15',
  '104.16.0.0/13',
  '104.24.0.0/14',
  '172.64.0.0/13',
  '131.0.72.0/22',
  '2400:cb00::/32',
  '2606:4700::/32',
  '2803:f800::/32',
  '2405:b500::/32',
  '2405:8100::/32',
  '2a06:98c0::/29',
  '2c0f:f248::/32',
  '23.235.32.0/20',
  '43.249.72.0/22',
  '103.244.50.0/24',
  '103.245.222.0/23',
  '103.245.224.0/24',
  '104.156.80.0/20',
  '140.248.64.0/18',
  '140.248.128.0/17',
  '146.75.0.0/17',
  '151.101.0.0/16',
  '157.52.64.0/18',
  '167.82.0.0/17',
  '167.82.128.0/20',
  '167.82.160.0/20',
  '167.82.224.0/20',
  '172.111.64.0/18',
  '185.31.16.0/22',
  '199.27.72.0/21',
  '199.232.0.0/16',
  '2a04:4e40::/32',
  '2a04:4e42::/32',
];

/** Search crawlers as published (Googlebot, Bingbot, Applebot, DuckDuckBot, Yandex). */
const CRAWLERS = [
  '66.249.64.0/19',
  '2001:4860:4801::/48',
  '157.55.39.0/24',
  '207.46.13.0/24',
  '40.77.167.0/24',
  '13.66.139.0/24',
  '13.66.144.0/24',
  '52.167.144.0/24',
  '40.77.188.0/22',
  '65.55.210.0/24',
  '199.30.24.0/23',
  '40.77.202.0/24',
  '40.77.177.0/24',
  '40.77.178.0/23',
  '17.241.208.0/20',
  '17.241.224.0/20',
  '17.246.15.0/24',
  '17.22.237.0/24',
  '20.191.45.212/32',
  '40.88.21.235/32',
  '40.76.173.151/32',
  '40.76.163.7/32',
  '20.185.79.47/32',
  '5.255.253.0/24',
  '77.88.5.0/24',
  '95.108.213.0/24',
  '213.180.203.0/24',
  '87.250.224.0/19',
];

export const BUILTIN_CANARIES: Readonly<Record<Exclude<CanaryKind, 'allowlist'>, readonly string[]>> = {
  reserved: RESERVED,
  resolver: RESOLVERS,
  cdn: CDN,
  crawler: CRAWLERS,
};

interface Entry {
  range: IpRange;
  kind: CanaryKind;
}

function keyOf(r: IpRange, len: number): string {
  const b = r.bytes;
  const full = len >> 3;
  let k = '';
  for (let i = 0; i < full; i++) k += String.fromCharCode(b[i]!);
  const rest = len & 7;
  if (rest) k += String.fromCharCode(b[full]! & (0xff << (8 - rest)) & 0xff);
  return k;
}

/** A set of ranges answering membership of an address (or overlap of a range) in O(number of prefix lengths). */
export class CanarySet {
  /** family -> prefix length -> masked key -> kind */
  private readonly byLen: Map<4 | 6, Map<number, Map<string, CanaryKind>>> = new Map([
    [4, new Map()],
    [6, new Map()],
  ]);
  private readonly entries: Entry[] = [];

  constructor(extra: readonly string[] = [], builtin = true) {
    if (builtin)
      for (const [kind, list] of Object.entries(BUILTIN_CANARIES))
        for (const t of list) this.add(t, kind as CanaryKind);
    for (const t of extra) this.add(t, 'allowlist');
  }

  /** Adds a range; false when the text is not an address or CIDR. */
  add(text: string, kind: CanaryKind): boolean {
    const r = parseIpOrRange(text);
    if (!r) return false;
    const lens = this.byLen.get(r.family)!;
    let m = lens.get(r.prefix);
    if (!m) {
      m = new Map();
      lens.set(r.prefix, m);
    }
    m.set(keyOf(r, r.prefix), kind);
    this.entries.push({ range: r, kind });
    return true;
  }

  /** The canary kind covering `value` (an address, or a range overlapping a canary), or null. Unparsable: reserved. */
  match(value: string): CanaryKind | null {
    const r = parseIpOrRange(value);
    if (!r) return 'reserved';
    for (const [len, m] of this.byLen.get(r.family)!) {
      if (len > r.prefix) continue;
      const k = m.get(keyOf(r, len));
      if (k) return k;
    }
    const single = r.prefix === (r.family === 4 ? 32 : 128);
    if (!single) {
      // a range that contains a canary
      for (const e of this.entries) {
        if (e.range.family === r.family && e.range.prefix > r.prefix && keyOf(e.range, r.prefix) === keyOf(r, r.prefix))
          return e.kind;
      }
    }
    return null;
  }

  get size(): number {
    return this.entries.length;
  }
}
