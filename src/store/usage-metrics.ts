// Usage metrics of bouncers and machines as the Local API store keeps them (spec lapi.md §8.7, §10: the
// `metrics` table): who sent them, when, and the accepted JSON body. Kept USAGE_METRICS_RETENTION_MS (7 days).

export const USAGE_METRICS_RETENTION_MS = 7 * 24 * 3_600_000;

export interface UsageMetricsRecord {
  /** 'RC' remediation component (bouncer), 'LP' log processor (machine) */
  generatedType: 'RC' | 'LP';
  /** bouncer name or machine id */
  generatedBy: string;
  /** epoch ms */
  receivedAt: number;
  /** epoch ms when forwarded to the central API (capi.md §7); null until then */
  pushedAt: number | null;
  /** the accepted `AllMetrics` body, JSON text */
  payload: string;
}

export type NewUsageMetrics = Omit<UsageMetricsRecord, 'pushedAt'>;
