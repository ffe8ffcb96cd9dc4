// Why the consensus listed an attacker late or never (`picket central simulate --explain N`). Owns `Explainer`:
// while the run goes, it keeps, for each attacker's address not yet listed, the honest reports it got (who, when,
// with what weight, and why a weightless one had none); at the end it sorts the recall population's slow listings
// (more than `SLOW_MS` after the third honest report) and misses by what the evidence lacked.

import type { WeightedConsensus } from '../consensus/engine.js';
import { H, type Site } from './population.js';
import type { Recorder } from './metrics.js';
import type { Stream } from './stream.js';

/** A listing later than this after the third honest report is slow (the goal's p95). */
export const SLOW_MS = 15 * 60_000;

interface Seen {
  site: number;
  t: number;
  weight: number;
  group: string;
  why: string;
}

export interface ExplainedAttacker {
  attacker: number;
  honest_victims: number;
  lifetime_h: number;
  /** listing time minus third honest report (null: never listed while active) */
  delay_s: number | null;
  verdict: string;
  /** honest reports before its listing: site, minutes from the third report, weight, network, why weightless */
  reports: Array<[number, number, number, string, string]>;
}

export interface Explanation {
  slow: number;
  missed: number;
  /** slow and missed attackers by what their evidence lacked at third report + SLOW_MS */
  verdicts: Record<string, number>;
  /** weightless honest reports among them, by reason */
  weightless: Record<string, number>;
  examples: ExplainedAttacker[];
}

export class Explainer {
  private readonly traces = new Map<number, Seen[]>();
  private readonly mainOf = new Map<number, number>();

  constructor(
    private readonly st: Stream,
    private readonly c: WeightedConsensus,
    private readonly rec: Recorder,
  ) {
    st.attackers.forEach((_, i) => this.mainOf.set(st.firstAddr[i]!, i));
  }

  /** After the consensus ingested signal `i` (from `site`). */
  onSignal(i: number, site: Site): void {
    const a = this.st.addr[i]!;
    if (site.role !== 'honest' || !this.mainOf.has(a) || this.rec.ever[a]) return;
    const t = this.st.recv[i]!;
    const r = this.c.book.byId.get(site.id)!;
    const tainted = this.st.tainted[i] === 1;
    const weight = tainted ? 0 : this.c.book.weight(r, t);
    const cfg = this.c.cfg;
    const why =
      weight >= cfg.minNetworkWeight
        ? ''
        : tainted
          ? 'tainted scenario'
          : r.canaryHits >= cfg.canaryStrikesBan
            ? 'banned'
            : r.penalizedUntil > t
              ? 'canary penalty'
              : t - r.registeredAt < cfg.minReporterAgeMs
                ? 'too young'
                : r.confirmed < cfg.minConfirmations
                  ? 'no confirmed discovery'
                  : 'low weight';
    let tr = this.traces.get(a);
    if (!tr) this.traces.set(a, (tr = []));
    tr.push({ site: site.idx, t, weight, group: r.group, why });
  }

  /** The slow and missed attackers of the recall population (metrics.ts's definition), `limit` examples. */
  explain(measureFrom: number, limit: number): Explanation {
    const st = this.st;
    const out: Explanation = { slow: 0, missed: 0, verdicts: {}, weightless: {}, examples: [] };
    const bump = (m: Record<string, number>, k: string): void => {
      m[k] = (m[k] ?? 0) + 1;
    };
    st.attackers.forEach((atk, i) => {
      if (atk.evader || atk.honestVictims < 3 || atk.t0 < measureFrom) return;
      const a = st.firstAddr[i]!;
      const iv = this.rec.intervals.get(a) ?? [];
      let first = Infinity;
      for (let k = 0; k < iv.length && first === Infinity; k += 3)
        if (iv[k]! < Math.min(atk.end, st.end) && iv[k + 1]! > atk.t0) first = iv[k]!;
      if (first - atk.thirdAt <= SLOW_MS) return;
      if (first === Infinity) out.missed++;
      else out.slow++;
      const seen = (this.traces.get(a) ?? []).filter((x) => x.t <= atk.thirdAt + SLOW_MS);
      const verdict = this.verdict(seen);
      bump(out.verdicts, `${first === Infinity ? 'missed' : 'slow'}: ${verdict}`);
      for (const x of seen) if (x.why) bump(out.weightless, x.why);
      if (out.examples.length < limit)
        out.examples.push({
          attacker: i,
          honest_victims: atk.honestVictims,
          lifetime_h: Math.round((atk.end - atk.t0) / H),
          delay_s: first === Infinity ? null : Math.round((first - atk.thirdAt) / 1000),
          verdict,
          reports: seen.map((x) => [x.site, Math.round((x.t - atk.thirdAt) / 60_000), x.weight, x.group, x.why]),
        });
    });
    return out;
  }

  /** What the evidence up to third report + SLOW_MS lacked for the listing rule. */
  private verdict(seen: Seen[]): string {
    const cfg = this.c.cfg;
    const nets = new Set(seen.map((x) => x.group));
    const weighted = seen.filter((x) => x.weight >= cfg.minNetworkWeight);
    const wNets = new Set(weighted.map((x) => x.group));
    if (nets.size < 2) return 'every honest reporter in one network';
    if (wNets.size === 0) return 'no weighted network';
    if (wNets.size === 1) return 'one weighted network';
    const best = new Map<string, number>();
    for (const x of weighted) best.set(x.group, Math.max(best.get(x.group) ?? 0, x.weight));
    if ([...best.values()].reduce((p, q) => p + q, 0) < cfg.listScore) return 'weights below list_score';
    const times = weighted.map((x) => x.t);
    if (Math.max(...times) - Math.min(...times) > cfg.evidenceWindowMs) return 'weighted reports too far apart';
    return 'weighted networks, listed later (appeal hold or weight lost before the tick)';
  }
}
