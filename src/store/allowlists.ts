// Allowlists of the Local API (spec lapi.md §8.8, §6.6 step 3): named lists of IPs and CIDR ranges (IPv4 and
// IPv6) with an optional expiry per item, stored in the `allowlists` sub-database of the Picket environment
// (key: the list's name). Owns: creating, deleting, listing and editing lists, and `check` — which lists hold
// an unexpired item containing an IP or range; replacing a list as a whole (central allowlist links) and expiring
// the decisions items cover.
//
// Memory <-> LMDB: `check` runs per ingested alert and per check request, so it reads an in-memory copy of
// every list (items pre-parsed into IpRange). This process's writes update the copy after their commit;
// other processes' writes (the `picket allowlists` CLI on the same data folder) are picked up by re-reading
// the table at most once per `reloadEveryMs` (default 1 s), on the next read.

import crypto from 'node:crypto';
import type { Database, RootDatabase } from 'lmdb';
import type { PicketStore } from './lmdb.js';
import type { IpRange, LapiStore } from './records.js';
import { ipRangeContains, parseIpOrRange } from './iprange.js';
import { PicketError } from '../core/errors.js';

export interface AllowlistItem {
  /** IP or CIDR range, as given */
  value: string;
  description: string;
  /** epoch ms */
  createdAt: number;
  /** epoch ms; null = never expires */
  expiration: number | null;
}

export interface AllowlistRecord {
  name: string;
  allowlistId: string;
  description: string;
  /** epoch ms */
  createdAt: number;
  updatedAt: number;
  items: AllowlistItem[];
}

export interface NewAllowlistItem {
  value: string;
  description?: string;
  /** epoch ms; null/absent = never expires */
  expiration?: number | null;
}

/** A user error (unknown list, duplicate name, value that is not an IP or range), safe to show as is. */
const ALLOWLIST_CODES = {
  'not-found': 'STORE_ALLOWLIST_NOT_FOUND',
  exists: 'STORE_ALLOWLIST_EXISTS',
  invalid: 'STORE_ALLOWLIST_INVALID',
};

/** An allowlist operation refused; code STORE_ALLOWLIST_NOT_FOUND / _EXISTS / _INVALID (same as `kind`). */
export class AllowlistError extends PicketError {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'exists' | 'invalid',
  ) {
    super(ALLOWLIST_CODES[kind], message);
  }
}

interface CompiledItem {
  range: IpRange;
  expiration: number | null;
}
interface CompiledList {
  record: AllowlistRecord;
  items: CompiledItem[];
}

const NAME_RE = /^[\w.@:-]{1,255}$/;

function compile(record: AllowlistRecord): CompiledList {
  const items: CompiledItem[] = [];
  for (const it of record.items) {
    const range = parseIpOrRange(it.value);
    if (range !== null) items.push({ range, expiration: it.expiration });
  }
  return { record, items };
}

function isRecord(v: unknown): v is AllowlistRecord {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as AllowlistRecord).name === 'string' &&
    Array.isArray((v as AllowlistRecord).items)
  );
}

export interface AllowlistStoreOptions {
  /** stamps creation/update times (default Date.now) */
  clock?: () => number;
  /** minimum time between re-reads of the table for other processes' writes (default 1000 ms) */
  reloadEveryMs?: number;
}

export class AllowlistStore {
  private readonly root: RootDatabase;
  private readonly db: Database<AllowlistRecord, string>;
  private readonly clock: () => number;
  private readonly reloadEveryMs: number;
  private lists = new Map<string, CompiledList>();
  private loadedAt = -Infinity;

  constructor(store: PicketStore, opts: AllowlistStoreOptions = {}) {
    this.root = store.root;
    this.db = store.db('allowlists');
    this.clock = opts.clock ?? Date.now;
    this.reloadEveryMs = opts.reloadEveryMs ?? 1000;
    this.reload();
  }

