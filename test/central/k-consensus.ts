// A deliberately simple consensus for the server tests (the real engine lives in src/central/consensus and is
// tested there): an address is listed for 24 h once `k` distinct reporters sent certified signals about it; it
// records every call so tests can check what the server hands the consensus (trust classes, reporters).

import type {
  Consensus,
  EntryScope,
  ListChange,
  ListedEntry,
  ReporterInfo,
  SignalInput,
} from '../../src/central/consensus/types.js';

const TTL = 24 * 3_600_000;

export class KConsensus implements Consensus {
  readonly reporters = new Map<string, ReporterInfo>();
  readonly ingested: SignalInput[] = [];
  readonly erased: string[] = [];
  private evidence = new Map<string, { scope: EntryScope; scenario: string; reporters: Set<string>; last: number }>();
  private entries = new Map<string, ListedEntry>();
  private held = new Map<string, number>();
  private curated = new Map<string, ListedEntry>();
  private pending: ListChange[] = [];

  constructor(private readonly k = 2) {}

  registerReporter(r: ReporterInfo): void {
    this.reporters.set(r.id, r);
  }
  removeReporter(id: string): void {
    this.reporters.delete(id);
  }
  ingest(s: SignalInput): void {
    this.ingested.push(s);
    if (s.trust !== 'certified' || !this.reporters.has(s.reporter)) return;
    const e = this.evidence.get(s.value) ?? { scope: s.scope, scenario: s.scenario, reporters: new Set(), last: 0 };
    e.reporters.add(s.reporter);
    e.last = Math.max(e.last, s.received);
    this.evidence.set(s.value, e);
  }
  tick(now: number): ListChange[] {
    for (const [v, e] of this.evidence) {
      if (e.reporters.size < this.k || (this.held.get(v) ?? 0) > now) continue;
      const cur = this.entries.get(v);
      if (!cur || cur.until < e.last + TTL) {
        this.entries.set(v, {
          scope: e.scope,
          value: v,
          scenario: e.scenario,
          until: e.last + TTL,
          since: cur?.since ?? now,
          origin: 'consensus',
        });
      }
    }
    for (const [v, e] of this.entries) {
      if (e.until <= now) {
        this.entries.delete(v);
        this.pending.push({ value: v, scope: e.scope, reason: 'decay', at: now });
      }
    }
    const out = this.pending;
    this.pending = [];
    return out;
  }
  listed(): ListedEntry[] {
    return [...this.entries.values(), ...this.curated.values()].sort((a, b) => (a.value < b.value ? -1 : 1));
  }
  listFor(scenarios: readonly string[], now: number, cap: number): ListedEntry[] {
    return this.listed()
      .filter((e) => e.until > now && (scenarios.length === 0 || scenarios.includes(e.scenario)))
      .slice(0, cap);
  }
  delist(value: string, now: number, holdMs = 0): boolean {
    this.held.set(value, now + holdMs);
    const had = this.entries.delete(value);
    if (had) this.pending.push({ value, scope: 'Ip', reason: 'appeal', at: now });
    return had;
  }
  erase(value: string, now: number): void {
    this.erased.push(value);
    this.evidence.delete(value);
    if (this.entries.delete(value)) this.pending.push({ value, scope: 'Ip', reason: 'erase', at: now });
  }
  addCurated(e: Omit<ListedEntry, 'origin' | 'since'>, now: number): void {
    this.curated.set(e.value, { ...e, since: now, origin: 'curated' });
  }
  removeCurated(value: string): boolean {
    return this.curated.delete(value);
  }
  exportState(): unknown {
    return { entries: [...this.entries.values()] };
  }
  importState(state: unknown): void {
    for (const e of (state as { entries: ListedEntry[] }).entries) this.entries.set(e.value, e);
  }
  exportStateChunks(): Iterable<string> {
    return [JSON.stringify(this.exportState())];
  }
  importStateChunks(texts: readonly string[]): void {
    for (const t of texts) this.importState(JSON.parse(t) as unknown);
  }
}
