// Bounded reverse DNS for the `reverse_dns` enricher (parsing.md §11): node:dns's Resolver (the system's servers,
// or `servers` from the settings: tests and operators), one try per lookup with a timeout, at most `maxInflight`
// queries at once (beyond: a bounded FIFO; beyond that the address gets no name at once, counted as `dropped`),
// concurrent lookups of one address coalesced, and an LRU cache of answers (names for `ttlMs`) and of failures
// (NXDOMAIN, SERVFAIL, timeouts: `negativeTtlMs`). Names are returned as Go's net.LookupAddr returns them, i.e.
// absolute with a trailing dot (`crawl-1.googlebot.com.`): the hub's seo-bots data files are written that way.
// Owns: the per-thread resolver instance (configureReverseDns), its cache and its counters (metrics).
//
// How lookups are waited for (src/pipeline/agent.ts): the enricher itself is synchronous and never waits; it
// answers from the cache and, on a miss, starts a lookup (so a parser-stage reverse_dns gets the name from the
// next event of that address on: "pre-resolve on first sight"). The hub's use, the `crowdsecurity/rdns`
// postoverflow, runs once per overflow: the agent holds that one overflow (not a line, not its source, not the
// shard) until the lookup of its source address settles, then runs the postoverflows with the answer cached.
// Lines keep being parsed and poured meanwhile, other overflows are handled at once, and the held alert leaves
// with the shard's next answer (live: the next 1 s tick). Waiting before parsing instead would hold lines whose
// address is not known before parsing, and resolving every address on first sight would send a query for every
// client of a web server; overflows are rare, so this asks only what CrowdSec asks.

import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface RdnsOptions {
  /** DNS servers (`1.2.3.4`, `1.2.3.4:5353`, `[::1]:53`); empty = the system's (/etc/resolv.conf) */
  servers: string[];
  /** one query's time limit (ms) */
  timeoutMs: number;
  /** entries kept (answers and failures) */
  cacheSize: number;
  /** how long a name is kept (ms) */
  ttlMs: number;
  /** how long a failure (no name, timeout, error) is kept (ms) */
  negativeTtlMs: number;
  /** queries at once */
  maxInflight: number;
  /** lookups waiting for a query slot; beyond, the address gets no name at once */
  maxQueued: number;
}

export const RDNS_DEFAULTS: Readonly<RdnsOptions> = {
  servers: [],
  timeoutMs: 2000,
  cacheSize: 10000,
  ttlMs: 3600_000,
  negativeTtlMs: 300_000,
  maxInflight: 16,
  maxQueued: 10000,
};

export interface RdnsStats {
  /** queries sent */
  lookups: number;
  /** answers taken from the cache (names and failures) */
  cacheHits: number;
  timeouts: number;
  /** queries that failed otherwise (no PTR, NXDOMAIN, refused ...) */
  failures: number;
  /** lookups refused because the queue was full */
  dropped: number;
}

/** resolves one address to its PTR names (injected by unit tests; default: node:dns Resolver.reverse) */
export type PtrLookup = (ip: string) => Promise<string[]>;

interface Entry {
  name: string | null;
  expires: number;
}

export class ReverseDns {
  readonly o: RdnsOptions;
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<string | null>>();
  private readonly queue: Array<() => void> = [];
  private inflight = 0;
  private readonly ptr: PtrLookup;
  private readonly st: RdnsStats = { lookups: 0, cacheHits: 0, timeouts: 0, failures: 0, dropped: 0 };

  constructor(o: Partial<RdnsOptions> = {}, ptr?: PtrLookup) {
    this.o = { ...RDNS_DEFAULTS, ...o };
    if (ptr) this.ptr = ptr;
    else {
      const r = new Resolver({ timeout: this.o.timeoutMs, tries: 1 });
      if (this.o.servers.length) r.setServers(this.o.servers);
      this.ptr = (ip) => r.reverse(ip);
    }
  }

