// Deterministic order of a replay's alerts (LAPI Alert JSON, src/api/alerts.ts): replays print and compare alerts
// in this order whatever the worker count. Owns: the sort key and the comparison.

import type { LapiAlertJSON } from '../api/alerts.js';

/** RFC 3339 (nano) time -> sortable [epoch ms, sub-ms ns] (zone offsets honoured); NaN when unparsable. */
function timeKey(t: string): [number, number] {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(t);
  if (!m) return [Number.NaN, 0];
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  const ms = Date.parse(`${m[1]}.${frac.slice(0, 3)}${m[3] ?? 'Z'}`);
  return [ms, Number(frac.slice(3))];
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The fields of an alert its deterministic order reads. */
export interface AlertSortKey {
  stop_at: string;
  start_at: string;
  scenario: string;
  events_count: number;
  message: string;
  source: { scope: string; value: string };
}

/** The sort key of an alert, without the rest of it (replays keep alerts as JSON text beside it). */
export function alertSortKey(a: LapiAlertJSON): AlertSortKey {
  return {
    stop_at: a.stop_at,
    start_at: a.start_at,
    scenario: a.scenario,
    events_count: a.events_count,
    message: a.message,
    source: { scope: a.source.scope, value: a.source.value },
  };
}

/**
 * Deterministic order for a replay's alerts: stop time, then scenario, then source scope:value, then
 * start time and events count (ties between identical alerts are harmless).
 */
export function compareAlertJSON(a: AlertSortKey, b: AlertSortKey): number {
  const ta = timeKey(a.stop_at),
    tb = timeKey(b.stop_at);
  if (ta[0] !== tb[0]) {
    if (Number.isNaN(ta[0])) return 1;
    if (Number.isNaN(tb[0])) return -1;
    return ta[0] - tb[0];
  }
  if (ta[1] !== tb[1]) return ta[1] - tb[1];
  return (
    cmpStr(a.scenario, b.scenario) ||
    cmpStr(a.source.scope, b.source.scope) ||
    cmpStr(a.source.value, b.source.value) ||
    cmpStr(a.start_at, b.start_at) ||
    a.events_count - b.events_count ||
    cmpStr(a.message, b.message)
  );
}

export function sortAlertsJSON<T extends AlertSortKey>(alerts: T[]): T[] {
  return alerts.sort(compareAlertJSON);
}
