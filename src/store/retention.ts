// Retention of the Local API store (CrowdSec's db_config.flush): one pass deletes alerts older than max_age,
// then the oldest beyond max_items, with their decisions — never an alert with an active decision —, expired
// decisions whose alert is gone (first pass, then at most hourly), usage metrics older than 7 days, and
// change-log and index entries older than the index retention. Reads scan in steps of SCAN_BATCH records,
// writes go in transactions of WRITE_BATCH records, the event loop running between them.

import { logTransaction, type LapiMemory } from './change-log.js';
import { scanTable, slices, WRITE_BATCH, type LapiTables } from './lapi-tables.js';
import { removeDecision } from './decisions.js';
import type { AlertTable } from './alerts.js';
import type { UsageMetricsTable } from './usage-metrics-table.js';
import { USAGE_METRICS_RETENTION_MS } from './usage-metrics.js';
import type { RetentionPolicy } from './records.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** CrowdSec's flush defaults (db_config.flush: max_age 7d, max_items 5000) */
export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({ maxAgeMs: 7 * DAY_MS, maxItems: 5000 });
/** orphan decisions cannot arise through this store (deletes cascade): look for them at most hourly */
const ORPHAN_SCAN_EVERY_MS = HOUR_MS;

export class Retention {
  private lastOrphanScan = -Infinity;

  constructor(
    private readonly t: LapiTables,
    private readonly memory: LapiMemory,
    private readonly alerts: AlertTable,
    private readonly usage: UsageMetricsTable,
  ) {}

  async prune(policy: RetentionPolicy, now: number): Promise<{ alerts: number; decisions: number }> {
    this.memory.sync();
    const removed = await this.alerts.remove(this.doomedAlerts(policy, now));
    removed.decisions += await this.removeOrphanDecisions(now);
    const horizon = now - this.memory.indexRetentionMs;
    await this.memory.trimLog(horizon);
    this.memory.index.evictExpired(horizon);
    await this.usage.prune(now - USAGE_METRICS_RETENTION_MS);
    return removed;
  }

  /** ids of the alerts to delete: too old, or the oldest beyond maxItems; never one with an active decision */
  private doomedAlerts(policy: RetentionPolicy, now: number): number[] {
    const cutoff = now - policy.maxAgeMs;
    const candidates: { id: number; createdAt: number; active: boolean }[] = [];
    for (const a of this.memory.alertSummaries.values()) {
      let active = false;
      for (const did of a.decisionIds) {
        // every active decision is in the index
        const d = this.memory.index.get(did);
        if (d !== undefined && d.until > now) {
          active = true;
          break;
        }
      }
      candidates.push({ id: a.id, createdAt: a.createdAt, active });
    }
    candidates.sort((x, y) => x.createdAt - y.createdAt || x.id - y.id);
    const doomed: number[] = [];
    let excess = candidates.length - Math.max(0, policy.maxItems);
    for (const c of candidates) {
      if (c.active) continue;
      if (c.createdAt < cutoff || excess > 0) {
        doomed.push(c.id);
        excess--;
      }
    }
    return doomed;
  }

  /** expired decisions whose alert is gone (none normally: deleting an alert deletes its decisions) */
  private async removeOrphanDecisions(now: number): Promise<number> {
    if (now - this.lastOrphanScan < ORPHAN_SCAN_EVERY_MS) return 0;
    this.lastOrphanScan = now;
    const t = this.t;
    const orphans: number[] = [];
    for await (const d of scanTable(t.decisions)) {
      // kept while in the stream's deleted window: a bouncer must still learn that it ended (gdpr erase)
      if (d.until <= now - this.memory.indexRetentionMs && !t.alerts.doesExist(d.alertId)) orphans.push(d.id);
    }
    let removed = 0;
    for (const batch of slices(orphans, WRITE_BATCH)) {
      removed += await logTransaction(t, (log) => {
        let n = 0;
        for (const id of batch) if (removeDecision(t, log, id)) n++;
        return n;
      });
      this.memory.sync();
    }
    return removed;
  }
}
