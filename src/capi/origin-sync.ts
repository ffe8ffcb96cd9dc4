// Bringing the store's decisions of one crowd origin (`CAPI`, `lists:NAME`) to what the central API or a list
// says (capi.md §5.3; issue 13). Shared by the community puller (./puller.ts) and the list sync (./lists.ts).
// Owns: the diff between the wanted entries and the active decisions of the origin — a wanted entry already in
// force is kept, a re-sent one with another end replaces its row (hard delete + insert in one transaction, so
// bouncers see a new row, never a deletion: never a duplicate), entries gone from a list replaced as a whole are
// expired (bouncers see them deleted) —, the local allowlist that always wins (such entries never become
// decisions and are counted), and the alerts carrying the new rows (source scope `crowdsecurity/community-
// blocklist` or `lists:NAME`, scenario `update : +N/-M IPs`, as CrowdSec).

import { formatRfc3339 } from '../api/wire-time.js';
import type { AllowlistStore } from '../store/allowlists.js';
import { parseIpOrRange } from '../store/iprange.js';
import type { LmdbLapiStore } from '../store/lapi-store.js';
import { bareSource, type DecisionRecord, type NewAlert, type NewDecision } from '../store/records.js';
import type { PullMetrics } from './pull-metrics.js';

export const CAPI_ORIGIN = 'CAPI';
export const COMMUNITY_SOURCE_SCOPE = 'crowdsecurity/community-blocklist';
export const listOrigin = (name: string): string => `lists:${name}`;

/** decisions per stored alert (and per write transaction) */
const ALERT_CHUNK = 5_000;
/** wanted entries examined between two turns of the event loop */
const YIELD_EVERY = 2_000;

export interface WantedEntry {
  scope: string;
  value: string;
  type: string;
  scenario: string;
  until: number;
}

export interface SyncTarget {
  store: LmdbLapiStore;
  allowlists: AllowlistStore | null;
  metrics: PullMetrics;
}

export interface ApplyOptions {
  origin: string;
  now: number;
  /** source scope of the alerts carrying the new rows */
  sourceScope: string;
  /** true: active decisions of the origin that are not wanted expire (a list replaced as a whole) */
  replaceWhole: boolean;
  /** true when the row in force may stay for this wanted entry (same scope, value and type) */
  keep: (current: DecisionRecord, wanted: WantedEntry) => boolean;
}

export interface ApplyResult {
  added: number;
  refreshed: number;
  kept: number;
  expired: number;
  allowlisted: number;
}

const keyOf = (scope: string, value: string, type: string): string => `${scope}\u0000${value}\u0000${type}`;

/** active (until > now) decisions of `origin`, simulated ones included, by scope/value/type */
function activeByKey(store: LmdbLapiStore, origin: string, now: number): Map<string, DecisionRecord[]> {
  const out = new Map<string, DecisionRecord[]>();
  for (const d of store.queryDecisions({ origins: [origin], simulated: true }, now)) {
    if (d.origin !== origin || d.until <= now) continue;
    const k = keyOf(d.scope, d.value, d.type);
    const g = out.get(k);
    if (g) g.push(d);
    else out.set(k, [d]);
  }
  return out;
}

/** true when a local allowlist holds the entry's address (or part of its range) */
export function allowlisted(t: SyncTarget, scope: string, value: string, now: number): boolean {
  if (t.allowlists === null || (scope !== 'Ip' && scope !== 'Range')) return false;
  const r = parseIpOrRange(value);
  return r !== null && t.allowlists.overlaps(r, now);
}

/** the alert of one chunk of new rows (CrowdSec's shape for community and list updates) */
function updateAlert(o: ApplyOptions, decisions: NewDecision[], removed: number): NewAlert {
  const at = formatRfc3339(o.now);
  return {
    machineId: '',
    scenario: `update : +${decisions.length}/-${removed} IPs`,
    scenarioHash: '',
    scenarioVersion: '',
    message: '',
    eventsCount: 0,
    startAt: at,
    stopAt: at,
    capacity: 0,
    leakspeed: '',
    simulated: false,
    remediation: true,
    kind: '',
    labels: null,
    source: bareSource(o.sourceScope, ''),
    events: [],
    meta: [],
    decisions,
  };
}

/** Brings the origin's active decisions to `wanted` (see the header); entries are de-duplicated by key. */
export async function applyEntries(
  t: SyncTarget,
  wanted: Iterable<WantedEntry>,
  o: ApplyOptions,
): Promise<ApplyResult> {
  const res: ApplyResult = { added: 0, refreshed: 0, kept: 0, expired: 0, allowlisted: 0 };
  const current = activeByKey(t.store, o.origin, o.now);
  const seen = new Set<string>();
  const inserts: { d: NewDecision; replace: number[] }[] = [];
  let n = 0;
  for (const w of wanted) {
    // a 100,000-entry answer must not hold the LAPI's event loop for seconds: bouncers keep being answered
    if (++n % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
    const k = keyOf(w.scope, w.value, w.type);
    if (seen.has(k) || !(w.until > o.now)) continue;
    seen.add(k);
    if (allowlisted(t, w.scope, w.value, o.now)) {
      res.allowlisted++;
      seen.delete(k); // a row in force for it expires below
      continue;
    }
    const cur = current.get(k);
    if (cur && cur.length === 1 && o.keep(cur[0], w)) {
      res.kept++;
      continue;
    }
    if (cur) res.refreshed++;
    else res.added++;
    const d = { until: w.until, scenario: w.scenario, type: w.type, scope: w.scope, value: w.value };
    inserts.push({ d: { ...d, origin: o.origin, simulated: false }, replace: cur ? cur.map((c) => c.id) : [] });
  }
  if (res.allowlisted > 0) t.metrics.allowlisted.inc({ origin: o.origin }, res.allowlisted);
  const expire: number[] = [];
  for (const [k, rows] of current) {
    if (seen.has(k) || (!o.replaceWhole && !wantedAllowlisted(t, rows[0], o.now))) continue;
    for (const r of rows) expire.push(r.id);
  }
  for (let i = 0; i < inserts.length; i += ALERT_CHUNK) {
    const chunk = inserts.slice(i, i + ALERT_CHUNK);
    const replace = chunk.flatMap((c) => c.replace);
    const removed = i === 0 ? expire.length : 0;
    await t.store.replaceDecisions(
      [
        updateAlert(
          o,
          chunk.map((c) => c.d),
          removed,
        ),
      ],
      replace,
    );
  }
  if (expire.length > 0) res.expired = await t.store.expireDecisionIds(expire, o.now);
  return res;
}

/** a row in force that an allowlist now covers expires even when its list is not replaced as a whole */
function wantedAllowlisted(t: SyncTarget, d: DecisionRecord, now: number): boolean {
  return allowlisted(t, d.scope, d.value, now);
}

/** expires the active decisions of `origins` with one of these values (and this scope unless it is Ip) */
export async function expireValues(
  store: LmdbLapiStore,
  origins: readonly string[],
  scope: string,
  values: readonly string[],
  now: number,
): Promise<number> {
  const ids: number[] = [];
  for (const value of values) {
    for (const d of store.queryDecisions({ value, origins: [...origins], simulated: true }, now)) {
      if (d.until <= now || !origins.includes(d.origin)) continue;
      if (scope !== 'Ip' && d.scope !== scope) continue;
      ids.push(d.id);
    }
  }
  return ids.length ? store.expireDecisionIds(ids, now) : 0;
}
