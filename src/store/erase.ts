// Erasing one address from the Local API store (GDPR right to erasure, used by src/gdpr). One transaction,
// logged in the decision change log like every store write, so a running LAPI (another process) applies it
// within its catch-up period:
//   - alerts whose source is the address are deleted with their events and meta;
//   - other alerts that mention it (message, meta, events' meta) are rewritten with the address replaced by
//     `[erased]`;
//   - its decisions already expired are deleted; its active decisions are withdrawn (until := now, logged
//     as a change) and detached from their alert: every bouncer stream reports them as deleted, and the
//     store's retention removes the detached records once the stream's deleted window (the index
//     retention, 24 h) has passed;
//   - usage-metric bodies mentioning it are rewritten the same way; a bouncer or machine whose last
//     address it is gets an empty address.
// The change log holds only record ids and times, never an address. Also owns the stored erasure record.

import type { Database, Key as LmdbKey } from 'lmdb';
import type { PicketStore, SubDbName, SubDbs } from './lmdb.js';
import type { AlertRecord, BouncerRecord, MachineRecord, MetaRecord } from './records.js';
import { LogKind, valueKey, type CounterName, type DecisionLogEntry, type StoredDecision } from './lapi-schema.js';
import type { UsageMetricsRecord } from './usage-metrics.js';

export const ERASED = '[erased]';

/** what one erasure did, by kind of record */
export interface EraseCounts {
  alertsDeleted: number;
  eventsDeleted: number;
  alertsScrubbed: number;
  decisionsDeleted: number;
  /** active decisions set to expire now (bouncers remove the ban on their next poll) */
  decisionsWithdrawn: number;
  usageMetricsScrubbed: number;
  agentsScrubbed: number;
}

/** stored proof of an erasure: never the address, only a keyed hash of it (src/gdpr/erasures.ts) */
export interface ErasureRecord {
  id: string;
  /** HMAC-SHA256 of the address with the data folder's secret, hex */
  addressHash: string;
  at: number;
  /** counts per holder: `store` (EraseCounts), `allowlists`, and registered holders */
  counts: Record<string, Record<string, number>>;
}

