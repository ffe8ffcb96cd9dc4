// Reporter trust for the consensus. Owns `ReporterBook`: each reporter's pseudonym, registration time, network
// group (its AS, else its /24 or /48, else itself), confirmed discoveries, canary strikes and penalty, and the
// weight they earn: nothing on registration, nothing before `minReporterAgeMs` and `minConfirmations`, then
// growing with age and with reports that independent networks confirmed; zero while a canary penalty runs.

import type { ReporterInfo } from './types.js';
import type { ConsensusConfig } from './config.js';

export interface Reporter {
  id: string;
  registeredAt: number;
  asn: number;
  network: string;
  /** the evidence group: one vote per AS (or per /24 when the AS is unknown) */
  group: string;
  /** reports that independent networks confirmed (once per address) */
  confirmed: number;
  canaryHits: number;
  penalizedUntil: number;
  /** moving share of its latest reports that hit a published CDN or crawler address */
  sharedRate: number;
  /** the last addresses it reported (re-evaluated when its weight drops) */
  recent: string[];
  /** weighted networks (other than its own) that corroborated its unconfirmed discoveries */
  witnesses: string[];
}

const RECENT = 64;

export function groupOf(asn: number, network: string, id: string): string {
  return asn > 0 ? `as${asn}` : network ? `net:${network}` : `id:${id}`;
}

export class ReporterBook {
  readonly byId = new Map<string, Reporter>();

  constructor(private readonly cfg: ConsensusConfig) {}

  register(r: ReporterInfo): Reporter {
    const old = this.byId.get(r.id);
    if (old) {
      // a network change keeps the track record but moves the vote
      old.asn = r.asn;
      old.network = r.network;
      old.group = groupOf(r.asn, r.network, r.id);
      return old;
    }
    const rep: Reporter = {
      id: r.id,
      registeredAt: r.registeredAt,
      asn: r.asn,
      network: r.network,
      group: groupOf(r.asn, r.network, r.id),
      confirmed: 0,
      canaryHits: 0,
      penalizedUntil: 0,
      sharedRate: 0,
      recent: [],
      witnesses: [],
    };
    this.byId.set(r.id, rep);
    return rep;
  }

  /** The reporter, registered on first sight (no network known: it votes alone) when the server did not say. */
  get(id: string, now: number): Reporter {
    return this.byId.get(id) ?? this.register({ id, registeredAt: now, asn: 0, network: '' });
  }

  /** Weight in [0, 1] at `now`. */
  weight(r: Reporter | undefined, now: number): number {
    if (!r) return 0;
    const c = this.cfg;
    if (r.canaryHits >= c.canaryStrikesBan || now < r.penalizedUntil) return 0;
    const age = now - r.registeredAt;
    if (age < c.minReporterAgeMs || r.confirmed < c.minConfirmations) return 0;
    const ageF = c.fullReporterAgeMs > 0 ? Math.min(1, age / c.fullReporterAgeMs) : 1;
    const confF = c.fullConfirmations > 0 ? Math.min(1, r.confirmed / c.fullConfirmations) : 1;
    return ageF * confF;
  }

  /** Old enough and not penalised: its reports may confirm others' (it needs no weight for that). */
  eligible(r: Reporter, now: number): boolean {
    const c = this.cfg;
    return r.canaryHits < c.canaryStrikesBan && now >= r.penalizedUntil && now - r.registeredAt >= c.minReporterAgeMs;
  }

  /** One more report (first on its address) into the moving share of CDN and crawler hits. */
  noteReport(r: Reporter, shared: boolean): void {
    r.sharedRate += ((shared ? 1 : 0) - r.sharedRate) / Math.max(1, this.cfg.sharedCanarySpan);
  }

  /**
   * A canary report. A decoy (resolver, reserved range, operator allowlist): the weight goes for
   * `canaryPenaltyMs`, with the track record reset and a strike. A published CDN or crawler address (which honest
   * sites do flag by mistake, about one alert in a thousand): the weight goes for `sharedCanaryPenaltyMs` only
   * when such hits exceed `sharedCanaryShare` of its latest reports. Returns the addresses to re-evaluate.
   */
  penalize(r: Reporter, now: number, shared: boolean): string[] {
    if (shared) {
      this.noteReport(r, true);
      if (r.sharedRate <= this.cfg.sharedCanaryShare) return [];
      r.penalizedUntil = Math.max(r.penalizedUntil, now + this.cfg.sharedCanaryPenaltyMs);
      return [...r.recent];
    }
    r.canaryHits++;
    r.penalizedUntil = Math.max(r.penalizedUntil, now + this.cfg.canaryPenaltyMs);
    r.confirmed = 0;
    r.witnesses = [];
    return [...r.recent];
  }

  remember(r: Reporter, value: string): void {
    if (r.recent.length >= RECENT) r.recent.shift();
    r.recent.push(value);
  }

  /** Drops `value` from a reporter's recent addresses (erasure). */
  forget(id: string, value: string): void {
    const r = this.byId.get(id);
    if (!r) return;
    const i = r.recent.indexOf(value);
    if (i >= 0) r.recent.splice(i, 1);
  }

  export(): Reporter[] {
    return [...this.byId.values()].map((r) => ({ ...r, recent: [...r.recent], witnesses: [...r.witnesses] }));
  }

  import(list: Reporter[]): void {
    this.byId.clear();
    for (const r of list)
      this.byId.set(r.id, {
        ...r,
        sharedRate: r.sharedRate ?? 0,
        recent: [...r.recent],
        witnesses: [...(r.witnesses ?? [])],
      });
  }
}
