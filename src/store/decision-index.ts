// The in-memory index of decisions behind every bouncer read (spec lapi.md §5, §7): the live query, the
// stream snapshot and the stream delta are answered from here, never from LMDB. Owns:
//  - `byId` (id -> entry; Map insertion order is id order), the address index (Ip/Range decisions, a radix
//    tree over their intervals) and `byValue` (exact `value=` lookups, any scope; also where the
//    "longest until wins" de-duplication finds the rows sharing a decision's (scope, type, value));
//  - `byUntil`: decisions bucketed by expiry time (10 s buckets), so "expired in (L-2s, now]" visits only
//    the buckets of that window — natural expiries and soft deletions (until := now) alike;
//  - the change log: `created` (entries in the order they became visible here) and `changes` (expiry changes,
//    i.e. soft deletions, in the order they were applied), each stamped with the time it was applied
//    (monotonic). A delta keys on these stamps, not on the stored created_at: a decision committed before a
//    poll started but applied to the index after it (a commit in flight, a write of another process picked
//    up by the catch-up timer) is still delivered by the next poll.
// It holds every active decision plus the expired ones the store keeps within its retention window
// (`evictExpired` drops older ones). A large write applied in chunks is indexed `pending` (invisible to every
// read) and made visible at once by `publish`. Records handed out are shared, never mutated: an update replaces the
// record object.

import type { DecisionRecord, IpRange, StreamResult } from './records.js';
import { matchesAttributes, type CompiledDecisionFilter, type IndexedDecision } from './decision-filter.js';
import { ipRangeContains } from './iprange.js';

/** Interval index of Ip/Range decisions (implemented by `RadixIndex` of src/store/radix.ts). */
export interface AddressIndex {
  insert(id: number, r: IpRange): void;
  remove(id: number, r: IpRange): boolean;
  /** pushes the ids of entries whose interval contains r (same family); returns how many */
  containing(r: IpRange, out: number[]): number;
  /** pushes the ids of entries lying inside r (same family); returns how many */
  within(r: IpRange, out: number[]): number;
  readonly size: number;
  clear(): void;
}

/** overlap of the delta's deleted window: decisions with until in (lastPull - 2 s, now] (spec §5.1) */
export const DELETED_OVERLAP_MS = 2000;
const BUCKET_MS = 10_000;

interface Entry extends IndexedDecision {
  /** dropped from the index (the creation log keeps dead entries until compaction) */
  removed: boolean;
  /** indexed but not visible yet: part of a write in chunks not published yet (see publish) */
  pending: boolean;
  /** when the decision became visible in this index */
  visibleAt: number;
}

/**
 * Lists handed out to several requests unchanged (a shared delta's `new`): answers encoded from one of them at
 * equal remaining durations are equal, so they may be shared (src/lapi/shared-answers.ts).
 */
const sharedLists = new WeakSet<readonly DecisionRecord[]>();
export function isSharedList(list: readonly DecisionRecord[]): boolean {
  return sharedLists.has(list);
}

/** a delta's `new` candidates from which the computed list is shared between bouncers (sharedNew) */
const SHARED_DELTA_MIN = 256;
/** shared delta lists kept (filters x log positions of the last changes) */
const SHARED_DELTAS_KEPT = 16;
/** shared `deleted` lists and until-bucket lists kept (filters x windows of the last polls) */
const SHARED_DELETED_KEPT = 64;

/** how long soft deletions stay in `changes` (a delta covers them from the until buckets afterwards) */
const CHANGE_WINDOW_MS = 10 * 60_000;

/** what an index selection keeps, by expiry */
const enum Keep {
  Live,
  Active,
  All,
}

function byIdAsc(a: DecisionRecord, b: DecisionRecord): number {
  return a.id - b.id;
}

function byUntilThenId(a: DecisionRecord, b: DecisionRecord): number {
  return a.until - b.until || a.id - b.id;
}

/** what a delta's `deleted` covers: until buckets of (lo, now], and soft deletions from `lateFrom` in `changes` */
interface DeletedWindow {
  buckets: [number, Set<number>][];
  lateFrom: number;
  lo: number;
  now: number;
}

/** sorts by id unless already sorted (selections mostly come out in id order) */
function sortById(rs: DecisionRecord[]): void {
  for (let i = 1; i < rs.length; i++) {
    if (rs[i - 1].id > rs[i].id) {
      rs.sort(byIdAsc);
      return;
    }
  }
}

