// Bouncer authentication by `X-Api-Key` (spec lapi.md §3.1): SHA-512 hex of the key (recent keys' digests
// cached in a bounded Map) and the bouncer record it resolved to. The record is re-read from the store when
// this process wrote a bouncer since (the store's `bouncerWrites`), and at least every RECHECK_MS otherwise,
// so a bouncer deleted by the CLI in another process is refused within that time. (An LMDB read on every
// request costed ~10 µs in the server: lmdb-js renews its read snapshot once per event-loop turn, i.e. about
// once per request under load; the live lookup must stay close to a bare node:http server.) Non-HEAD requests
// also do the bookkeeping: IP on first use, User-Agent `type/version`, key shared across IPs -> auto-created
// `<name>@<ip>` bouncer, and `last_pull`.
// Bouncer updates are serialised per bouncer (read the current record, patch, write) so none is lost. TLS
// bouncers (./auth-tls.ts) use the same bookkeeping (`recordClient`) and creation queue (`create`).

import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BouncerRecord, LapiStore } from '../store/records.js';
import { KeyedWriteQueue } from './write-queue.js';

const HASH_CACHE_MAX = 4096;
const LAST_PULL_EVERY_MS = 60_000;
/** how long a resolved bouncer record is trusted without re-reading the store (other processes' writes) */
export const RECHECK_MS = 100;

export function sha512Hex(key: string): string {
  return crypto.createHash('sha512').update(key).digest('hex');
}

/** User-Agent -> [type, version]: exactly two `/`-separated parts, else [whole UA, 'N/A']. */
export function splitUserAgent(ua: string): [string, string] {
  const slash = ua.indexOf('/');
  if (slash !== -1 && ua.indexOf('/', slash + 1) === -1) return [ua.slice(0, slash), ua.slice(slash + 1)];
  return [ua, 'N/A'];
}

/** true when `ua` is exactly `type/version` as splitUserAgent would store it (no allocation) */
function sameUserAgent(ua: string, type: string, version: string): boolean {
  if (version === 'N/A') return ua === type && ua.indexOf('/') === -1;
  return (
    ua.length === type.length + 1 + version.length &&
    ua.startsWith(type) &&
    ua.charCodeAt(type.length) === 47 &&
    ua.endsWith(version) &&
    version.indexOf('/') === -1
  );
}

interface KeyEntry {
  hash: string;
  name: string | null;
  /** record last read for this key, trusted until `checkedAt + RECHECK_MS` while `gen` is current */
  rec: BouncerRecord | undefined;
  checkedAt: number;
  gen: number;
}

export type BouncerPatch = Partial<Omit<BouncerRecord, 'name'>>;

export class ApiKeyAuth {
  /** API key -> its SHA-512 hex and the bouncer name it resolved to last (bounded) */
  private readonly keys = new Map<string, KeyEntry>();
  private readonly writes: KeyedWriteQueue;
  /** name -> `ip\0type\0version` last queued for writing (avoids a write per request until it commits) */
  private readonly queued = new Map<string, string>();
  private readonly lastPullQueued = new Map<string, number>();

  constructor(
    private readonly store: LapiStore,
    private readonly log: (line: string) => void,
  ) {
    this.writes = new KeyedWriteQueue(log, 'bouncer');
  }

  /** SHA-512 hex of a key, from the bounded cache when recently seen. */
  hashOf(key: string): string {
    return this.entryOf(key).hash;
  }

  private entryOf(key: string): KeyEntry {
    let e = this.keys.get(key);
    if (e === undefined) {
      e = { hash: sha512Hex(key), name: null, rec: undefined, checkedAt: -Infinity, gen: -1 };
      if (this.keys.size >= HASH_CACHE_MAX) this.keys.clear();
      this.keys.set(key, e);
    }
    return e;
  }

  /**
   * The bouncer record of a key: the cached one while fresh (see the header), else read from the store. The
   * name last resolved for the key is tried first (one LMDB read); the record must still carry the key's hash,
   * else the full hash -> name -> record lookup runs. A bouncer deleted or re-keyed by this process is refused
   * at once, by another process within RECHECK_MS.
   */
  private lookup(e: KeyEntry): BouncerRecord | undefined {
    const t = performance.now();
    const gen = (this.store as { bouncerWrites?: number }).bouncerWrites ?? 0;
    if (e.gen === gen && t - e.checkedAt < RECHECK_MS) return e.rec;
    e.gen = gen;
    e.checkedAt = t;
    if (e.name !== null) {
      const b = this.store.getBouncerByName(e.name);
      if (b !== undefined && b.apiKeyHash === e.hash) return (e.rec = b);
    }
    const b = this.store.getBouncerByKeyHash(e.hash);
    e.name = b === undefined ? null : b.name;
    return (e.rec = b);
  }

