// Protobuf bodies of the bouncer routes (`application/x-protobuf`, schema src/lapi/proto/decisions.proto):
// encodeStream / encodeDecisions for the server, decodeStream / decodeDecisions for the bouncer client
// library. Owns that wire format: addresses as raw bytes + prefix length, canonical UUIDs as 16 raw bytes,
// origin/type/scope/scenario sent only when they change within a list (decisions sharing them are grouped).
// Encoding is on the stream endpoint's hot path: a hand-written writer into one growing Buffer (no object per
// decision), with field numbers taken from the .proto (loaded once with protobufjs, which also decodes).

import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { DecisionRecord, IpRange, StreamResult } from '../store/records.js';
import { formatIpRange } from '../store/iprange.js';
import { roundToSeconds } from './format.js';

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

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

// ---- schema: loaded once; the encoder's tags come from it so the .proto stays the single source ----
const PROTO_PATH = fileURLToPath(new URL('../../../src/lapi/proto/decisions.proto', import.meta.url));
const root = protobuf.loadSync(PROTO_PATH);
const DecisionType = root.lookupType('picket.v1.Decision');
const StreamType = root.lookupType('picket.v1.DecisionStream');
const ListType = root.lookupType('picket.v1.DecisionList');

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

function tagOf(t: protobuf.Type, field: string, wire: number): number {
  const f = t.fields[field];
  if (!f) throw new Error(`${PROTO_PATH}: ${t.fullName} has no field ${field}`);
  return (f.id << 3) | wire;
}

const T = {
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
  if (v > 127) throw new Error(`${PROTO_PATH}: field ${k} needs a multi-byte tag; the encoder writes one-byte tags`);
}

// ---- encoder ----

/** Largest |duration| written: its zigzag form stays an exact integer (no endless varint on Infinity). */
const MAX_SECONDS = 2 ** 52 - 1;

/** Bytes of a typical decision, to size the first buffer (grows by doubling when short). */
const ESTIMATE_PER_DECISION = 40;

/** char code -> hex value of a lower-case hex digit, -1 otherwise */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[97 + c] = 10 + c;
/** offsets of the 16 hex pairs of `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` */
const UUID_PAIRS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

function hexAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? HEX[c]! : -1;
}

class Writer {
  buf: Buffer;
  pos = 0;
  // strings the decoder holds when it reaches this writer's next decision (origin/type/scope/scenario are
  // inherited from the previous decision of the list)
  private origin: string | null = null;
  private type: string | null = null;
  private scope: string | null = null;
  private scenario: string | null = null;

  /** `previous`: a decision of the group written just before this one in the same list (null: list start). */
  constructor(size: number, previous: DecisionRecord | null) {
    this.buf = Buffer.allocUnsafe(size);
    if (previous !== null) {
      this.origin = previous.origin;
      this.type = previous.type;
      this.scope = previous.scope;
      this.scenario = previous.scenario;
    }
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Unsigned varint of a non-negative integer up to 2^53. */
  varint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (v > 0x7fffffff) { b[p++] = (v & 0x7f) | 0x80; v = Math.floor(v / 128); }
    while (v > 0x7f) { b[p++] = (v & 0x7f) | 0x80; v >>>= 7; }
    b[p++] = v;
    this.pos = p;
  }