export class DecisionIndex {
  /** bumped by every change of the indexed records (a startup snapshot computed at one version stays valid) */
  version = 0;
  private readonly byId = new Map<number, Entry>();
  private readonly byValue = new Map<string, IdGroup>();
  private readonly byUntil = new Map<number, Set<number>>();
  private created: Entry[] = [];
  private createdDead = 0;
  private changes: Entry[] = [];
  private changedAt: number[] = [];
  /** last stamp given (stamps never go backwards) */
  private lastStamp = -Infinity;
  /** large delta `new` lists by filter key and log position, valid at one version (see sharedNew) */
  private readonly sharedDeltas = new VersionCache<{ list: DecisionRecord[]; minUntil: number }>(SHARED_DELTAS_KEPT);
  /** until-bucket lists and large delta `deleted` lists, valid at one version (see sharedDeleted) */
  private readonly sharedGone = new VersionCache<DecisionRecord[]>(SHARED_DELETED_KEPT);
  /** per filter: every listable soft deletion of `changes` with its last position, at one version (lateSince) */
  private readonly lateMasters = new VersionCache<{ list: DecisionRecord[]; last: number[] }>(SHARED_DELTAS_KEPT);

  constructor(private readonly addresses: AddressIndex) {}

  get size(): number {
    return this.byId.size;
  }

  /** entries of the address index (Ip/Range decisions) */
  get addressEntries(): number {
    return this.addresses.size;
  }

  get(id: number): DecisionRecord | undefined {
    const e = this.byId.get(id);
    return e === undefined || e.pending ? undefined : e.rec;
  }

  /**
   * Adds a decision, or replaces the record of a known id (an expiry change moves it between buckets and
   * is logged in `changes`). `at`: the time of the change for stream deltas (the store passes its clock;
   * when rebuilding, the stored created_at). `pending`: a new decision indexed but invisible to every read until
   * `publish` (a large write applied in chunks appears at once).
   */
  upsert(rec: DecisionRecord, at: number, pending = false): void {
    this.version++;
    const stamp = at > this.lastStamp ? at : this.lastStamp;
    this.lastStamp = stamp;
    const old = this.byId.get(rec.id);
    if (old) {
      const o = old.rec;
      if (
        o.value === rec.value &&
        o.scope === rec.scope &&
        o.type === rec.type &&
        o.createdAt === rec.createdAt &&
        sameRange(o.range, rec.range)
      ) {
        if (old.rec.until !== rec.until) {
          this.unbucket(rec.id, old.rec.until);
          this.bucket(rec.id, rec.until);
          this.logChange(old, stamp);
        }
        old.rec = rec;
        return;
      }
      this.remove(rec.id);
    }
    const e: Entry = {
      rec,
      scenarioLower: lowerScenario(rec.scenario),
      removed: false,
      pending,
      visibleAt: stamp,
    };
    this.byId.set(rec.id, e);
    addToGroup(this.byValue, rec.value, rec.id);
    this.bucket(rec.id, rec.until);
    if (rec.range) this.addresses.insert(rec.id, rec.range);
    if (!pending) this.created.push(e); // stamps are monotonic: the log stays ordered
  }

  /**
   * Makes pending decisions visible, all in this one call (readers see none or all of them), as made visible
   * at `at` for stream deltas; returns how many were pending.
   */
  publish(ids: Iterable<number>, at: number): number {
    this.version++;
    const stamp = at > this.lastStamp ? at : this.lastStamp;
    this.lastStamp = stamp;
    let n = 0;
    for (const id of ids) {
      const e = this.byId.get(id);
      if (e === undefined || !e.pending) continue;
      e.pending = false;
      e.visibleAt = stamp;
      this.created.push(e);
      n++;
    }
    return n;
  }

  private logChange(e: Entry, stamp: number): void {
    const at = this.changedAt;
    if (at.length >= 256 && at[0] < stamp - CHANGE_WINDOW_MS) {
      const cut = firstAtOrAfter(at, stamp - CHANGE_WINDOW_MS);
      this.changes.splice(0, cut);
      at.splice(0, cut);
    }
    this.changes.push(e);
    at.push(stamp);
  }

