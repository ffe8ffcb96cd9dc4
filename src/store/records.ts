// Records of the Local API store and the contract between the store (src/store/lapi-store.ts), the HTTP
// layer (src/lapi) and the CLI (src/cli). Owns: the shapes of machines, bouncers, alerts and decisions as the
// store keeps them, the filters the HTTP routes translate their query strings into, and the `LapiStore`
// interface. Times are Unix epoch milliseconds (numbers) unless a field says otherwise; wire formatting
// (RFC 3339, Go durations) belongs to src/lapi.

/** An address interval of an `Ip`/`Range` decision or filter (see spec lapi.md §5.3). */
export interface IpRange {
  /** 4 for IPv4 (and IPv4-mapped IPv6), 6 for IPv6 */
  family: 4 | 6;
  /** network address: 4 bytes (family 4) or 16 bytes (family 6), host bits zeroed */
  bytes: Uint8Array;
  /** prefix length: 0..32 (family 4) or 0..128 (family 6); a single IP is 32 / 128 */
  prefix: number;
}

export interface MachineRecord {
  machineId: string;
  /** password hash (`scrypt$N$r$p$salt$hash`, see src/lapi/auth) */
  passwordHash: string;
  isValidated: boolean;
  authType: 'password' | 'tls';
  ipAddress: string;
  /** from the User-Agent at login: the part after '/' */
  version: string;
  /** comma-joined scenario list sent at login */
  scenarios: string;
  createdAt: number;
  updatedAt: number;
  lastPush: number | null;
  lastHeartbeat: number | null;
}

export interface BouncerRecord {
  name: string;
  /** SHA-512 hex digest of the API key (the key itself is never stored) */
  apiKeyHash: string;
  revoked: boolean;
  ipAddress: string;
  /** from the User-Agent: `type/version` */
  type: string;
  version: string;
  authType: 'api-key' | 'tls';
  autoCreated: boolean;
  createdAt: number;
  updatedAt: number;
  /** time the last successful stream/live request started (null: never pulled) */
  lastPull: number | null;
}

export interface DecisionRecord {
  id: number;
  uuid: string;
  /** owning alert id */
  alertId: number;
  createdAt: number;
  /** expiry; active while until > now. A deletion through the API sets until := now (soft delete). */
  until: number;
  scenario: string;
  /** ban, captcha, ... */
  type: string;
  /** normalised: Ip, Range, Country, AS; others verbatim */
  scope: string;
  /** as submitted (a Range keeps its text) */
  value: string;
  origin: string;
  simulated: boolean;
  /** parsed interval for Ip/Range scopes, null otherwise */
  range: IpRange | null;
}

export interface SourceRecord {
  scope: string;
  value: string;
  ip: string;
  range: string;
  asNumber: string;
  asName: string;
  cn: string;
  latitude: number;
  longitude: number;
}

/** a source with only a scope and a value (community and list updates, imported decisions) */
export function bareSource(scope: string, value: string): SourceRecord {
  return { scope, value, ip: '', range: '', asNumber: '', asName: '', cn: '', latitude: 0, longitude: 0 };
}

export interface MetaRecord {
  key: string;
  value: string;
}
export interface EventRecord {
  timestamp: string;
  meta: MetaRecord[];
}

export interface AlertRecord {
  id: number;
  uuid: string;
  /** machine that pushed it ('N/A' once that machine is gone) */
  machineId: string;
  createdAt: number;
  scenario: string;
  scenarioHash: string;
  scenarioVersion: string;
  message: string;
  eventsCount: number;
  /** as received (RFC 3339, nanoseconds kept) */
  startAt: string;
  stopAt: string;
  capacity: number;
  leakspeed: string;
  simulated: boolean;
  remediation: boolean;
  kind: string;
  labels: string[] | null;
  source: SourceRecord;
  events: EventRecord[];
  meta: MetaRecord[];
  /** ids of its decisions (the records themselves are in the decision table) */
  decisionIds: number[];
}

/** A decision to store with a new alert: `until` already computed (alert stop_at + duration). */
export type NewDecision = Pick<
  DecisionRecord,
  'until' | 'scenario' | 'type' | 'scope' | 'value' | 'origin' | 'simulated'
>;

/** An alert to store (after validation, scope normalisation and profiles). */
export type NewAlert = Omit<AlertRecord, 'id' | 'uuid' | 'decisionIds' | 'createdAt'> & {
  createdAt?: number;
  decisions: NewDecision[];
};