  string(tag: number, s: string): void {
    const n = s.length;
    this.ensure(2 + 3 * n);
    const b = this.buf;
    b[this.pos] = tag;
    if (n < 128) {
      // ASCII fast path: one length byte, one byte per char
      const start = this.pos + 2;
      let p = start;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 128) break;
        b[p++] = c;
      }
      if (i === n) {
        b[this.pos + 1] = n;
        this.pos = p;
        return;
      }
    }
    this.pos++;
    const len = Buffer.byteLength(s, 'utf8');
    this.varint(len);
    this.ensure(len);
    this.buf.write(s, this.pos, len, 'utf8');
    this.pos += len;
  }

  /** 16 raw bytes for a canonical lower-case UUID, else the text. */
  uuid(u: string): void {
    if (u.length === 0) return;
    if (u.length === 36 && u.charCodeAt(8) === 45 && u.charCodeAt(13) === 45 && u.charCodeAt(18) === 45 && u.charCodeAt(23) === 45) {
      this.ensure(18);
      const b = this.buf;
      const start = this.pos;
      let acc = 0;
      for (let k = 0; k < 16; k++) {
        const i = UUID_PAIRS[k]!;
        const hi = hexAt(u, i);
        const lo = hexAt(u, i + 1);
        acc |= hi | lo; // an invalid digit (-1) makes acc negative
        b[start + 2 + k] = (hi << 4) | lo;
      }
      if (acc >= 0) {
        b[start] = T.uuidRaw;
        b[start + 1] = 16;
        this.pos = start + 18;
        return;
      }
    }
    this.string(T.uuid, u);
  }

  address(r: IpRange): void {
    const len = r.family === 4 ? 4 : 16;
    this.ensure(len + 5);
    const b = this.buf;
    b[this.pos] = T.ip;
    b[this.pos + 1] = len;
    const src = r.bytes;
    let p = this.pos + 2;
    for (let i = 0; i < len; i++) b[p++] = src[i]!;
    this.pos = p;
    if (r.prefix !== (len === 4 ? 32 : 128)) {
      b[this.pos] = T.prefixLen;
      b[this.pos + 1] = r.prefix; // <= 128: one byte
      this.pos += 2;
    }
  }

  decision(tag: number, d: DecisionRecord, now: number): void {
    this.ensure(64); // tag, length, id, uuid, address and duration; strings ensure their own room
    this.buf[this.pos] = tag;
    const lenAt = this.pos + 1;
    this.pos += 2; // one length byte reserved; moved if the body needs more
    const start = this.pos;
    if (d.id > 0 && d.id <= Number.MAX_SAFE_INTEGER) { this.ensure(11); this.buf[this.pos++] = T.id; this.varint(d.id); }
    this.uuid(d.uuid);
    if (d.origin !== this.origin) { this.string(T.origin, d.origin); this.origin = d.origin; }
    if (d.type !== this.type) { this.string(T.type, d.type); this.type = d.type; }
    if (d.scope !== this.scope) { this.string(T.scope, d.scope); this.scope = d.scope; }
    if (d.scenario !== this.scenario) { this.string(T.scenario, d.scenario); this.scenario = d.scenario; }
    if (d.range !== null && (d.scope === 'Ip' || d.scope === 'Range')) this.address(d.range);
    else this.string(T.value, d.value);
    let secs = roundToSeconds(d.until - now);
    if (!(secs >= -MAX_SECONDS && secs <= MAX_SECONDS)) secs = secs > 0 ? MAX_SECONDS : secs < 0 ? -MAX_SECONDS : 0; // NaN -> 0
    if (secs !== 0) {
      this.ensure(11);
      this.buf[this.pos++] = T.duration;
      this.varint(secs > 0 ? secs * 2 : -secs * 2 - 1); // zigzag (sint64)
    }
    const bodyLen = this.pos - start;
    if (bodyLen < 128) {
      this.buf[lenAt] = bodyLen;
      return;
    }
    // rare (long strings): make room for a longer length varint
    let extra = 0;
    for (let v = bodyLen; v > 0x7f; v = Math.floor(v / 128)) extra++;
    this.ensure(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    const end = this.pos + extra;
    this.pos = lenAt;
    this.varint(bodyLen);
    this.pos = end;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function sameAttributes(a: DecisionRecord, b: DecisionRecord): boolean {
  return a.scenario === b.scenario && a.origin === b.origin && a.type === b.type && a.scope === b.scope;
}

/** Up to this many distinct groups are found by a linear scan; beyond, by a Map on a joined key. */
const LINEAR_GROUPS = 16;
/** First buffer of a group's writer (grows by doubling). */
const GROUP_START_BYTES = 1 << 16;

function attributeKey(d: DecisionRecord): string {
  return d.origin + '\u0000' + d.type + '\u0000' + d.scope + '\u0000' + d.scenario;
}

/**
 * Writes one list (`tag` = its field in the enclosing message): one Writer per (origin, type, scope, scenario)
 * group, filled in a single sequential pass over `list` (so groups come out contiguous, in order of first
 * appearance, id order inside a group); the writers are appended to `out`.
 */
function encodeList(tag: number, list: readonly DecisionRecord[], now: number, out: Writer[]): void {
  const n = list.length;
  if (n === 0) return;
  const reps: DecisionRecord[] = [];
  const writers: Writer[] = [];
  let byKey: Map<string, number> | null = null;
  let w: Writer | null = null;
  for (let i = 0; i < n; i++) {
    const d = list[i]!;
    if (w === null || !sameAttributes(d, list[i - 1]!)) {
      let g = -1;
      if (byKey === null) {
        for (let k = 0; k < reps.length; k++) if (sameAttributes(d, reps[k]!)) { g = k; break; }
        if (g < 0 && reps.length === LINEAR_GROUPS) {
          byKey = new Map();
          for (let k = 0; k < reps.length; k++) byKey.set(attributeKey(reps[k]!), k);
        }
      }
      if (g < 0 && byKey !== null) g = byKey.get(attributeKey(d)) ?? -1;
      if (g < 0) {
        g = reps.length;
        reps.push(d);
        writers.push(g === 0 ? new Writer(sizeFor(n), null) : new Writer(GROUP_START_BYTES, reps[g - 1]!));
        if (byKey !== null) byKey.set(attributeKey(d), g);
      }
      w = writers[g]!;
    }
    w.decision(tag, d, now);
  }
  for (const x of writers) out.push(x);
}

function sizeFor(n: number): number {
  return 64 + n * ESTIMATE_PER_DECISION;
}

function concat(parts: Writer[]): Buffer {
  if (parts.length === 0) return Buffer.alloc(0);
  if (parts.length === 1) return parts[0]!.finish();
  let total = 0;
  for (const p of parts) total += p.pos;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of parts) { p.buf.copy(out, at, 0, p.pos); at += p.pos; }
  return out;
}

/** Body of GET /v1/decisions/stream (message DecisionStream). */
export function encodeStream(r: StreamResult, now: number): Buffer {
  const parts: Writer[] = [];
  encodeList(T.streamNew, r.new, now, parts);
  encodeList(T.streamDeleted, r.deleted, now, parts);
  return concat(parts);
}

/** Body of GET /v1/decisions (message DecisionList); an empty list is an empty body. */
export function encodeDecisions(list: DecisionRecord[], now: number): Buffer {
  const parts: Writer[] = [];
  encodeList(T.listDecisions, list, now, parts);
  return concat(parts);
}

// ---- decoder (bouncer side; not a hot path) ----

interface DecodedDecision {
  id?: number | protobuf.Long | null;
  uuidRaw?: Uint8Array | null;
  uuid?: string | null;
  origin?: string | null;
  type?: string | null;
  scope?: string | null;
  scenario?: string | null;
  ip?: Uint8Array | null;
  value?: string | null;
  prefixLen?: number | null;
  durationSeconds?: number | protobuf.Long | null;
}

function toNumber(v: number | protobuf.Long | null | undefined): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : protobuf.util.LongBits.from(v).toNumber(v.unsigned);
}

