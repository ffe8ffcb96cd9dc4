// Enricher registry (parsing.md §11): ParseDate, UnmarshalJSON, GeoIpCity/GeoIpASN/IpToRange on generated
// .mmdb files, reverse_dns (disabled path + cache with an injected resolver; never the network; rdns.test.ts
// has the resolver against a DNS server on loopback).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Event, TIMEMACHINE } from '../../src/core/event.js';
import { GoTime } from '../../src/core/gotime.js';
import { configureReverseDns, getEnricher, type EnrichContext } from '../../src/parser/enrich/index.js';
import { GeoIpDatabases } from '../../src/parser/enrich/geoip.js';
import { MmdbReader, ipToBytes } from './mmdb-oracle.js';
import { writeMmdb } from './mmdb-writer.js';

const NOW = new GoTime(Date.UTC(2030, 0, 2, 3, 4, 5), 0, 0, 'UTC');
const ctx = (o: Partial<EnrichContext> = {}): EnrichContext => ({
  timeMachine: false,
  yearForYearless: 2026,
  now: () => NOW,
  geo: null,
  rdns: false,
  ...o,
});

test('ParseDate: MarshaledTime; evt.Time only in time-machine mode; failure -> now', () => {
  const pd = getEnricher('ParseDate')!;
  const e = new Event({ Raw: 'x' });
  assert.deepEqual(pd('Feb 12 14:10:21', e, ctx()), { MarshaledTime: '2026-02-12T14:10:21Z' });
  assert.ok(e.Time.isZero());
  assert.deepEqual(pd('Feb 12 14:10:21', e, ctx({ timeMachine: true })), { MarshaledTime: '2026-02-12T14:10:21Z' });
  assert.equal(e.Time.toRFC3339Nano(), '2026-02-12T14:10:21Z');
  const e2 = new Event({ Raw: 'x' });
  e2.ExpectMode = TIMEMACHINE;
  assert.deepEqual(pd('not a date', e2, ctx()), { MarshaledTime: '2030-01-02T03:04:05Z' });
  assert.ok(e2.Time.isZero());
  e2.StrTimeFormat = '060102 15:04:05';
  pd('220315 10:11:12', e2, ctx());
  assert.equal(e2.Time.toRFC3339Nano(), '2022-03-15T10:11:12Z');
  // ctx.now() returning a JS Date is tolerated
  assert.deepEqual(pd('', e2, { ...ctx(), now: (() => new Date(Date.UTC(2031, 0, 1))) as unknown as () => GoTime }), {
    MarshaledTime: '2031-01-01T00:00:00Z',
  });
});

test('UnmarshalJSON decodes Line.Raw (not the input), merges, errors on invalid JSON', () => {
  const uj = getEnricher('UnmarshalJSON')!;
  const e = new Event({ Raw: '{"a":1,"b":{"c":"d"},"arr":[1,2]}' });
  e.Unmarshaled.keep = true;
  assert.deepEqual(uj('ignored {', e, ctx()), {});
  assert.deepEqual({ ...e.Unmarshaled }, { keep: true, a: 1, b: { c: 'd' }, arr: [1, 2] });
  const bad = new Event({ Raw: '{nope' });
  assert.ok(uj('{"a":1}', bad, ctx()) instanceof Error);
  assert.ok(uj('', new Event({ Raw: '[1]' }), ctx()) instanceof Error);
  assert.deepEqual(uj('', new Event({ Raw: 'null' }), ctx()), {});
});

test('unknown method -> undefined', () => {
  assert.equal(getEnricher('NoSuchMethod'), undefined);
  assert.equal(getEnricher('toString'), undefined);
});

function makeDbs(recordSize: 24 | 28 | 32): string {
  const dir = mkdtempSync(join(tmpdir(), 'picket-geo-'));
  writeFileSync(
    join(dir, 'GeoLite2-City.mmdb'),
    writeMmdb(
      [
        {
          cidr: '1.2.3.0/24',
          data: {
            country: { iso_code: 'FR', is_in_european_union: true },
            location: { latitude: 48.8582, longitude: 2.3387 },
          },
        },
        {
          cidr: '5.6.0.0/16',
          data: { registered_country: { iso_code: 'US' }, location: { latitude: -33.5, longitude: 151.25 } },
        },
        {
          cidr: '2001:db8::/32',
          data: {
            country: { iso_code: 'DE', is_in_european_union: true },
            location: { latitude: 52.5, longitude: 13.4 },
          },
        },
      ],
      { recordSize, databaseType: 'GeoLite2-City', dedupe: true },
    ),
  );
  writeFileSync(
    join(dir, 'GeoLite2-ASN.mmdb'),
    writeMmdb(
      [
        {
          cidr: '1.2.3.0/24',
          data: { autonomous_system_number: 13335, autonomous_system_organization: 'Cloudflare, Inc.' },
        },
        { cidr: '9.0.0.0/8', data: { autonomous_system_number: 3356, autonomous_system_organization: 'Level 3' } },
        {
          cidr: '2001:db8:1::/48',
          data: { autonomous_system_number: 64500, autonomous_system_organization: 'Doc Net' },
        },
      ],
      { recordSize, databaseType: 'GeoLite2-ASN', dedupe: true },
    ),
  );
  return dir;
}

