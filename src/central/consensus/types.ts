// The contract between Picket Central's server (routes, stores, snapshots) and its consensus (what gets listed
// in the community blocklist). The server turns wire signals into `SignalInput`s (already minimised: no message,
// geo, machine name or context ever reaches this layer) and reporters into `ReporterInfo`s; the consensus owns
// every decision about trust, evidence, canaries, decay and durations. The simulator drives the same interface
// over simulated time, so what it measures is what the server runs. Times are Unix milliseconds.

/** CrowdSec's scenario trust classes (capi.md §4.1). Only `certified` counts toward the consensus. */
export type TrustClass = 'certified' | 'tainted' | 'custom' | 'manual';

/** Decision scopes a community entry may carry. */
export type EntryScope = 'Ip' | 'Range';

/** What the consensus may know of a reporter: a pseudonym and the networks it connects from, never its address. */
export interface ReporterInfo {
  /** keyed pseudonym of the CAPI login (HMAC with the server secret) */
  id: string;
  /** registration time */
  registeredAt: number;
  /** AS number the reporter connects from (0 when unknown) */
  asn: number;
  /** the /24 (IPv4) or /48 (IPv6) network the reporter connects from, as CIDR text ('' when unknown) */
  network: string;
}

/** One minimised signal. */
export interface SignalInput {
  /** ReporterInfo.id of the sender */
  reporter: string;
  scope: EntryScope;
  /** normalised address (Ip) or CIDR (Range) */
  value: string;
  scenario: string;
  scenarioHash: string;
  scenarioVersion: string;
  trust: TrustClass;
  /** when the attack was seen (stop_at, clamped by the server to [received - 24h, received]) */
  at: number;
  /** when the central received it */
  received: number;
}

/** One entry of the community blocklist as the consensus decides it. */
export interface ListedEntry {
  scope: EntryScope;
  value: string;
  /** the scenario the entry is served under (sites get entries whose scenario they run) */
  scenario: string;
  /** end of the listing; the stream serves `until - now` as the duration */
  until: number;
  /** when the entry was (last) listed */
  since: number;
  /** 'consensus' (earned by evidence) or 'curated' (an operator's `picket central blocklist add`) */
  origin: 'consensus' | 'curated';
}

/** Why an address was taken off the list. */
export type DelistReason = 'decay' | 'appeal' | 'erase' | 'canary' | 'expired' | 'capacity';

export interface ListChange {
  value: string;
  scope: EntryScope;
  reason: DelistReason;
  at: number;
}

/**
 * The consensus engine. Implementations are deterministic for the same inputs (the simulator's seeds depend on
 * it) and keep their state in memory; `exportState`/`importState` let the server persist it in its store.
 */
export interface Consensus {
  /** a reporter registered (or its connecting network changed) */
  registerReporter(r: ReporterInfo, now: number): void;
  /** a reporter was deleted: its evidence no longer counts */
  removeReporter(id: string, now: number): void;
  /** one signal; non-certified ones may be kept for statistics but never count toward listing */
  ingest(s: SignalInput): void;
  /** advance time: re-evaluate pending evidence, decay, expire; returns the changes since the last tick */
  tick(now: number): ListChange[];
  /** the listed entries now (consensus and curated), in a stable order */
  listed(now: number): ListedEntry[];
  /** the list a site running `scenarios` receives (empty array: every scenario), capped at `cap` entries */
  listFor(scenarios: readonly string[], now: number, cap: number): ListedEntry[];
  /** operator appeal: off the list at once, and kept off for `holdMs` unless an operator lists it again */
  delist(value: string, now: number, holdMs?: number): boolean;
  /** GDPR erasure: forget every piece of evidence about the address */
  erase(value: string, now: number): void;
  /** curated entries (`picket central blocklist add`) */
  addCurated(entry: Omit<ListedEntry, 'origin' | 'since'>, now: number): void;
  removeCurated(value: string, now: number): boolean;
  exportState(): unknown;
  importState(state: unknown): void;
  /**
   * The state as JSON texts produced lazily, each a few milliseconds of work: the server yields to its event loop
   * between two and changes nothing in the consensus until the iteration ends. `importStateChunks` of the texts
   * restores what `importState(exportState())` does.
   */
  exportStateChunks(): Iterable<string>;
  importStateChunks(texts: readonly string[]): void;
}
