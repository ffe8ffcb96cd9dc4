// Picket Central's consensus: `WeightedConsensus`, the `Consensus` the server runs. Owns ingest (O(1) per signal:
// canary check, one evidence slot per reporter, confirmation credit), the timers and the incremental evaluation at
// each tick (only addresses that received weighted evidence, and listings whose time is up), listing durations,
// appeals with a hold, erasure, curated entries and the JSON state. The rules and why: docs/CONSENSUS.md.

import { CanarySet, type CanaryKind } from './canaries.js';
import { DEFAULT_CONSENSUS, type ConsensusConfig } from './config.js';
import { newAddr, scoreOf, topScenario, type AddrState } from './evidence.js';
import { TimerHeap } from './heap.js';
import { ReporterBook, type Reporter } from './reporters.js';
import { exportChunks, exportConsensus, importConsensus, mergeChunks } from './state.js';
import type { Consensus, DelistReason, ListChange, ListedEntry, ReporterInfo, SignalInput } from './types.js';
import { buildList } from './listing.js';
import { Confirmations } from './confirmation.js';

/** Listed addresses are re-evaluated on new evidence at most this often. */
const REEVAL_MS = 3_600_000;
/** How long the number of past reporters of an expired address is remembered (raw signal retention). */
const HISTORY_MS = 30 * 24 * 3_600_000;

export class WeightedConsensus implements Consensus {
  readonly cfg: ConsensusConfig;
  readonly book: ReporterBook;
  readonly canaries: CanarySet;
  readonly addrs = new Map<string, AddrState>();
  readonly curated = new Map<string, ListedEntry>();
  /** currently listed by consensus */
  readonly listedSet = new Set<AddrState>();
  /** addresses with weighted evidence since the last tick (evaluated at the next one; part of the state) */
  readonly dirty = new Set<string>();
  private readonly timers = new TimerHeap();
  private changes: ListChange[] = [];
  /** called when an address goes on the list (the simulator's clock of listings) */
  onListed: ((e: ListedEntry) => void) | null = null;
  /** addresses whose evidence expired: how many reporters had seen them (later reports are no discovery) */
  readonly history = new Map<string, number>();
  /** [retired at, value], oldest first from `historyHead` (the clean-up of `history`) */
  readonly historyQueue: Array<[number, string]> = [];
  historyHead = 0;
  /** discoveries, confirmations and wake-ups: how reporters earn weight */
  private readonly conf: Confirmations;
  /** counters for `stats` and the simulator */
  readonly counters = { ingested: 0, ignored: 0, canaryReports: 0 };

  constructor(cfg: Partial<ConsensusConfig> = {}) {
    this.cfg = { ...DEFAULT_CONSENSUS, ...cfg };
    this.book = new ReporterBook(this.cfg);
    this.canaries = new CanarySet(this.cfg.allowlist);
    this.conf = new Confirmations(this.cfg, this.book, this);
  }

  /** reporters that reached minConfirmations (ends the bootstrap of confirmations; part of the state) */
  get trusted(): number {
    return this.conf.trusted;
  }

  registerReporter(r: ReporterInfo): void {
    this.book.register(r);
  }

  removeReporter(id: string): void {
    const r = this.book.byId.get(id);
    if (!r) return;
    this.book.byId.delete(id);
    for (const v of r.recent) this.dirty.add(v);
  }

  /** Is `value` never to be listed (built-in canary or operator allowlist)? */
  canaryKind(value: string): CanaryKind | null {
    return this.canaries.match(value);
  }

  ingest(s: SignalInput): void {
    const now = s.received;
    if (s.trust !== 'certified' && !(s.trust === 'custom' && this.cfg.countCustom)) {
      this.counters.ignored++;
      this.sawUncertified(s.value, s.scope, now);
      return;
    }
    const r = this.book.get(s.reporter, now);
    let a = this.addrs.get(s.value);
    if (!a) {
      const kind = this.canaries.match(s.value);
      if (kind) {
        this.onCanary(r, now, kind);
        return;
      }
      a = this.create(s.value, s.scope);
      this.schedule(a, now + this.cfg.evidenceWindowMs + 1);
    }
    this.counters.ingested++;
    const first = !a.reports.has(r.id);
    a.reports.set(r.id, now);
    a.lastReport = now;
    if (a.scenarios.size < 16 || a.scenarios.has(s.scenario))
      a.scenarios.set(s.scenario, (a.scenarios.get(s.scenario) ?? 0) + 1);
    if (first) {
      this.book.noteReport(r, false);
      a.firstBy.set(r.id, now);
      this.book.remember(r, s.value);
      this.conf.onFirstReport(a, r, now);
    }
    const w = this.book.weight(r, now);
    if (w <= 0) return; // a report without weight cannot change the list
    a.lastCounted = now;
    if (a.until > now && now - a.lastEval < REEVAL_MS) {
      a.until = Math.max(a.until, now + Math.min(this.cfg.baseDurationMs, this.cfg.decayMs));
      return;
    }
    this.dirty.add(s.value);
  }