  remove(id: number): boolean {
    const e = this.byId.get(id);
    if (!e) return false;
    this.version++;
    this.byId.delete(id);
    removeFromGroup(this.byValue, e.rec.value, id);
    this.unbucket(id, e.rec.until);
    if (e.rec.range) this.addresses.remove(id, e.rec.range);
    e.removed = true;
    this.createdDead++;
    if (e.pending) this.createdDead--; // never in the creation log
    if (this.createdDead > 1024 && this.createdDead * 2 > this.created.length) {
      this.created = this.created.filter((x) => !x.removed);
      this.createdDead = 0;
    }
    return true;
  }

  clear(): void {
    this.version++;
    this.byId.clear();
    this.byValue.clear();
    this.byUntil.clear();
    this.addresses.clear();
    this.created = [];
    this.createdDead = 0;
    this.changes = [];
    this.changedAt = [];
    this.lastStamp = -Infinity;
    this.sharedDeltas.clear();
    this.sharedGone.clear();
    this.lateMasters.clear();
  }

  /** drops decisions that expired before `before`; returns how many */
  evictExpired(before: number): number {
    const last = Math.floor(before / BUCKET_MS);
    let n = 0;
    for (const [b, ids] of this.byUntil) {
      if (b > last) continue;
      for (const id of ids) {
        const e = this.byId.get(id);
        if (e && e.rec.until < before && this.remove(id)) n++;
      }
    }
    return n;
  }

  /** GET /v1/decisions: decisions with until >= now matching c, id ascending, no de-duplication */
  live(c: CompiledDecisionFilter, now: number): DecisionRecord[] {
    if (c.range === null) return this.records(this.select(c, now, Keep.Live));
    // the hot path (?ip=): radix ids straight into the result, no intermediate array
    const out: DecisionRecord[] = [];
    // a fresh array: cheaper in V8 than emptying a kept one (the length setter is a slow path)
    const ids: number[] = [];
    const n = c.contains ? this.addresses.containing(c.range, ids) : this.addresses.within(c.range, ids);
    if (n === 0) return out;
    let sorted = true;
    for (let i = 0; i < n; i++) {
      const e = this.byId.get(ids[i]);
      if (e === undefined || e.pending || e.rec.until < now || !matchesAttributes(c, e)) continue;
      if (out.length > 0 && out[out.length - 1].id > e.rec.id) sorted = false;
      out.push(e.rec);
    }
    return sorted ? out : out.sort(byIdAsc);
  }

  /** ids of the active decisions (until > now) matching c (what a soft delete expires), id ascending */
  activeIds(c: CompiledDecisionFilter, now: number): number[] {
    const hits = this.select(c, now, Keep.Active);
    const ids = new Array<number>(hits.length);
    for (let i = 0; i < hits.length; i++) ids[i] = hits[i].rec.id;
    return ids.sort((a, b) => a - b);
  }

  /**
   * Stream snapshot: `new` = active (until > now) matches, `deleted` = known expired (until <= now) matches.
   * With dedup, per (scope, type, value) only the rows with the greatest until among the *filtered* rows
   * are kept (the sane deviation of spec §7.3: CrowdSec searches the partner over the whole table,
   * ignoring the request's filters and the simulated flag); rows tied on until are all kept.
   */
  startup(c: CompiledDecisionFilter, now: number, dedup: boolean): StreamResult {
    const hits = this.select(c, now, Keep.All);
    const out: StreamResult = { new: [], deleted: [] };
    for (let i = 0; i < hits.length; i++) {
      const e = hits[i];
      if (dedup && !this.isLongest(c, e)) continue;
      if (e.rec.until > now) out.new.push(e.rec);
      else out.deleted.push(e.rec);
    }
    sortById(out.new);
    sortById(out.deleted);
    return out;
  }

