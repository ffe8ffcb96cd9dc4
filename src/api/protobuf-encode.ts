// Encoder of the bouncer routes' protobuf bodies (`application/x-protobuf`, schema src/api/proto/decisions.proto):
// encodeStream / encodeDecisions, used by the Local API. Owns: addresses as raw bytes + prefix length, canonical
// UUIDs as 16 raw bytes, origin/type/scope/scenario sent only when they change within a list (decisions sharing
// them are grouped). It is on the stream endpoint's hot path (the size and speed goals of bench/RESULTS.md
// "Bouncer stream body"): hand-written writers into growing Buffers, no object per decision, field tags from the
// .proto (./protobuf-schema.ts).

import { roundToSeconds } from './wire-time.js';
import { T, type EncodableDecision, type WireAddress } from './protobuf-schema.js';

/** The two lists of a stream answer. */
export interface EncodableStream {
  new: readonly EncodableDecision[];
  deleted: readonly EncodableDecision[];
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
  constructor(size: number, previous: EncodableDecision | null) {
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
    while (v > 0x7fffffff) {
      b[p++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
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
    if (
      u.length === 36 &&
      u.charCodeAt(8) === 45 &&
      u.charCodeAt(13) === 45 &&
      u.charCodeAt(18) === 45 &&
      u.charCodeAt(23) === 45
    ) {
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

  address(r: WireAddress): void {
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

  decision(tag: number, d: EncodableDecision, now: number): void {
    this.ensure(64); // tag, length, id, uuid, address and duration; strings ensure their own room
    this.buf[this.pos] = tag;
    const lenAt = this.pos + 1;
    this.pos += 2; // one length byte reserved; moved if the body needs more
    const start = this.pos;
    if (d.id > 0 && d.id <= Number.MAX_SAFE_INTEGER) {
      this.ensure(11);
      this.buf[this.pos++] = T.id;
      this.varint(d.id);
    }
    this.uuid(d.uuid);
    if (d.origin !== this.origin) {
      this.string(T.origin, d.origin);
      this.origin = d.origin;
    }
    if (d.type !== this.type) {
      this.string(T.type, d.type);
      this.type = d.type;
    }
    if (d.scope !== this.scope) {
      this.string(T.scope, d.scope);
      this.scope = d.scope;
    }
    if (d.scenario !== this.scenario) {
      this.string(T.scenario, d.scenario);
      this.scenario = d.scenario;
    }
    if (d.range !== null && (d.scope === 'Ip' || d.scope === 'Range')) this.address(d.range);
    else this.string(T.value, d.value);
    let secs = roundToSeconds(d.until - now);
    if (!(secs >= -MAX_SECONDS && secs <= MAX_SECONDS)) {
      secs = secs > 0 ? MAX_SECONDS : secs < 0 ? -MAX_SECONDS : 0; // NaN -> 0
    }
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

function sameAttributes(a: EncodableDecision, b: EncodableDecision): boolean {
  return a.scenario === b.scenario && a.origin === b.origin && a.type === b.type && a.scope === b.scope;
}

/** Up to this many distinct groups are found by a linear scan; beyond, by a Map on a joined key. */
const LINEAR_GROUPS = 16;
/** First buffer of a group's writer (grows by doubling). */
const GROUP_START_BYTES = 1 << 16;

function attributeKey(d: EncodableDecision): string {
  return d.origin + '\u0000' + d.type + '\u0000' + d.scope + '\u0000' + d.scenario;
}

/**
 * Writes one list (`tag` = its field in the enclosing message): one Writer per (origin, type, scope, scenario)
 * group, filled in a single sequential pass over `list` (so groups come out contiguous, in order of first
 * appearance, id order inside a group); the writers are appended to `out`. A generator that pauses (yields)
 * after every `per` decisions, so a large list can be encoded a slice at a time (see encodeStreamSteps).
 */
function* encodeList(
  tag: number,
  list: readonly EncodableDecision[],
  now: number,
  out: Writer[],
  per: number,
): Generator<void, void> {
  const n = list.length;
  if (n === 0) return;
  const reps: EncodableDecision[] = [];
  const writers: Writer[] = [];
  let byKey: Map<string, number> | null = null;
  let w: Writer | null = null;
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % per === 0) yield;
    const d = list[i]!;
    if (w === null || !sameAttributes(d, list[i - 1]!)) {
      let g = -1;
      if (byKey === null) {
        for (let k = 0; k < reps.length; k++)
          if (sameAttributes(d, reps[k]!)) {
            g = k;
            break;
          }
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

/** Runs a step generator to its end in one go. */
function finish<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
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
  for (const p of parts) {
    p.buf.copy(out, at, 0, p.pos);
    at += p.pos;
  }
  return out;
}

/**
 * Body of GET /v1/decisions/stream (message DecisionStream), encoded `per` decisions at a time: the generator
 * pauses after each slice (the caller may let other work run) and returns the body, byte-identical to
 * encodeStream's.
 */
export function* encodeStreamSteps(r: EncodableStream, now: number, per: number): Generator<void, Buffer> {
  const parts: Writer[] = [];
  yield* encodeList(T.streamNew, r.new, now, parts, per);
  yield* encodeList(T.streamDeleted, r.deleted, now, parts, per);
  return concat(parts);
}

/** Body of GET /v1/decisions/stream (message DecisionStream). */
export function encodeStream(r: EncodableStream, now: number): Buffer {
  return finish(encodeStreamSteps(r, now, Infinity));
}

/** Body of GET /v1/decisions (message DecisionList), `per` decisions at a time (as encodeStreamSteps). */
export function* encodeDecisionsSteps(
  list: readonly EncodableDecision[],
  now: number,
  per: number,
): Generator<void, Buffer> {
  const parts: Writer[] = [];
  yield* encodeList(T.listDecisions, list, now, parts, per);
  return concat(parts);
}

/** Body of GET /v1/decisions (message DecisionList); an empty list is an empty body. */
export function encodeDecisions(list: readonly EncodableDecision[], now: number): Buffer {
  return finish(encodeDecisionsSteps(list, now, Infinity));
}
