// What the bouncers enforced during the month, from their usage metrics (POST /v1/usage-metrics bodies the
// store keeps, spec lapi.md §8.7): each metric item (`dropped` packets/bytes, `active_decisions`, ...)
// summed per bouncer, metric name, unit and origin over the reports received in the month. The store keeps
// usage metrics 7 days, so a report made after that sees only the last week of the month.

import type { BouncerRecord } from '../store/records.js';
import type { UsageMetricsRecord } from '../store/usage-metrics.js';
import type { Month } from './period.js';
import type { BouncerRow } from './types.js';

interface Item {
  name?: unknown;
  value?: unknown;
  unit?: unknown;
  labels?: unknown;
}

function itemsOf(payload: string): Item[] {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return [];
  }
  const rc = (body as { remediation_components?: unknown })?.remediation_components;
  if (!Array.isArray(rc)) return [];
  const out: Item[] = [];
  for (const c of rc) {
    const metrics = (c as { metrics?: unknown })?.metrics;
    if (!Array.isArray(metrics)) continue;
    for (const m of metrics) {
      const items = (m as { items?: unknown })?.items;
      if (Array.isArray(items)) out.push(...(items as Item[]));
    }
  }
  return out;
}

/** gauges (a level, not a count per window): the last value is kept instead of the sum */
const GAUGES = new Set(['active_decisions']);

export function bouncerRows(month: Month, bouncers: BouncerRecord[], metrics: UsageMetricsRecord[]): BouncerRow[] {
  const rows = new Map<string, BouncerRow>();
  for (const b of bouncers) {
    rows.set(b.name, {
      name: b.name,
      type: b.type,
      version: b.version,
      reports: 0,
      metrics: [],
      lastPull: b.lastPull === null ? null : new Date(b.lastPull).toISOString(),
    });
  }
  for (const m of metrics) {
    if (m.generatedType !== 'RC' || m.receivedAt < month.start || m.receivedAt >= month.end) continue;
    let row = rows.get(m.generatedBy);
    if (row === undefined) {
      row = { name: m.generatedBy, type: '', version: '', lastPull: null, reports: 0, metrics: [] };
      rows.set(m.generatedBy, row);
    }
    row.reports++;
    for (const it of itemsOf(m.payload)) {
      if (typeof it.name !== 'string' || typeof it.value !== 'number' || !Number.isFinite(it.value)) continue;
      const unit = typeof it.unit === 'string' ? it.unit : '';
      const labels = it.labels !== null && typeof it.labels === 'object' ? (it.labels as Record<string, unknown>) : {};
      const origin = typeof labels.origin === 'string' ? labels.origin : '';
      const cur = row.metrics.find((x) => x.name === it.name && x.unit === unit && x.origin === origin);
      if (cur === undefined) row.metrics.push({ name: it.name, unit, origin, value: it.value });
      else cur.value = GAUGES.has(it.name) ? it.value : cur.value + it.value;
    }
  }
  for (const r of rows.values()) {
    r.metrics.sort(
      (a, b) => a.name.localeCompare(b.name) || a.origin.localeCompare(b.origin) || a.unit.localeCompare(b.unit),
    );
  }
  return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
}
