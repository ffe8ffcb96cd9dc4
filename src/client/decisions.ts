// Decisions as the bouncer client returns them, whatever the wire format: JSON decisions (Go duration
// strings, possibly fractional as v1.4.6 sent them, `null` lists from old servers) and protobuf decisions
// are both turned into `ClientDecision` with the remaining duration in whole seconds.
// Owns: the normalised decision shape and the JSON -> normalised conversion.

import { parseWireDuration, roundToSeconds } from '../api/wire-time.js';
import type { WireDecision } from '../api/protobuf-schema.js';
import { LapiResponseError } from './errors.js';

/**
 * A decision as the client returns it: the protobuf codec's WireDecision (id, uuid — empty for servers
 * without one —, origin, type, scope, value, scenario, durationSeconds: remaining whole seconds, ≤ 0 for
 * deleted decisions).
 */
export type ClientDecision = WireDecision;

export interface DecisionDelta {
  new: ClientDecision[];
  deleted: ClientDecision[];
}

/** A decision object as the LAPI writes it in JSON (§5.1 / §5.2). */
export interface DecisionJSON {
  id?: number;
  uuid?: string;
  origin?: string;
  type?: string;
  scope?: string;
  value?: string;
  scenario?: string;
  duration?: string;
  until?: string;
  simulated?: boolean;
}

/** Go duration text -> whole seconds; throws naming the value when it is not a duration. */
export function durationSecondsOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const ms = parseWireDuration(text);
  if (ms === null) throw new LapiResponseError(`decision duration '${text}' is not a Go duration`);
  return roundToSeconds(ms);
}

export function decisionFromJSON(d: DecisionJSON): ClientDecision {
  return {
    id: typeof d.id === 'number' ? d.id : 0,
    uuid: d.uuid ?? '',
    origin: d.origin ?? '',
    type: d.type ?? '',
    scope: d.scope ?? '',
    value: d.value ?? '',
    scenario: d.scenario ?? '',
    durationSeconds: durationSecondsOf(d.duration),
  };
}

/** a JSON list that may be `null` (v1.4.6, or `GET /v1/decisions` with no match) */
export function decisionsFromJSON(list: unknown, what: string): ClientDecision[] {
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw new LapiResponseError(`${what}: expected a list of decisions, got ${typeof list}`);
  const out: ClientDecision[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = decisionFromJSON(list[i] as DecisionJSON);
  return out;
}
