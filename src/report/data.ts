// Builds the monthly report's data from the Local API store: the month's alerts (by start time, UTC) and
// their decisions, the previous month for the changes and the new scenarios, the active decisions now, the
// bouncers' usage metrics, and the crowd figures (received: decisions of origin CAPI/lists; shared: the
// registered crowd ledger, ./crowd.ts). `buildReport` is what the CLI, the schedule and the console call;
// ./html.ts, ./pdf.ts render its result.

import type { LmdbLapiStore } from '../store/lapi-store.js';
import { SourceLocator } from './geo.js';
import { crowdLedger, isCrowdOrigin } from './crowd.js';
import { bouncerRows } from './bouncers.js';
import { parseTime, previousMonth, type Month } from './period.js';
import { labelled, tallyMonth } from './tally.js';
import type { Change, ReportData, Summary } from './types.js';

/** the store reads a report needs (an LmdbLapiStore has them all) */
export type ReportSource = Pick<
  LmdbLapiStore,
  'queryAlerts' | 'getDecision' | 'queryDecisions' | 'listBouncers' | 'listUsageMetrics'
>;

export interface BuildOptions {
  month: Month;
  /** generation time (default Date.now()) */
  now?: number;
  /** GeoIP lookups (default: the shipped offline databases) */
  geo?: SourceLocator;
}

function change(current: number, previous: number): Change {
  return {
    current,
    previous,
    delta: current - previous,
    percent: previous === 0 ? null : Math.round(((current - previous) / previous) * 1000) / 10,
  };
}

function monthAlerts(store: ReportSource, m: Month, now: number) {
  return store.queryAlerts({ since: m.start, until: m.end - 1, limit: 0, includeCapi: true, sort: 'ASC' }, now);
}

export function buildReport(store: ReportSource, o: BuildOptions): ReportData {
  const now = o.now ?? Date.now();
  const geo = o.geo ?? new SourceLocator();
  const decisionOf = (id: number) => store.getDecision(id);
  const cur = tallyMonth(o.month, monthAlerts(store, o.month, now), decisionOf, geo);
  const prevMonth = previousMonth(o.month);
  const prev = tallyMonth(prevMonth, monthAlerts(store, prevMonth, now), decisionOf, geo);
  const oldest = store.queryAlerts({ limit: 1, includeCapi: true, sort: 'ASC' }, now)[0];
  const active = store.queryDecisions({}, now);
  const activeByOrigin = new Map<string, number>();
  for (const d of active) activeByOrigin.set(d.origin, (activeByOrigin.get(d.origin) ?? 0) + 1);
  const ledger = crowdLedger();
  const shared = ledger === null ? null : { ...ledger.signalsSent(o.month.start, o.month.end), source: ledger.name };
  const changes = {} as Record<keyof Summary, Change>;
  for (const k of Object.keys(cur.summary) as (keyof Summary)[]) changes[k] = change(cur.summary[k], prev.summary[k]);
  return {
    format: 'picket-report/1',
    month: o.month.key,
    period: { from: new Date(o.month.start).toISOString(), to: new Date(o.month.end).toISOString() },
    generatedAt: new Date(now).toISOString(),
    coverage: {
      oldestAlert: oldest ? oldest.startAt : null,
      complete: oldest !== undefined && parseTime(oldest.startAt) <= o.month.start,
    },
    summary: cur.summary,
    previous: { month: prevMonth.key, summary: prev.summary },
    changes,
    attacksPerDay: cur.days,
    topScenarios: cur.scenarios,
    topSources: cur.sources,
    topCountries: cur.countries,
    topAs: cur.as,
    topRanges: cur.ranges,
    decisions: {
      issued: cur.summary.decisionsIssued,
      byType: cur.decisionsByType,
      byOrigin: cur.decisionsByOrigin,
      active: active.length,
      activeByOrigin: labelled(activeByOrigin),
    },
    bouncers: bouncerRows(o.month, store.listBouncers(), store.listUsageMetrics()),
    crowd: {
      received: cur.crowdReceived,
      receivedTotal: cur.crowdReceived.reduce((n, r) => n + r.count, 0),
      activeReceived: active.filter((d) => isCrowdOrigin(d.origin)).length,
      shared,
    },
    incidents: {
      largest: cur.largest,
      longest: cur.longest,
      newScenarios: [...cur.scenarioNames].filter((s) => !prev.scenarioNames.has(s)).sort(),
    },
    geo: { source: geo.source, attribution: geo.attribution },
  };
}