/** Decision filters shared by GET /v1/decisions, the stream and DELETE /v1/decisions (spec §5.1, §5.2, §6.10). */
export interface DecisionFilter {
  /** ip= or range= */
  range?: IpRange;
  /** true (default): decisions containing `range`; false: decisions contained in `range` */
  contains?: boolean;
  /** normalised scope names (Ip, Range, Country, AS, others verbatim); absent = any */
  scopes?: string[];
  value?: string;
  type?: string;
  origins?: string[];
  /** lower-cased words; keep decisions whose scenario contains any */
  scenariosContaining?: string[];
  /** lower-cased words; drop decisions whose scenario contains any */
  scenariosNotContaining?: string[];
  scenario?: string;
  uuids?: string[];
  /** include simulated decisions (default false) */
  simulated?: boolean;
}

/** Alert filters of GET/DELETE /v1/alerts (spec §6.7). Durations already turned into absolute times. */
export interface AlertFilter {
  scope?: string;
  value?: string;
  scenario?: string;
  range?: IpRange;
  contains?: boolean;
  /** started_at >= since */
  since?: number;
  /** started_at <= until */
  until?: number;
  createdBefore?: number;
  hasActiveDecision?: boolean;
  decisionType?: string;
  origin?: string;
  includeCapi?: boolean;
  simulated?: boolean;
  kind?: string;
  /** default 100; 0 = unlimited */
  limit?: number;
  sort?: 'ASC' | 'DESC';
}

export interface StreamResult {
  new: DecisionRecord[];
  deleted: DecisionRecord[];
}

export interface RetentionPolicy {
  /** alerts older than this (ms) are deleted unless they have an active decision */
  maxAgeMs: number;
  /** at most this many alerts are kept (oldest go first, never one with an active decision) */
  maxItems: number;
}

/**
 * The Local API store. Reads are synchronous and never wait for a writer (LMDB MVCC + an in-memory index
 * of active decisions); writes are transactional and resolve once committed (durable against kill -9).
 */
export interface LapiStore {
  // machines (watchers)
  getMachine(machineId: string): MachineRecord | undefined;
  putMachine(m: MachineRecord): Promise<void>;
  deleteMachine(machineId: string): Promise<boolean>;
  listMachines(): MachineRecord[];

  // bouncers
  getBouncerByName(name: string): BouncerRecord | undefined;
  getBouncerByKeyHash(apiKeyHash: string): BouncerRecord | undefined;
  putBouncer(b: BouncerRecord): Promise<void>;
  deleteBouncer(name: string): Promise<boolean>;
  listBouncers(): BouncerRecord[];

  // alerts
  /** stores alerts with their decisions in one transaction; returns the new alert ids in order */
  addAlerts(alerts: NewAlert[]): Promise<number[]>;
  getAlert(id: number): AlertRecord | undefined;
  queryAlerts(f: AlertFilter, now: number): AlertRecord[];
  /** hard delete (cascade to decisions); returns the count */
  deleteAlerts(f: AlertFilter, now: number): Promise<number>;
  deleteAlert(id: number): Promise<boolean>;

  // decisions
  getDecision(id: number): DecisionRecord | undefined;
  /** live query (no de-duplication): active decisions (until >= now) matching f, id ascending */
  queryDecisions(f: DecisionFilter, now: number): DecisionRecord[];
  /** soft delete: active decisions matching f get until := now; returns the count */
  expireDecisions(f: DecisionFilter, now: number): Promise<number>;
  expireDecision(id: number, now: number): Promise<boolean>;
  /**
   * The bouncer stream (spec §5.1, §7.3): startup snapshot when `lastPull` is null or `startup`, else the
   * delta since `lastPull` (2 s overlap for deletions), de-duplicated per (value, type, scope) unless dedup=false.
   */
  stream(
    f: DecisionFilter,
    opts: { startup: boolean; lastPull: number | null; dedup: boolean; now: number },
  ): StreamResult;
  /** number of active, non-simulated decisions */
  activeDecisionCount(now: number): number;
  /** decisions of alerts for a value (profiles' GetDecisionsCount etc.) */
  countDecisions(value: string, opts: { activeOnly: boolean; since?: number; now: number }): number;

  /** one retention pass (alerts by age/count, orphan expired decisions); returns what was removed */
  prune(policy: RetentionPolicy, now: number): Promise<{ alerts: number; decisions: number }>;
  flush(): Promise<void>;
  close(): Promise<void>;
}
