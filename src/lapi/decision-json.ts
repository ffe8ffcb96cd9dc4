// Hand-written JSON for the bouncer routes (hot path): Decision objects of GET /v1/decisions and
// /v1/decisions/stream with exactly `duration`, `id`, `origin`, `scenario`, `scope`, `type`, `uuid`, `value`
// (spec lapi.md §5.1), durations as whole-second Go strings relative to the request time; and the UTF-8 size of
// such a body from the per-record cache (Buffer.byteLength of a freshly concatenated body had to flatten and scan
// it: ~1 µs of each live lookup, the largest item of Picket's own work per request).

import type { DecisionRecord, StreamResult } from '../store/records.js';
import { formatRemaining } from '../api/wire-time.js';

const q = JSON.stringify;

/** everything after the duration, per decision record: those fields never change (a soft delete only moves until) */
const tails = new WeakMap<DecisionRecord, string>();
/** records whose tail has characters outside ASCII (its UTF-8 size differs from its length) */
const wideTails = new WeakSet<DecisionRecord>();

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

export function decisionJSON(d: DecisionRecord, now: number): string {
  let tail = tails.get(d);
  if (tail === undefined) {
    tail =
      '","id":' +
      d.id +
      ',"origin":' +
      q(d.origin) +
      ',"scenario":' +
      q(d.scenario) +
      ',"scope":' +
      q(d.scope) +
      ',"type":' +
      q(d.type) +
      ',"uuid":' +
      q(d.uuid) +
      ',"value":' +
      q(d.value) +
      '}';
    tails.set(d, tail);
    if (!isAscii(tail)) wideTails.add(d);
  }
  return '{"duration":"' + formatRemaining(d.until, now) + tail;
}

/** `[{…},…]`, or `emptyAs` for an empty list (`null` for the live route, `[]` in the stream). */
export function decisionsArrayJSON(list: readonly DecisionRecord[], now: number, emptyAs: string): string {
  const n = list.length;
  if (n === 0) return emptyAs;
  let s = '[' + decisionJSON(list[0], now);
  for (let i = 1; i < n; i++) s += ',' + decisionJSON(list[i], now);
  return s + ']';
}

/**
 * UTF-8 byte length of `body`, the text decisionsArrayJSON(list, …) just returned: its length when every record's
 * cached fields are ASCII (durations, ids and the JSON punctuation always are), else Buffer.byteLength.
 */
export function decisionsArrayBytes(list: readonly DecisionRecord[], body: string): number {
  for (let i = 0; i < list.length; i++) {
    const d = list[i];
    if (wideTails.has(d) || !tails.has(d)) return Buffer.byteLength(body);
  }
  return body.length;
}

/** `{"new":[…],"deleted":[…]}` with `[]` for empty lists, `new` first (current CrowdSec). */
export function streamJSON(r: StreamResult, now: number): string {
  return (
    '{"new":' + decisionsArrayJSON(r.new, now, '[]') + ',"deleted":' + decisionsArrayJSON(r.deleted, now, '[]') + '}'
  );
}

/**
 * The same text as streamJSON, in pieces of at most `per` decisions, each made when asked for (a large snapshot
 * is written a piece at a time instead of as one string): concatenated they are exactly streamJSON(r, now).
 */
export function* streamJSONPieces(r: StreamResult, now: number, per: number): Generator<string, void> {
  yield* listPieces('{"new":', r.new, now, per, '[]');
  yield* listPieces(',"deleted":', r.deleted, now, per, '[]');
  yield '}';
}

/** decisionsArrayJSON(list, now, emptyAs) in pieces of at most `per` decisions */
export function decisionsArrayPieces(
  list: readonly DecisionRecord[],
  now: number,
  emptyAs: string,
  per: number,
): Generator<string, void> {
  return listPieces('', list, now, per, emptyAs);
}

function* listPieces(
  prefix: string,
  list: readonly DecisionRecord[],
  now: number,
  per: number,
  emptyAs: string,
): Generator<string, void> {
  const n = list.length;
  if (n === 0) {
    yield prefix + emptyAs;
    return;
  }
  for (let i = 0; i < n; i += per) {
    const end = Math.min(n, i + per);
    // joined, not concatenated: one flat string (a rope of thousands of parts is slow to encode)
    const parts = new Array<string>(end - i);
    for (let k = i; k < end; k++) parts[k - i] = decisionJSON(list[k], now);
    const s = (i === 0 ? prefix + '[' : ',') + parts.join(',');
    yield end === n ? s + ']' : s;
  }
}