for (const rs of [24, 28, 32] as const) {
  test(`GeoIP enrichers on generated .mmdb (record size ${rs})`, () => {
    const geo = GeoIpDatabases.open(makeDbs(rs))!;
    assert.ok(geo);
    const c = ctx({ geo });
    const e = new Event();
    const city = getEnricher('GeoIpCity')!,
      asn = getEnricher('GeoIpASN')!,
      rng = getEnricher('IpToRange')!;
    assert.deepEqual(city('1.2.3.4', e, c), {
      IsoCode: 'FR',
      IsInEU: 'true',
      Latitude: '48.858200',
      Longitude: '2.338700',
    });
    assert.deepEqual(city('5.6.7.8', e, c), {
      IsoCode: 'US',
      IsInEU: 'false',
      Latitude: '-33.500000',
      Longitude: '151.250000',
    });
    assert.deepEqual(city('2001:db8::1', e, c), {
      IsoCode: 'DE',
      IsInEU: 'true',
      Latitude: '52.500000',
      Longitude: '13.400000',
    });
    assert.deepEqual(city('8.8.8.8', e, c), {
      IsoCode: '',
      IsInEU: 'false',
      Latitude: '0.000000',
      Longitude: '0.000000',
    });
    assert.equal((city('::ffff:1.2.3.4', e, c) as Record<string, string>).IsoCode, 'FR');
    assert.equal(city('not-an-ip', e, c), null);
    assert.equal(city('', e, c), null);
    assert.deepEqual(asn('1.2.3.4', e, c), { ASNNumber: '13335', ASNumber: '13335', ASNOrg: 'Cloudflare, Inc.' });
    assert.deepEqual(asn('8.8.8.8', e, c), { ASNNumber: '0', ASNumber: '0', ASNOrg: '' });
    assert.deepEqual(rng('1.2.3.4', e, c), { SourceRange: '1.2.3.0/24' });
    assert.deepEqual(rng('9.8.7.6', e, c), { SourceRange: '9.0.0.0/8' });
    assert.deepEqual(rng('2001:db8:1:2::5', e, c), { SourceRange: '2001:db8:1::/48' });
    assert.equal(rng('8.8.8.8', e, c), null);
  });
}

test('GeoIP: missing databases are not fatal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picket-nogeo-'));
  const noDefaults = { defaults: false };
  assert.equal(GeoIpDatabases.open(dir, noDefaults), null);
  assert.equal(
    GeoIpDatabases.open({ cityPath: join(dir, 'nope.mmdb'), asnPath: join(dir, 'nope2.mmdb'), defaults: false }),
    null,
  );
  writeFileSync(join(dir, 'GeoLite2-City.mmdb'), 'garbage');
  assert.equal(GeoIpDatabases.open(dir, noDefaults), null);
  const e = new Event();
  assert.equal(getEnricher('GeoIpCity')!('1.2.3.4', e, ctx()), null);
  assert.equal(getEnricher('IpToRange')!('1.2.3.4', e, ctx()), null);
  // only an ASN db: City side yields nothing
  writeFileSync(
    join(dir, 'GeoLite2-ASN.mmdb'),
    writeMmdb([{ cidr: '1.0.0.0/8', data: { autonomous_system_number: 1, autonomous_system_organization: 'x' } }]),
  );
  const geo = GeoIpDatabases.open(dir, noDefaults)!;
  assert.equal(getEnricher('GeoIpCity')!('1.2.3.4', e, ctx({ geo })), null);
  assert.equal((getEnricher('GeoIpASN')!('1.2.3.4', e, ctx({ geo })) as Record<string, string>).ASNNumber, '1');
});

test('mmdb reader: metadata, IPv4 tree, ip parsing', () => {
  const r = new MmdbReader(
    writeMmdb([{ cidr: '10.0.0.0/8', data: { n: 5, f: 1.5, b: false, s: ['a', 'a'] } }], {
      ipVersion: 4,
      dedupe: true,
    }),
  );
  assert.equal(r.metadata.ip_version, 4);
  assert.deepEqual(r.lookup('10.1.2.3'), {
    record: Object.assign(Object.create(null), { n: 5, f: 1.5, b: false, s: ['a', 'a'] }),
    network: '10.0.0.0/8',
  });
  assert.equal(r.lookup('11.0.0.1'), null);
  assert.deepEqual([...ipToBytes('::ffff:1.2.3.4')!], [1, 2, 3, 4]);
  assert.deepEqual([...ipToBytes('2001:db8::1')!].slice(0, 4), [0x20, 0x01, 0x0d, 0xb8]);
  assert.equal(ipToBytes('1.2.3'), null);
});

test('reverse_dns: disabled by default; cached answers (with the trailing dot) from an injected resolver', async () => {
  const rd = getEnricher('reverse_dns')!;
  const e = new Event();
  let calls = 0;
  const r = configureReverseDns({}, async (ip) => {
    calls++;
    if (ip === '1.1.1.1') return ['one.one.one.one'];
    throw new Error('NXDOMAIN');
  })!;
  assert.equal(rd('1.1.1.1', e, ctx()), null); // disabled
  assert.equal(calls, 0);
  const c = ctx({ rdns: true });
  assert.equal(rd('1.1.1.1', e, c), null); // first miss starts the lookup
  assert.equal(rd('1.1.1.1', e, c), null); // still pending, no second lookup
  await r.settled();
  assert.deepEqual(rd('1.1.1.1', e, c), { reverse_dns: 'one.one.one.one.' }); // as Go's LookupAddr
  assert.equal(rd('2.2.2.2', e, c), null);
  await r.settled();
  assert.equal(rd('2.2.2.2', e, c), null); // failure cached, nothing produced
  assert.equal(calls, 2);
  assert.equal(rd('not-ip', e, c), null);
  assert.deepEqual(r.stats(), { lookups: 2, cacheHits: 2, timeouts: 0, failures: 1, dropped: 0 });
  configureReverseDns(null);
});