  /**
   * Stream delta since `lastPull` (spec §5.1): `new` = still active and made visible here at or after
   * lastPull (CrowdSec: created_at > L; a decision committed just before L but applied just after it would
   * be lost, a repeat is harmless); `deleted` = until in (lastPull - 2 s, now], plus soft deletions applied
   * at or after lastPull whatever their until (a deletion whose pickup took more than the 2 s overlap). With
   * dedup a row is kept only if no filtered row of its (scope, type, value) has a later until (same sane
   * deviation as `startup`). A null lastPull is a snapshot.
   */
  delta(c: CompiledDecisionFilter, lastPull: number | null, now: number, dedup: boolean, key?: string): StreamResult {
    if (lastPull === null) return this.startup(c, now, dedup);
    const from = this.firstVisibleFrom(lastPull);
    const out: StreamResult = {
      new:
        key !== undefined && this.created.length - from >= SHARED_DELTA_MIN
          ? this.sharedNew(c, from, now, dedup, key)
          : this.freshSince(c, from, now, dedup),
      deleted: [],
    };
    const lo = lastPull - DELETED_OVERLAP_MS;
    const buckets = this.bucketsOf(lo, now);
    const lateFrom = firstAtOrAfter(this.changedAt, lastPull);
    let candidates = this.changes.length - lateFrom;
    for (const [, ids] of buckets) candidates += ids.size;
    out.deleted =
      key !== undefined && candidates >= SHARED_DELTA_MIN
        ? this.sharedDeleted(c, { buckets, lateFrom, lo, now }, dedup, key)
        : this.deletedSince(c, { buckets, lateFrom, lo, now }, dedup);
    return out;
  }

  /**
   * A delta's `deleted`: the window's expiries (until in (lo, now]), plus late soft deletions (applied at or
   * after the last pull, `lateFrom` in `changes`, whatever their until: a deletion whose pickup took more than
   * the 2 s overlap), id ascending.
   */
  private deletedSince(c: CompiledDecisionFilter, w: DeletedWindow, dedup: boolean): DecisionRecord[] {
    const out: DecisionRecord[] = [];
    for (const [, ids] of w.buckets) this.collectDeleted(c, ids, w.lo, w.now, dedup, out);
    // late soft deletions: until at or before the window (those inside it are already collected)
    const changes = this.changes;
    let late: Set<number> | null = null;
    for (let i = w.lateFrom; i < changes.length; i++) {
      const e = changes[i];
      const u = e.rec.until;
      if (e.removed || e.pending || u > w.lo || (late !== null && late.has(e.rec.id))) continue;
      if (this.streamable(c, e) && (!dedup || this.isLongest(c, e))) {
        out.push(e.rec);
        (late ??= new Set()).add(e.rec.id);
      }
    }
    sortById(out);
    return out;
  }

  /** the until buckets that may hold expiries in (lo, now], in bucket order */
  private bucketsOf(lo: number, now: number): [number, Set<number>][] {
    const out: [number, Set<number>][] = [];
    const first = Math.floor(lo / BUCKET_MS);
    const last = Math.floor(now / BUCKET_MS);
    if (last - first + 1 <= this.byUntil.size) {
      for (let b = first; b <= last; b++) {
        const ids = this.byUntil.get(b);
        if (ids !== undefined) out.push([b, ids]);
      }
    } else {
      for (const [b, ids] of this.byUntil) if (b >= first && b <= last) out.push([b, ids]);
    }
    return out;
  }

  /**
   * deletedSince for a large change, computed once and shared by the bouncers whose windows hold the same
   * entries, with the same filter (`key`), while the index is unchanged (issue 11 §4: a mass deletion lands in
   * every polling bouncer's next delta). Each until bucket's matching entries, and the late soft deletions from
   * each change-log position (those of one commit share a stamp, so polls start from few positions), are
   * listed once per version, ordered by until; a window takes a slice of each (binary search on until: (lo, now]
   * of a bucket, up to lo of the late ones) and the union of equal slices, id ascending, is one shared array:
   * exactly the entries deletedSince gives, in the same order.
   */
  private sharedDeleted(c: CompiledDecisionFilter, w: DeletedWindow, dedup: boolean, key: string): DecisionRecord[] {
    const k = key + (dedup ? ' ' : ' nodedup ');
    const parts: DecisionRecord[][] = [];
    let which = k + 'deleted';
    const take = (list: DecisionRecord[], from: number, to: number, name: string): void => {
      if (from >= to) return;
      parts.push(from === 0 && to === list.length ? list : list.slice(from, to));
      which += ` ${name}:${from}-${to}`;
    };
    for (const [b, ids] of w.buckets) {
      const list = this.sharedList(k + 'bucket ' + b, () => this.bucketEntries(c, ids, dedup));
      take(list, firstUntilAbove(list, w.lo), firstUntilAbove(list, w.now), `b${b}`);
    }
    if (w.lateFrom < this.changes.length) {
      const late = this.sharedList(k + 'late ' + w.lateFrom, () =>
        this.changes.length - w.lateFrom >= SHARED_DELTA_MIN
          ? this.lateSince(c, w.lateFrom, dedup, k)
          : this.lateEntries(c, w.lateFrom, dedup),
      );
      take(late, 0, firstUntilAbove(late, w.lo), `late${w.lateFrom}`);
    }
    return this.sharedList(which, () => {
      const out = parts.length === 1 ? parts[0]!.slice() : ([] as DecisionRecord[]).concat(...parts);
      sortById(out);
      return out;
    });
  }

