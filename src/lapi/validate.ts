// Validation of the POST /v1/alerts body (spec lapi.md §6.6, §8.1-§8.5) with CrowdSec's outcomes: a body that
// Go could not even unmarshal (not an array, wrong JSON type for a field) -> 400 with Go's
// `json: cannot unmarshal …` text; a missing required field -> 500 `validation failure list:\n0.capacity in
// body is required\n…` (go-swagger wording, fields in alphabetical order). Produces typed alert objects.

import type { LapiAlertJSON, LapiDecisionJSON, LapiEventJSON, LapiMetaJSON, LapiSourceJSON } from '../api/alerts.js';
import { PicketError } from '../core/errors.js';

/** A POST /v1/alerts body CrowdSec would refuse (code LAPI_BAD_ALERT_BODY); `status` is the answer's. */
export class AlertBodyError extends PicketError {
  constructor(
    readonly status: 400 | 500,
    message: string,
  ) {
    super('LAPI_BAD_ALERT_BODY', message);
  }
}

/** What the agent or cscli sends: LapiAlertJSON with the optional parts possibly absent. */
export type IncomingAlert = Omit<LapiAlertJSON, 'decisions' | 'meta' | 'labels' | 'kind' | 'remediation' | 'source'> & {
  decisions: Array<Omit<LapiDecisionJSON, 'simulated'> & { simulated?: boolean }>;
  meta: LapiMetaJSON[];
  labels: string[] | null;
  kind: string;
  remediation: boolean;
  source: LapiSourceJSON;
};

type GoType = 'string' | 'int32' | 'float64' | 'bool' | 'array' | 'object';

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** what one alert may carry (issue 11 §4: no request may occupy the server for long); over it: 400 */
export const MAX_DECISIONS_PER_ALERT = 100_000;
export const MAX_EVENTS_PER_ALERT = 10_000;
/** what one request may carry: alerts, and decisions over all its alerts (a larger import is split by the client:
 *  `picket decisions import` sends 1,000 per alert, cscli has --batch) */
export const MAX_ALERTS_PER_POST = 1_000;
export const MAX_DECISIONS_PER_POST = 10_000;
/** scalar string fields (scenario, message, source value, decision value...); meta values: MAX_META_VALUE */
export const MAX_STRING = 64 * 1024;
export const MAX_META_VALUE = 1024 * 1024;
/** decision fields are parts of store keys (an LMDB key holds at most 1978 bytes) */
export const MAX_DECISION_STRING = 512;

class Checker {
  readonly missing: string[] = [];
  typeError: string | null = null;

  /** Records a Go unmarshal type error (first one wins) and returns false when `v` does not fit `t`. */
  fits(v: unknown, t: GoType, goField: string): boolean {
    if (v === null || v === undefined) return true;
    let ok: boolean;
    switch (t) {
      case 'string':
        ok = typeof v === 'string';
        break;
      case 'bool':
        ok = typeof v === 'boolean';
        break;
      case 'float64':
        ok = typeof v === 'number';
        break;
      case 'int32':
        ok = typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
        break;
      case 'array':
        ok = Array.isArray(v);
        break;
      case 'object':
        ok = typeof v === 'object' && !Array.isArray(v);
        break;
    }
    if (!ok && this.typeError === null) {
      const goType = t === 'array' ? '[]' : t === 'object' ? 'struct' : t;
      const kind = jsonKind(v) === 'string' ? 'string' : jsonKind(v) === 'boolean' ? 'bool' : jsonKind(v);
      this.typeError = `json: cannot unmarshal ${kind} into Go struct field ${goField} of type ${goType}`;
    }
    return ok;
  }

  /** Records a 400 (first one wins) naming the field and the limit it exceeds. */
  limit(msg: string): void {
    if (this.typeError === null) this.typeError = msg;
  }

  /** every string field of `o` within MAX_STRING characters */
  strings(o: Record<string, unknown>, path: string, max = MAX_STRING): void {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string' && v.length > max) this.limit(`${path}${k}: ${v.length} characters, limit ${max}`);
    }
  }

  required(obj: Record<string, unknown>, field: string, path: string): void {
    const v = obj[field];
    if (v === null || v === undefined) this.missing.push(`${path}${field} in body is required`);
  }
}

