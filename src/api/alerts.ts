// The LAPI Alert JSON (CrowdSec `models.Alert` on the wire: the body of POST /v1/alerts, what GET /v1/alerts and
// `cscli alerts inspect -o json` show) and its Decision, Source, Event and Meta objects, shared by the agent
// (src/pipeline), the Local API (src/lapi validates it, src/store keeps it as records) and the client library
// (src/client). Owns: the JSON field names and shapes, and the runtime alert (src/core/event.ts) -> JSON mapping.

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

export interface LapiMetaJSON {
  key: string;
  value: string;
}
export interface LapiEventJSON {
  timestamp: string;
  meta: LapiMetaJSON[];
}
export interface LapiDecisionJSON {
  duration: string;
  origin: string;
  scenario: string;
  scope: string;
  simulated: boolean;
  type: string;
  value: string;
  id?: number;
  until?: string;
  uuid?: string;
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

/** What a watcher pushes (POST /v1/alerts): the Alert JSON with `decisions` optional (the profiles decide),
 * `meta`, `kind` and `remediation` optional, and only `scope` and `value` required in the source. */
export type AlertInput = Omit<LapiAlertJSON, 'decisions' | 'meta' | 'kind' | 'remediation' | 'source'> & {
  decisions?: Array<Omit<LapiDecisionJSON, 'simulated'> & { simulated?: boolean }> | null;
  meta?: LapiAlertJSON['meta'];
  kind?: string;
  remediation?: boolean;
  source: Partial<LapiSourceJSON> & { scope: string; value: string };
};

function decisionJSON(d: Decision): LapiDecisionJSON {
  const o: LapiDecisionJSON = {
    duration: d.Duration,
    origin: d.Origin,
    scenario: d.Scenario,
    scope: d.Scope,
    simulated: d.Simulated,
    type: d.Type,
    value: d.Value,
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
      scope: s?.Scope ?? '',
      value: s?.Value ?? '',
      ip: s?.IP ?? '',
      range: s?.Range ?? '',
      as_number: s?.AsNumber ?? '',
      as_name: s?.AsName ?? '',
      cn: s?.Cn ?? '',
      latitude: s?.Latitude ?? 0,
      longitude: s?.Longitude ?? 0,
    },
    events: a.Events.map((e) => ({
      timestamp: e.Timestamp,
      meta: e.Meta.map((m) => ({ key: m.Key, value: m.Value })),
    })),
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