  /**
   * The bouncer owning the request's key, or null (missing/unknown/revoked key -> 403).
   * With `bookkeeping` (non-HEAD requests) the IP / User-Agent are recorded and a key used from a second IP
   * yields the `<name>@<ip>` bouncer (created if needed).
   */
  authenticate(
    apiKey: string | string[] | undefined,
    ip: string,
    userAgent: string | undefined,
    bookkeeping: boolean,
    now: number,
  ): BouncerRecord | null {
    if (typeof apiKey !== 'string' || apiKey === '') return null;
    const e = this.entryOf(apiKey);
    let b = this.lookup(e);
    if (b === undefined || b.revoked || b.apiKeyHash !== e.hash) return null;
    if (!bookkeeping) return b;
    if (b.ipAddress !== '' && b.ipAddress !== ip) b = this.sharedKeyBouncer(b, ip, now);
    this.recordClient(b, ip, userAgent, now);
    return b;
  }

  /** IP on first use and a changed User-Agent `type/version` of an authenticated bouncer, queued for writing. */
  recordClient(b: BouncerRecord, ip: string, userAgent: string | undefined, now: number): void {
    const ua = userAgent ?? '';
    if (b.ipAddress === '' || !sameUserAgent(ua, b.type, b.version)) {
      const [type, version] = splitUserAgent(ua);
      const ipAddress = b.ipAddress === '' ? ip : b.ipAddress;
      const sig = ipAddress + '\0' + type + '\0' + version;
      if (this.queued.get(b.name) !== sig) {
        if (this.queued.size >= HASH_CACHE_MAX) this.queued.clear();
        this.queued.set(b.name, sig);
        void this.update(b.name, { ipAddress, type, version }, now);
      }
    }
  }

  /** Writes a new bouncer (TLS auto-creation) unless one of that name exists by then; serialised per name. */
  create(b: BouncerRecord): Promise<void> {
    return this.enqueue(b.name, () =>
      this.store.getBouncerByName(b.name) === undefined ? this.store.putBouncer(b) : Promise.resolve(),
    );
  }

  /** The bouncer for the same key at another IP: the base bouncer if it is at `ip`, else `<base>@<ip>`. */
  private sharedKeyBouncer(b: BouncerRecord, ip: string, now: number): BouncerRecord {
    const at = b.name.indexOf('@');
    const base = at === -1 ? b.name : b.name.slice(0, at);
    const baseRec = base === b.name ? b : this.store.getBouncerByName(base);
    if (baseRec !== undefined && baseRec.apiKeyHash === b.apiKeyHash && baseRec.ipAddress === ip) return baseRec;
    const name = `${base}@${ip}`;
    const existing = this.store.getBouncerByName(name);
    if (existing !== undefined && existing.apiKeyHash === b.apiKeyHash) return existing;
    const created: BouncerRecord = {
      ...b,
      name,
      ipAddress: ip,
      autoCreated: true,
      createdAt: now,
      updatedAt: now,
      lastPull: null,
    };
    this.log(`bouncer ${b.name}: API key used from a new IP ${ip}, creating bouncer ${name}`);
    this.enqueue(name, () =>
      this.store.getBouncerByName(name) === undefined ? this.store.putBouncer(created) : Promise.resolve(),
    );
    return created;
  }

  /** last_pull of the live route, written at most once a minute per bouncer (in-process throttle). */
  touchLastPull(name: string, now: number): void {
    const q = this.lastPullQueued.get(name);
    if (q !== undefined && now - q < LAST_PULL_EVERY_MS) return;
    if (this.lastPullQueued.size >= HASH_CACHE_MAX) this.lastPullQueued.clear();
    this.lastPullQueued.set(name, now);
    void this.update(name, { lastPull: now }, now);
  }

  /** Patch a bouncer (serialised per name; applied to the record current at write time). */
  update(name: string, patch: BouncerPatch, now: number): Promise<void> {
    return this.enqueue(name, () => {
      const cur = this.store.getBouncerByName(name);
      if (cur === undefined) return Promise.resolve();
      return this.store.putBouncer({ ...cur, ...patch, updatedAt: now });
    });
  }

  private enqueue(name: string, write: () => Promise<void>): Promise<void> {
    return this.writes.run(name, write);
  }

  /** Resolves when every queued bouncer update has been written. */
  settle(): Promise<void> {
    return this.writes.settle();
  }
}
