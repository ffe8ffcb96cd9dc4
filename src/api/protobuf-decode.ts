// Decoder of the bouncer protobuf bodies (picket.v1 DecisionStream / DecisionList) for the bouncer client
// library. Owns reading the wire format back into WireDecision values: inherited origin/type/scope/scenario,
// addresses re-formatted as text (CIDR for a Range), raw UUIDs as canonical text. Hand-written over the bytes
// (field tags from ./protobuf-schema.ts): unknown fields are skipped, and anything malformed (truncation, bad
// wire type, impossible lengths) is a ProtobufDecodeError naming the offset, never a crash.

import { formatIpRange } from '../store/iprange.js';
import { ProtobufDecodeError, T, type WireDecision } from './protobuf-schema.js';

const WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5;

class Malformed extends Error {}

/** ASCII codes of the hex digits. */
const HEX_DIGIT = Buffer.from('0123456789abcdef', 'latin1');
/** Scratch for building a UUID's text (decoding is synchronous). */
const UUID_TEXT = Buffer.alloc(36, 45 /* '-' */);
/** Text offset of each of the 16 bytes in `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
const UUID_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint(end: number): number {
    const b = this.buf;
    let p = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= end) throw new Malformed(`truncated varint at offset ${this.pos}`);
      const c = b[p++]!;
      result += (c & 0x7f) * mul;
      if (c < 0x80) { this.pos = p; return result; }
      mul *= 128;
    }
    throw new Malformed(`varint longer than 10 bytes at offset ${this.pos}`);
  }

  /** Reads the length of the field that starts at `at`; returns the payload's end (pos: payload start). */
  lengthEnd(end: number, what: string, at: number): number {
    const len = this.varint(end);
    if (len > end - this.pos) throw new Malformed(`${what} at offset ${at}: length ${len} runs past the end (${end - this.pos} bytes left)`);
    return this.pos + len;
  }

  skip(wireType: number, end: number, at: number): void {
    switch (wireType) {
      case WT_VARINT: this.varint(end); return;
      case WT_I64: this.advance(8, end, at); return;
      case WT_LEN: this.pos = this.lengthEnd(end, 'unknown field', at); return;
      case WT_I32: this.advance(4, end, at); return;
      default: throw new Malformed(`invalid wire type ${wireType} at offset ${at}`);
    }
  }

  private advance(n: number, end: number, at: number): void {
    if (n > end - this.pos) throw new Malformed(`truncated field at offset ${at}`);
    this.pos += n;
  }

  string(end: number, what: string, at: number): string {
    const stop = this.lengthEnd(end, what, at);
    const s = this.buf.toString('utf8', this.pos, stop);
    this.pos = stop;
    return s;
  }
}

/** The last origin/type/scope/scenario seen in the list being read (inherited by the next decision). */
interface Inherited { origin: string | undefined; type: string | undefined; scope: string | undefined; scenario: string | undefined }

/** Canonical text of the 16 raw bytes at `at` (one flat string, no intermediate pieces). */
function uuidText(b: Buffer, at: number): string {
  const t = UUID_TEXT;
  for (let k = 0; k < 16; k++) {
    const v = b[at + k]!;
    const o = UUID_OFFSETS[k]!;
    t[o] = HEX_DIGIT[v >>> 4]!;
    t[o + 1] = HEX_DIGIT[v & 15]!;
  }
  return t.toString('latin1', 0, 36);
}

