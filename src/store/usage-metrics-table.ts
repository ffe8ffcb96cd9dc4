// The usage-metrics table of the Local API store (spec lapi.md §8.7): one accepted POST /v1/usage-metrics body
// per entry, key [receivedAt, random id] (time order), marked when forwarded to the central API (capi.md §7),
// deleted after USAGE_METRICS_RETENTION_MS by retention.

import crypto from 'node:crypto';
import { checkKey, StoreRecordError, WRITE_BATCH, type LapiTables } from './lapi-tables.js';
import type { NewUsageMetrics, UsageMetricsRecord } from './usage-metrics.js';

export type UsageMetricsKey = [number, string];
export interface UsageMetricsRow {
  key: UsageMetricsKey;
  value: UsageMetricsRecord;
}

export class UsageMetricsTable {
  constructor(private readonly t: LapiTables) {}

  async add(m: NewUsageMetrics): Promise<void> {
    if (m.generatedType !== 'RC' && m.generatedType !== 'LP') {
      throw new StoreRecordError('usage metrics generatedType must be RC or LP');
    }
    checkKey('usage metrics generatedBy', m.generatedBy);
    if (!Number.isFinite(m.receivedAt)) throw new StoreRecordError('usage metrics receivedAt must be a time in ms');
    if (typeof m.payload !== 'string') throw new StoreRecordError('usage metrics payload must be a JSON string');
    const rec: UsageMetricsRecord = {
      generatedType: m.generatedType,
      generatedBy: m.generatedBy,
      receivedAt: m.receivedAt,
      pushedAt: null,
      payload: m.payload,
    };
    await this.t.usageMetrics.put([m.receivedAt, crypto.randomBytes(8).toString('hex')], rec);
  }

  /** stored usage metrics, oldest first */
  list(): UsageMetricsRecord[] {
    return Array.from(this.t.usageMetrics.getRange({}).map((e) => e.value));
  }

  /** usage metrics not forwarded to the central API yet, oldest first, with their keys (for markPushed) */
  unpushed(): UsageMetricsRow[] {
    const out: UsageMetricsRow[] = [];
    for (const { key, value } of this.t.usageMetrics.getRange({}))
      if (value.pushedAt === null) out.push({ key, value });
    return out;
  }

  /** sets pushedAt = `at` on the rows `keys` (rows pruned meanwhile are skipped); returns how many were marked */
  async markPushed(keys: readonly UsageMetricsKey[], at: number): Promise<number> {
    const table = this.t.usageMetrics;
    let n = 0;
    for (let i = 0; i < keys.length; i += WRITE_BATCH) {
      const part = keys.slice(i, i + WRITE_BATCH);
      await this.t.root.transaction(() => {
        for (const k of part) {
          const rec = table.get(k);
          if (rec === undefined) continue;
          table.putSync(k, { ...rec, pushedAt: at });
          n++;
        }
      });
    }
    return n;
  }

  /** deletes usage metrics received before `before` (WRITE_BATCH per transaction); returns the count */
  async prune(before: number): Promise<number> {
    const table = this.t.usageMetrics;
    let removed = 0;
    for (;;) {
      const keys: [number, string][] = [];
      for (const { key } of table.getRange({ end: [before], limit: WRITE_BATCH })) keys.push(key);
      if (keys.length === 0) return removed;
      await this.t.root.transaction(() => {
        for (const k of keys) table.remove(k);
      });
      removed += keys.length;
      if (keys.length < WRITE_BATCH) return removed;
    }
  }
}