const ALERT_FIELDS: Array<[string, GoType, boolean]> = [
  // [field, type, required] in go-swagger's (alphabetical) validation order
  ['capacity', 'int32', true],
  ['created_at', 'string', false],
  ['decisions', 'array', false],
  ['events', 'array', true],
  ['events_count', 'int32', true],
  ['id', 'float64', false],
  ['kind', 'string', false],
  ['labels', 'array', false],
  ['leakspeed', 'string', true],
  ['machine_id', 'string', false],
  ['message', 'string', true],
  ['meta', 'array', false],
  ['remediation', 'bool', false],
  ['scenario', 'string', true],
  ['scenario_hash', 'string', true],
  ['scenario_version', 'string', true],
  ['simulated', 'bool', true],
  ['source', 'object', true],
  ['start_at', 'string', true],
  ['stop_at', 'string', true],
  ['uuid', 'string', false],
];
const DECISION_FIELDS: Array<[string, GoType, boolean]> = [
  ['duration', 'string', true],
  ['id', 'float64', false],
  ['origin', 'string', true],
  ['scenario', 'string', true],
  ['scope', 'string', true],
  ['simulated', 'bool', false],
  ['type', 'string', true],
  ['until', 'string', false],
  ['uuid', 'string', false],
  ['value', 'string', true],
];
const SOURCE_FIELDS: Array<[string, GoType, boolean]> = [
  ['as_name', 'string', false],
  ['as_number', 'string', false],
  ['cn', 'string', false],
  ['ip', 'string', false],
  ['latitude', 'float64', false],
  ['longitude', 'float64', false],
  ['range', 'string', false],
  ['scope', 'string', true],
  ['value', 'string', true],
];

function checkObject(
  c: Checker,
  o: Record<string, unknown>,
  fields: Array<[string, GoType, boolean]>,
  path: string,
  goStruct: string,
): void {
  for (const [f, t, req] of fields) {
    c.fits(o[f], t, `${goStruct}.${f}`);
    if (req) c.required(o, f, path);
  }
}

