// Counting one month of alerts for the report: per day, per scenario, per source (with country, AS and
// range), decisions by type and origin, and the notable incidents. Pure: alerts and lookups in, figures out.

import type { AlertRecord, DecisionRecord } from '../store/records.js';
import type { SourceLocator } from './geo.js';
import { isCrowdOrigin } from './crowd.js';
import { daysOf, parseTime, type Month } from './period.js';
import type {
  AsRow,
  CountryRow,
  DayPoint,
  IncidentRow,
  Labelled,
  RangeRow,
  ScenarioRow,
  SourceRow,
  Summary,
} from './types.js';

/** rows kept in each "top" table */
export const TOP = 10;

export interface MonthTally {
  summary: Summary;
  days: DayPoint[];
  scenarios: ScenarioRow[];
  sources: SourceRow[];
  countries: CountryRow[];
  as: AsRow[];
  ranges: RangeRow[];
  decisionsByType: Labelled[];
  decisionsByOrigin: Labelled[];
  crowdReceived: Labelled[];
  largest: IncidentRow[];
  longest: IncidentRow[];
  scenarioNames: Set<string>;
}

interface Group {
  alerts: number;
  sources: Set<string>;
}

function bump(m: Map<string, Group>, k: string, source: string): void {
  let g = m.get(k);
  if (g === undefined) {
    g = { alerts: 0, sources: new Set() };
    m.set(k, g);
  }
  g.alerts++;
  g.sources.add(source);
}

function inc(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** count desc, then key asc (stable, deterministic output) */
function ranked<T extends { alerts: number }>(rows: T[], key: (r: T) => string, n = TOP): T[] {
  return rows.sort((a, b) => b.alerts - a.alerts || key(a).localeCompare(key(b))).slice(0, n);
}

export function labelled(m: Map<string, number>): Labelled[] {
  return [...m]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

function incident(a: AlertRecord): IncidentRow {
  const start = parseTime(a.startAt);
  const stop = parseTime(a.stopAt);
  return {
    alertId: a.id,
    scenario: a.scenario,
    source: a.source.value,
    start: a.startAt,
    stop: a.stopAt,
    events: a.eventsCount,
    durationS: Number.isFinite(start) && Number.isFinite(stop) ? Math.max(0, Math.round((stop - start) / 1000)) : 0,
  };
}

export function tallyMonth(
  month: Month,
  alerts: AlertRecord[],
  decisionOf: (id: number) => DecisionRecord | undefined,
  geo: SourceLocator,
): MonthTally {
  const dayIndex = new Map(daysOf(month).map((d, i) => [d, i]));
  const days: DayPoint[] = [...dayIndex.keys()].map((date) => ({ date, alerts: 0, decisions: 0 }));
  const scenarios = new Map<string, Group>();
  const sources = new Map<string, { row: SourceRow; scen: Set<string> }>();
  const countries = new Map<string, Group>();
  const ases = new Map<string, Group & { name: string }>();
  const ranges = new Map<string, Group>();
  const byType = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  const crowd = new Map<string, number>();
  let decisions = 0;
  const attacks: AlertRecord[] = [];
  for (const a of alerts) {
    const t = parseTime(a.startAt);
    const day = dayIndex.get(new Date(Number.isFinite(t) ? t : a.createdAt).toISOString().slice(0, 10));
    let fromCrowd = false;
    const ds: DecisionRecord[] = [];
    for (const id of a.decisionIds) {
      const d = decisionOf(id);
      if (d === undefined) continue;
      ds.push(d);
      inc(byType, d.type);
      inc(byOrigin, d.origin);
      if (isCrowdOrigin(d.origin)) {
        fromCrowd = true;
        inc(crowd, d.origin === 'lists' ? `lists:${d.scenario.replace(/^lists:/, '')}` : d.origin);
      }
    }
    decisions += ds.length;
    if (day !== undefined) days[day].decisions += ds.length;
    // a community-blocklist or list pull is not an attack on this machine: decisions only
    if (fromCrowd) continue;
    attacks.push(a);
    if (day !== undefined) days[day].alerts++;
    const src = a.source.value;
    const where = geo.locate(a.source);
    bump(scenarios, a.scenario, src);
    let s = sources.get(src);
    if (s === undefined) {
      s = { row: { value: src, scope: a.source.scope, alerts: 0, ...where, scenarios: [] }, scen: new Set() };
      sources.set(src, s);
    }
    s.row.alerts++;
    s.scen.add(a.scenario);
    if (where.country) bump(countries, where.country, src);
    if (where.asNumber) {
      bump(ases, where.asNumber, src);
      const g = ases.get(where.asNumber)!;
      if (!g.name) g.name = where.asName;
    }
    if (where.range) bump(ranges, where.range, src);
  }
  const srcRows = [...sources.values()].map((s) => ({ ...s.row, scenarios: [...s.scen].sort() }));
  const summary: Summary = {
    alerts: attacks.length,
    sources: sources.size,
    scenarios: scenarios.size,
    decisionsIssued: decisions,
    countries: countries.size,
  };
  const inc1 = attacks.map(incident);
  return {
    summary,
    days,
    scenarios: ranked(
      [...scenarios].map(([scenario, g]) => ({ scenario, alerts: g.alerts, sources: g.sources.size })),
      (r) => r.scenario,
    ),
    sources: ranked(srcRows, (r) => r.value),
    countries: ranked(
      [...countries].map(([country, g]) => ({ country, alerts: g.alerts, sources: g.sources.size })),
      (r) => r.country,
    ),
    as: ranked(
      [...ases].map(([asNumber, g]) => ({ asNumber, asName: g.name, alerts: g.alerts, sources: g.sources.size })),
      (r) => r.asNumber,
    ),
    ranges: ranked(
      [...ranges].map(([range, g]) => ({ range, alerts: g.alerts, sources: g.sources.size })),
      (r) => r.range,
    ),
    decisionsByType: labelled(byType),
    decisionsByOrigin: labelled(byOrigin),
    crowdReceived: labelled(crowd),
    largest: [...inc1].sort((a, b) => b.events - a.events || a.alertId - b.alertId).slice(0, 5),
    longest: [...inc1].sort((a, b) => b.durationS - a.durationS || a.alertId - b.alertId).slice(0, 5),
    scenarioNames: new Set(scenarios.keys()),
  };
}
