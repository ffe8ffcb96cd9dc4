// Enricher registry: the `method:` values of parser statics (parsing.md §11) -> functions returning the
// key/values merged into evt.Enriched. Owns: ParseDate, UnmarshalJSON, GeoIpCity, GeoIpASN, IpToRange,
// reverse_dns (cache + injected resolver; off unless ctx.rdns).

import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import type { Event } from '../../core/event.js';
import { TIMEMACHINE } from '../../core/event.js';
import { GoTime } from '../../core/gotime.js';
import { parseDate } from './date.js';
import type { GeoIpDatabases } from './geoip.js';
import { errorMessage } from '../../core/errors.js';

export { parseDate, DATE_LAYOUTS } from './date.js';
export { GeoIpDatabases } from './geoip.js';

export interface EnrichContext {
  timeMachine: boolean;
  yearForYearless: number;
  now(): GoTime;
  geo: GeoIpDatabases | null;
  rdns: boolean; // off by default
}

export type Enricher = (input: string, evt: Event, ctx: EnrichContext) => Record<string, string> | null | Error;

function nowGo(ctx: EnrichContext): GoTime {
  const n = ctx.now() as unknown;
  if (n instanceof GoTime) return n.UTC();
  if (n instanceof Date) return new GoTime(n.getTime(), 0, 0, 'UTC');
  return GoTime.now();
}

const ParseDate: Enricher = (input, evt, ctx) => {
  const r = parseDate(input, evt.StrTimeFormat, ctx);
  if (r === null) return { MarshaledTime: nowGo(ctx).toRFC3339Nano() };
  if (ctx.timeMachine || evt.ExpectMode === TIMEMACHINE) evt.Time = r.time;
  return { MarshaledTime: r.marshaled };
};

const UnmarshalJSON: Enricher = (_input, evt) => {
  let v: unknown;
  try {
    v = JSON.parse(evt.Line.Raw);
  } catch (e) {
    return new Error(`UnmarshalJSON: invalid JSON in Line.Raw: ${errorMessage(e)}`);
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) return new Error('UnmarshalJSON: Line.Raw is not a JSON object');
  for (const k of Object.keys(v as object)) evt.Unmarshaled[k] = (v as Record<string, unknown>)[k];
  return {};
};

const GeoIpCity: Enricher = (input, _evt, ctx) => (input && ctx.geo ? ctx.geo.cityEnrich(input) : null);
const GeoIpASN: Enricher = (input, _evt, ctx) => (input && ctx.geo ? ctx.geo.asnEnrich(input) : null);
const IpToRange: Enricher = (input, _evt, ctx) => (input && ctx.geo ? ctx.geo.ipToRange(input) : null);

// ---- reverse DNS: synchronous enrichers cannot wait for DNS, so a miss starts a lookup and yields nothing;
// later events for the same IP read the cached answer (CrowdSec blocks instead; see report).
export type ReverseResolver = (ip: string) => Promise<string[]>;
let resolver: ReverseResolver = (ip) => dnsPromises.reverse(ip);
const RDNS_MAX = 10000;
const rdnsCache = new Map<string, string | null>(); // null = lookup failed
const rdnsPending = new Map<string, Promise<void>>();

export function setReverseResolver(r: ReverseResolver | null): void {
  resolver = r ?? ((ip) => dnsPromises.reverse(ip));
  rdnsCache.clear();
  rdnsPending.clear();
}
/** Resolves when every lookup started so far has finished (tests, graceful shutdown). */
export async function reverseDnsSettled(): Promise<void> {
  await Promise.all([...rdnsPending.values()]);
}

const reverse_dns: Enricher = (input, _evt, ctx) => {
  if (!ctx.rdns || !input || isIP(input) === 0) return null;
  if (rdnsCache.has(input)) {
    const v = rdnsCache.get(input)!;
    return v === null ? null : { reverse_dns: v };
  }
  if (!rdnsPending.has(input)) {
    const p = resolver(input)
      .then(
        (names) => {
          rdnsCache.set(input, names[0] ?? null);
        },
        () => {
          rdnsCache.set(input, null);
        },
      )
      .finally(() => {
        rdnsPending.delete(input);
        if (rdnsCache.size > RDNS_MAX) rdnsCache.delete(rdnsCache.keys().next().value!);
      });
    rdnsPending.set(input, p);
  }
  return null;
};

const REGISTRY: Record<string, Enricher> = Object.assign(Object.create(null) as Record<string, Enricher>, {
  ParseDate,
  UnmarshalJSON,
  GeoIpCity,
  GeoIpASN,
  IpToRange,
  reverse_dns,
});

export function getEnricher(method: string): Enricher | undefined {
  return REGISTRY[method];
}
export function enricherNames(): string[] {
  return Object.keys(REGISTRY);
}
