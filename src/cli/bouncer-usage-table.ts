// The human "Bouncer Metrics" tables of `picket metrics` (cscli metrics show bouncers, CrowdSec 1.6), one per
// bouncer, drawn by cli-table3 in the boxed style of ./table.ts:
//   Bouncer Metrics (fw) since 2024-02-08 13:35:16 +0000 UTC:
//   │ Origin                     │ active_decisions │     dropped     │
//   │                            │       IPs        │ bytes │ packets │
//   │ CAPI (community blocklist) │                - │ 3.80k │     100 │
//   │                      Total │              501 │ 9.06k │     191 │
// Rows are the named origins; metrics without an origin (e.g. `processed`) count in the Total row only.
// Owns: the layout (two header rows, rules after the header and before Total); the numbers are
// src/metrics/bouncer-usage.ts's.

import Table from 'cli-table3';
import {
  formatUsageNumber,
  originTitle,
  sinceText,
  unitTitle,
  usageColumns,
  type BouncerUsage,
} from '../metrics/bouncer-usage.js';
import { CHARS } from './table.js';

type Cell = string | { content: string; colSpan?: number; rowSpan?: number; hAlign?: 'left' | 'center' | 'right' };

function renderOne(u: BouncerUsage): string {
  const cols = usageColumns(u);
  const flat = cols.flatMap((c) => c.units.map((unit) => ({ name: c.name, unit })));
  const value = (byOrigin: Array<Map<string, Map<string, number>>>, name: string, unit: string): string => {
    const vs = byOrigin.map((m) => m.get(name)?.get(unit)).filter((v): v is number => v !== undefined);
    return vs.length === 0 ? '-' : formatUsageNumber(vs.reduce((a, b) => a + b, 0));
  };
  const right = (content: string): Cell => ({ content, hAlign: 'right' });
  const t = new Table({ chars: CHARS, style: { head: [], border: [], compact: false } });
  t.push([
    { content: 'Origin', rowSpan: 2 },
    ...cols.map((c): Cell => ({ content: c.name, colSpan: c.units.length, hAlign: 'center' })),
  ]);
  t.push(flat.map((c): Cell => ({ content: unitTitle(c.unit), hAlign: 'center' })));
  const origins = [...u.origins.keys()].filter((o) => o !== '').sort();
  for (const o of origins)
    t.push([originTitle(o), ...flat.map((c) => right(value([u.origins.get(o)!], c.name, c.unit)))]);
  t.push([right('Total'), ...flat.map((c) => right(value([...u.origins.values()], c.name, c.unit)))]);
  // compact: false rules every row; keep the rules inside the header, after it and before Total
  const lines = t.toString().split('\n');
  const kept = lines.filter((l, i) => {
    if (!l.startsWith(CHARS['left-mid'])) return true;
    const row = (i - 2) / 2; // the rule after table row #row: 0 and 1 are the header rows, then the origins
    return row <= 1 || row - 2 >= origins.length - 1;
  });
  const title = `Bouncer Metrics (${u.name})${u.since === null ? '' : ` since ${sinceText(u.since)}`}:`;
  return `${title}\n${kept.join('\n')}`;
}

/** Every bouncer's table, blank-line separated; '' when no bouncer sent metrics. */
export function renderUsageTables(usage: readonly BouncerUsage[]): string {
  return usage.map(renderOne).join('\n\n');
}
