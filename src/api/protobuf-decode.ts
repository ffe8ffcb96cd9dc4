// Decoder of the bouncer protobuf bodies (picket.v1 DecisionStream / DecisionList) for the bouncer client
// library. protobufjs reads the bytes (its reflected types of ./protobuf-schema.ts); this module owns what the
// schema leaves to the reader: inherited origin/type/scope/scenario, addresses re-formatted as text (CIDR for a
// Range), raw UUIDs as canonical text, and the checks protobufjs does not make (address and UUID lengths, prefix
// range, a first decision without the four strings). Anything malformed is a ProtobufDecodeError naming the list
// and the decision, never a crash.

import { formatIPv4, formatIPv6, isV4Mapped } from '../net/ip.js';
import { ListType, ProtobufDecodeError, StreamType, type WireDecision } from './protobuf-schema.js';

/** A 64-bit integer as protobufjs returns it: a number, or a Long (the `long` package) beyond 2^53. */
type Int64 = number | { toNumber(): number };

/** A decoded picket.v1.Decision (absent optional fields are null; the oneof getters name the member set last). */
interface DecisionMessage {
  uuidForm: 'uuidRaw' | 'uuid' | undefined;
  target: 'ip' | 'value' | undefined;
  id: Int64;
  uuidRaw: Uint8Array;
  uuid: string;
  origin: string | null;
  type: string | null;
  scope: string | null;
  scenario: string | null;
  ip: Uint8Array;
  value: string;
  prefixLen: number | null;
  durationSeconds: Int64;
}

class Malformed extends Error {}

const toNumber = (v: Int64): number => (typeof v === 'number' ? v : v.toNumber());

/** Hex text of each byte value. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Canonical text of 16 raw bytes. */
function uuidText(b: Uint8Array): string {
  let s = '';
  for (let k = 0; k < 16; k++) {
    if (k === 4 || k === 6 || k === 8 || k === 10) s += '-';
    s += HEX[b[k]!];
  }
  return s;
}

function addressText(ip: Uint8Array, prefixLen: number | null, scope: string): string {
  const len = ip.length;
  if (len !== 4 && len !== 16) throw new Malformed(`ip of ${len} bytes (expected 4 or 16)`);
  const full = len === 4 ? 32 : 128;
  const prefix = prefixLen ?? full;
  if (prefix > full) throw new Malformed(`prefix_len ${prefix} too long for an IPv${len === 4 ? 4 : 6} address`);
  const text = len === 4 ? formatIPv4(ip, 0) : isV4Mapped(ip) ? `::ffff:${formatIPv4(ip, 12)}` : formatIPv6(ip);
  return prefix !== full || scope === 'Range' ? `${text}/${prefix}` : text;
}

/** The last origin/type/scope/scenario seen in the list being read (inherited by the next decision). */
interface Inherited {
  origin?: string;
  type?: string;
  scope?: string;
  scenario?: string;
}

function decision(m: DecisionMessage, inh: Inherited): WireDecision {
  if (m.origin !== null) inh.origin = m.origin;
  if (m.type !== null) inh.type = m.type;
  if (m.scope !== null) inh.scope = m.scope;
  if (m.scenario !== null) inh.scenario = m.scenario;
  const { origin, type, scope, scenario } = inh;
  if (origin === undefined || type === undefined || scope === undefined || scenario === undefined) {
    throw new Malformed('origin/type/scope/scenario missing and not set by an earlier decision');
  }
  let uuid = '';
  if (m.uuidForm === 'uuidRaw') {
    if (m.uuidRaw.length !== 16) throw new Malformed(`uuid_raw of ${m.uuidRaw.length} bytes (expected 16)`);
    uuid = uuidText(m.uuidRaw);
  } else if (m.uuidForm === 'uuid') uuid = m.uuid;
  return {
    id: toNumber(m.id),
    uuid,
    origin,
    type,
    scope,
    value: m.target === 'ip' ? addressText(m.ip, m.prefixLen, scope) : m.value,
    scenario,
    durationSeconds: toNumber(m.durationSeconds),
  };
}

function decisions(name: string, list: DecisionMessage[]): WireDecision[] {
  const inh: Inherited = {};
  const out: WireDecision[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    try {
      out[i] = decision(list[i]!, inh);
    } catch (e) {
      if (e instanceof Malformed) throw new Malformed(`${name}[${i}]: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/** protobufjs decoding of `buf`, every failure (truncation, bad wire type...) a ProtobufDecodeError */
function read<T>(what: string, buf: Uint8Array, body: (b: Uint8Array) => T): T {
  try {
    return body(buf);
  } catch (e) {
    throw new ProtobufDecodeError(what, buf.length, e instanceof Error ? e.message : String(e));
  }
}

/** Decodes a DecisionStream body; throws ProtobufDecodeError on a corrupt or inconsistent buffer. */
export function decodeStream(buf: Uint8Array): { new: WireDecision[]; deleted: WireDecision[] } {
  return read('DecisionStream', buf, (b) => {
    const m = StreamType.decode(b) as unknown as { new: DecisionMessage[]; deleted: DecisionMessage[] };
    return { new: decisions('new', m.new), deleted: decisions('deleted', m.deleted) };
  });
}

/** Decodes a DecisionList body (an empty body is an empty list). */
export function decodeDecisions(buf: Uint8Array): WireDecision[] {
  return read('DecisionList', buf, (b) => {
    const m = ListType.decode(b) as unknown as { decisions: DecisionMessage[] };
    return decisions('decisions', m.decisions);
  });
}
