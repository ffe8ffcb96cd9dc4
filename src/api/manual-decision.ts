// A decision typed by a person — `picket decisions add` (cscli's verb) and the console's "add decision" — and the
// alert that carries it to the Local API in cscli's shape: origin `cscli` unless told, the target as the source,
// the reason as scenario and message, one event counted, no events listed, so the LAPI stores the decision as
// given instead of applying the profiles. Owns: the check of a value against its scope and that alert.

import { parseCIDR, parseIP } from '../net/ipvalue.js';
import type { AlertInput } from './alerts.js';
import { formatRfc3339 } from './wire-time.js';

export interface ManualDecision {
  value: string;
  scope: string;
  type: string;
  duration: string;
  scenario: string;
  origin: string;
}

/** Checks a value against its (normalised) scope: an error text, or null when the value fits the scope. */
export function valueProblem(scope: string, value: string): string | null {
  if (value === '') return 'empty value';
  if (scope === 'Ip') {
    if (value.includes('/') || parseIP(value) === null) return `'${value}' is not a valid IP address`;
  } else if (scope === 'Range') {
    if (parseCIDR(value) === null) return `'${value}' is not a valid CIDR range`;
  }
  return null;
}

/** the alert cscli `decisions add` posts: source = the target, one decision, the reason as scenario and message */
export function manualAlert(d: ManualDecision, now = Date.now()): AlertInput {
  const t = formatRfc3339(now);
  return {
    scenario: d.scenario,
    scenario_hash: '',
    scenario_version: '',
    message: d.scenario,
    events_count: 1,
    start_at: t,
    stop_at: t,
    created_at: t,
    capacity: 0,
    leakspeed: '0',
    simulated: false,
    remediation: true,
    labels: null,
    events: [],
    source: {
      scope: d.scope,
      value: d.value,
      ...(d.scope === 'Ip' ? { ip: d.value } : d.scope === 'Range' ? { range: d.value } : {}),
    },
    decisions: [
      { duration: d.duration, origin: d.origin, scenario: d.scenario, scope: d.scope, type: d.type, value: d.value },
    ],
  };
}
