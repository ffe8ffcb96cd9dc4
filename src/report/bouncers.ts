// What the bouncers enforced during the month, from their usage metrics (POST /v1/usage-metrics bodies the
// store keeps, spec lapi.md §8.7): each metric item (`dropped` packets/bytes, `active_decisions`, ...)
// summed per bouncer, metric name, unit and origin over the reports received in the month. The store keeps
// usage metrics 7 days, so a report made after that sees only the last week of the month.

import type { BouncerRecord } from '../store/records.js';
import type { UsageMetricsRecord } from '../store/usage-metrics.js';
import type { Month } from './period.js';
import { remediationItems } from '../api/usage-metrics.js';
import type { BouncerRow } from './types.js';

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
    for (const it of remediationItems(m.payload)) {
      const unit = it.unit;
      const origin = it.labels.origin ?? '';
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
