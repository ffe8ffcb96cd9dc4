// What `notifications test` and `notifications reinject` send: cscli's generic test alert (10.10.10.10, `test
// alert`, a 4h ban from cscli), and the notifications the profiles pick for an alert read back from the LAPI
// (CrowdSec's reinject: every profile evaluated in order, each matching one adds its notifications, on_success
// break stops). Owns the wire JSON -> profile-input conversion these need.

import { applyProfiles, type Profile } from '../profiles/index.js';
import type { NewAlert, MetaRecord } from '../store/records.js';
import { parseGoDuration } from '../core/gotime.js';
import type { AlertJson } from './channel.js';

/** cscli notifications test's alert (pkg/cscli notifications), times at `now`. */
export function testAlert(now: number): AlertJson {
  const t = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    capacity: 0,
    created_at: t,
    decisions: [
      {
        duration: '4h',
        origin: 'cscli',
        scenario: 'test alert',
        scope: 'Ip',
        simulated: false,
        type: 'ban',
        value: '10.10.10.10',
      },
    ],
    events: [],
    events_count: 1,
    labels: null,
    leakspeed: '0',
    message: 'test alert',
    meta: [],
    remediation: false,
    scenario: 'test alert',
    scenario_hash: '',
    scenario_version: '',
    simulated: false,
    source: { ip: '10.10.10.10', scope: 'Ip', value: '10.10.10.10', latitude: 0, longitude: 0 },
    start_at: t,
    stop_at: t,
  };
}

/** A Go duration (with the LAPI's `d` unit) in ms; 0 when it does not parse. */
function durationMs(text: string): number {
  try {
    return parseGoDuration(text, { days: true }) / 1e6;
  } catch {
    return 0;
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function meta(v: unknown): MetaRecord[] {
  return Array.isArray(v)
    ? v.map((m) => ({ key: str((m as AlertJson)?.key), value: str((m as AlertJson)?.value) }))
    : [];
}

/** An alert of GET /v1/alerts/:id as the profiles' `Alert` (decisions with their remaining duration). */
export function alertFromJson(a: AlertJson, now: number): NewAlert {
  const s = (a.source ?? {}) as AlertJson;
  const stop = Date.parse(str(a.stop_at));
  const anchor = Number.isNaN(stop) ? now : stop;
  const decisions = (Array.isArray(a.decisions) ? a.decisions : []).map((x) => {
    const d = x as AlertJson;
    return {
      until: anchor + durationMs(str(d.duration)),
      scenario: str(d.scenario),
      type: str(d.type),
      scope: str(d.scope),
      value: str(d.value),
      origin: str(d.origin),
      simulated: d.simulated === true,
    };
  });
  return {
    machineId: str(a.machine_id),
    scenario: str(a.scenario),
    scenarioHash: str(a.scenario_hash),
    scenarioVersion: str(a.scenario_version),
    message: str(a.message),
    eventsCount: typeof a.events_count === 'number' ? a.events_count : 0,
    startAt: str(a.start_at),
    stopAt: str(a.stop_at),
    capacity: typeof a.capacity === 'number' ? a.capacity : 0,
    leakspeed: str(a.leakspeed),
    simulated: a.simulated === true,
    remediation: a.remediation === true,
    kind: str(a.kind),
    labels: Array.isArray(a.labels) ? a.labels.map(str) : null,
    source: {
      scope: str(s.scope),
      value: str(s.value),
      ip: str(s.ip),
      range: str(s.range),
      asNumber: str(s.as_number),
      asName: str(s.as_name),
      cn: str(s.cn),
      latitude: Number(s.latitude ?? 0),
      longitude: Number(s.longitude ?? 0),
    },
    events: (Array.isArray(a.events) ? a.events : []).map((e) => ({
      timestamp: str((e as AlertJson).timestamp),
      meta: meta((e as AlertJson).meta),
    })),
    meta: meta(a.meta),
    decisions,
  };
}

/** The notifications the profiles name for `alert` (in order, repeats kept as CrowdSec sends them). */
export function profileNotifications(
  profiles: Profile[],
  alert: AlertJson,
  now: number,
): { names: string[]; warnings: string[] } {
  const out = applyProfiles(profiles, alertFromJson(alert, now), { now, countDecisions: () => 0, timeLeftMs: () => 0 });
  return { names: out.notifications, warnings: out.warnings };
}
