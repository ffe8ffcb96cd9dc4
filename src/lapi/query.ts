// Query strings of the Local API -> store filters (spec lapi.md §2, §5.1, §5.2, §6.7, §6.10). Owns the
// parameter names each route accepts (scopes normalised by src/api/scope.ts),
// Go's boolean/integer/duration syntax for values, and the unknown-parameter rules: ignored on the bouncer
// decision routes, a 500 `FilterError` on the alert routes and on DELETE /v1/decisions.

import type { AlertFilter, DecisionFilter, IpRange } from '../store/records.js';
import { parseIpOrRange } from '../store/iprange.js';
import { parseWireDuration } from '../api/wire-time.js';
import { normaliseScope } from '../api/scope.js';
import { PicketError } from '../core/errors.js';

/** A filter problem; the route answers 500 `{"message": <message>}` like CrowdSec. */
export class FilterError extends PicketError {
  constructor(message: string) {
    super('LAPI_BAD_FILTER', message);
  }
}

/** `a=1&b=x%20y` -> ['a', '1', 'b', 'x y'] (Go url.ParseQuery: `+` is a space; a bad escape drops the pair). */
export function parseQuery(qs: string): string[] {
  const out: string[] = [];
  if (qs === '') return out;
  let start = 0;
  const n = qs.length;
  while (start <= n) {
    let end = qs.indexOf('&', start);
    if (end === -1) end = n;
    if (end > start) {
      const eq = qs.indexOf('=', start);
      let k: string | null, v: string | null;
      if (eq === -1 || eq > end) {
        k = unescape(qs.slice(start, end));
        v = '';
      } else {
        k = unescape(qs.slice(start, eq));
        v = unescape(qs.slice(eq + 1, end));
      }
      if (k !== null && v !== null) out.push(k, v);
    }
    start = end + 1;
  }
  return out;
}

function unescape(s: string): string | null {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 || c === 43) {
      needs = true;
      break;
    }
  }
  if (!needs) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** Go strconv.ParseBool */
export function parseGoBool(v: string): boolean | null {
  switch (v) {
    case '1':
    case 't':
    case 'T':
    case 'true':
    case 'TRUE':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'false':
    case 'FALSE':
    case 'False':
      return false;
    default:
      return null;
  }
}

function boolParam(name: string, v: string): boolean {
  const b = parseGoBool(v);
  if (b === null)
    throw new FilterError(`invalid ${name} value : strconv.ParseBool: parsing "${v}": invalid syntax: invalid filter`);
  return b;
}

function intParam(name: string, v: string): number {
  if (!/^[+-]?\d{1,15}$/.test(v))
    throw new FilterError(`invalid ${name} value : strconv.Atoi: parsing "${v}": invalid syntax: invalid filter`);
  return Number(v);
}

/** ip=/range= value -> interval; the 500 message is CrowdSec's. */
export function rangeParam(v: string): IpRange {
  const r = parseIpOrRange(v);
  if (r === null) throw new FilterError(`unable to convert '${v}' to int: invalid address: invalid ip address / range`);
  return r;
}

function scopeList(v: string): string[] {
  return v.split(',').map(normaliseScope);
}
function lowerList(v: string): string[] {
  return v.split(',').map((w) => w.toLowerCase());
}

export interface DecisionQuery {
  filter: DecisionFilter;
  /** stream: literal `startup=true` */
  startup: boolean;
  /** stream: `dedup=false` disables de-duplication */
  dedup: boolean;
  /** live: `limit`, `offset`, `id_gt` pagination (0 / 0 / 0 = none) */
  limit: number;
  offset: number;
  idGt: number;
}

/**
 * GET /v1/decisions and GET /v1/decisions/stream. Unknown parameters are ignored. `stream` applies the
 * stream's default scopes (`ip,range`) when none is given.
 */
export function decisionQuery(q: string[], stream: boolean): DecisionQuery {
  const filter: DecisionFilter = {};
  const out: DecisionQuery = { filter, startup: false, dedup: true, limit: 0, offset: 0, idGt: 0 };
  for (let i = 0; i < q.length; i += 2) {
    const v = q[i + 1];
    switch (q[i]) {
      case 'ip':
      case 'range':
        filter.range = rangeParam(v);
        break;
      case 'contains':
        filter.contains = boolParam('contains', v);
        break;
      case 'scope':
      case 'scopes':
        filter.scopes = scopeList(v);
        break;
      case 'value':
        filter.value = v;
        break;
      case 'type':
        filter.type = v;
        break;
      case 'origins':
        filter.origins = v.split(',');
        break;
      case 'scenarios_containing':
        filter.scenariosContaining = lowerList(v);
        break;
      case 'scenarios_not_containing':
        filter.scenariosNotContaining = lowerList(v);
        break;
      case 'simulated':
        filter.simulated = v !== 'false';
        break;
      case 'startup':
        out.startup = v === 'true';
        break;
      case 'dedup':
        out.dedup = v !== 'false';
        break;
      case 'limit':
        out.limit = intParam('limit', v);
        break;
      case 'offset':
        out.offset = intParam('offset', v);
        break;
      case 'id_gt':
        out.idGt = intParam('id_gt', v);
        break;
      default:
        break; // community_pull, additional_pull and anything else: ignored
    }
  }
  if (stream && filter.scopes === undefined) filter.scopes = ['Ip', 'Range'];
  return out;
}

