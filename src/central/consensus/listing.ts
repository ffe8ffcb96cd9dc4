// The list a site receives. Owns `buildList`: curated entries (served whatever the site runs) then consensus
// entries whose scenario the site runs, strongest evidence first when the cap cuts, in a stable order.

import type { AddrState } from './evidence.js';
import type { ListedEntry } from './types.js';

export interface ListSource {
  readonly listedSet: ReadonlySet<AddrState>;
  readonly curated: ReadonlyMap<string, ListedEntry>;
  entryOf(a: AddrState): ListedEntry;
}

const byValue = (x: { value: string }, y: { value: string }): number =>
  x.value < y.value ? -1 : x.value > y.value ? 1 : 0;

/** Curated first, then consensus by score (desc), then value; `scenarios` empty = every scenario. */
export function buildList(src: ListSource, scenarios: readonly string[], now: number, cap: number): ListedEntry[] {
  const out: ListedEntry[] = [];
  for (const e of src.curated.values()) if (e.until > now) out.push(e);
  out.sort(byValue);
  if (out.length >= cap) return out.slice(0, cap);
  const want = scenarios.length ? new Set(scenarios) : null;
  const picked: Array<{ a: AddrState; e: ListedEntry }> = [];
  for (const a of src.listedSet) {
    if (a.until <= now || src.curated.has(a.value)) continue;
    const e = src.entryOf(a);
    if (want && !want.has(e.scenario)) continue;
    picked.push({ a, e });
  }
  picked.sort((x, y) => y.a.score - x.a.score || byValue(x.e, y.e));
  const room = cap - out.length;
  for (let i = 0; i < picked.length && i < room; i++) out.push(picked[i]!.e);
  return out;
}

/**
 * The list of a site running `scenarios`, cut from the full list (`buildList` with every scenario, no cap): the
 * same entries in the same order as `buildList(src, scenarios, now, cap)`, without scoring every address again
 * (the simulator serves many sites from one full list per pull).
 */
export function tailorList(full: readonly ListedEntry[], scenarios: readonly string[], cap: number): ListedEntry[] {
  const want = scenarios.length ? new Set(scenarios) : null;
  const out: ListedEntry[] = [];
  for (const e of full) {
    if (out.length >= cap) break;
    if (e.origin === 'curated' || !want || want.has(e.scenario)) out.push(e);
  }
  return out;
}
