// Alert (Go-named models.Alert, src/core/event.ts) -> CrowdSec LAPI Alert JSON (the body of POST /v1/alerts
// and what `cscli alerts inspect -o json` shows), and the deterministic alert order used by replays.
// Owns: the JSON field names and shapes, the sort key. Reused by the LAPI (later issue).

import type { Alert, Decision } from '../core/event.js';

export interface LapiSourceJSON {
  scope: string;
  value: string;
  ip: string;
  range: string;
  as_number: string;
  as_name: string;
  cn: string;
  latitude: number;
  longitude: number;
}

export interface LapiMetaJSON { key: string; value: string }
export interface LapiEventJSON { timestamp: string; meta: LapiMetaJSON[] }
export interface LapiDecisionJSON {
  duration: string; origin: string; scenario: string; scope: string; simulated: boolean; type: string; value: string;
  id?: number; until?: string; uuid?: string;
}

export interface LapiAlertJSON {
  scenario: string;
  scenario_hash: string;
  scenario_version: string;
  message: string;
  events_count: number;
  start_at: string;
  stop_at: string;
  capacity: number;
  leakspeed: string;
  simulated: boolean;
  remediation: boolean;
  source: LapiSourceJSON;
  events: LapiEventJSON[];
  labels: string[] | null;
  meta: LapiMetaJSON[];
  kind: string;
  decisions: LapiDecisionJSON[];
  uuid?: string;
  machine_id?: string;
  created_at?: string;
  id?: number;
}

function decisionJSON(d: Decision): LapiDecisionJSON {
  const o: LapiDecisionJSON = {
    duration: d.Duration, origin: d.Origin, scenario: d.Scenario, scope: d.Scope,
    simulated: d.Simulated, type: d.Type, value: d.Value,
  };
  if (d.ID !== undefined) o.id = d.ID;
  if (d.Until !== undefined) o.until = d.Until;
  if (d.UUID !== undefined) o.uuid = d.UUID;
  return o;
}

/** One models.Alert as LAPI JSON. */
export function alertToLapiJSON(a: Alert): LapiAlertJSON {
  const s = a.Source;
  const o: LapiAlertJSON = {
    scenario: a.Scenario,
    scenario_hash: a.ScenarioHash,
    scenario_version: a.ScenarioVersion,
    message: a.Message,
    events_count: a.EventsCount,
    start_at: a.StartAt,
    stop_at: a.StopAt,
    capacity: a.Capacity,
    leakspeed: a.Leakspeed,
    simulated: a.Simulated,
    remediation: a.Remediation,
    source: {
      scope: s?.Scope ?? '', value: s?.Value ?? '', ip: s?.IP ?? '', range: s?.Range ?? '',
      as_number: s?.AsNumber ?? '', as_name: s?.AsName ?? '', cn: s?.Cn ?? '',
      latitude: s?.Latitude ?? 0, longitude: s?.Longitude ?? 0,
    },
    events: a.Events.map((e) => ({ timestamp: e.Timestamp, meta: e.Meta.map((m) => ({ key: m.Key, value: m.Value })) })),
    labels: a.Labels.length ? [...a.Labels] : null,
    meta: a.Meta.map((m) => ({ key: m.Key, value: m.Value })),
    kind: a.Kind,
    decisions: a.Decisions.map(decisionJSON),
  };
  if (a.UUID) o.uuid = a.UUID;
  if (a.MachineID) o.machine_id = a.MachineID;
  if (a.CreatedAt) o.created_at = a.CreatedAt;
  if (a.ID) o.id = a.ID;
  return o;
}

/** RFC 3339 (nano) time -> sortable [epoch ms, sub-ms ns] (zone offsets honoured); NaN when unparsable. */
function timeKey(t: string): [number, number] {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(t);
  if (!m) return [Number.NaN, 0];
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  const ms = Date.parse(`${m[1]}.${frac.slice(0, 3)}${m[3] ?? 'Z'}`);
  return [ms, Number(frac.slice(3))];
}

function cmpStr(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

/** The fields of an alert its deterministic order reads. */
export interface AlertSortKey {
  stop_at: string; start_at: string; scenario: string; events_count: number; message: string;
  source: { scope: string; value: string };
}

/** The sort key of an alert, without the rest of it (replays keep alerts as JSON text beside it). */
export function alertSortKey(a: LapiAlertJSON): AlertSortKey {
  return {
    stop_at: a.stop_at, start_at: a.start_at, scenario: a.scenario, events_count: a.events_count, message: a.message,
    source: { scope: a.source.scope, value: a.source.value },
  };
}

/**
 * Deterministic order for a replay's alerts: stop time, then scenario, then source scope:value, then
 * start time and events count (ties between identical alerts are harmless).
 */
export function compareAlertJSON(a: AlertSortKey, b: AlertSortKey): number {
  const ta = timeKey(a.stop_at), tb = timeKey(b.stop_at);
  if (ta[0] !== tb[0]) {
    if (Number.isNaN(ta[0])) return 1;
    if (Number.isNaN(tb[0])) return -1;
    return ta[0] - tb[0];
  }
  if (ta[1] !== tb[1]) return ta[1] - tb[1];
  return cmpStr(a.scenario, b.scenario)
    || cmpStr(a.source.scope, b.source.scope) || cmpStr(a.source.value, b.source.value)
    || cmpStr(a.start_at, b.start_at) || a.events_count - b.events_count || cmpStr(a.message, b.message);
}

export function sortAlertsJSON<T extends AlertSortKey>(alerts: T[]): T[] {
  return alerts.sort(compareAlertJSON);
}