function addressText(b: Buffer, at: number, len: number, prefixLen: number, scope: string): string {
  if (len !== 4 && len !== 16) throw new Malformed(`ip of ${len} bytes (expected 4 or 16)`);
  const full = len === 4 ? 32 : 128;
  const prefix = prefixLen < 0 ? full : prefixLen;
  if (prefix > full) throw new Malformed(`prefix_len ${prefix} too long for an IPv${len === 4 ? 4 : 6} address`);
  let text: string;
  if (len === 4) text = `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  else text = formatIpRange({ family: 6, bytes: b.subarray(at, at + 16), prefix: 128 });
  return prefix !== full || scope === 'Range' ? `${text}/${prefix}` : text;
}

function expectWire(tag: number, wanted: number, at: number): void {
  if ((tag & 7) !== wanted) throw new Malformed(`field ${tag >>> 3} at offset ${at}: wire type ${tag & 7}, expected ${wanted}`);
}

function decision(r: Reader, end: number, inh: Inherited): WireDecision {
  const b = r.buf;
  let id = 0, duration = 0, prefixLen = -1;
  let uuid = '', value = '';
  let ipAt = -1, ipLen = 0, uuidAt = -1;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.varint(end);
    switch (tag >>> 3) {
      case T.id >>> 3: expectWire(tag, WT_VARINT, at); id = r.varint(end); break;
      case T.uuidRaw >>> 3: {
        expectWire(tag, WT_LEN, at);
        const stop = r.lengthEnd(end, 'uuid_raw', at);
        if (stop - r.pos !== 16) throw new Malformed(`uuid_raw of ${stop - r.pos} bytes (expected 16)`);
        uuidAt = r.pos;
        r.pos = stop;
        break;
      }
      case T.uuid >>> 3: expectWire(tag, WT_LEN, at); uuid = r.string(end, 'uuid', at); uuidAt = -1; break;
      case T.origin >>> 3: expectWire(tag, WT_LEN, at); inh.origin = r.string(end, 'origin', at); break;
      case T.type >>> 3: expectWire(tag, WT_LEN, at); inh.type = r.string(end, 'type', at); break;
      case T.scope >>> 3: expectWire(tag, WT_LEN, at); inh.scope = r.string(end, 'scope', at); break;
      case T.scenario >>> 3: expectWire(tag, WT_LEN, at); inh.scenario = r.string(end, 'scenario', at); break;
      case T.ip >>> 3: {
        expectWire(tag, WT_LEN, at);
        const stop = r.lengthEnd(end, 'ip', at);
        ipAt = r.pos;
        ipLen = stop - r.pos;
        r.pos = stop;
        break;
      }
      case T.value >>> 3: expectWire(tag, WT_LEN, at); value = r.string(end, 'value', at); ipAt = -1; break;
      case T.prefixLen >>> 3: expectWire(tag, WT_VARINT, at); prefixLen = r.varint(end); break;
      case T.duration >>> 3: {
        expectWire(tag, WT_VARINT, at);
        const z = r.varint(end);
        duration = z % 2 === 0 ? z / 2 : -(z + 1) / 2; // zigzag (sint64)
        break;
      }
      default: r.skip(tag & 7, end, at);
    }
  }
  if (r.pos !== end) throw new Malformed(`field runs past the end of its decision (offset ${end})`);
  const { origin, type, scope, scenario } = inh;
  if (origin === undefined || type === undefined || scope === undefined || scenario === undefined) {
    throw new Malformed('origin/type/scope/scenario missing and not set by an earlier decision');
  }
  return {
    id,
    uuid: uuidAt >= 0 ? uuidText(b, uuidAt) : uuid,
    origin, type, scope,
    value: ipAt >= 0 ? addressText(b, ipAt, ipLen, prefixLen, scope) : value,
    scenario,
    durationSeconds: duration,
  };
}

/** Reads a message whose only known fields are repeated Decisions: `lists` maps field number -> output list. */
function decodeLists(what: string, input: Uint8Array, lists: Map<number, { name: string; out: WireDecision[]; inh: Inherited }>): void {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const r = new Reader(buf);
  const end = buf.length;
  try {
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.varint(end);
      const list = lists.get(tag >>> 3);
      if (list === undefined) { r.skip(tag & 7, end, at); continue; }
      expectWire(tag, WT_LEN, at);
      const stop = r.lengthEnd(end, list.name, at);
      const index = list.out.length;
      try {
        list.out.push(decision(r, stop, list.inh));
      } catch (e) {
        if (e instanceof Malformed) throw new Malformed(`${list.name}[${index}] (offset ${at}): ${e.message}`);
        throw e;
      }
    }
  } catch (e) {
    if (e instanceof Malformed) throw new ProtobufDecodeError(what, end, e.message);
    throw e;
  }
}

const fresh = (): Inherited => ({ origin: undefined, type: undefined, scope: undefined, scenario: undefined });

/** Decodes a DecisionStream body; throws ProtobufDecodeError on a corrupt or inconsistent buffer. */
export function decodeStream(buf: Uint8Array): { new: WireDecision[]; deleted: WireDecision[] } {
  const added: WireDecision[] = [];
  const deleted: WireDecision[] = [];
  decodeLists('DecisionStream', buf, new Map([
    [T.streamNew >>> 3, { name: 'new', out: added, inh: fresh() }],
    [T.streamDeleted >>> 3, { name: 'deleted', out: deleted, inh: fresh() }],
  ]));
  return { new: added, deleted };
}

/** Decodes a DecisionList body (an empty body is an empty list). */
export function decodeDecisions(buf: Uint8Array): WireDecision[] {
  const out: WireDecision[] = [];
  decodeLists('DecisionList', buf, new Map([[T.listDecisions >>> 3, { name: 'decisions', out, inh: fresh() }]]));
  return out;
}