  /** re-reads every list from LMDB (damaged records are skipped) */
  reload(): void {
    const next = new Map<string, CompiledList>();
    for (const { key, value } of this.db.getRange({})) {
      if (isRecord(value)) next.set(key, compile(value));
    }
    this.lists = next;
    this.loadedAt = Date.now();
  }

  private fresh(): Map<string, CompiledList> {
    if (Date.now() - this.loadedAt >= this.reloadEveryMs) this.reload();
    return this.lists;
  }

  list(): AllowlistRecord[] {
    return Array.from(this.fresh().values(), (c) => c.record);
  }

  get(name: string): AllowlistRecord | undefined {
    return this.fresh().get(name)?.record;
  }

  /** Creates an empty list; AllowlistError 'exists' when the name is taken, 'invalid' for a bad name. */
  async create(name: string, description: string): Promise<AllowlistRecord> {
    if (!NAME_RE.test(name))
      throw new AllowlistError(`allowlist name '${name}': use letters, digits and . _ - @ : (at most 255)`, 'invalid');
    const now = this.clock();
    const record: AllowlistRecord = {
      name,
      allowlistId: crypto.randomUUID(),
      description,
      createdAt: now,
      updatedAt: now,
      items: [],
    };
    const created = await this.root.transaction(() => {
      if (this.db.get(name) !== undefined) return false;
      void this.db.put(name, record);
      return true;
    });
    if (!created) throw new AllowlistError(`allowlist '${name}' already exists`, 'exists');
    this.lists.set(name, compile(record));
    return record;
  }

  /** Removes a list; false when it did not exist. */
  async delete(name: string): Promise<boolean> {
    const existed = await this.root.transaction(() => {
      if (this.db.get(name) === undefined) return false;
      void this.db.remove(name);
      return true;
    });
    this.lists.delete(name);
    return existed;
  }

  /**
   * Adds items (values must be IPs or CIDR ranges; checked before anything is written). A value already in
   * the list is skipped. Returns the number of items added. AllowlistError 'not-found' for an unknown list.
   */
  async addItems(name: string, items: NewAllowlistItem[]): Promise<number> {
    for (const it of items) {
      if (typeof it.value !== 'string' || parseIpOrRange(it.value) === null) {
        throw new AllowlistError(`'${String(it.value)}' is not an IP address or a CIDR range`, 'invalid');
      }
    }
    const now = this.clock();
    return this.edit(name, (rec) => {
      const seen = new Set(rec.items.map((i) => i.value));
      let added = 0;
      for (const it of items) {
        if (seen.has(it.value)) continue;
        seen.add(it.value);
        rec.items.push({
          value: it.value,
          description: it.description ?? '',
          createdAt: now,
          expiration: it.expiration ?? null,
        });
        added++;
      }
      return added;
    });
  }

  /**
   * Replaces the list `name` as a whole (created when missing), e.g. with a central API's allowlist link (capi.md
   * §5.3 step 2): its id, description and items become the given ones. Items must be IPs or CIDR ranges.
   */
  async replace(
    name: string,
    list: { allowlistId: string; description: string; items: AllowlistItem[] },
  ): Promise<AllowlistRecord> {
    if (!NAME_RE.test(name))
      throw new AllowlistError(`allowlist name '${name}': use letters, digits and . _ - @ : (at most 255)`, 'invalid');
    const bad = list.items.find((it) => parseIpOrRange(it.value) === null);
    if (bad) throw new AllowlistError(`'${bad.value}' is not an IP address or a CIDR range`, 'invalid');
    const now = this.clock();
    const record = await this.root.transaction(() => {
      const cur = this.db.get(name);
      const rec: AllowlistRecord = {
        name,
        allowlistId: list.allowlistId || (isRecord(cur) ? cur.allowlistId : crypto.randomUUID()),
        description: list.description,
        createdAt: isRecord(cur) ? cur.createdAt : now,
        updatedAt: now,
        items: list.items.map((it) => ({ ...it })),
      };
      void this.db.put(name, rec);
      return rec;
    });
    this.lists.set(name, compile(record));
    return record;
  }

