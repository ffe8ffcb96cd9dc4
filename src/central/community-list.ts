// The community list as pulls see it: recomputed on a tick (never on the pull path), from the consensus (entries
// it lists, tailored to a site's scenarios and capped) and the operator's curated entries (served to every site
// whatever its scenarios). Owns: the tick, the per-scenario-set cache of tailored lists (each computed once per
// tick), the change time of every entry (a delta pull returns entries changed since the site's last pull) and
// the log of removals (decay, appeal, erasure, curated deletions) served as `deleted` for 7 days.

import type { Consensus, EntryScope, ListedEntry } from './consensus/types.js';
import type { CuratedRecord } from './records.js';

const DELETION_KEEP_MS = 7 * 86_400_000;
/** a startup pull's `deleted`: removals of the last day */
export const STARTUP_DELETED_MS = 86_400_000;
/** overlap of consecutive delta pulls (lapi.md §5.1) */
const OVERLAP_MS = 2000;

export interface Removal {
  value: string;
  scope: EntryScope;
  scenario: string;
  at: number;
}

export interface SiteEntry {
  scope: EntryScope;
  value: string;
  scenario: string;
  until: number;
  /** when the entry appeared or its end moved (a delta's `new` holds entries changed after the last pull) */
  changedAt: number;
  curated: boolean;
}

/** The list one site receives, computed once per tick per scenario set. */
export interface SiteList {
  readonly now: number;
  readonly entries: readonly SiteEntry[];
  readonly values: ReadonlySet<string>;
  /** encoded bodies, filled by the stream encoder on first use */
  readonly encoded: Map<string, string>;
}

export class CommunityList {
  private now = 0;
  private changed = new Map<string, { until: number; changedAt: number }>();
  private scenarioOf = new Map<string, { scenario: string; scope: EntryScope }>();
  private removals: Removal[] = [];
  private cache = new Map<string, SiteList>();
  private curated = new Map<string, CuratedRecord>();

  constructor(
    private readonly consensus: Consensus,
    private readonly cap: number,
  ) {}

  get tickTime(): number {
    return this.now;
  }

  /** advance the consensus and rebuild what pulls read */
  tick(now: number): void {
    const changes = this.consensus.tick(now);
    for (const c of changes) this.removed(c.value, c.scope, now);
    const next = new Map<string, { until: number; changedAt: number }>();
    for (const e of this.consensus.listed(now)) {
      if (e.origin !== 'consensus') continue;
      const prev = this.changed.get(e.value);
      const moved = !prev || Math.abs(prev.until - e.until) > 60_000;
      next.set(e.value, { until: e.until, changedAt: moved ? now : prev.changedAt });
      this.scenarioOf.set(e.value, { scenario: e.scenario, scope: e.scope });
    }
    for (const [v] of this.changed) if (!next.has(v)) this.removed(v, this.scenarioOf.get(v)?.scope ?? 'Ip', now);
    this.changed = next;
    for (const [v, c] of this.curated)
      if (c.until <= now) {
        this.curated.delete(v);
        this.removed(v, c.scope, now);
      }
    const keepAfter = now - DELETION_KEEP_MS;
    if (this.removals.length && this.removals[0]!.at < keepAfter)
      this.removals = this.removals.filter((r) => r.at >= keepAfter);
    this.now = now;
    this.cache.clear();
  }

  /** an address left the list (appeal, erasure, decay): in every site's next `deleted` */
  removed(value: string, scope: EntryScope, at: number): void {
    const last = this.removals[this.removals.length - 1];
    if (last && last.value === value && at - last.at < 1000) return;
    this.removals.push({ value, scope, scenario: this.scenarioOf.get(value)?.scenario ?? '', at });
    this.changed.delete(value);
    this.cache.clear();
  }

  setCurated(c: CuratedRecord): void {
    this.curated.set(c.value, c);
    this.cache.clear();
  }
  deleteCurated(value: string, at: number): boolean {
    const c = this.curated.get(value);
    if (!c) return false;
    this.curated.delete(value);
    this.scenarioOf.set(value, { scenario: c.scenario, scope: c.scope });
    this.removed(value, c.scope, at);
    return true;
  }
  curatedEntries(): CuratedRecord[] {
    return [...this.curated.values()];
  }
  listedCount(): number {
    return this.changed.size;
  }

  /** the list of a site running `scenarios` (sorted key: computed once per tick per distinct set) */
  siteList(scenarios: readonly string[]): SiteList {
    const key = [...scenarios].sort().join(',');
    let s = this.cache.get(key);
    if (!s) {
      s = this.build(scenarios);
      this.cache.set(key, s);
    }
    return s;
  }

  private build(scenarios: readonly string[]): SiteList {
    const now = this.now;
    const entries: SiteEntry[] = [];
    const values = new Set<string>();
    const fromConsensus: ListedEntry[] = this.consensus.listFor(scenarios, now, this.cap);
    for (const e of fromConsensus) {
      if (e.origin !== 'consensus' || e.until <= now || values.has(e.value)) continue;
      values.add(e.value);
      const changedAt = this.changed.get(e.value)?.changedAt ?? e.since;
      entries.push({ scope: e.scope, value: e.value, scenario: e.scenario, until: e.until, changedAt, curated: false });
    }
    for (const c of this.curated.values()) {
      if (c.until <= now || values.has(c.value)) continue;
      values.add(c.value);
      entries.push({
        scope: c.scope,
        value: c.value,
        scenario: c.scenario,
        until: c.until,
        changedAt: c.createdAt,
        curated: true,
      });
    }
    return { now, entries, values, encoded: new Map() };
  }

  /** removals a site should hear of: since its last pull (minus the overlap), or of the last day at startup */
  removalsSince(since: number, site: SiteList): Removal[] {
    const out: Removal[] = [];
    const seen = new Set<string>();
    for (let i = this.removals.length - 1; i >= 0; i--) {
      const r = this.removals[i]!;
      if (r.at <= since - OVERLAP_MS) break;
      if (site.values.has(r.value) || seen.has(r.value)) continue;
      seen.add(r.value);
      out.push(r);
    }
    return out.reverse();
  }
}