function db<K extends SubDbName, KK extends LmdbKey>(store: PicketStore, name: K): Database<SubDbs[K], KK> {
  return store.db(name) as unknown as Database<SubDbs[K], KK>;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** the address as a whole token (1.2.3.4 does not match inside 11.2.3.45; 1.2.3.4:22 matches) */
export function addressPattern(ip: string): RegExp {
  const v6 = ip.includes(':');
  const before = v6 ? '(?<![0-9A-Za-z.:])' : '(?<![0-9A-Za-z.])';
  const after = v6 ? '(?![0-9A-Za-z:]|\\.[0-9])' : '(?![0-9A-Za-z]|\\.[0-9])';
  return new RegExp(`${before}${escapeRe(ip)}${after}`, 'gi');
}

export function mentions(text: string, re: RegExp): boolean {
  re.lastIndex = 0;
  return re.test(text);
}

function scrubMeta(list: MetaRecord[] | null | undefined, re: RegExp): MetaRecord[] | null | undefined {
  return list?.map((m) => ({ key: m.key, value: m.value.replace(re, ERASED) }));
}

/** an alert that mentions the address outside its source, rewritten without it (null: no mention) */
export function scrubAlert(a: AlertRecord, re: RegExp): AlertRecord | null {
  const text = JSON.stringify([a.message, a.meta, a.events]);
  if (!mentions(text, re)) return null;
  return {
    ...a,
    message: a.message.replace(re, ERASED),
    meta: scrubMeta(a.meta, re) ?? [],
    events: (a.events ?? []).map((e) => ({ timestamp: e.timestamp, meta: scrubMeta(e.meta, re) ?? [] })),
  };
}

export function isAbout(a: AlertRecord, ip: string): boolean {
  return a.source?.value === ip || a.source?.ip === ip;
}

export async function eraseAddress(store: PicketStore, ip: string, now: number): Promise<EraseCounts> {
  const alerts = db<'alerts', number>(store, 'alerts');
  const decisions = db<'decisions', number>(store, 'decisions');
  const values = db<'decisionValues', [string, number]>(store, 'decisionValues');
  const log = db<'decisionLog', number>(store, 'decisionLog') as Database<DecisionLogEntry, number>;
  const counters = db<'lapiCounters', CounterName>(store, 'lapiCounters');
  const metrics = db<'usageMetrics', [number, string]>(store, 'usageMetrics');
  const bouncers = db<'bouncers', string>(store, 'bouncers');
  const machines = db<'machines', string>(store, 'machines');
  const re = addressPattern(ip);
  const k = valueKey(ip);
  return store.root.transaction(() => {
    const c: EraseCounts = {
      alertsDeleted: 0,
      eventsDeleted: 0,
      alertsScrubbed: 0,
      decisionsDeleted: 0,
      decisionsWithdrawn: 0,
      usageMetricsScrubbed: 0,
      agentsScrubbed: 0,
    };
    let seq = counters.get('seq') ?? 0;
    const put = (kind: LogKind, id: number) => log.put(++seq, { k: kind, id, at: now });
    // alerts first: the ones about the address go (their decisions of other values with them)
    const kept = new Map<number, AlertRecord>();
    for (const { key, value: a } of alerts.getRange({})) {
      if (isAbout(a, ip)) {
        for (const did of a.decisionIds) {
          const d = decisions.get(did);
          if (d === undefined || d.value === ip) continue; // the address's own decisions: below
          decisions.remove(did);
          values.remove([valueKey(d.value), did]);
          put(LogKind.Remove, did);
        }
        alerts.remove(key);
        put(LogKind.AlertRemove, key);
        c.alertsDeleted++;
        c.eventsDeleted += a.events?.length ?? 0;
        continue;
      }
      const s = scrubAlert(a, re);
      if (s !== null) {
        kept.set(key, s);
        c.alertsScrubbed++;
      }
    }
    // the address's decisions: expired ones deleted, active ones withdrawn and detached
    for (const { key } of values.getRange({ start: [k], end: [k, Infinity] })) {
      const id = key[1];
      const d: StoredDecision | undefined = decisions.get(id);
      if (d === undefined || d.value !== ip) continue;
      const owner = kept.get(d.alertId) ?? alerts.get(d.alertId);
      if (owner !== undefined)
        kept.set(d.alertId, { ...owner, decisionIds: owner.decisionIds.filter((x) => x !== id) });
      if (d.until > now) {
        decisions.put(id, { ...d, until: now });
        put(LogKind.Update, id);
        c.decisionsWithdrawn++;
      } else {
        decisions.remove(id);
        values.remove(key);
        put(LogKind.Remove, id);
        c.decisionsDeleted++;
      }
    }
    for (const [id, a] of kept) {
      alerts.put(id, a);
      put(LogKind.AlertPut, id);
    }
    counters.put('seq', seq);
    for (const { key, value } of metrics.getRange({})) {
      if (!mentions(value.payload, re)) continue;
      metrics.put(key, { ...value, payload: value.payload.replace(re, ERASED) } satisfies UsageMetricsRecord);
      c.usageMetricsScrubbed++;
    }
    for (const { key, value } of bouncers.getRange({})) {
      if (value.ipAddress === ip) {
        bouncers.put(key, { ...value, ipAddress: '' } satisfies BouncerRecord);
        c.agentsScrubbed++;
      }
    }
    for (const { key, value } of machines.getRange({})) {
      if (value.ipAddress === ip) {
        machines.put(key, { ...value, ipAddress: '' } satisfies MachineRecord);
        c.agentsScrubbed++;
      }
    }
    return c;
  });
}

/** everything the store holds that names the address (read only): what `picket gdpr export` shows */
export interface AddressData {
  /** alerts whose source is the address */
  alerts: AlertRecord[];
  /** other alerts that mention it (message, meta, events' meta) */
  mentionedIn: AlertRecord[];
  /** its decisions (any origin, active or expired), with whether their alert still holds them */
  decisions: { decision: StoredDecision; attached: boolean; alertCreatedAt: number | null }[];
  usageMetrics: UsageMetricsRecord[];
  bouncers: BouncerRecord[];
  machines: MachineRecord[];
}

export function findAddress(store: PicketStore, ip: string): AddressData {
  const re = addressPattern(ip);
  const k = valueKey(ip);
  const out: AddressData = { alerts: [], mentionedIn: [], decisions: [], usageMetrics: [], bouncers: [], machines: [] };
  const alerts = db<'alerts', number>(store, 'alerts');
  for (const { value: a } of alerts.getRange({})) {
    if (isAbout(a, ip)) out.alerts.push(a);
    else if (mentions(JSON.stringify([a.message, a.meta, a.events]), re)) out.mentionedIn.push(a);
  }
  const decisions = db<'decisions', number>(store, 'decisions');
  for (const { key } of db<'decisionValues', [string, number]>(store, 'decisionValues').getRange({
    start: [k],
    end: [k, Infinity],
  })) {
    const d = decisions.get(key[1]);
    if (d === undefined || d.value !== ip) continue;
    const owner = alerts.get(d.alertId);
    out.decisions.push({
      decision: d,
      attached: owner?.decisionIds.includes(d.id) ?? false,
      alertCreatedAt: owner?.createdAt ?? null,
    });
  }
  for (const { value } of db<'usageMetrics', [number, string]>(store, 'usageMetrics').getRange({})) {
    if (mentions(value.payload, re)) out.usageMetrics.push(value);
  }
  for (const { value } of db<'bouncers', string>(store, 'bouncers').getRange({}))
    if (value.ipAddress === ip) out.bouncers.push(value);
  for (const { value } of db<'machines', string>(store, 'machines').getRange({}))
    if (value.ipAddress === ip) out.machines.push(value);
  return out;
}