  private create(value: string, scope: SignalInput['scope']): AddrState {
    const a = newAddr(value, scope);
    const seen = this.history.get(value);
    if (seen !== undefined) {
      a.uncertified = seen;
      this.history.delete(value);
    }
    this.addrs.set(value, a);
    return a;
  }

  /** Forgets an address's evidence, remembering for `HISTORY_MS` how many had reported it. */
  private retire(a: AddrState, now: number): void {
    this.addrs.delete(a.value);
    this.history.set(a.value, Math.min(1000, a.firstBy.size + a.uncertified));
    this.historyQueue.push([now, a.value]);
    const q = this.historyQueue;
    while (this.historyHead < q.length && q[this.historyHead]![0] < now - HISTORY_MS) {
      const [t, v] = q[this.historyHead++]!;
      if (this.history.has(v) && !this.addrs.has(v) && t < now - HISTORY_MS) this.history.delete(v);
    }
    if (this.historyHead > 4096 && this.historyHead * 2 > q.length) {
      q.splice(0, this.historyHead);
      this.historyHead = 0;
    }
  }

  /** A non-certified report never counts, but it shows the address was known: later reports are no discovery. */
  private sawUncertified(value: string, scope: SignalInput['scope'], now: number): void {
    let a = this.addrs.get(value);
    if (!a) {
      if (this.canaries.match(value)) return;
      a = this.create(value, scope);
      a.lastReport = now;
      this.schedule(a, now + this.cfg.evidenceWindowMs + 1);
    }
    if (a.uncertified < 1000) a.uncertified++;
  }

  private onCanary(r: Reporter, now: number, kind: CanaryKind): void {
    this.counters.canaryReports++;
    for (const v of this.book.penalize(r, now, kind === 'cdn' || kind === 'crawler')) this.dirty.add(v);
    this.conf.onPenalty(r, now);
  }

  tick(now: number): ListChange[] {
    this.conf.tick(now);
    while (this.timers.peek() <= now) {
      const t = this.timers.peek();
      const v = this.timers.pop()!;
      const a = this.addrs.get(v);
      if (!a || a.timerAt !== t) continue; // stale timer
      a.timerAt = 0;
      const due = this.dueOf(a);
      if (due > now) this.schedule(a, due);
      else this.evaluate(a, now);
    }
    for (const v of this.dirty) {
      const a = this.addrs.get(v);
      if (a) this.evaluate(a, now);
    }
    this.dirty.clear();
    for (const [v, e] of this.curated) {
      if (e.until <= now) {
        this.curated.delete(v);
        this.changes.push({ value: v, scope: e.scope, reason: 'expired', at: now });
      }
    }
    const out = this.changes;
    this.changes = [];
    return out;
  }

  /** When an address must be looked at again: its listing's end, else when its evidence or hold runs out. */
  private dueOf(a: AddrState): number {
    return a.until > 0 ? a.until : Math.max(a.lastReport + this.cfg.evidenceWindowMs + 1, a.holdUntil);
  }

  private schedule(a: AddrState, t: number): void {
    if (a.timerAt !== 0 && a.timerAt <= t) return; // an earlier timer re-checks and reschedules
    a.timerAt = t;
    this.timers.push(t, a.value);
  }

  private evaluate(a: AddrState, now: number): void {
    const c = this.cfg;
    a.lastEval = now;
    const held = now < a.holdUntil;
    const since = held ? a.appealAt : now - c.evidenceWindowMs;
    const s = scoreOf(a, this.book, now, since, now - c.evidenceWindowMs, c.minNetworkWeight);
    a.score = s.score;
    const need = held ? Math.max(c.minNetworks, c.relistNetworks) : c.minNetworks;
    const grow = Math.min(4, s.score / c.listScore) * 2 ** Math.min(a.listings, 3);
    const end = Math.min(now + Math.min(c.maxDurationMs, c.baseDurationMs * grow), s.lastCounted + c.decayMs);
    if (s.score >= c.listScore && s.networks >= need && end > now) {
      if (a.until <= now) {
        a.since = now;
        a.listings++;
        if (!a.firstListedAt) a.firstListedAt = now;
        this.listedSet.add(a);
        a.until = end;
        this.onListed?.(this.entryOf(a));
      } else {
        a.until = Math.min(Math.max(a.until, end), s.lastCounted + c.decayMs);
      }
      a.lastCounted = s.lastCounted;
      if (held) a.holdUntil = 0; // fresh independent evidence after the appeal overrides the hold
      this.schedule(a, a.until);
      return;
    }
    if (a.until > now && s.lastCounted + c.decayMs > now) {
      // below the bar now, but still within its duration and backed by counted evidence: keep it, decay bounded
      a.until = Math.min(a.until, s.lastCounted + c.decayMs);
      this.schedule(a, a.until);
      return;
    }
    if (a.until > 0) {
      const fresh = a.lastCounted + c.decayMs > now;
      this.unlist(a, now, a.until > now ? (fresh ? 'canary' : 'decay') : fresh ? 'expired' : 'decay');
    }
    if (a.reports.size === 0 && !held) this.retire(a, now);
    else this.schedule(a, this.dueOf(a));
  }

