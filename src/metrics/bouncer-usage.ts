// The bouncers' usage metrics as CrowdSec 1.6's `cscli metrics show bouncers` shows them ("Bouncer Metrics"),
// from the POST /v1/usage-metrics bodies the LAPI store keeps (spec lapi.md §8.7, metrics.md §7): per bouncer,
// per origin (`labels.origin`: CAPI, cscli, lists:NAME, or none), per metric name and unit. Counters (dropped,
// processed, ...) are summed over every report; gauges (`active_decisions`, names ending in `_gauge`) keep the
// latest value (by the block's `meta.utc_now_timestamp`) per label set, summed over label sets (ipv4 + ipv6).
// Values are truncated to integers, as cscli does. Owns: that aggregation, cscli's number and origin wording, and
// the JSON form ({NAME: {ORIGIN: {METRIC: {UNIT: n}}}}). Drawing the tables is the CLI's.

import { remediationItems, type UsageItem } from '../api/usage-metrics.js';

/** one stored report (the store's UsageMetricsRecord, structurally) */
export interface UsageReport {
  generatedType: string;
  generatedBy: string;
  payload: string;
}

/** origin -> metric name -> unit -> value */
export type OriginMetrics = Map<string, Map<string, Map<string, number>>>;

export interface BouncerUsage {
  name: string;
  /** the earliest report window (utc_now_timestamp, epoch seconds), null when no block had one */
  since: number | null;
  origins: OriginMetrics;
}

type Item = UsageItem;

const isGauge = (name: string): boolean => name === 'active_decisions' || name.endsWith('_gauge');

function add(o: OriginMetrics, origin: string, name: string, unit: string, value: number): void {
  let byName = o.get(origin);
  if (byName === undefined) o.set(origin, (byName = new Map()));
  let byUnit = byName.get(name);
  if (byUnit === undefined) byName.set(name, (byUnit = new Map()));
  byUnit.set(unit, (byUnit.get(unit) ?? 0) + value);
}

/** One entry per bouncer that sent at least one metric item, by name. */
export function bouncerUsage(reports: readonly UsageReport[]): BouncerUsage[] {
  const items = new Map<string, Item[]>();
  for (const r of reports) {
    if (r.generatedType !== 'RC') continue;
    const its = remediationItems(r.payload);
    if (its.length === 0) continue;
    const mine = items.get(r.generatedBy);
    if (mine === undefined) items.set(r.generatedBy, its);
    else mine.push(...its);
  }
  const out: BouncerUsage[] = [];
  for (const [name, its] of items) {
    const origins: OriginMetrics = new Map();
    const gauges = new Map<string, Item>();
    let since: number | null = null;
    for (const it of its) {
      if (!Number.isNaN(it.at) && (since === null || it.at < since)) since = it.at;
      if (!isGauge(it.name)) {
        add(origins, it.labels.origin ?? '', it.name, it.unit, it.value);
        continue;
      }
      const labelKey = JSON.stringify(Object.entries(it.labels).sort(([a], [b]) => a.localeCompare(b)));
      const key = `${it.name}\u0000${it.unit}\u0000${labelKey}`;
      const cur = gauges.get(key);
      if (cur === undefined || !(it.at < cur.at)) gauges.set(key, it);
    }
    for (const g of gauges.values()) add(origins, g.labels.origin ?? '', g.name, g.unit, g.value);
    out.push({ name, since, origins });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** cscli's number format: integers below 1000, else 2 decimals and k, M, G, T, P, E. */
export function formatUsageNumber(n: number): string {
  const v = Math.trunc(n);
  if (Math.abs(v) < 1000) return String(v);
  const units = ['k', 'M', 'G', 'T', 'P', 'E'];
  let x = v;
  let i = -1;
  while (Math.abs(x) >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return `${x.toFixed(2)}${units[i]}`;
}

const UNIT_NAMES: Record<string, string> = { ip: 'IPs', byte: 'bytes', packet: 'packets' };
const ORIGIN_NAMES: Record<string, string> = {
  CAPI: 'CAPI (community blocklist)',
  cscli: 'cscli (manual decisions)',
};

/** A unit as cscli heads its column (ip -> IPs). */
export const unitTitle = (unit: string): string => UNIT_NAMES[unit] ?? unit;
/** An origin as cscli names its row (CAPI -> CAPI (community blocklist)). */
export const originTitle = (origin: string): string => ORIGIN_NAMES[origin] ?? origin;

/** "since" as cscli prints it (Go's time.String in UTC): 2024-02-08 13:35:16 +0000 UTC */
export function sinceText(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** The columns of one bouncer's table: metric names (sorted), each with its units (sorted). */
export function usageColumns(u: BouncerUsage): Array<{ name: string; units: string[] }> {
  const cols = new Map<string, Set<string>>();
  for (const byName of u.origins.values()) {
    for (const [name, byUnit] of byName) {
      let units = cols.get(name);
      if (units === undefined) cols.set(name, (units = new Set()));
      for (const unit of byUnit.keys()) units.add(unit);
    }
  }
  return [...cols.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, units]) => ({ name, units: [...units].sort() }));
}

/** `-o json`, as cscli: {NAME: {ORIGIN: {METRIC: {UNIT: integer}}}} */
export function usageJSON(usage: readonly BouncerUsage[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const u of usage) {
    const origins: Record<string, Record<string, Record<string, number>>> = {};
    for (const [origin, byName] of u.origins) {
      const names: Record<string, Record<string, number>> = {};
      for (const [name, byUnit] of byName) {
        names[name] = Object.fromEntries([...byUnit].map(([unit, v]) => [unit, Math.trunc(v)]));
      }
      origins[origin] = names;
    }
    out[u.name] = origins;
  }
  return out;
}
