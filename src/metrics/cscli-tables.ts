// The tables `cscli metrics` prints, built from the samples of a `/metrics` page (exposition.ts): the same
// sections, titles, columns and sources (CrowdSec cmd/crowdsec-cli metrics): acquisition, scenarios, parsers,
// whitelists, stash, lapi, lapi-machine, lapi-bouncer, lapi-decisions, decisions, alerts.
// Owns: section names, per-section grouping of samples into rows, and the JSON form (one object per row).

import type { Sample } from './exposition.js';

/** `keys`: how many leading columns are labels (the others are numbers) */
export interface MetricsTable {
  section: string;
  title: string;
  headers: string[];
  keys: number;
  rows: string[][];
}

type Sums = Map<string, { key: string[]; values: number[] }>;

/** Sums `metrics[i]` per value of `keys` into column i. */
function sum(samples: readonly Sample[], keys: readonly string[], metrics: ReadonlyArray<string | RegExp>): Sums {
  const out: Sums = new Map();
  for (const s of samples) {
    const col = metrics.findIndex((m) => (typeof m === 'string' ? m === s.name : m.test(s.name)));
    if (col < 0) continue;
    const key = keys.map((k) => s.labels[k] ?? '');
    const k = key.join('\u0000');
    let e = out.get(k);
    if (e === undefined) {
      e = { key, values: metrics.map(() => 0) };
      out.set(k, e);
    }
    e.values[col] = e.values[col]! + s.value;
  }
  return out;
}

function rows(sums: Sums): string[][] {
  return [...sums.values()]
    .map((e) => [...e.key, ...e.values.map((v) => String(v))])
    .sort((a, b) => a.join('\u0000').localeCompare(b.join('\u0000')));
}

const SOURCE_HITS = /^cs_[a-z0-9]+source_hits_total$|^cs_(cloudwatch_stream|kinesis_stream|s3)_hits_total$/;

interface SectionDef {
  title: string;
  keys: number;
  headers: string[];
  build: (s: readonly Sample[]) => string[][];
}

const SECTIONS: Record<string, SectionDef> = {
  acquisition: {
    keys: 1,
    title: 'Acquisition Metrics',
    headers: ['Source', 'Lines read', 'Lines parsed', 'Lines unparsed', 'Lines poured to bucket'],
    build: (s) => {
      const withType = s.map((x) =>
        SOURCE_HITS.test(x.name)
          ? { ...x, labels: { ...x.labels, source: `${x.labels.datasource_type ?? 'file'}:${x.labels.source ?? ''}` } }
          : { ...x, labels: { ...x.labels, source: `${x.labels.type ?? 'file'}:${x.labels.source ?? ''}` } },
      );
      return rows(
        sum(
          withType,
          ['source'],
          [SOURCE_HITS, 'cs_parser_hits_ok_total', 'cs_parser_hits_ko_total', 'cs_bucket_poured_total'],
        ),
      );
    },
  },
  scenarios: {
    keys: 1,
    title: 'Scenario Metrics',
    headers: ['Scenario', 'Current Count', 'Overflows', 'Instantiated', 'Poured', 'Expired'],
    build: (s) =>
      rows(
        sum(
          s,
          ['name'],
          [
            'cs_buckets',
            'cs_bucket_overflowed_total',
            'cs_bucket_created_total',
            'cs_bucket_poured_total',
            'cs_bucket_underflowed_total',
          ],
        ),
      ),
  },
  parsers: {
    keys: 1,
    title: 'Parser Metrics',
    headers: ['Parsers', 'Hits', 'Parsed', 'Unparsed'],
    build: (s) => rows(sum(s, ['name'], ['cs_node_hits_total', 'cs_node_hits_ok_total', 'cs_node_hits_ko_total'])),
  },
  whitelists: {
    keys: 2,
    title: 'Whitelist Metrics',
    headers: ['Whitelist', 'Reason', 'Hits', 'Whitelisted'],
    build: (s) => rows(sum(s, ['name', 'reason'], ['cs_node_wl_hits_total', 'cs_node_wl_hits_ok_total'])),
  },
  stash: {
    keys: 2,
    title: 'Parser Stash Metrics',
    headers: ['Name', 'Type', 'Items'],
    build: (s) => rows(sum(s, ['name', 'type'], ['cs_cache_size'])),
  },
  lapi: {
    keys: 2,
    title: 'Local API Metrics',
    headers: ['Route', 'Method', 'Hits'],
    build: (s) => rows(sum(s, ['route', 'method'], ['cs_lapi_route_requests_total'])),
  },
  'lapi-machine': {
    keys: 3,
    title: 'Local API Machines Metrics',
    headers: ['Machine', 'Route', 'Method', 'Hits'],
    build: (s) => rows(sum(s, ['machine', 'route', 'method'], ['cs_lapi_machine_requests_total'])),
  },
  'lapi-bouncer': {
    keys: 3,
    title: 'Local API Bouncers Metrics',
    headers: ['Bouncer', 'Route', 'Method', 'Hits'],
    build: (s) => rows(sum(s, ['bouncer', 'route', 'method'], ['cs_lapi_bouncer_requests_total'])),
  },
  'lapi-decisions': {
    keys: 1,
    title: 'Local API Bouncers Decisions',
    headers: ['Bouncer', 'Empty answers', 'Non-empty answers'],
    build: (s) => rows(sum(s, ['bouncer'], ['cs_lapi_decisions_ko_total', 'cs_lapi_decisions_ok_total'])),
  },
  decisions: {
    keys: 3,
    title: 'Local API Decisions',
    headers: ['Reason', 'Origin', 'Action', 'Count'],
    build: (s) => rows(sum(s, ['reason', 'origin', 'action'], ['cs_active_decisions'])),
  },
  alerts: {
    keys: 1,
    title: 'Local API Alerts',
    headers: ['Reason', 'Count'],
    build: (s) => rows(sum(s, ['reason'], ['cs_alerts'])),
  },
};

export const SECTION_NAMES: readonly string[] = Object.keys(SECTIONS);

/** The tables of the given sections (all by default), empty ones included. Unknown names throw from the caller. */
export function metricsTables(samples: readonly Sample[], sections: readonly string[] = SECTION_NAMES): MetricsTable[] {
  return sections.map((section) => {
    const d = SECTIONS[section];
    if (d === undefined) throw new Error(`unknown section ${section}`);
    return { section, title: d.title, headers: d.headers, keys: d.keys, rows: d.build(samples) };
  });
}

/** `-o json`: per section, one object per row keyed by the column headers (numbers as numbers). */
export function tablesJSON(tables: readonly MetricsTable[]): Record<string, Array<Record<string, string | number>>> {
  const out: Record<string, Array<Record<string, string | number>>> = {};
  for (const t of tables) {
    out[t.section] = t.rows.map((r) =>
      Object.fromEntries(
        t.headers.map((h, i) => {
          const v = r[i] ?? '';
          return [h, i >= t.keys ? Number(v) : v];
        }),
      ),
    );
  }
  return out;
}
