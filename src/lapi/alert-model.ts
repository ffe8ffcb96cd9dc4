// Alert conversions of the Local API: a validated incoming alert -> the store's NewAlert (scope normalisation,
// `until = stop_at + duration`, Ip/Range values checked, meta/event size limits of spec lapi.md §6.6), and a
// stored AlertRecord -> the JSON object of GET /v1/alerts (remaining durations, RFC 3339 dates, Go-style event
// timestamps), whole or in pieces (a large alert).

import type { AlertRecord, DecisionRecord, MetaRecord, NewAlert, NewDecision } from '../store/records.js';
import { parseIpOrRange } from '../store/iprange.js';
import { formatRemaining, formatRfc3339, goTimeString, parseWireDuration, parseRfc3339 } from '../api/wire-time.js';
import { normaliseScope } from '../api/scope.js';
import { AlertBodyError, type IncomingAlert } from './validate.js';

const META_KEY_MAX = 255;
const META_VALUE_MAX = 4095;
const EVENT_SERIALIZED_MAX = 8191;
const STRIPPED = '<stripped>';

function alertMeta(list: MetaRecord[]): MetaRecord[] {
  return list.map((m) => ({
    key: m.key.length > META_KEY_MAX ? m.key.slice(0, META_KEY_MAX) : m.key,
    value: m.value.length > META_VALUE_MAX ? m.value.slice(0, META_VALUE_MAX) : m.value,
  }));
}

/** Event meta kept within 8191 serialised chars: longest values halved with a `<stripped>` marker, else dropped. */
export function boundEventMeta(meta: MetaRecord[]): MetaRecord[] {
  if (JSON.stringify(meta).length <= EVENT_SERIALIZED_MAX) return meta;
  const out = meta.map((m) => ({ key: m.key, value: m.value }));
  for (let round = 0; round < 64; round++) {
    let longest = -1;
    for (let i = 0; i < out.length; i++)
      if (longest === -1 || out[i].value.length > out[longest].value.length) longest = i;
    if (longest === -1 || out[longest].value.length <= STRIPPED.length * 2) break;
    const v = out[longest].value;
    out[longest].value = v.slice(0, Math.floor(v.length / 2)) + STRIPPED;
    if (JSON.stringify(out).length <= EVENT_SERIALIZED_MAX) return out;
  }
  return [];
}

/** Ip/Range values must parse; other scopes are free text. */
export function decisionValueOk(scope: string, value: string): boolean {
  return (scope !== 'Ip' && scope !== 'Range') || parseIpOrRange(value) !== null;
}

/**
 * Incoming alert -> NewAlert with its own decisions (`until = stop_at + duration`, Ip/Range values that do not
 * parse are dropped and counted). `now` anchors a stop_at that does not parse, like CrowdSec.
 */
export function toNewAlert(
  a: IncomingAlert,
  machineId: string,
  now: number,
): { alert: NewAlert; droppedDecisions: number } {
  const stopParsed = parseRfc3339(a.stop_at);
  const stop = Number.isNaN(stopParsed) ? now : stopParsed;
  const decisions: NewDecision[] = [];
  let dropped = 0;
  for (const d of a.decisions) {
    const ms = parseWireDuration(d.duration);
    if (ms === null)
      throw new AlertBodyError(500, `decision duration '${d.duration}' : time: invalid duration "${d.duration}"`);
    const scope = normaliseScope(d.scope);
    if (!decisionValueOk(scope, d.value)) {
      dropped++;
      continue;
    }
    decisions.push({
      until: Math.round(stop + ms),
      scenario: d.scenario,
      type: d.type,
      scope,
      value: d.value,
      origin: d.origin,
      simulated: a.simulated,
    });
  }
  const s = a.source;
  return {
    droppedDecisions: dropped,
    alert: {
      machineId,
      createdAt: now,
      scenario: a.scenario,
      scenarioHash: a.scenario_hash,
      scenarioVersion: a.scenario_version,
      message: a.message,
      eventsCount: a.events_count,
      startAt: a.start_at,
      stopAt: a.stop_at,
      capacity: a.capacity,
      leakspeed: a.leakspeed,
      simulated: a.simulated,
      remediation: a.remediation,
      kind: a.kind,
      labels: a.labels,
      source: {
        scope: normaliseScope(s.scope),
        value: s.value,
        ip: s.ip,
        range: s.range,
        asNumber: s.as_number,
        asName: s.as_name,
        cn: s.cn,
        latitude: s.latitude,
        longitude: s.longitude,
      },
      events: a.events.map((e) => ({ timestamp: e.timestamp, meta: boundEventMeta(e.meta) })),
      meta: alertMeta(a.meta),
      decisions,
    },
  };
}

