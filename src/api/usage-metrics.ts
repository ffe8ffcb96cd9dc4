// The metric items of a POST /v1/usage-metrics body from a remediation component (spec lapi.md §8.7, metrics.md
// §7), as the stored JSON text gives them back: each item with its block's `meta.utc_now_timestamp`; items
// without a string name or a finite number value are left out, labels keep their string values only.
// Owns: reading that payload for the parts that summarise it (src/metrics/bouncer-usage.ts, src/report).

export interface UsageItem {
  name: string;
  /** '' when absent */
  unit: string;
  value: number;
  labels: Record<string, string>;
  /** the block's utc_now_timestamp (epoch seconds), NaN when absent */
  at: number;
}

const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The items of every remediation component of a stored body (JSON text); [] when it is not JSON. */
export function remediationItems(payload: string): UsageItem[] {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return [];
  }
  const out: UsageItem[] = [];
  for (const rc of list(obj(body).remediation_components)) {
    for (const block of list(obj(rc).metrics)) {
      const ts = obj(obj(block).meta).utc_now_timestamp;
      const at = typeof ts === 'number' && Number.isFinite(ts) ? ts : NaN;
      for (const raw of list(obj(block).items)) {
        const it = obj(raw);
        if (typeof it.name !== 'string' || typeof it.value !== 'number' || !Number.isFinite(it.value)) continue;
        const labels: Record<string, string> = {};
        for (const [k, v] of Object.entries(obj(it.labels))) if (typeof v === 'string') labels[k] = v;
        out.push({ name: it.name, unit: typeof it.unit === 'string' ? it.unit : '', value: it.value, labels, at });
      }
    }
  }
  return out;
}