function checkMeta(c: Checker, list: unknown, goField: string): void {
  if (!Array.isArray(list)) return;
  for (const m of list) {
    if (!c.fits(m, 'object', goField) || m === null) continue;
    const mo = m as Record<string, unknown>;
    c.fits(mo.key, 'string', `${goField}.key`);
    c.fits(mo.value, 'string', `${goField}.value`);
    if (typeof mo.key === 'string' && mo.key.length > MAX_STRING)
      c.limit(`${goField}.key: ${mo.key.length} characters, limit ${MAX_STRING}`);
    if (typeof mo.value === 'string' && mo.value.length > MAX_META_VALUE) {
      c.limit(`${goField}.value: ${mo.value.length} characters, limit ${MAX_META_VALUE}`);
    }
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function metaList(v: unknown): LapiMetaJSON[] {
  if (!Array.isArray(v)) return [];
  const out: LapiMetaJSON[] = [];
  for (const m of v)
    if (m !== null && typeof m === 'object')
      out.push({ key: str((m as LapiMetaJSON).key), value: str((m as LapiMetaJSON).value) });
  return out;
}

/** Validates a POST /v1/alerts body; throws AlertBodyError (400 unmarshal / 500 validation). */
/** decisions over every alert of the request within MAX_DECISIONS_PER_POST (an alert over its own limit is
 *  reported as such by the per-alert checks) */
function checkDecisionTotal(body: unknown[]): void {
  let total = 0;
  for (const a of body) {
    const d = a !== null && typeof a === 'object' ? (a as Record<string, unknown>).decisions : null;
    if (!Array.isArray(d)) continue;
    if (d.length > MAX_DECISIONS_PER_ALERT) return;
    total += d.length;
  }
  if (total > MAX_DECISIONS_PER_POST) {
    throw new AlertBodyError(400, `${total} decisions, limit ${MAX_DECISIONS_PER_POST} per request`);
  }
}

export function validateAlerts(body: unknown): IncomingAlert[] {
  if (!Array.isArray(body)) {
    throw new AlertBodyError(
      400,
      `json: cannot unmarshal ${jsonKind(body)} into Go value of type models.AddAlertsRequest`,
    );
  }
  const c = new Checker();
  if (body.length > MAX_ALERTS_PER_POST) {
    throw new AlertBodyError(400, `${body.length} alerts, limit ${MAX_ALERTS_PER_POST} per request`);
  }
  checkDecisionTotal(body);
  body.forEach((a: unknown, i: number) => {
    if (a === null) {
      c.missing.push(`${i} in body is required`);
      return;
    }
    if (!c.fits(a, 'object', 'AddAlertsRequest')) return;
    const o = a as Record<string, unknown>;
    checkObject(c, o, ALERT_FIELDS, `${i}.`, 'Alert');
    c.strings(o, `${i}.`);
    if (Array.isArray(o.decisions) && o.decisions.length > MAX_DECISIONS_PER_ALERT) {
      c.limit(`${i}.decisions: ${o.decisions.length} decisions, limit ${MAX_DECISIONS_PER_ALERT} per alert`);
    } else if (Array.isArray(o.decisions)) {
      o.decisions.forEach((d: unknown, j: number) => {
        if (d === null || !c.fits(d, 'object', 'Alert.decisions')) return;
        checkObject(c, d as Record<string, unknown>, DECISION_FIELDS, `${i}.decisions.${j}.`, 'Decision');
        c.strings(d as Record<string, unknown>, `${i}.decisions.${j}.`, MAX_DECISION_STRING);
      });
    }
    if (Array.isArray(o.events) && o.events.length > MAX_EVENTS_PER_ALERT) {
      c.limit(`${i}.events: ${o.events.length} events, limit ${MAX_EVENTS_PER_ALERT} per alert`);
    } else if (Array.isArray(o.events)) {
      o.events.forEach((e: unknown, j: number) => {
        if (e === null) {
          c.limit(`${i}.events.${j}: null, an event object expected`);
          return;
        }
        if (!c.fits(e, 'object', 'Alert.events')) return;
        const eo = e as Record<string, unknown>;
        c.required(eo, 'meta', `${i}.events.${j}.`);
        c.fits(eo.meta, 'array', 'Event.meta');
        checkMeta(c, eo.meta, 'Event.meta');
        c.required(eo, 'timestamp', `${i}.events.${j}.`);
        c.fits(eo.timestamp, 'string', 'Event.timestamp');
      });
    }
    checkMeta(c, o.meta, 'Alert.meta');
    if (Array.isArray(o.labels)) for (const l of o.labels) c.fits(l, 'string', 'Alert.labels');
    if (o.source !== null && typeof o.source === 'object' && !Array.isArray(o.source)) {
      checkObject(c, o.source as Record<string, unknown>, SOURCE_FIELDS, `${i}.source.`, 'Source');
      c.strings(o.source as Record<string, unknown>, `${i}.source.`);
    }
  });
  if (c.typeError !== null) throw new AlertBodyError(400, c.typeError);
  if (c.missing.length > 0) throw new AlertBodyError(500, 'validation failure list:\n' + c.missing.join('\n'));

  return body.map((raw: unknown): IncomingAlert => {
    const o = raw as Record<string, unknown>;
    const s = o.source as Record<string, unknown>;
    const decisions = Array.isArray(o.decisions) ? (o.decisions as Array<Record<string, unknown>>) : [];
    return {
      scenario: o.scenario as string,
      scenario_hash: o.scenario_hash as string,
      scenario_version: o.scenario_version as string,
      message: o.message as string,
      events_count: o.events_count as number,
      start_at: o.start_at as string,
      stop_at: o.stop_at as string,
      capacity: o.capacity as number,
      leakspeed: o.leakspeed as string,
      simulated: o.simulated as boolean,
      remediation: o.remediation === true,
      kind: str(o.kind),
      labels: Array.isArray(o.labels) ? (o.labels as string[]) : null,
      meta: metaList(o.meta),
      created_at: typeof o.created_at === 'string' ? o.created_at : undefined,
      source: {
        scope: str(s.scope),
        value: str(s.value),
        ip: str(s.ip),
        range: str(s.range),
        as_number: str(s.as_number),
        as_name: str(s.as_name),
        cn: str(s.cn),
        latitude: num(s.latitude),
        longitude: num(s.longitude),
      },
      events: (o.events as Array<Record<string, unknown>>).map((e): LapiEventJSON => ({
        timestamp: str(e.timestamp),
        meta: metaList(e.meta),
      })),
      decisions: decisions
        .filter((d) => d !== null)
        .map((d) => ({
          duration: d.duration as string,
          origin: d.origin as string,
          scenario: d.scenario as string,
          scope: d.scope as string,
          type: d.type as string,
          value: d.value as string,
        })),
    };
  });
}