  /** Removes the items with these values; returns how many were removed. */
  async removeItems(name: string, values: string[]): Promise<number> {
    const drop = new Set(values);
    return this.edit(name, (rec) => {
      const before = rec.items.length;
      rec.items = rec.items.filter((i) => !drop.has(i.value));
      return before - rec.items.length;
    });
  }

  /** read-modify-write of one list in one transaction (the callback cannot throw) */
  private async edit(name: string, change: (rec: AllowlistRecord) => number): Promise<number> {
    const now = this.clock();
    const out = await this.root.transaction(() => {
      const cur = this.db.get(name);
      if (!isRecord(cur)) return null;
      const rec: AllowlistRecord = { ...cur, items: cur.items.slice() };
      const n = change(rec);
      if (n > 0) {
        rec.updatedAt = now;
        void this.db.put(name, rec);
      }
      return { n, rec: n > 0 ? rec : cur };
    });
    if (out === null) {
      this.lists.delete(name);
      throw new AllowlistError(`allowlist '${name}' not found`, 'not-found');
    }
    this.lists.set(name, compile(out.rec));
    return out.n;
  }

  /** Removes the items expired at `now` from every list (retention); returns how many were removed. */
  async pruneExpired(now: number): Promise<number> {
    let total = 0;
    for (const c of this.fresh().values()) {
      if (!c.record.items.some((i) => i.expiration !== null && i.expiration <= now)) continue;
      try {
        total += await this.edit(c.record.name, (rec) => {
          const before = rec.items.length;
          rec.items = rec.items.filter((i) => i.expiration === null || i.expiration > now);
          return before - rec.items.length;
        });
      } catch (e) {
        if (!(e instanceof AllowlistError)) throw e; // deleted meanwhile by another process
      }
    }
    return total;
  }

  /** True when a list holds an item unexpired at `now` containing `target` (per ingested alert: no allocation). */
  isAllowlisted(target: IpRange, now: number): boolean {
    for (const c of this.fresh().values()) {
      for (const it of c.items) {
        if ((it.expiration === null || it.expiration > now) && ipRangeContains(it.range, target)) return true;
      }
    }
    return false;
  }

  /** True when an unexpired item contains `target` or lies inside it (a community range holding an allowlisted
   *  address must not reach the bouncers either). */
  overlaps(target: IpRange, now: number): boolean {
    for (const c of this.fresh().values()) {
      for (const it of c.items) {
        if (it.expiration !== null && it.expiration <= now) continue;
        if (ipRangeContains(it.range, target) || ipRangeContains(target, it.range)) return true;
      }
    }
    return false;
  }

  /** Names of the lists holding an item unexpired at `now` that contains `target`. */
  checkRange(target: IpRange, now: number): string[] {
    const out: string[] = [];
    for (const c of this.fresh().values()) {
      for (const it of c.items) {
        if ((it.expiration === null || it.expiration > now) && ipRangeContains(it.range, target)) {
          out.push(c.record.name);
          break;
        }
      }
    }
    return out;
  }

  /** `checkRange` of an IP/CIDR text; AllowlistError 'invalid' when it is neither. */
  check(target: string, now: number): string[] {
    const r = parseIpOrRange(target);
    if (r === null) throw new AllowlistError(`'${target}' is not an IP address or a CIDR range`, 'invalid');
    return this.checkRange(r, now);
  }
}

/**
 * Expires the active Ip/Range decisions (simulated ones included) contained in any of `values` — what adding
 * allowlist items does, as CrowdSec 1.6+ (bouncers drop them on their next poll). Returns how many expired.
 */
export async function expireCoveredDecisions(
  store: Pick<LapiStore, 'expireDecisions'>,
  values: readonly string[],
  now: number,
): Promise<number> {
  let n = 0;
  for (const v of values) {
    const range = parseIpOrRange(v);
    if (range === null) continue;
    n += await store.expireDecisions({ range, contains: false, scopes: ['Ip', 'Range'], simulated: true }, now);
  }
  return n;
}
