// The baselines the simulator measures the consensus against, as other `Consensus` implementations fed the same
// signals: "list after k distinct reporters within 72 h" (k = 2, 3, 5; DShield / blocklist.de style, reserved
// ranges refused, removal 48 h after the last report) and a trust rank in the spirit of crowd.md §1 (a reporter
// aged 7 days with no canary hit and mostly corroborated reports lists alone; others need 3 reporters).

import { CanarySet } from '../consensus/canaries.js';
import { BUILTIN_CANARIES } from '../consensus/canaries.js';
import { TimerHeap } from '../consensus/heap.js';
import type { Consensus, ListChange, ListedEntry, ReporterInfo, SignalInput } from '../consensus/types.js';

const H = 3_600_000;
const WINDOW = 72 * H;
const KEEP = 48 * H;

interface Slot {
  value: string;
  reports: Map<string, number>;
  scenario: string;
  lastReport: number;
  until: number;
  since: number;
  appealAt: number;
  timerAt: number;
  lastBy: string;
  prevAt: number;
}

/** Shared machinery of the baselines: evidence per address, timers, appeals; subclasses say what lists. */
export abstract class SimpleConsensus implements Consensus {
  onListed: ((e: ListedEntry) => void) | null = null;
  protected readonly slots = new Map<string, Slot>();
  protected readonly listedSet = new Set<Slot>();
  private readonly dirty = new Set<Slot>();
  private readonly timers = new TimerHeap();
  private changes: ListChange[] = [];

  constructor(protected readonly never: CanarySet) {}

  registerReporter(_r: ReporterInfo, _now: number): void {
    /* reporters need no registration here */
  }
  removeReporter(_id: string, _now: number): void {
    /* evidence stays */
  }

  /** false: the signal is refused before it counts */
  protected accept(_s: SignalInput): boolean {
    return true;
  }
  protected abstract listable(slot: Slot, now: number): boolean;

  ingest(s: SignalInput): void {
    if (s.trust !== 'certified' || !this.accept(s)) return;
    let a = this.slots.get(s.value);
    if (!a) {
      if (this.never.match(s.value)) return;
      a = {
        value: s.value,
        reports: new Map(),
        scenario: s.scenario,
        lastReport: 0,
        until: 0,
        since: 0,
        appealAt: 0,
        timerAt: 0,
        lastBy: '',
        prevAt: 0,
      };
      this.slots.set(s.value, a);
    }
    if (a.lastBy !== s.reporter) {
      a.prevAt = a.lastReport;
      a.lastBy = s.reporter;
    }
    a.reports.set(s.reporter, s.received);
    a.lastReport = s.received;
    if (a.until > s.received)
      a.until = Math.max(a.until, s.received + KEEP); // listed: the timer re-checks
    else this.dirty.add(a);
  }

  tick(now: number): ListChange[] {
    while (this.timers.peek() <= now) {
      const t = this.timers.peek();
      const a = this.slots.get(this.timers.pop()!);
      if (!a || a.timerAt !== t) continue;
      a.timerAt = 0;
      if (a.until > now) this.schedule(a, a.until);
      else this.evaluate(a, now);
    }
    for (const a of this.dirty) this.evaluate(a, now);
    this.dirty.clear();
    const out = this.changes;
    this.changes = [];
    return out;
  }

  private schedule(a: Slot, t: number): void {
    if (a.timerAt !== 0 && a.timerAt <= t) return;
    a.timerAt = t;
    this.timers.push(t, a.value);
  }

  private evaluate(a: Slot, now: number): void {
    for (const [id, t] of a.reports) if (t < now - WINDOW || t < a.appealAt) a.reports.delete(id);
    if (a.reports.size > 0 && a.lastReport + KEEP > now && this.listable(a, now)) {
      if (a.until <= now) {
        a.since = now;
        this.listedSet.add(a);
        a.until = a.lastReport + KEEP;
        this.onListed?.(this.entryOf(a));
      }
      a.until = Math.max(a.until, a.lastReport + KEEP);
      this.schedule(a, a.until);
      return;
    }
    if (a.until > now) {
      this.schedule(a, a.until);
      return;
    }
    if (a.until > 0) this.unlist(a, Math.min(now, a.until), 'decay');
    if (a.reports.size === 0 && a.appealAt < now - WINDOW) this.slots.delete(a.value);
    else this.schedule(a, Math.max(a.lastReport, a.appealAt) + WINDOW + 1);
  }

