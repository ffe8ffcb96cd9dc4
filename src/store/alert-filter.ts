// Alert filters of GET/DELETE /v1/alerts (spec lapi.md §6.7) as a predicate over alert summaries (the
// filterable fields of an alert, kept in memory by the store so a query decodes only the alerts it returns).
// Owns the summary shape, the meaning of each `AlertFilter` field, including the decision-based ones
// (interval, type, origin, active, CAPI/lists exclusion), and the listing order (created_at then id, DESC
// by default).

import type { AlertFilter, AlertRecord, DecisionRecord } from './records.js';
import { ipRangeContains } from './iprange.js';
import { LISTS_PREFIX } from './decision-filter.js';

/** origins and source scope of community-blocklist / third-party-list alerts (hidden by include_capi=false);
 *  Picket's lists have origin `lists:NAME`, matched by the origin filter `lists` too */
const CAPI_ORIGIN = 'CAPI';
const LISTS_ORIGIN = 'lists';
const COMMUNITY_BLOCKLIST_SCOPE = 'crowdsecurity/community-blocklist';

export type DecisionLookup = (id: number) => DecisionRecord | undefined;

/** What the filters look at in an alert. */
export interface AlertSummary {
  readonly id: number;
  readonly createdAt: number;
  /** start_at in ms (RFC 3339 with up to nanoseconds as received); NaN if unparsable */
  readonly startMs: number;
  readonly scenario: string;
  readonly kind: string;
  readonly simulated: boolean;
  readonly sourceScope: string;
  readonly sourceValue: string;
  readonly decisionIds: readonly number[];
}

/** never throws, whatever the stored record holds (a record written by another version, a damaged one) */
export function summarizeAlert(a: AlertRecord): AlertSummary {
  const src = a.source as Partial<AlertRecord['source']> | null | undefined;
  return {
    id: a.id,
    createdAt: a.createdAt,
    startMs: typeof a.startAt === 'string' ? Date.parse(a.startAt) : NaN,
    scenario: String(a.scenario ?? ''),
    kind: String(a.kind ?? ''),
    simulated: a.simulated === true,
    sourceScope: String(src?.scope ?? ''),
    sourceValue: String(src?.value ?? ''),
    decisionIds: Array.isArray(a.decisionIds) ? a.decisionIds : [],
  };
}

function needsDecisions(f: AlertFilter): boolean {
  return (
    f.scenario !== undefined ||
    f.range !== undefined ||
    f.hasActiveDecision !== undefined ||
    f.decisionType !== undefined ||
    f.origin !== undefined ||
    f.includeCapi === false
  );
}

/** true when alert `a` passes every field of `f` (limit and sort are the caller's) */
export function alertMatches(f: AlertFilter, a: AlertSummary, decisionOf: DecisionLookup, now: number): boolean {
  if (f.scope !== undefined && a.sourceScope !== f.scope) return false;
  if (f.value !== undefined && a.sourceValue !== f.value) return false;
  if (f.kind !== undefined && a.kind !== f.kind) return false;
  if (f.simulated === false && a.simulated) return false;
  if (f.createdBefore !== undefined && !(a.createdAt <= f.createdBefore)) return false;
  if (f.since !== undefined && !(a.startMs >= f.since)) return false;
  if (f.until !== undefined && !(a.startMs <= f.until)) return false;
  if (!needsDecisions(f)) return true;

  let scenarioHit = f.scenario === undefined || a.scenario === f.scenario;
  let rangeHit = f.range === undefined;
  let activeHit = false;
  let typeHit = f.decisionType === undefined;
  let originHit = f.origin === undefined;
  let fromLists = false;
  let count = 0;
  for (const id of a.decisionIds) {
    const d = decisionOf(id);
    if (d === undefined) continue;
    count++;
    if (!scenarioHit && d.scenario === f.scenario) scenarioHit = true;
    if (
      !rangeHit &&
      d.range !== null &&
      f.range !== undefined &&
      (f.contains !== false ? ipRangeContains(d.range, f.range) : ipRangeContains(f.range, d.range))
    )
      rangeHit = true;
    if (d.until >= now) activeHit = true;
    if (!typeHit && d.type === f.decisionType) typeHit = true;
    if (!originHit && (d.origin === f.origin || (f.origin === LISTS_ORIGIN && d.origin.startsWith(LISTS_PREFIX))))
      originHit = true;
    if (d.origin === CAPI_ORIGIN || d.origin === LISTS_ORIGIN || d.origin.startsWith(LISTS_PREFIX)) fromLists = true;
  }
  if (!scenarioHit || !rangeHit || !typeHit || !originHit) return false;
  if (f.hasActiveDecision === true && !activeHit) return false;
  if (f.hasActiveDecision === false && count > 0) return false;
  // include_capi=false hides CAPI/lists alerts; an origin filter implies include_capi=true
  if (f.includeCapi === false && f.origin === undefined) {
    if (fromLists) return false;
    if (count === 0 && (a.sourceScope.startsWith(LISTS_ORIGIN + ':') || a.sourceScope === COMMUNITY_BLOCKLIST_SCOPE))
      return false;
  }
  return true;
}

/** listing order: created_at then id, DESC unless sort is 'ASC' */
export function sortAlerts<A extends { id: number; createdAt: number }>(
  alerts: A[],
  sort: 'ASC' | 'DESC' | undefined,
): A[] {
  const dir = sort === 'ASC' ? 1 : -1;
  return alerts.sort((x, y) => dir * (x.createdAt - y.createdAt || x.id - y.id));
}
