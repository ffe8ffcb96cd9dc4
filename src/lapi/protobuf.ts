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

/** Bytes of a typical decision, to size the first buffer (grows by doubling when short). */
const ESTIMATE_PER_DECISION = 40;

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

class Writer {
  buf: Buffer;
  pos = 0;
  // last strings written in the current list (inheritance of origin/type/scope/scenario)
  private origin: string | null = null;
  private type: string | null = null;
  private scope: string | null = null;
  private scenario: string | null = null;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
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
    if (u.length === 36) {
      this.ensure(18);
      const b = this.buf;
      const start = this.pos;
      let p = start + 2;
      let ok = true;
      for (let i = 0; i < 36; i++) {
        if (i === 8 || i === 13 || i === 18 || i === 23) {
          if (u.charCodeAt(i) !== 45) { ok = false; break; }
          continue;
        }
        const hi = hexNibble(u.charCodeAt(i));
        const lo = hexNibble(u.charCodeAt(i + 1));
        if (hi < 0 || lo < 0) { ok = false; break; }
        b[p++] = (hi << 4) | lo;
        i++;
      }
      if (ok) {
        b[start] = T.uuidRaw;
        b[start + 1] = 16;
        this.pos = p;
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
    b.set(r.bytes.subarray(0, len), this.pos + 2);
    this.pos += len + 2;
    if (r.prefix !== (len === 4 ? 32 : 128)) {
      b[this.pos] = T.prefixLen;
      b[this.pos + 1] = r.prefix; // <= 128: one byte
      this.pos += 2;
    }
  }

  startList(): void {
    this.origin = this.type = this.scope = this.scenario = null;
  }

  decision(tag: number, d: DecisionRecord, now: number): void {
    this.ensure(64); // tag, length, id, uuid, address and duration; strings ensure their own room
    this.buf[this.pos] = tag;
    const lenAt = this.pos + 1;
    this.pos += 2; // one length byte reserved; moved if the body needs more
    const start = this.pos;
    if (d.id > 0) { this.ensure(11); this.buf[this.pos++] = T.id; this.varint(d.id); }
    this.uuid(d.uuid);
    if (d.origin !== this.origin) { this.string(T.origin, d.origin); this.origin = d.origin; }
    if (d.type !== this.type) { this.string(T.type, d.type); this.type = d.type; }
    if (d.scope !== this.scope) { this.string(T.scope, d.scope); this.scope = d.scope; }
    if (d.scenario !== this.scenario) { this.string(T.scenario, d.scenario); this.scenario = d.scenario; }
    if (d.range !== null && (d.scope === 'Ip' || d.scope === 'Range')) this.address(d.range);
    else this.string(T.value, d.value);
    const secs = roundToSeconds(d.until - now);
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

  /** Decisions sharing origin/type/scope/scenario are written together (id order kept inside a group). */
  list(tag: number, list: readonly DecisionRecord[], now: number): void {
    this.startList();
    const n = list.length;
    if (n === 0) return;
    const groups = groupByAttributes(list);
    if (groups === null) {
      for (let i = 0; i < n; i++) this.decision(tag, list[i]!, now);
      return;
    }
    for (const g of groups) for (let i = 0; i < g.length; i++) this.decision(tag, g[i]!, now);
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function sameAttributes(a: DecisionRecord, b: DecisionRecord): boolean {
  return a.scenario === b.scenario && a.origin === b.origin && a.type === b.type && a.scope === b.scope;
}

/** Groups in first-appearance order; null when the list is already one group per run (nothing to gain). */
function groupByAttributes(list: readonly DecisionRecord[]): DecisionRecord[][] | null {
  const byKey = new Map<string, DecisionRecord[]>();
  let runs = 1;
  let current: DecisionRecord[] = [list[0]!];
  byKey.set(attributeKey(list[0]!), current);
  for (let i = 1; i < list.length; i++) {
    const d = list[i]!;
    if (sameAttributes(d, list[i - 1]!)) { current.push(d); continue; }
    runs++;
    const key = attributeKey(d);
    let g = byKey.get(key);
    if (g === undefined) { g = []; byKey.set(key, g); }
    g.push(d);
    current = g;
  }
  return runs === byKey.size ? null : [...byKey.values()];
}

function attributeKey(d: DecisionRecord): string {
  return d.origin + '\u0000' + d.type + '\u0000' + d.scope + '\u0000' + d.scenario;
}

function sizeFor(n: number): number {
  return 64 + n * ESTIMATE_PER_DECISION;
}

/** Body of GET /v1/decisions/stream (message DecisionStream). */
export function encodeStream(r: StreamResult, now: number): Buffer {
  const w = new Writer(sizeFor(r.new.length + r.deleted.length));
  w.list(T.streamNew, r.new, now);
  w.list(T.streamDeleted, r.deleted, now);
  return w.finish();
}

/** Body of GET /v1/decisions (message DecisionList); an empty list is an empty body. */
export function encodeDecisions(list: DecisionRecord[], now: number): Buffer {
  const w = new Writer(sizeFor(list.length));
  w.list(T.listDecisions, list, now);
  return w.finish();
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

function toNumber(v: number | protobuf.Long | undefined): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function formatUuid(b: Uint8Array): string {
  const h = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function addressText(ip: Uint8Array, prefixLen: number | undefined, scope: string): string {
  if (ip.length !== 4 && ip.length !== 16) throw new Error(`ip of ${ip.length} bytes (expected 4 or 16)`);
  const family = ip.length === 4 ? 4 : 6;
  const full = family === 4 ? 32 : 128;
  const prefix = prefixLen ?? full;
  if (prefix > full) throw new Error(`prefix_len ${prefix} too long for an IPv${family} address`);
  const text = formatIpRange({ family, bytes: ip, prefix });
  return scope === 'Range' && prefix === full ? `${text}/${full}` : text;
}

function decodeList(list: DecodedDecision[] | undefined, what: string): WireDecision[] {
  const out: WireDecision[] = [];
  if (!list) return out;
  let origin: string | undefined, type: string | undefined, scope: string | undefined, scenario: string | undefined;
  for (let i = 0; i < list.length; i++) {
    const m = list[i]!;
    origin = m.origin ?? origin;
    type = m.type ?? type;
    scope = m.scope ?? scope;
    scenario = m.scenario ?? scenario;
    if (origin === undefined || type === undefined || scope === undefined || scenario === undefined) {
      throw new Error(`${what}[${i}]: origin/type/scope/scenario missing and not set by an earlier decision`);
    }
    let value: string;
    if (m.ip != null) {
      try { value = addressText(m.ip, m.prefixLen, scope); } catch (e) { throw new Error(`${what}[${i}]: ${(e as Error).message}`); }
    } else {
      value = m.value ?? '';
    }
    out.push({
      id: toNumber(m.id),
      uuid: m.uuidRaw != null ? (m.uuidRaw.length === 16 ? formatUuid(m.uuidRaw) : badUuid(what, i, m.uuidRaw)) : m.uuid ?? '',
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
