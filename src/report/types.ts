// The monthly report's data (what `buildReport` returns and the JSON format carries): every figure the HTML
// and PDF pages show comes from here, so the three formats always agree. Times are RFC 3339 strings (UTC).

export interface Count<K extends string> {
  key: K;
  count: number;
}

export interface Summary {
  alerts: number;
  /** distinct source values (IPs, ranges, ...) */
  sources: number;
  scenarios: number;
  /** decisions created by the month's alerts */
  decisionsIssued: number;
  countries: number;
}

export interface DayPoint {
  date: string;
  alerts: number;
  decisions: number;
}
export interface ScenarioRow {
  scenario: string;
  alerts: number;
  sources: number;
}
export interface SourceRow {
  value: string;
  scope: string;
  alerts: number;
  country: string;
  asNumber: string;
  asName: string;
  range: string;
  scenarios: string[];
}
export interface CountryRow {
  country: string;
  alerts: number;
  sources: number;
}
export interface AsRow {
  asNumber: string;
  asName: string;
  alerts: number;
  sources: number;
}
export interface RangeRow {
  range: string;
  alerts: number;
  sources: number;
}
export interface Labelled {
  label: string;
  count: number;
}

export interface DecisionsSection {
  issued: number;
  byType: Labelled[];
  byOrigin: Labelled[];
  /** active now (at generation time), not simulated */
  active: number;
  activeByOrigin: Labelled[];
}

/** what one bouncer reported in its usage metrics over the month (kept 7 days by the store) */
export interface BouncerRow {
  name: string;
  type: string;
  version: string;
  lastPull: string | null;
  /** sum of each metric over the month's windows: `dropped` packets/bytes by origin, ... */
  metrics: { name: string; unit: string; origin: string; value: number }[];
  /** number of usage-metric reports of the month */
  reports: number;
}

export interface CrowdSection {
  /** decisions of the month received from the crowd (origin CAPI) or blocklists (origin lists) */
  received: Labelled[];
  receivedTotal: number;
  /** active crowd decisions now */
  activeReceived: number;
  /** signals sent to the crowd: null when no crowd ledger is registered (see ./crowd.ts) */
  shared: { total: number; byScenario: Labelled[]; source: string } | null;
}

export interface Change {
  current: number;
  previous: number;
  delta: number;
  percent: number | null;
}

export interface IncidentRow {
  alertId: number;
  scenario: string;
  source: string;
  start: string;
  stop: string;
  events: number;
  durationS: number;
}

export interface Incidents {
  largest: IncidentRow[];
  longest: IncidentRow[];
  /** scenarios seen this month and not in the previous month */
  newScenarios: string[];
}

export interface ReportData {
  format: 'picket-report/1';
  month: string;
  period: { from: string; to: string };
  generatedAt: string;
  /** the oldest alert the store holds and whether the month is fully covered (retention may have cut it) */
  coverage: { oldestAlert: string | null; complete: boolean };
  summary: Summary;
  previous: { month: string; summary: Summary };
  changes: Record<keyof Summary, Change>;
  attacksPerDay: DayPoint[];
  topScenarios: ScenarioRow[];
  topSources: SourceRow[];
  topCountries: CountryRow[];
  topAs: AsRow[];
  topRanges: RangeRow[];
  decisions: DecisionsSection;
  bouncers: BouncerRow[];
  crowd: CrowdSection;
  incidents: Incidents;
  geo: { source: string | null; attribution: string };
}
