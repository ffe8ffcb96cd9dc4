// How reporters earn weight. Owns the confirmation bookkeeping of the consensus: which reports are discoveries
// (early, not copies), when independent weighted networks confirm them (on the same address, or across a
// reporter's discoveries), the bootstrap of a new Central, and the wake-ups of reporters whose weight turns
// positive later (age reached, penalty over), which let their earlier reports confirm and list. The weight
// itself is `ReporterBook.weight`; the rules and why: docs/CONSENSUS.md.

import type { ConsensusConfig } from './config.js';
import type { AddrState } from './evidence.js';
import { TimerHeap } from './heap.js';
import type { Reporter, ReporterBook } from './reporters.js';

/** What the confirmations look at and mark in the engine. */
export interface ConfirmHost {
  readonly addrs: ReadonlyMap<string, AddrState>;
  /** addresses to evaluate at the next tick */
  readonly dirty: Set<string>;
}

export class Confirmations {
  /** reporters that reached minConfirmations (ends the bootstrap of confirmations) */
  trusted = 0;
  /** reporters whose weight may turn positive at the given time (age reached, penalty over) */
  private readonly wakes = new TimerHeap();

  constructor(
    private readonly cfg: ConsensusConfig,
    private readonly book: ReporterBook,
    private readonly host: ConfirmHost,
  ) {}

  /**
   * Reporter `r`'s first report of `a`. It is a discovery when, at its arrival, fewer than `confirmNetworks`
   * other reporters had reported the address and it was not listed (+ grace): later reports may be copied from
   * the list or a public feed. A discoverer earns one confirmation once eligible reporters from `confirmWeighted`
   * networks other than its own, with weight, reported the address too (whether or not it was ever listed).
   * Until `bootstrapReporters` reporters earned weight (a new Central), `bootstrapNetworks` eligible networks
   * confirm every discoverer instead (no weighted network exists yet, so the bar is breadth only).
   */
  onFirstReport(a: AddrState, r: Reporter, now: number): void {
    const c = this.cfg;
    const others = a.firstBy.size - 1 + a.uncertified; // reporters before this one, even decayed ones
    if (others < c.confirmNetworks && !(a.firstListedAt > 0 && now > a.firstListedAt + c.confirmGraceMs)) {
      a.discoverers.add(r.id);
    }
    if (a.discoverers.size === 0 || !this.book.eligible(r, now)) return;
    a.groups.add(r.group);
    if (this.book.weight(r, now) >= c.minNetworkWeight) a.weighted.add(r.group);
    if (this.trusted < c.bootstrapReporters) {
      if (a.groups.size < Math.max(c.bootstrapNetworks, c.confirmNetworks + 1)) return;
      for (const id of a.discoverers) this.creditId(a, id, now);
      return;
    }
    this.creditPending(a, now);
  }

  /**
   * The discoverers of `a` that weighted networks other than their own confirm: `confirmWeighted` of them on
   * this address, a confirmation; fewer, they count as witnesses of the discoverer (see `witness`).
   */
  private creditPending(a: AddrState, now: number): void {
    for (const id of a.discoverers) {
      const d = this.book.byId.get(id);
      const independent = d ? a.weighted.size - (a.weighted.has(d.group) ? 1 : 0) : 0;
      if (!d || independent >= this.cfg.confirmWeighted) this.creditId(a, id, now);
      else this.witness(a, d, now);
    }
  }

  /**
   * Corroboration across discoveries: a reporter without weight whose discoveries (several addresses) were
   * reported by `confirmWeighted` distinct weighted networks other than its own, in all, earns the confirmations
   * it needs to have weight. One weighted network, however often it corroborates, is never enough.
   */
  private witness(a: AddrState, d: Reporter, now: number): void {
    const c = this.cfg;
    if (d.confirmed >= c.minConfirmations) return;
    for (const g of a.weighted) if (g !== d.group && !d.witnesses.includes(g)) d.witnesses.push(g);
    if (d.witnesses.length < c.confirmWeighted) return;
    d.witnesses = [];
    while (d.confirmed < c.minConfirmations) this.credit(d, now);
  }

  /** A discoverer's report was confirmed: one confirmation, once per address. */
  private creditId(a: AddrState, id: string, now: number): void {
    a.discoverers.delete(id);
    const rep = this.book.byId.get(id);
    if (!rep) return;
    if (!a.confirmedAt) a.confirmedAt = now;
    this.credit(rep, now);
  }

  private credit(r: Reporter, now: number): void {
    r.confirmed++;
    if (r.confirmed === this.cfg.minConfirmations) {
      this.trusted++;
      this.wakeLater(r, now);
    }
  }

  /** A reporter was penalised: when the penalty ends, its reports count again. */
  onPenalty(r: Reporter, now: number): void {
    if (r.penalizedUntil > now) this.wakeLater(r, now);
  }

  /** When `r` may have weight (its age reached, its penalty over), its reports are looked at again. */
  private wakeLater(r: Reporter, now: number): void {
    if (r.confirmed < this.cfg.minConfirmations) return;
    this.wakes.push(Math.max(now, r.registeredAt + this.cfg.minReporterAgeMs, r.penalizedUntil), r.id);
  }

  /** The wake-ups due at `now` (called first at each tick). */
  tick(now: number): void {
    while (this.wakes.peek() <= now) {
      const r = this.book.byId.get(this.wakes.pop()!);
      if (r) this.onWeight(r, now);
    }
  }

  /**
   * A reporter has weight now: its recent reports corroborate the pending discoveries of the same addresses (as
   * if it had had its weight when it made them), and the addresses it reported within the evidence window are
   * evaluated again at this tick — by the same listing rule, whose decay still runs from the reports' times.
   */
  private onWeight(r: Reporter, now: number): void {
    const c = this.cfg;
    if (this.book.weight(r, now) < c.minNetworkWeight || !this.book.eligible(r, now)) return;
    for (const v of r.recent) {
      const a = this.host.addrs.get(v);
      if (!a || !a.firstBy.has(r.id)) continue;
      if (a.discoverers.size > 0 && this.trusted >= c.bootstrapReporters && !a.weighted.has(r.group)) {
        a.groups.add(r.group);
        a.weighted.add(r.group);
        this.creditPending(a, now);
      }
      const t = a.reports.get(r.id);
      if (t !== undefined && t >= now - c.evidenceWindowMs && a.until <= now) this.host.dirty.add(v);
    }
  }

  /** After a state import: the wake-ups still ahead of `latest` (the state's last report). */
  rebuild(latest: number): void {
    for (const r of this.book.byId.values()) {
      const t = Math.max(r.registeredAt + this.cfg.minReporterAgeMs, r.penalizedUntil);
      if (r.confirmed >= this.cfg.minConfirmations && t > latest) this.wakes.push(t, r.id);
    }
  }
}
