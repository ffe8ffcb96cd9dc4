// Shapes of the watcher routes' bodies as the client sees them: alerts returned by `GET /v1/alerts`
// (ids, machine, nested decisions with their remaining duration) and the query parameters of the alert and
// decision routes (spec lapi.md §6.7, §6.9, §6.10). Owns: these types and their query-string mapping.

import type { LapiAlertJSON, LapiDecisionJSON, LapiMetaJSON, LapiSourceJSON } from '../api/alerts.js';
import type { Query } from './http.js';

/** What the client pushes: the Alert JSON of a watcher (src/api/alerts.ts). */
export type { AlertInput } from '../api/alerts.js';

/** A decision inside an alert of `GET /v1/alerts` (remaining `duration`, `id` always present). */
export type AlertDecision = Omit<LapiDecisionJSON, 'id' | 'simulated'> & { id: number; simulated?: boolean };

/** An alert as `GET /v1/alerts` / `GET /v1/alerts/:id` return it (old servers omit some fields or send null). */
export type AlertResponse = Omit<
  LapiAlertJSON,
  | 'id'
  | 'machine_id'
  | 'created_at'
  | 'decisions'
  | 'events'
  | 'meta'
  | 'source'
  | 'kind'
  | 'remediation'
  | 'labels'
  | 'scenario_hash'
  | 'scenario_version'
> & {
  id: number;
  machine_id: string;
  created_at: string;
  scenario_hash?: string;
  scenario_version?: string;
  remediation?: boolean;
  kind?: string;
  source: Partial<LapiSourceJSON> & { scope: string; value: string };
  events: Array<{ timestamp: string; meta: LapiMetaJSON[] | null }> | null;
  meta?: LapiMetaJSON[] | null;
  labels?: string[] | null;
  decisions: AlertDecision[] | null;
};

/** `GET`/`DELETE /v1/alerts` filters (durations as Go strings, e.g. `1h`, `7d`). */
export interface AlertQuery {
  scope?: string;
  value?: string;
  scenario?: string;
  ip?: string;
  range?: string;
  contains?: boolean;
  since?: string;
  until?: string;
  hasActiveDecision?: boolean;
  decisionType?: string;
  origin?: string;
  includeCapi?: boolean;
  simulated?: boolean;
  kind?: string;
  limit?: number;
  sort?: 'ASC' | 'DESC';
  withDecisions?: boolean;
}

/** `DELETE /v1/decisions` filters. */
export interface DecisionDeleteQuery {
  ip?: string;
  range?: string;
  contains?: boolean;
  /** one scope (the route's parameter is named `scopes`) */
  scope?: string;
  value?: string;
  type?: string;
  origin?: string;
  scenario?: string;
  uuid?: string[];
}

const ALERT_KEYS: ReadonlyArray<[keyof AlertQuery, string]> = [
  ['scope', 'scope'],
  ['value', 'value'],
  ['scenario', 'scenario'],
  ['ip', 'ip'],
  ['range', 'range'],
  ['contains', 'contains'],
  ['since', 'since'],
  ['until', 'until'],
  ['hasActiveDecision', 'has_active_decision'],
  ['decisionType', 'decision_type'],
  ['origin', 'origin'],
  ['includeCapi', 'include_capi'],
  ['simulated', 'simulated'],
  ['kind', 'kind'],
  ['limit', 'limit'],
  ['sort', 'sort'],
  ['withDecisions', 'with_decisions'],
];

/** query parameters in the order cscli sends them (has_active_decision, include_capi, limit last) */
export function alertQueryParams(q: AlertQuery): Query {
  const out: Record<string, string> = {};
  for (const [k, wire] of ALERT_KEYS) {
    const v = q[k];
    if (v !== undefined) out[wire] = String(v);
  }
  return out;
}

export function decisionDeleteParams(q: DecisionDeleteQuery): Query {
  return {
    ip: q.ip,
    range: q.range,
    contains: q.contains === undefined ? undefined : String(q.contains),
    scopes: q.scope,
    value: q.value,
    type: q.type,
    origin: q.origin,
    scenario: q.scenario,
    uuid: q.uuid,
  };
}