function formatUuid(b: Uint8Array): string {
  const h = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function addressText(ip: Uint8Array, prefixLen: number | null | undefined, scope: string): string {
  if (ip.length !== 4 && ip.length !== 16) throw new Error(`ip of ${ip.length} bytes (expected 4 or 16)`);
  const family = ip.length === 4 ? 4 : 6;
  const full = family === 4 ? 32 : 128;
  const prefix = prefixLen ?? full;
  if (prefix > full) throw new Error(`prefix_len ${prefix} too long for an IPv${family} address`);
  const text = formatIpRange({ family, bytes: ip, prefix });
  return scope === 'Range' && prefix === full ? `${text}/${full}` : text;
}

const has = (m: object, field: string): boolean => Object.prototype.hasOwnProperty.call(m, field);

/** A field present on the wire (protobufjs leaves absent fields on the prototype, with defaults). */
function present<K extends keyof DecodedDecision>(m: DecodedDecision, field: K): NonNullable<DecodedDecision[K]> | undefined {
  const v = has(m, field) ? m[field] : undefined;
  return v === null || v === undefined ? undefined : (v as NonNullable<DecodedDecision[K]>);
}

function decodeList(list: DecodedDecision[] | undefined, what: string): WireDecision[] {
  const out: WireDecision[] = [];
  if (!list) return out;
  let origin: string | undefined, type: string | undefined, scope: string | undefined, scenario: string | undefined;
  for (let i = 0; i < list.length; i++) {
    const m = list[i]!;
    origin = present(m, 'origin') ?? origin;
    type = present(m, 'type') ?? type;
    scope = present(m, 'scope') ?? scope;
    scenario = present(m, 'scenario') ?? scenario;
    if (origin === undefined || type === undefined || scope === undefined || scenario === undefined) {
      throw new Error(`${what}[${i}]: origin/type/scope/scenario missing and not set by an earlier decision`);
    }
    const ip = present(m, 'ip');
    let value: string;
    if (ip !== undefined) {
      try { value = addressText(ip, present(m, 'prefixLen'), scope); } catch (e) { throw new Error(`${what}[${i}]: ${(e as Error).message}`); }
    } else {
      value = present(m, 'value') ?? '';
    }
    const raw = present(m, 'uuidRaw');
    out.push({
      id: toNumber(m.id),
      uuid: raw !== undefined ? (raw.length === 16 ? formatUuid(raw) : badUuid(what, i, raw)) : present(m, 'uuid') ?? '',
      origin, type, scope, value, scenario,
      durationSeconds: toNumber(m.durationSeconds),
    });
  }
  return out;
}

function badUuid(what: string, i: number, b: Uint8Array): never {
  throw new Error(`${what}[${i}]: uuid_raw of ${b.length} bytes (expected 16)`);
}

function decodeMessage(type: protobuf.Type, buf: Uint8Array): Record<string, unknown> {
  return type.decode(buf) as unknown as Record<string, unknown>;
}

/** Decodes a DecisionStream body; throws ProtobufDecodeError on a corrupt or inconsistent buffer. */
export function decodeStream(buf: Uint8Array): { new: WireDecision[]; deleted: WireDecision[] } {
  try {
    const m = decodeMessage(StreamType, buf);
    return {
      new: decodeList(m.new as DecodedDecision[] | undefined, 'new'),
      deleted: decodeList(m.deleted as DecodedDecision[] | undefined, 'deleted'),
    };
  } catch (e) {
    throw new ProtobufDecodeError('DecisionStream', buf.length, (e as Error).message);
  }
}

/** Decodes a DecisionList body (an empty body is an empty list). */
export function decodeDecisions(buf: Uint8Array): WireDecision[] {
  try {
    const m = decodeMessage(ListType, buf);
    return decodeList(m.decisions as DecodedDecision[] | undefined, 'decisions');
  } catch (e) {
    throw new ProtobufDecodeError('DecisionList', buf.length, (e as Error).message);
  }
}