  /** the soft deletions from `changes[from]` on that a delta with filter c may list as deleted, by until then id */
  private lateEntries(c: CompiledDecisionFilter, from: number, dedup: boolean): DecisionRecord[] {
    const out: DecisionRecord[] = [];
    const seen = new Set<number>();
    for (let i = from; i < this.changes.length; i++) {
      const e = this.changes[i];
      if (e.removed || e.pending || seen.has(e.rec.id)) continue;
      seen.add(e.rec.id);
      if (this.streamable(c, e) && (!dedup || this.isLongest(c, e))) out.push(e.rec);
    }
    return out.sort(byUntilThenId);
  }

  /**
   * lateEntries for a long tail of `changes` (a mass deletion applied over several commits: polls start from as
   * many positions): taken from one list per version of every soft deletion in `changes` that the filter may
   * list, by until then id, each with the position of its last change — an entry is in the tail from `from`
   * when its last change is — so the filter and the de-duplication run once per version, not per position
   */
  private lateSince(c: CompiledDecisionFilter, from: number, dedup: boolean, k: string): DecisionRecord[] {
    let m = this.lateMasters.get(k, this.version);
    if (m === undefined) {
      const lastAt = new Map<Entry, number>();
      for (let i = 0; i < this.changes.length; i++) lastAt.set(this.changes[i], i);
      const listed: Entry[] = [];
      for (const e of lastAt.keys()) {
        if (!e.removed && !e.pending && this.streamable(c, e) && (!dedup || this.isLongest(c, e))) listed.push(e);
      }
      listed.sort((a, b) => byUntilThenId(a.rec, b.rec));
      m = { list: listed.map((e) => e.rec), last: listed.map((e) => lastAt.get(e)!) };
      this.lateMasters.keep(k, this.version, m);
    }
    const out: DecisionRecord[] = [];
    for (let j = 0; j < m.list.length; j++) if (m.last[j]! >= from) out.push(m.list[j]!);
    return out;
  }

  /** the entries of one until bucket that a delta with filter c may list as deleted, by until then id */
  private bucketEntries(c: CompiledDecisionFilter, ids: Set<number>, dedup: boolean): DecisionRecord[] {
    const out: DecisionRecord[] = [];
    for (const id of ids) {
      const e = this.byId.get(id)!;
      if (!e.pending && this.streamable(c, e) && (!dedup || this.isLongest(c, e))) out.push(e.rec);
    }
    return out.sort(byUntilThenId);
  }

  /** the list kept under `k` at this index version, else `make()`'s, kept (SHARED_DELETED_KEPT at most) */
  private sharedList(k: string, make: () => DecisionRecord[]): DecisionRecord[] {
    const hit = this.sharedGone.get(k, this.version);
    if (hit !== undefined) return hit;
    const list = make();
    sharedLists.add(list);
    this.sharedGone.keep(k, this.version, list);
    return list;
  }

  /** a delta's `new` from the creation log position `from`: still active, streamable, longest, id ascending */
  private freshSince(c: CompiledDecisionFilter, from: number, now: number, dedup: boolean): DecisionRecord[] {
    const out: DecisionRecord[] = [];
    const created = this.created;
    for (let i = from; i < created.length; i++) {
      const e = created[i];
      if (e.removed || e.rec.until <= now) continue;
      if (this.streamable(c, e) && (!dedup || this.isLongest(c, e))) out.push(e.rec);
    }
    sortById(out);
    return out;
  }