  /** The cached answer: a name, null (known failure), or undefined (unknown or expired). */
  peek(ip: string): string | null | undefined {
    const e = this.cache.get(ip);
    if (e === undefined) return undefined;
    if (e.expires <= Date.now()) {
      this.cache.delete(ip);
      return undefined;
    }
    // LRU: most recently used last
    this.cache.delete(ip);
    this.cache.set(ip, e);
    this.st.cacheHits++;
    return e.name;
  }

  /** Whether the cache has an answer for `ip` that has not expired (not counted as a hit, recency unchanged). */
  has(ip: string): boolean {
    const e = this.cache.get(ip);
    return e !== undefined && e.expires > Date.now();
  }

  /** Puts an answer in the cache (the agent, right before the postoverflows read it). */
  remember(ip: string, name: string | null): void {
    this.cache.delete(ip);
    this.cache.set(ip, { name, expires: Date.now() + (name === null ? this.o.negativeTtlMs : this.o.ttlMs) });
    while (this.cache.size > this.o.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  /** The name of `ip` (null: none), from the cache or a query; never rejects, settles within the bounds. */
  lookup(ip: string): Promise<string | null> {
    if (isIP(ip) === 0) return Promise.resolve(null);
    const c = this.peek(ip);
    if (c !== undefined) return Promise.resolve(c);
    const p = this.pending.get(ip);
    if (p !== undefined) return p;
    if (this.inflight >= this.o.maxInflight && this.queue.length >= this.o.maxQueued) {
      this.st.dropped++;
      return Promise.resolve(null);
    }
    const q = new Promise<string | null>((resolve) => {
      const start = (): void => {
        this.inflight++;
        this.query(ip).then((name) => {
          this.inflight--;
          this.pending.delete(ip);
          this.remember(ip, name);
          this.queue.shift()?.();
          resolve(name);
        });
      };
      if (this.inflight < this.o.maxInflight) start();
      else this.queue.push(start);
    });
    this.pending.set(ip, q);
    return q;
  }

  /** Resolves when every lookup started so far has settled (end of a replay, tests). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending.values()]);
  }

  /** Lookups started and not settled yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  stats(): RdnsStats {
    return { ...this.st };
  }

  private async query(ip: string): Promise<string | null> {
    this.st.lookups++;
    let timer: NodeJS.Timeout | undefined;
    // the resolver's own timeout is per try and c-ares reports it as ENOTFOUND: this one bounds the call and
    // tells a timeout from an answer
    const guard = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), this.o.timeoutMs);
    });
    const t0 = Date.now();
    try {
      const names = await Promise.race([this.ptr(ip), guard]);
      if (names === 'timeout') {
        this.st.timeouts++;
        return null;
      }
      const n = names[0];
      if (n === undefined || n === '') {
        this.st.failures++;
        return null;
      }
      return n.endsWith('.') ? n : `${n}.`;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ETIMEOUT' || Date.now() - t0 >= this.o.timeoutMs) this.st.timeouts++;
      else this.st.failures++;
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}

// ---- the thread's instance (each worker thread configures its own from the settings it was given) ----
let active: ReverseDns | null = null;

/** Turns reverse DNS on with these settings (null: off). Replaces the instance and its cache. */
export function configureReverseDns(o: Partial<RdnsOptions> | null, ptr?: PtrLookup): ReverseDns | null {
  if (o === null) active = null;
  // the same settings again (content loaded twice in one thread): keep the instance and its cache
  else if (ptr || active === null || JSON.stringify(active.o) !== JSON.stringify({ ...RDNS_DEFAULTS, ...o }))
    active = new ReverseDns(o, ptr);
  return active;
}

/** The thread's resolver, or null when reverse DNS is off. */
export function reverseDns(): ReverseDns | null {
  return active;
}

/** This thread's counters (zeros when off). */
export function rdnsStats(): RdnsStats {
  return active ? active.stats() : { lookups: 0, cacheHits: 0, timeouts: 0, failures: 0, dropped: 0 };
}
