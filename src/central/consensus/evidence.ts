// Evidence about one address. Owns `AddrState` (who reported it and when, once per reporter; which networks
// confirmed it; its listing, hold and scenario) and `scoreOf`, the weighted count of independent networks behind
// an address: each network (AS, else /24) counts once, with the weight of its best reporter.

import type { EntryScope } from './types.js';
import type { ReporterBook } from './reporters.js';

export interface AddrState {
  value: string;
  scope: EntryScope;
  /** reporter id -> last time (received) it reported this address; one entry per reporter */
  reports: Map<string, number>;
  /** reporter id -> time of its first report (credit is decided on it) */
  firstBy: Map<string, number>;
  /** networks of eligible reporters that reported it (confirmation) */
  groups: Set<string>;
  /** non-certified reports seen (they never count, but they make later reports no discovery) */
  uncertified: number;
  /** reporters whose first report was a discovery (credited at confirmation) */
  discoverers: Set<string>;
  /** the networks among `groups` whose reporter had weight */
  weighted: Set<string>;
  /** when `groups` first reached the confirmation bar (0: not yet) */
  confirmedAt: number;
  /** scenario -> reports (the entry is served under the most reported) */
  scenarios: Map<string, number>;
  /** listed until (0: not listed) */
  until: number;
  since: number;
  firstListedAt: number;
  listings: number;
  /** score at the last evaluation (list order under the cap) */
  score: number;
  lastEval: number;
  /** last report from a reporter with weight: the decay runs from it */
  lastCounted: number;
  lastReport: number;
  holdUntil: number;
  appealAt: number;
  /** time of the pending timer (0: none) */
  timerAt: number;
}

export function newAddr(value: string, scope: EntryScope): AddrState {
  return {
    value,
    scope,
    reports: new Map(),
    firstBy: new Map(),
    uncertified: 0,
    groups: new Set(),
    discoverers: new Set(),
    weighted: new Set(),
    confirmedAt: 0,
    scenarios: new Map(),
    until: 0,
    since: 0,
    firstListedAt: 0,
    listings: 0,
    score: 0,
    lastEval: 0,
    lastCounted: 0,
    lastReport: 0,
    holdUntil: 0,
    appealAt: 0,
    timerAt: 0,
  };
}

export function topScenario(a: AddrState): string {
  let best = '',
    n = -1;
  for (const [s, c] of a.scenarios)
    if (c > n) {
      best = s;
      n = c;
    }
  return best;
}

export interface Score {
  score: number;
  /** networks whose weight reaches the per-network minimum */
  networks: number;
  /** last report from a reporter with weight (0: none) */
  lastCounted: number;
}

/** Scratch per-network best weights of `scoreOf` (reused: scoring runs hourly on every listed address). */
const best = new Map<string, number>();

/**
 * The evidence behind `a` at `now`: reports older than `since` are ignored (`pruneBefore`: and forgotten), each
 * network counts once with its best reporter's weight.
 */
export function scoreOf(
  a: AddrState,
  book: ReporterBook,
  now: number,
  since: number,
  pruneBefore: number,
  minNetworkWeight: number,
): Score {
  best.clear();
  let lastCounted = 0;
  for (const [id, t] of a.reports) {
    if (t < pruneBefore) {
      a.reports.delete(id);
      continue;
    }
    if (t < since) continue;
    const r = book.byId.get(id);
    const w = book.weight(r, now);
    if (w <= 0) continue;
    if (t > lastCounted) lastCounted = t;
    const g = r!.group;
    if ((best.get(g) ?? 0) < w) best.set(g, w);
  }
  let score = 0,
    networks = 0;
  for (const w of best.values()) {
    score += w;
    if (w >= minNetworkWeight) networks++;
  }
  return { score, networks, lastCounted };
}
