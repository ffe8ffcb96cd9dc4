// POST /v{2,3}/signals bodies (capi.md §4.2, §4.4, §11): validation and minimisation at ingest. A batch is an
// array of at most 50 signals; each must carry a scenario, a source with scope Ip or Range (other scopes are
// ignored: they cannot be listed) and a valid, public address, and a parseable stop_at no later than 10 minutes
// ahead and no older than 30 days. Anything wrong refuses the whole batch with a 4xx naming the field
// (`signals[3].source.value: …`), as capi.md §11 asks. What comes out holds only the address, the scenario
// (name, hash, version, trust recomputed from the hub index) and a time rounded down to the minute: message,
// geo, AS of the source, machine_id, context and decisions are never copied; the alert's uuid only becomes a
// keyed id (`signalId`: a hash of the reporter's pseudonym and the uuid) so that a resent signal counts once.

import crypto from 'node:crypto';
import { parseRfc3339 } from '../api/wire-time.js';
import { PicketError } from '../core/errors.js';
import type { SignalInput } from './consensus/types.js';
import type { HubIndex } from './hub-index.js';
import { normaliseAddress, type AddressPolicy } from './ipnet.js';

export const MAX_SIGNALS_PER_POST = 50;
const FUTURE_SLACK_MS = 10 * 60_000;
const MAX_AGE_MS = 30 * 86_400_000;
const DAY_MS = 86_400_000;

/** a refused batch: 400 (malformed) or 422 (well-formed but not acceptable) */
export class SignalError extends PicketError {
  constructor(
    readonly status: 400 | 422,
    message: string,
  ) {
    super('CENTRAL_BAD_SIGNAL', message);
  }
}

/** a validated signal before the reporter and receive time are attached (`at`: clamped to [received - 24h,
 *  received], rounded down to the minute); `uuid`: the alert's ('' when absent), never stored as such */
export type CleanSignal = Omit<SignalInput, 'reporter' | 'received'> & { uuid: string };

/** the de-duplication id of a signal: its alert UUID scoped to the reporter (one site cannot mask another's) */
export function signalId(pseudonym: string, uuid: string): string {
  return crypto.createHash('sha256').update(`${pseudonym}\n${uuid}`).digest('hex').slice(0, 32);
}

type Obj = Record<string, unknown>;

export const toMinute = (ms: number): number => ms - (ms % 60_000);

function optString(o: Obj, key: string, where: string, max: number): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new SignalError(400, `${where}.${key}: a string expected`);
  if (v.length > max) throw new SignalError(400, `${where}.${key}: longer than ${max} characters`);
  return v;
}

function cleanOne(raw: unknown, i: number, now: number, hub: HubIndex, policy: AddressPolicy): CleanSignal | null {
  const where = `signals[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SignalError(400, `${where}: an object expected`);
  const o = raw as Obj;
  const scenario = optString(o, 'scenario', where, 255);
  if (scenario === '') throw new SignalError(400, `${where}.scenario: required`);
  const hash = optString(o, 'scenario_hash', where, 128);
  if (hash !== '' && !/^[0-9a-fA-F]{16,128}$/.test(hash))
    throw new SignalError(400, `${where}.scenario_hash: hexadecimal expected`);
  const version = optString(o, 'scenario_version', where, 64);
  const claimed = optString(o, 'scenario_trust', where, 32);
  const src = o.source;
  if (typeof src !== 'object' || src === null || Array.isArray(src))
    throw new SignalError(400, `${where}.source: an object expected`);
  const s = src as Obj;
  const scope = optString(s, 'scope', `${where}.source`, 64).toLowerCase();
  if (scope !== 'ip' && scope !== 'range') return null; // Country, AS, custom scopes: never listable
  let value = optString(s, 'value', `${where}.source`, 64);
  if (value === '') value = optString(s, scope === 'ip' ? 'ip' : 'range', `${where}.source`, 64);
  const n = normaliseAddress(value);
  if (!n) throw new SignalError(400, `${where}.source.value: '${value}' is not an IP address or CIDR range`);
  if ((scope === 'ip') !== (n.scope === 'Ip')) {
    throw new SignalError(400, `${where}.source.value: '${value}' does not match scope '${String(s.scope)}'`);
  }
  const why = policy.refuse(n);
  if (why) throw new SignalError(422, `${where}.source.value: '${n.value}' ${why}`);
  const stopText = optString(o, 'stop_at', where, 64);
  const stop = stopText === '' ? NaN : parseRfc3339(stopText);
  if (Number.isNaN(stop)) throw new SignalError(400, `${where}.stop_at: an RFC 3339 time expected`);
  if (stop > now + FUTURE_SLACK_MS) throw new SignalError(422, `${where}.stop_at: ${stopText} is in the future`);
  if (stop < now - MAX_AGE_MS) throw new SignalError(422, `${where}.stop_at: ${stopText} is older than 30 days`);
  const startText = optString(o, 'start_at', where, 64);
  if (startText !== '' && Number.isNaN(parseRfc3339(startText)))
    throw new SignalError(400, `${where}.start_at: an RFC 3339 time expected`);
  const at = toMinute(Math.min(now, Math.max(now - DAY_MS, stop)));
  return {
    uuid: optString(o, 'uuid', where, 64),
    scope: n.scope,
    value: n.value,
    scenario,
    scenarioHash: hash.toLowerCase(),
    scenarioVersion: version,
    trust: hub.trustOf(scenario, hash, version, claimed),
    at,
  };
}

/** The minimised signals of one POST body; throws SignalError naming the first bad field. */
export function cleanSignals(body: unknown, now: number, hub: HubIndex, policy: AddressPolicy): CleanSignal[] {
  if (!Array.isArray(body)) throw new SignalError(400, 'signals: a JSON array of signals expected');
  if (body.length > MAX_SIGNALS_PER_POST) {
    throw new SignalError(400, `signals: ${body.length} items, at most ${MAX_SIGNALS_PER_POST} per request`);
  }
  const out: CleanSignal[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = cleanOne(body[i], i, now, hub, policy);
    if (c) out.push(c);
  }
  return out;
}
