// The published bouncer schema (src/api/proto/decisions.proto, package picket.v1), loaded once with
// protobufjs. Owns the field tags the encoder and decoder use (taken from the .proto, so it stays the single
// source), the wire-level types shared by both (what the encoder reads, what the decoder returns), and the
// reflected message types.

import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { PicketError } from '../core/errors.js';

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

/** An address interval as the encoder writes it (structurally the store's IpRange). */
export interface WireAddress {
  /** 4 for IPv4 (and IPv4-mapped IPv6), 6 for IPv6 */
  family: 4 | 6;
  /** network address: 4 or 16 bytes, host bits zeroed */
  bytes: Uint8Array;
  /** 0..32 or 0..128; a single address is 32 / 128 */
  prefix: number;
}

/** What the encoder reads of a decision (structurally the store's DecisionRecord). */
export interface EncodableDecision {
  id: number;
  uuid: string;
  origin: string;
  type: string;
  scope: string;
  scenario: string;
  value: string;
  /** expiry, epoch ms */
  until: number;
  /** parsed address of an `Ip`/`Range` decision, null otherwise */
  range: WireAddress | null;
}

/** A corrupt or inconsistent protobuf body (code API_PROTOBUF_DECODE). */
export class ProtobufDecodeError extends PicketError {
  constructor(what: string, size: number, reason: string) {
    super('API_PROTOBUF_DECODE', `invalid protobuf ${what} body (${size} bytes): ${reason}`);
  }
}

/** The .proto does not give the codec what it relies on (code API_PROTOBUF_SCHEMA). */
export class ProtobufSchemaError extends PicketError {
  constructor(message: string) {
    super('API_PROTOBUF_SCHEMA', `${PROTO_PATH}: ${message}`);
  }
}

export const PROTO_PATH = fileURLToPath(new URL('../../../src/api/proto/decisions.proto', import.meta.url));
const root = protobuf.loadSync(PROTO_PATH);
export const DecisionType = root.lookupType('picket.v1.Decision');
export const StreamType = root.lookupType('picket.v1.DecisionStream');
export const ListType = root.lookupType('picket.v1.DecisionList');

export const WIRE_VARINT = 0;
export const WIRE_LEN = 2;

function tagOf(t: protobuf.Type, field: string, wire: number): number {
  const f = t.fields[field];
  if (!f) throw new ProtobufSchemaError(`${t.fullName} has no field ${field}`);
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
  if (v > 127) throw new ProtobufSchemaError(`field ${k} needs a multi-byte tag; the codec uses one-byte tags`);
}