  /**
   * freshSince for a large change, computed once and shared by the bouncers asking for the same log position
   * with the same filter (`key`) while the index is unchanged: the list of one version is exactly what each of
   * them would compute, once the entries expired since are left out (issue 11 §4: 1,000 bouncers polling one
   * second apart all get the same 10,000-decision delta). The same array is handed out while nothing in it
   * expired, so answers encoded from it can be shared too (src/lapi/shared-answers.ts).
   */
  private sharedNew(
    c: CompiledDecisionFilter,
    from: number,
    now: number,
    dedup: boolean,
    key: string,
  ): DecisionRecord[] {
    const k = key + (dedup ? ' ' : ' nodedup ') + from;
    let hit = this.sharedDeltas.get(k, this.version);
    if (hit === undefined) {
      const list = this.freshSince(c, from, -Infinity, dedup);
      let minUntil = Infinity;
      for (const r of list) if (r.until < minUntil) minUntil = r.until;
      hit = { list, minUntil };
      sharedLists.add(list);
      this.sharedDeltas.keep(k, this.version, hit);
    }
    return hit.minUntil > now ? hit.list : hit.list.filter((r) => r.until > now);
  }

  /** active (until > now) non-simulated decisions */
  activeCount(now: number): number {
    let n = 0;
    for (const e of this.byId.values()) if (e.rec.until > now && !e.rec.simulated && !e.pending) n++;
    return n;
  }

  /** decisions with this exact value and until > now (created at or after `since` when given) */
  countActiveByValue(value: string, now: number, since?: number): number {
    const g = this.byValue.get(value);
    if (g === undefined) return 0;
    let n = 0;
    const count = groupSize(g);
    for (let i = 0; i < count; i++) {
      const e = this.byId.get(groupAt(g, i))!;
      const r = e.rec;
      if (r.until > now && !e.pending && (since === undefined || r.createdAt >= since)) n++;
    }
    return n;
  }

  /** every indexed record, id ascending (tests compare a rebuilt index with the original) */
  all(): DecisionRecord[] {
    const out: DecisionRecord[] = [];
    for (const e of this.byId.values()) if (!e.pending) out.push(e.rec);
    return out.sort(byIdAsc);
  }

  private collectDeleted(
    c: CompiledDecisionFilter,
    ids: Set<number>,
    lo: number,
    now: number,
    dedup: boolean,
    out: DecisionRecord[],
  ): void {
    for (const id of ids) {
      const e = this.byId.get(id)!;
      const u = e.rec.until;
      if (!e.pending && u > lo && u <= now && this.streamable(c, e) && (!dedup || this.isLongest(c, e)))
        out.push(e.rec);
    }
  }

  /** the filter, address interval included, for one entry (stream paths that do not start from the radix) */
  private streamable(c: CompiledDecisionFilter, e: Entry): boolean {
    if (c.range !== null) {
      const r = e.rec.range;
      if (r === null) return false;
      if (c.contains ? !ipRangeContains(r, c.range) : !ipRangeContains(c.range, r)) return false;
    }
    return matchesAttributes(c, e);
  }

  /** no filtered row with e's (scope, type, value) has a later until (same value and scope = same interval) */
  private isLongest(c: CompiledDecisionFilter, e: Entry): boolean {
    const g = this.byValue.get(e.rec.value)!;
    if (typeof g === 'number') return true;
    const r = e.rec;
    for (let i = 0; i < g.length; i++) {
      const o = this.byId.get(g[i])!;
      if (
        o.rec.until > r.until &&
        !o.pending &&
        o.rec.type === r.type &&
        o.rec.scope === r.scope &&
        matchesAttributes(c, o)
      )
        return false;
    }
    return true;
  }

  /** entries matching c whose expiry passes `keep`; candidates come from the most selective structure */
  private select(c: CompiledDecisionFilter, now: number, keep: Keep): Entry[] {
    const out: Entry[] = [];
    if (c.range !== null) {
      const ids: number[] = [];
      const n = c.contains ? this.addresses.containing(c.range, ids) : this.addresses.within(c.range, ids);
      for (let i = 0; i < n; i++) this.keepIf(this.byId.get(ids[i]), c, now, keep, out);
    } else if (c.value !== null) {
      const g = this.byValue.get(c.value);
      if (g !== undefined) {
        const count = groupSize(g);
        for (let i = 0; i < count; i++) this.keepIf(this.byId.get(groupAt(g, i)), c, now, keep, out);
      }
    } else {
      for (const e of this.byId.values()) this.keepIf(e, c, now, keep, out);
    }
    return out;
  }