  private unlist(a: Slot, now: number, reason: ListChange['reason']): void {
    a.until = 0;
    this.listedSet.delete(a);
    this.changes.push({ value: a.value, scope: 'Ip', reason, at: now });
  }

  private entryOf(a: Slot): ListedEntry {
    return { scope: 'Ip', value: a.value, scenario: a.scenario, until: a.until, since: a.since, origin: 'consensus' };
  }

  listed(now: number): ListedEntry[] {
    return [...this.listedSet].filter((a) => a.until > now).map((a) => this.entryOf(a));
  }

  listFor(scenarios: readonly string[], now: number, cap: number): ListedEntry[] {
    const want = scenarios.length ? new Set(scenarios) : null;
    return this.listed(now)
      .filter((e) => !want || want.has(e.scenario))
      .slice(0, cap);
  }

  delist(value: string, now: number): boolean {
    const a = this.slots.get(value);
    if (!a) return false;
    a.appealAt = now;
    a.reports.clear();
    if (a.until <= 0) return false;
    this.unlist(a, now, 'appeal');
    return true;
  }

  erase(value: string, now: number): void {
    const a = this.slots.get(value);
    if (a && a.until > 0) this.unlist(a, now, 'erase');
    this.slots.delete(value);
  }

  addCurated(): void {
    /* not measured */
  }
  removeCurated(): boolean {
    return false;
  }
  exportState(): unknown {
    return null;
  }
  importState(): void {
    /* not measured */
  }
  exportStateChunks(): Iterable<string> {
    return [];
  }
  importStateChunks(): void {
    /* not measured */
  }
}

function reservedOnly(): CanarySet {
  const s = new CanarySet([], false);
  for (const r of BUILTIN_CANARIES.reserved) s.add(r, 'reserved');
  return s;
}

/** List an address once `k` distinct reporters reported it within 72 h. */
export class KDistinct extends SimpleConsensus {
  constructor(private readonly k: number) {
    super(reservedOnly());
  }
  protected listable(a: Slot): boolean {
    return a.reports.size >= this.k;
  }
}

interface Rank {
  registeredAt: number;
  reports: number;
  corroborated: number;
  canary: boolean;
}

/** Trust rank: trusted reporters list alone, others need three distinct reporters; canaries never listed. */
export class TrustRank extends SimpleConsensus {
  private readonly ranks = new Map<string, Rank>();
  private readonly all = new CanarySet();

  constructor(
    private readonly minAgeMs = 7 * 24 * H,
    private readonly minReports = 10,
    private readonly minRatio = 0.5,
  ) {
    super(new CanarySet());
  }

  override registerReporter(r: ReporterInfo): void {
    if (!this.ranks.has(r.id))
      this.ranks.set(r.id, { registeredAt: r.registeredAt, reports: 0, corroborated: 0, canary: false });
  }

  private rank(id: string, now: number): Rank {
    let r = this.ranks.get(id);
    if (!r) {
      r = { registeredAt: now, reports: 0, corroborated: 0, canary: false };
      this.ranks.set(id, r);
    }
    return r;
  }

  protected override accept(s: SignalInput): boolean {
    const r = this.rank(s.reporter, s.received);
    const a = this.slots.get(s.value);
    // an address with a slot passed this check when its slot was made (canaries never get one)
    if (!a && this.all.match(s.value)) {
      r.canary = true;
      return false;
    }
    if (a?.reports.has(s.reporter)) return true;
    r.reports++;
    if (a) {
      // another reporter within 24 h corroborates (the last one, or the one before it)
      const other = a.lastBy !== s.reporter ? a.lastReport : a.prevAt;
      if (other >= s.received - 24 * H) r.corroborated++;
    }
    return true;
  }

  private trusted(id: string, now: number): boolean {
    const r = this.ranks.get(id);
    return (
      !!r &&
      !r.canary &&
      now - r.registeredAt >= this.minAgeMs &&
      r.reports >= this.minReports &&
      r.corroborated / r.reports >= this.minRatio
    );
  }

  protected listable(a: Slot, now: number): boolean {
    if (a.reports.size >= 3) return true;
    for (const id of a.reports.keys()) if (this.trusted(id, now)) return true;
    return false;
  }
}
