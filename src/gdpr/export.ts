// `picket gdpr export`: everything Picket holds about one address, each item with the date it will be
// deleted at the latest under the retention settings (retention.max_age / max_items of the config, usage
// metrics 7 days, withdrawn decisions 24 h), from the store (./../store/erase.ts findAddress), the
// allowlists, the erasure records and every registered holder (./registry.ts: the crowd outbox, ...).

import type { PicketStore } from '../store/lmdb.js';
import { findAddress } from '../store/erase.js';
import { AllowlistStore } from '../store/allowlists.js';
import { parseIpOrRange, ipRangeContains } from '../store/iprange.js';
import { USAGE_METRICS_RETENTION_MS } from '../store/usage-metrics.js';
import { DEFAULT_INDEX_RETENTION_MS } from '../store/lapi-store.js';
import type { AlertRecord, IpRange, RetentionPolicy } from '../store/records.js';
import { isCrowdOrigin } from '../report/crowd.js';
import { registeredHolders, type PersonalItem } from './registry.js';
import { addressHash, erasureKey, GdprError, listErasures } from './erasures.js';

const DAY_MS = 86_400_000;

export interface GdprContext {
  store: PicketStore;
  retention: RetentionPolicy;
  now: number;
}

export interface AddressExport {
  address: string;
  generatedAt: string;
  retention: { alertsMaxAge: string; alertsMaxItems: number; usageMetrics: string; withdrawnDecisions: string };
  items: PersonalItem[];
  /** counts by kind */
  summary: Record<string, number>;
  /** earlier erasures of this address (matched by keyed hash) */
  erasures: { id: string; at: string; counts: Record<string, Record<string, number>> }[];
}

/** a single IP address, or GDPR_BAD_ADDRESS */
export function parseAddress(ip: string): IpRange {
  const r = parseIpOrRange(ip);
  if (r === null || ip.includes('/')) throw new GdprError('GDPR_BAD_ADDRESS', `'${ip}' is not an IP address`);
  return r;
}

const iso = (t: number | null): string | null => (t === null || !Number.isFinite(t) ? null : new Date(t).toISOString());
const days = (ms: number): string => `${Math.round((ms / DAY_MS) * 10) / 10}d`;

export async function exportAddress(ctx: GdprContext, ip: string): Promise<AddressExport> {
  const target = parseAddress(ip);
  const { retention: ret, now } = ctx;
  const found = findAddress(ctx.store, ip);
  const items: PersonalItem[] = [];
  const untilOf = new Map(found.decisions.map((d) => [d.decision.id, d.decision.until]));
  const alertDeleteBy = (createdAt: number, decisionIds: number[]): number => {
    let t = createdAt + ret.maxAgeMs;
    for (const id of decisionIds) {
      const u = untilOf.get(id);
      if (u !== undefined && u > now) t = Math.max(t, u);
    }
    return t;
  };
  const alertRule =
    `alerts: retention.max_age (${days(ret.maxAgeMs)}) after creation, not before their active decisions end; ` +
    `sooner when more than retention.max_items (${ret.maxItems}) alerts are stored`;
  const alertItem = (kind: string, a: AlertRecord): PersonalItem => ({
    kind,
    where: 'store:alerts',
    id: String(a.id),
    deleteBy: iso(alertDeleteBy(a.createdAt, a.decisionIds)),
    retention: alertRule,
    data: a,
  });
  for (const a of found.alerts) items.push(alertItem('alert', a));
  for (const a of found.mentionedIn) items.push(alertItem('alert-mention', a));
  for (const { decision: d, attached, alertCreatedAt } of found.decisions) {
    const deleteBy =
      attached && alertCreatedAt !== null
        ? Math.max(alertCreatedAt + ret.maxAgeMs, d.until)
        : d.until + DEFAULT_INDEX_RETENTION_MS + 3_600_000;
    items.push({
      kind: isCrowdOrigin(d.origin) ? 'community-decision' : 'decision',
      where: 'store:decisions',
      id: String(d.id),
      deleteBy: iso(deleteBy),
      retention: attached
        ? 'with its alert'
        : 'withdrawn: kept 24 h after it ended so bouncers remove it, then deleted',
      data: d,
    });
  }
  for (const m of found.usageMetrics) {
    items.push({
      kind: 'usage-metrics',
      where: 'store:usageMetrics',
      id: `${m.generatedBy}@${iso(m.receivedAt)}`,
      deleteBy: iso(m.receivedAt + USAGE_METRICS_RETENTION_MS),
      retention: 'usage metrics: 7 days',
      data: m,
    });
  }
  for (const b of found.bouncers) {
    items.push({
      kind: 'bouncer',
      where: 'store:bouncers',
      id: b.name,
      deleteBy: null,
      retention: 'last address of a bouncer: until the bouncer is deleted',
      data: { ...b, apiKeyHash: undefined },
    });
  }
  for (const m of found.machines) {
    items.push({
      kind: 'machine',
      where: 'store:machines',
      id: m.machineId,
      deleteBy: null,
      retention: 'last address of a machine: until the machine is deleted',
      data: { ...m, passwordHash: undefined },
    });
  }
  for (const list of new AllowlistStore(ctx.store).list()) {
    for (const it of list.items) {
      const r = parseIpOrRange(it.value);
      const same = it.value === ip;
      if (!same && (r === null || !ipRangeContains(r, target))) continue;
      items.push({
        kind: same ? 'allowlist-item' : 'allowlist-range',
        where: `allowlist:${list.name}`,
        id: it.value,
        deleteBy: iso(it.expiration),
        retention: 'allowlist item: at its expiration, else until an operator removes it',
        data: it,
      });
    }
  }
  for (const h of registeredHolders()) items.push(...(await h.find(ip)));
  const summary: Record<string, number> = {};
  for (const it of items) summary[it.kind] = (summary[it.kind] ?? 0) + 1;
  const hash = addressHash(erasureKey(ctx.store.dir), ip);
  return {
    address: ip,
    generatedAt: new Date(now).toISOString(),
    retention: {
      alertsMaxAge: days(ret.maxAgeMs),
      alertsMaxItems: ret.maxItems,
      usageMetrics: days(USAGE_METRICS_RETENTION_MS),
      withdrawnDecisions: days(DEFAULT_INDEX_RETENTION_MS),
    },
    items,
    summary,
    erasures: listErasures(ctx.store, hash).map((e) => ({
      id: e.id,
      at: new Date(e.at).toISOString(),
      counts: e.counts,
    })),
  };
}
