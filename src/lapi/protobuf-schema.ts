// The published bouncer schema (src/lapi/proto/decisions.proto, package picket.v1), loaded once with
// protobufjs. Owns the field tags the hand-written encoder and decoder use (taken from the .proto, so it stays
// the single source), the wire-level types shared by both, and the reflected message types.

import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

/** A decision as a bouncer receives it (the fields of the JSON Decision object, duration in seconds). */
export interface WireDecision {
  id: number;
  uuid: string;
  origin: string;
  type: string;
  scope: string;
  /** text: an address, a CIDR (always for `Range`), or the stored value of other scopes */
  value: string;
  scenario: string;
  durationSeconds: number;
}

export class ProtobufDecodeError extends Error {
  constructor(what: string, size: number, reason: string) {
    super(`invalid protobuf ${what} body (${size} bytes): ${reason}`);
    this.name = 'ProtobufDecodeError';
  }
}

export const PROTO_PATH = fileURLToPath(new URL('../../../src/lapi/proto/decisions.proto', import.meta.url));
const root = protobuf.loadSync(PROTO_PATH);
export const DecisionType = root.lookupType('picket.v1.Decision');
export const StreamType = root.lookupType('picket.v1.DecisionStream');
export const ListType = root.lookupType('picket.v1.DecisionList');

export const WIRE_VARINT = 0;
export const WIRE_LEN = 2;

function tagOf(t: protobuf.Type, field: string, wire: number): number {
  const f = t.fields[field];
  if (!f) throw new Error(`${PROTO_PATH}: ${t.fullName} has no field ${field}`);
  return (f.id << 3) | wire;
}

/** Field key bytes (field number << 3 | wire type) of every field. */
export const T = {
  id: tagOf(DecisionType, 'id', WIRE_VARINT),
  uuidRaw: tagOf(DecisionType, 'uuidRaw', WIRE_LEN),
  uuid: tagOf(DecisionType, 'uuid', WIRE_LEN),
  origin: tagOf(DecisionType, 'origin', WIRE_LEN),
  type: tagOf(DecisionType, 'type', WIRE_LEN),
  scope: tagOf(DecisionType, 'scope', WIRE_LEN),
  scenario: tagOf(DecisionType, 'scenario', WIRE_LEN),
  ip: tagOf(DecisionType, 'ip', WIRE_LEN),
  value: tagOf(DecisionType, 'value', WIRE_LEN),
  prefixLen: tagOf(DecisionType, 'prefixLen', WIRE_VARINT),
  duration: tagOf(DecisionType, 'durationSeconds', WIRE_VARINT),
  streamNew: tagOf(StreamType, 'new', WIRE_LEN),
  streamDeleted: tagOf(StreamType, 'deleted', WIRE_LEN),
  listDecisions: tagOf(ListType, 'decisions', WIRE_LEN),
};
for (const [k, v] of Object.entries(T)) {
  if (v > 127) throw new Error(`${PROTO_PATH}: field ${k} needs a multi-byte tag; the codec uses one-byte tags`);
}