  private unlist(a: AddrState, now: number, reason: DelistReason): void {
    if (a.until === 0) return;
    // a listing that ran out stopped being served at its end, not at the tick that noticed it
    const at = reason === 'decay' || reason === 'expired' ? Math.min(now, a.until) : now;
    a.until = 0;
    this.listedSet.delete(a);
    this.changes.push({ value: a.value, scope: a.scope, reason, at });
  }

  listed(now: number): ListedEntry[] {
    return buildList(this, [], now, Infinity);
  }

  listFor(scenarios: readonly string[], now: number, cap: number): ListedEntry[] {
    return buildList(this, scenarios, now, cap);
  }

  /** Entry of a listed address (for buildList). */
  entryOf(a: AddrState): ListedEntry {
    return {
      scope: a.scope,
      value: a.value,
      scenario: topScenario(a),
      until: a.until,
      since: a.since,
      origin: 'consensus',
    };
  }

  delist(value: string, now: number, holdMs = this.cfg.appealHoldMs): boolean {
    let was = false;
    const cur = this.curated.get(value);
    if (cur) {
      this.curated.delete(value);
      was = true;
    }
    let a = this.addrs.get(value);
    if (!a) {
      a = newAddr(value, value.includes('/') ? 'Range' : 'Ip');
      this.addrs.set(value, a);
    }
    if (a.until > now) was = true;
    if (a.until > 0) this.unlist(a, now, 'appeal');
    else if (cur) this.changes.push({ value, scope: cur.scope, reason: 'appeal', at: now });
    a.holdUntil = now + holdMs;
    a.appealAt = now;
    this.schedule(a, this.dueOf(a));
    return was;
  }

  erase(value: string, now: number): void {
    const a = this.addrs.get(value);
    const cur = this.curated.get(value);
    if ((a && a.until > 0) || cur)
      this.changes.push({ value, scope: a?.scope ?? cur!.scope, reason: 'erase', at: now });
    if (a) {
      this.listedSet.delete(a);
      this.addrs.delete(value);
      for (const id of a.firstBy.keys()) this.book.forget(id, value);
    }
    this.curated.delete(value);
    this.dirty.delete(value);
    this.history.delete(value);
  }

  addCurated(entry: Omit<ListedEntry, 'origin' | 'since'>, now: number): void {
    this.curated.set(entry.value, { ...entry, since: now, origin: 'curated' });
  }

  removeCurated(value: string, now: number): boolean {
    const e = this.curated.get(value);
    if (!e) return false;
    this.curated.delete(value);
    this.changes.push({ value, scope: e.scope, reason: 'expired', at: now });
    return true;
  }

  exportState(): unknown {
    return exportConsensus(this);
  }

  exportStateChunks(): Iterable<string> {
    return exportChunks(this);
  }

  importStateChunks(texts: readonly string[]): void {
    this.importState(mergeChunks(texts));
  }

  importState(state: unknown): void {
    const { reporters, addrs, curated, trusted, history, historyQueue, dirty } = importConsensus(state);
    this.conf.trusted = trusted;
    this.history.clear();
    for (const [v, n] of history) this.history.set(v, n);
    this.historyQueue.length = 0;
    for (const e of historyQueue) this.historyQueue.push(e);
    this.historyHead = 0;
    this.book.import(reporters);
    this.addrs.clear();
    this.listedSet.clear();
    this.curated.clear();
    this.dirty.clear();
    for (const a of addrs) {
      this.addrs.set(a.value, a);
      a.timerAt = 0;
      if (a.until > 0) this.listedSet.add(a);
      this.schedule(a, this.dueOf(a));
    }
    for (const e of curated) this.curated.set(e.value, e);
    for (const v of dirty) if (this.addrs.has(v)) this.dirty.add(v);
    let latest = 0;
    for (const a of addrs) latest = Math.max(latest, a.lastReport);
    this.conf.rebuild(latest);
  }
}
