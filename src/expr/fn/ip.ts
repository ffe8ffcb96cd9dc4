// CrowdSec IP helpers (IpInRange, IpToRange, IsIP, IsIPV4, IsIPV6) over net/ipvalue.ts (Go net semantics), and
// Distance (haversine).
// Owns: these helpers and their entries of the function table (expr/functions.ts assembles them).

import { parseIP, parseCIDR, cidrContains, maskIP, formatIP } from '../../net/ipvalue.js';
import { RtError } from '../runtime.js';
import { BOOL, FLOAT, STRING } from '../schema.js';
import { s, type FnDef } from './args.js';
import { toFloatOr } from './strings.js';

export function haversine(lat1s: string, lon1s: string, lat2s: string, lon2s: string): number {
  const p = (x: string, name: string): number => {
    const v = toFloatOr(x);
    if (v === null) throw new RtError(`Distance: unable to parse ${name} ${JSON.stringify(x)}`);
    return v;
  };
  const lat1 = p(lat1s, 'lat1'),
    lon1 = p(lon1s, 'lon1'),
    lat2 = p(lat2s, 'lat2'),
    lon2 = p(lon2s, 'lon2');
  if ((lat1 === 0 && lon1 === 0) || (lat2 === 0 && lon2 === 0)) return 0;
  const rad = Math.PI / 180;
  const dlat = (lat2 - lat1) * rad,
    dlon = (lon2 - lon1) * rad;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dlon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

export const IP_FUNCTIONS: Record<string, FnDef> = {
  IpInRange: {
    min: 2,
    max: 2,
    ret: BOOL,
    fn: (ip: unknown, cidr: unknown) => {
      const p = parseIP(s(ip, 'IpInRange'));
      const c = parseCIDR(s(cidr, 'IpInRange', 1));
      return p !== null && c !== null && cidrContains(c, p);
    },
  },
  IpToRange: {
    min: 2,
    max: 2,
    ret: STRING,
    fn: (ip: unknown, mask: unknown) => {
      const p = parseIP(s(ip, 'IpToRange'));
      let m = s(mask, 'IpToRange', 1);
      if (m.startsWith('/')) m = m.slice(1);
      if (!p || !/^\d+$/.test(m)) return '';
      const bits = Number(m);
      if (bits > (p.is4 ? 32 : 128)) return '';
      return `${formatIP(maskIP(p, bits, p.is4))}/${bits}`;
    },
  },
  IsIP: { min: 1, max: 1, ret: BOOL, fn: (v: unknown) => parseIP(s(v, 'IsIP')) !== null },
  IsIPV4: { min: 1, max: 1, ret: BOOL, fn: (v: unknown) => parseIP(s(v, 'IsIPV4'))?.is4 === true },
  IsIPV6: { min: 1, max: 1, ret: BOOL, fn: (v: unknown) => parseIP(s(v, 'IsIPV6'))?.is4 === false },
  Distance: {
    min: 4,
    max: 4,
    ret: FLOAT,
    fn: (a1: unknown, b1: unknown, a2: unknown, b2: unknown) =>
      haversine(s(a1, 'Distance'), s(b1, 'Distance', 1), s(a2, 'Distance', 2), s(b2, 'Distance', 3)),
  },
};