/**
 * The range of a live query that is exactly `ip=VALUE` (what bouncers in live mode send), else null: the caller
 * then takes the general path (parseQuery + decisionQuery), which gives the same filter for such a query. A bad
 * address is the same FilterError; `+` and undecodable escapes are left to the general path (Go's rules).
 */
export function ipOnlyQuery(qs: string): IpRange | null {
  if (qs.length < 4 || qs.charCodeAt(0) !== 105 || qs.charCodeAt(1) !== 112 || qs.charCodeAt(2) !== 61) return null;
  for (let i = 3; i < qs.length; i++) {
    const c = qs.charCodeAt(i);
    if (c === 38 || c === 43 || c === 61) return null; // & + =
  }
  const v = unescape(qs.slice(3));
  return v === null ? null : rangeParam(v);
}

/** DELETE /v1/decisions: the filters of §6.10; anything else -> FilterError. No filter = every active decision. */
export function deleteDecisionFilter(q: string[]): DecisionFilter {
  // CrowdSec's delete has no simulated filter: simulated decisions are expired along with the others
  const filter: DecisionFilter = { simulated: true };
  for (let i = 0; i < q.length; i += 2) {
    const k = q[i],
      v = q[i + 1];
    switch (k) {
      case 'ip':
      case 'range':
        filter.range = rangeParam(v);
        break;
      case 'contains':
        filter.contains = boolParam('contains', v);
        break;
      case 'scopes':
        filter.scopes = [normaliseScope(v)];
        break;
      case 'value':
        filter.value = v;
        break;
      case 'type':
        filter.type = v;
        break;
      case 'origin':
        filter.origins = [v];
        break;
      case 'scenario':
        filter.scenario = v;
        break;
      case 'uuid':
        (filter.uuids ??= []).push(v);
        break;
      default:
        throw new FilterError(`'${k}' doesn't exist: invalid filter`);
    }
  }
  return filter;
}

export interface AlertQuery {
  filter: AlertFilter;
  withDecisions: boolean;
}

function durationAgo(name: string, v: string, now: number): number {
  const d = parseWireDuration(v);
  if (d === null)
    throw new FilterError(`while parsing duration: time: invalid duration "${v}" (${name}): invalid filter`);
  return now - d;
}

/** GET/HEAD/DELETE /v1/alerts: the filters of §6.7; anything else -> FilterError with CrowdSec's text. */
export function alertQuery(q: string[], now: number): AlertQuery {
  const filter: AlertFilter = {};
  const out: AlertQuery = { filter, withDecisions: true };
  for (let i = 0; i < q.length; i += 2) {
    const k = q[i],
      v = q[i + 1];
    switch (k) {
      case 'scope':
        filter.scope = normaliseScope(v);
        break;
      case 'value':
        filter.value = v;
        break;
      case 'scenario':
        filter.scenario = v;
        break;
      case 'ip':
      case 'range':
        filter.range = rangeParam(v);
        break;
      case 'contains':
        filter.contains = boolParam('contains', v);
        break;
      case 'since':
        filter.since = durationAgo(k, v, now);
        break;
      case 'until':
        filter.until = durationAgo(k, v, now);
        break;
      case 'created_before':
        filter.createdBefore = durationAgo(k, v, now);
        break;
      case 'has_active_decision':
        filter.hasActiveDecision = boolParam('has_active_decision', v);
        break;
      case 'decision_type':
        filter.decisionType = v;
        break;
      case 'origin':
        filter.origin = v;
        filter.includeCapi = true;
        break;
      case 'include_capi':
        if (filter.origin === undefined) filter.includeCapi = boolParam('include_capi', v);
        break;
      case 'simulated':
        filter.simulated = boolParam('simulated', v);
        break;
      case 'kind':
        filter.kind = v;
        break;
      case 'limit':
        filter.limit = intParam('limit', v);
        break;
      case 'sort': {
        const s = v.toUpperCase();
        if (s !== 'ASC' && s !== 'DESC')
          throw new FilterError(`invalid sort value '${v}' (ASC or DESC): invalid filter`);
        filter.sort = s;
        break;
      }
      case 'with_decisions':
        out.withDecisions = boolParam('with_decisions', v);
        break;
      default:
        throw new FilterError(`filter parameter '${k}' is unknown (=${v}): invalid filter`);
    }
  }
  return out;
}
