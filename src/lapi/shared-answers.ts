// Stream answers encoded once and sent to every bouncer that gets the same one (issue 11 §4). A large change
// lands in the next delta of every polling bouncer (1,000 bouncers x a 10,000-decision alert = 1,000 equal
// lists, src/store/decision-index.ts shares the list itself); the bytes of an answer depend on the list and, per
// decision, on its remaining duration in whole seconds at the request time. So an answer built from shared
// lists (isSharedList) is kept under (lists, format, remaining seconds of each distinct expiry) and reused by
// requests with the same key. Lists with too many distinct expiries (a full snapshot) are not shared: their
// answers would differ from one second to the next. Owns: the key, the kept answers and their bounds (bytes
// and age); not the encodings (the caller gives them).

import { roundToSeconds } from '../api/wire-time.js';
import { isSharedList } from '../store/decision-index.js';
import type { DecisionRecord, StreamResult } from '../store/records.js';

/** more distinct expiries than this in one answer: not shared (its bytes change too often) */
const MAX_DISTINCT_UNTILS = 32;
/** longer lists are not shared (their answer is written as it is made, ../paced.ts, not held whole) */
const MAX_SHARED_DECISIONS = 200_000;
/** bytes of kept answers; the oldest are dropped beyond */
const KEPT_BYTES = 64 * 1024 * 1024;
/** a kept answer older than this is dropped (a delta is asked for within a poll interval or two) */
const KEPT_MS = 10_000;

interface Kept {
  at: number;
  bytes: number;
  body: Promise<Buffer[]>;
}

/** the distinct expiries of a list, null when there are too many (computed once per shared list) */
const untilsOf = new WeakMap<readonly DecisionRecord[], number[] | null>();
function distinctUntils(list: readonly DecisionRecord[]): number[] | null {
  let u = untilsOf.get(list);
  if (u === undefined) {
    const seen = new Set<number>();
    for (let i = 0; i < list.length && seen.size <= MAX_DISTINCT_UNTILS; i++) seen.add(list[i]!.until);
    u = seen.size > MAX_DISTINCT_UNTILS ? null : [...seen];
    untilsOf.set(list, u);
  }
  return u;
}

/** a number per shared list (part of the key; the list itself is held by its producer) */
const listIds = new WeakMap<readonly DecisionRecord[], number>();
let nextListId = 1;
function listId(list: readonly DecisionRecord[]): number {
  let id = listIds.get(list);
  if (id === undefined) listIds.set(list, (id = nextListId++));
  return id;
}

export class SharedAnswers {
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /** the key of r's answer in `format` at `now`; null when it is not shared */
  private keyOf(r: StreamResult, now: number, format: string): string | null {
    // the common case (a small delta of lists made for this request) decided without allocating
    const n = r.new.length > 0;
    const d = r.deleted.length > 0;
    if ((!n && !d) || (n && !isSharedList(r.new)) || (d && !isSharedList(r.deleted))) return null;
    if (r.new.length + r.deleted.length > MAX_SHARED_DECISIONS) return null;
    let key = format;
    for (const l of n && d ? [r.new, r.deleted] : n ? [r.new] : [r.deleted]) {
      const untils = distinctUntils(l);
      if (untils === null) return null;
      key += ` ${l === r.new ? 'n' : 'd'}${listId(l)}:`;
      for (const u of untils) key += roundToSeconds(u - now) + ',';
    }
    return key;
  }

  /**
   * r's answer in `format` at `now`: the kept one when an equal answer was made (or is being made), else
   * `encode()`'s, kept for the next requests. Null when r's answer is not shared (the caller encodes it).
   */
  get(r: StreamResult, now: number, format: string, encode: () => Promise<Buffer[]>): Promise<Buffer[]> | null {
    const key = this.keyOf(r, now, format);
    if (key === null) return null;
    this.expire();
    const hit = this.kept.get(key);
    if (hit !== undefined) return hit.body;
    const entry: Kept = { at: this.clock(), bytes: 0, body: encode() };
    this.kept.set(key, entry);
    entry.body.then(
      (pieces) => {
        if (this.kept.get(key) !== entry) return;
        for (const p of pieces) entry.bytes += p.length;
        this.bytes += entry.bytes;
        this.expire();
      },
      () => {
        if (this.kept.get(key) === entry) this.kept.delete(key);
      },
    );
    return entry.body;
  }

  /** drops answers older than KEPT_MS, then the oldest while over KEPT_BYTES */
  private expire(): void {
    const old = this.clock() - KEPT_MS;
    for (const [k, e] of this.kept) {
      if (e.at >= old && this.bytes <= KEPT_BYTES) break;
      this.kept.delete(k);
      this.bytes -= e.bytes;
    }
  }

  /** answers kept (tests) */
  get size(): number {
    return this.kept.size;
  }
}