  private keepIf(e: Entry | undefined, c: CompiledDecisionFilter, now: number, keep: Keep, out: Entry[]): void {
    if (e === undefined || e.pending) return;
    const u = e.rec.until;
    if (keep === Keep.Live ? u < now : keep === Keep.Active ? u <= now : false) return;
    if (matchesAttributes(c, e)) out.push(e);
  }

  private records(hits: Entry[]): DecisionRecord[] {
    const out = new Array<DecisionRecord>(hits.length);
    let sorted = true;
    for (let i = 0; i < hits.length; i++) {
      out[i] = hits[i].rec;
      if (i > 0 && out[i - 1].id > out[i].id) sorted = false;
    }
    return sorted ? out : out.sort(byIdAsc);
  }

  /** index of the first creation-log entry made visible at or after t */
  private firstVisibleFrom(t: number): number {
    const c = this.created;
    let lo = 0;
    let hi = c.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid].visibleAt < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private bucket(id: number, until: number): void {
    addTo(this.byUntil, Math.floor(until / BUCKET_MS), id);
  }

  private unbucket(id: number, until: number): void {
    removeFrom(this.byUntil, Math.floor(until / BUCKET_MS), id);
  }
}

/** index of the first record of a list ascending by until whose until is > t */
function firstUntilAbove(list: readonly DecisionRecord[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.until <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** index of the first element of an ascending array that is >= t */
function firstAtOrAfter(xs: readonly number[], t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** lower-cased scenario names, shared between decisions (a few distinct scenarios, many decisions) */
const lowered = new Map<string, string>();
function lowerScenario(s: string): string {
  let l = lowered.get(s);
  if (l === undefined) {
    if (lowered.size >= 4096) lowered.clear();
    l = s.toLowerCase();
    lowered.set(s, l);
  }
  return l;
}

/** ids sharing a value or a de-duplication key: mostly one, so a bare number until there are several */
type IdGroup = number | number[];

function groupSize(g: IdGroup): number {
  return typeof g === 'number' ? 1 : g.length;
}
function groupAt(g: IdGroup, i: number): number {
  return typeof g === 'number' ? g : g[i];
}

function addToGroup(m: Map<string, IdGroup>, k: string, id: number): void {
  const g = m.get(k);
  if (g === undefined) m.set(k, id);
  else if (typeof g === 'number') {
    if (g !== id) m.set(k, g < id ? [g, id] : [id, g]);
  } else if (!g.includes(id)) {
    g.push(id);
    if (g.length > 1 && g[g.length - 2] > id) g.sort((a, b) => a - b);
  }
}

function removeFromGroup(m: Map<string, IdGroup>, k: string, id: number): void {
  const g = m.get(k);
  if (g === undefined) return;
  if (typeof g === 'number') {
    if (g === id) m.delete(k);
    return;
  }
  const i = g.indexOf(id);
  if (i < 0) return;
  g.splice(i, 1);
  if (g.length === 1) m.set(k, g[0]);
}

function addTo<K>(m: Map<K, Set<number>>, k: K, id: number): void {
  const s = m.get(k);
  if (s === undefined) m.set(k, new Set([id]));
  else s.add(id);
}

function removeFrom<K>(m: Map<K, Set<number>>, k: K, id: number): void {
  const s = m.get(k);
  if (s === undefined) return;
  s.delete(id);
  if (s.size === 0) m.delete(k);
}

function sameRange(a: IpRange | null, b: IpRange | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.family !== b.family || a.prefix !== b.prefix || a.bytes.length !== b.bytes.length) return false;
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  return true;
}

/**
 * Values computed from the index at one version (it changes with every write), by key: a value of an older
 * version is never handed out again, so those are dropped when a new one is kept; at most `cap` are kept (the
 * oldest key goes first).
 */
class VersionCache<T> {
  private readonly m = new Map<string, { version: number; value: T }>();
  constructor(private readonly cap: number) {}

  /** the value kept under `k` at `version`, if any */
  get(k: string, version: number): T | undefined {
    const hit = this.m.get(k);
    return hit !== undefined && hit.version === version ? hit.value : undefined;
  }

  keep(k: string, version: number, value: T): void {
    for (const [key, e] of this.m) if (e.version !== version) this.m.delete(key);
    this.m.delete(k);
    if (this.m.size >= this.cap) this.m.delete(this.m.keys().next().value!);
    this.m.set(k, { version, value });
  }

  clear(): void {
    this.m.clear();
  }
}
