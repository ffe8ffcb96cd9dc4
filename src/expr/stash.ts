// Parser stash caches (parsing.md §9): named caches with TTL and size-bounded eviction, read by
// GetFromStash and written by the parser `stash:` items / SetInStash.
// Owns: cache registry, TTL expiry (lazy, on access), LRU eviction (LFU/ARC approximated by LRU).

interface Entry {
  value: string;
  expires: number;
}
interface Cache {
  ttlMs: number;
  size: number;
  strategy: string;
  map: Map<string, Entry>;
}

const caches = new Map<string, Cache>();

export interface StashConfig {
  ttlNs: number;
  size?: number;
  strategy?: string;
}

/** Create (or reconfigure) a named cache. Existing entries are kept. */
export function configureStash(name: string, cfg: StashConfig): void {
  const size = cfg.size && cfg.size > 0 ? cfg.size : 100;
  const existing = caches.get(name);
  if (existing) {
    existing.ttlMs = cfg.ttlNs / 1e6;
    existing.size = size;
    existing.strategy = cfg.strategy ?? 'LRU';
    return;
  }
  caches.set(name, { ttlMs: cfg.ttlNs / 1e6, size, strategy: cfg.strategy ?? 'LRU', map: new Map() });
}

let clock: () => number = Date.now;
/** Test hook: replace the clock (ms). */
export function setStashClock(fn: () => number): void {
  clock = fn;
}

export function stashSet(name: string, key: string, value: string, ttlNs?: number): Error | null {
  const c = caches.get(name);
  if (!c) return new Error(`cache ${name} not found`);
  const ttl = ttlNs !== undefined && ttlNs > 0 ? ttlNs / 1e6 : c.ttlMs;
  c.map.delete(key);
  c.map.set(key, { value, expires: ttl > 0 ? clock() + ttl : Infinity });
  while (c.map.size > c.size) {
    const oldest = c.map.keys().next().value as string;
    c.map.delete(oldest);
  }
  return null;
}

/** "" when absent, expired, or when the cache does not exist (GetFromStash checks stashExists to raise its error). */
export function stashGet(name: string, key: string): string {
  const c = caches.get(name);
  if (!c) return '';
  const e = c.map.get(key);
  if (!e) return '';
  if (e.expires <= clock()) {
    c.map.delete(key);
    return '';
  }
  // LRU: refresh recency
  c.map.delete(key);
  c.map.set(key, e);
  return e.value;
}

export function stashExists(name: string): boolean {
  return caches.has(name);
}
export function resetStash(): void {
  caches.clear();
}