/** One decision as listed inside an alert (§6.7: remaining duration, simulated, until). */
function alertDecisionJSON(d: DecisionRecord, now: number): Record<string, unknown> {
  return {
    duration: formatRemaining(d.until, now),
    id: d.id,
    origin: d.origin,
    scenario: d.scenario,
    scope: d.scope,
    simulated: d.simulated,
    type: d.type,
    until: formatRfc3339(d.until),
    uuid: d.uuid,
    value: d.value,
  };
}

function rfc3339Of(text: string): string {
  const ms = parseRfc3339(text);
  return Number.isNaN(ms) ? text : formatRfc3339(ms);
}

/** A stored alert as GET /v1/alerts shows it. */
export function alertToJSON(
  a: AlertRecord,
  decisions: readonly DecisionRecord[] | null,
  now: number,
): Record<string, unknown> {
  const s = a.source;
  const o: Record<string, unknown> = {
    capacity: a.capacity,
    created_at: formatRfc3339(a.createdAt),
    decisions: decisions === null ? undefined : decisions.map((d) => alertDecisionJSON(d, now)),
    events: a.events.map((e) => ({ meta: e.meta, timestamp: goTimeString(e.timestamp) })),
    events_count: a.eventsCount,
    id: a.id,
    kind: a.kind === '' ? undefined : a.kind,
    labels: a.labels, // null when none, as v1.4.6 sends it
    leakspeed: a.leakspeed,
    machine_id: a.machineId === '' ? 'N/A' : a.machineId,
    message: a.message,
    meta: a.meta,
    remediation: a.remediation,
    scenario: a.scenario,
    scenario_hash: a.scenarioHash,
    scenario_version: a.scenarioVersion,
    simulated: a.simulated,
    source: {
      as_name: s.asName || undefined,
      as_number: s.asNumber || undefined,
      cn: s.cn || undefined,
      ip: s.ip || undefined,
      latitude: s.latitude,
      longitude: s.longitude,
      range: s.range || undefined,
      scope: s.scope,
      value: s.value,
    },
    start_at: rfc3339Of(a.startAt),
    stop_at: rfc3339Of(a.stopAt),
    uuid: a.uuid,
  };
  return o;
}

const EMPTY_DECISIONS = '"decisions":[]';

/**
 * JSON.stringify(alertToJSON(a, decisions, now)) in pieces of at most `per` decisions, made when asked for
 * (a large alert is written a piece at a time); joined, the pieces are exactly that text.
 */
export function* alertJSONPieces(
  a: AlertRecord,
  decisions: readonly DecisionRecord[] | null,
  now: number,
  per: number,
): Generator<string, void> {
  if (decisions === null || decisions.length <= per) {
    yield JSON.stringify(alertToJSON(a, decisions, now));
    return;
  }
  // `decisions` is the third key, after a number and a date: its first occurrence is the key itself
  const text = JSON.stringify(alertToJSON(a, [], now));
  const at = text.indexOf(EMPTY_DECISIONS);
  yield text.slice(0, at) + '"decisions":[';
  for (let i = 0; i < decisions.length; i += per) {
    const end = Math.min(decisions.length, i + per);
    const parts = new Array<string>(end - i);
    for (let k = i; k < end; k++) parts[k - i] = JSON.stringify(alertDecisionJSON(decisions[k]!, now));
    yield (i > 0 ? ',' : '') + parts.join(',');
  }
  yield ']' + text.slice(at + EMPTY_DECISIONS.length);
}
