// Enricher registry: the `method:` values of parser statics (parsing.md §11) -> functions returning the
// key/values merged into evt.Enriched. Owns: ParseDate, UnmarshalJSON, GeoIpCity, GeoIpASN, IpToRange,
// reverse_dns (rdns.ts; off unless ctx.rdns).

import { isIP } from 'node:net';
import type { Event } from '../../core/event.js';
import { TIMEMACHINE } from '../../core/event.js';
import { GoTime } from '../../core/gotime.js';
import { parseDate } from './date.js';
import type { GeoIpDatabases } from './geoip.js';
import { errorMessage } from '../../core/errors.js';
import { reverseDns } from './rdns.js';

export { parseDate, DATE_LAYOUTS } from './date.js';
export { GeoIpDatabases } from './geoip.js';
export { configureReverseDns, reverseDns, rdnsStats, RDNS_DEFAULTS, type RdnsOptions } from './rdns.js';

export interface EnrichContext {
  timeMachine: boolean;
  yearForYearless: number;
  now(): GoTime;
  geo: GeoIpDatabases | null;
  /** reverse_dns answers (the thread's resolver: rdns.ts configureReverseDns); off by default */
  rdns: boolean;
}

export type Enricher = (input: string, evt: Event, ctx: EnrichContext) => Record<string, string> | null | Error;

function nowGo(ctx: EnrichContext): GoTime {
  const n = ctx.now() as unknown;
  if (n instanceof GoTime) return n.UTC();
  if (n instanceof Date) return new GoTime(n.getTime(), 0, 0, 'UTC');
  return GoTime.now();
}

/** the keys of the last date parsed (parseDate answers the same object again for the same input, as consecutive
 *  lines of a busy log ask): one object for those lines (callers copy them into evt.Enriched) */
let lastDate: object | null = null;
let lastDateKeys: Readonly<Record<string, string>> = {};

const ParseDate: Enricher = (input, evt, ctx) => {
  const r = parseDate(input, evt.StrTimeFormat, ctx);
  if (r === null) return { MarshaledTime: nowGo(ctx).toRFC3339Nano() };
  if (ctx.timeMachine || evt.ExpectMode === TIMEMACHINE) evt.Time = r.time;
  if (r !== lastDate) {
    lastDate = r;
    lastDateKeys = Object.freeze({ MarshaledTime: r.marshaled });
  }
  return lastDateKeys;
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

// ---- reverse DNS (rdns.ts): answers from the thread's cache; a miss starts a lookup and yields nothing now
// (the agent waits for the lookup of an overflow's source before running the postoverflows: agent.ts)
const reverse_dns: Enricher = (input, _evt, ctx) => {
  const r = ctx.rdns ? reverseDns() : null;
  if (r === null || !input || isIP(input) === 0) return null;
  const name = r.peek(input);
  if (name === undefined) void r.lookup(input);
  return name ? { reverse_dns: name } : null;
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
