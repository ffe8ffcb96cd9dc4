// Latency histograms fed per batch, not per event: the pipeline times a whole batch of one source and
// records its mean for each of the batch's events (one clock read pair per batch). Plain data, so worker
// threads send them in their MetricsSnapshot; the registry exposes them as Prometheus histograms.
// Owns: CrowdSec's bucket bounds for cs_parsing_time_seconds / cs_bucket_pour_seconds, batch recording, merge.

/** cs_parsing_time_seconds buckets (pkg/metrics) */
export const PARSE_BOUNDS = [0.0005, 0.001, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.0075, 0.01] as const;
/** cs_bucket_pour_seconds buckets (pkg/metrics) */
export const POUR_BOUNDS = [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05] as const;

/** One label set's histogram: counts[i] = observations <= bounds[i] (not cumulative); last slot = +Inf. */
export interface HistogramData {
  source: string;
  type: string;
  counts: number[];
  sum: number;
  count: number;
}

/** Per (source, type) histograms with fixed bounds. */
export class BatchHistograms {
  private readonly byKey = new Map<string, HistogramData>();
  constructor(readonly bounds: readonly number[]) {}

  /** `n` events of one source took `seconds` in all: each counts as seconds / n. */
  record(source: string, type: string, seconds: number, n: number): void {
    if (n <= 0) return;
    const k = `${source}\u0000${type}`;
    let h = this.byKey.get(k);
    if (h === undefined) {
      h = { source, type, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.byKey.set(k, h);
    }
    const mean = seconds / n;
    let i = 0;
    while (i < this.bounds.length && mean > this.bounds[i]!) i++;
    h.counts[i] = h.counts[i]! + n;
    h.sum += seconds;
    h.count += n;
  }

  data(): HistogramData[] {
    return [...this.byKey.values()].map((h) => ({ ...h, counts: h.counts.slice() }));
  }
}

/** Sums histograms of several shards per (source, type). */
export function mergeHistograms(lists: ReadonlyArray<readonly HistogramData[]>): HistogramData[] {
  const out = new Map<string, HistogramData>();
  for (const list of lists) {
    for (const h of list) {
      const k = `${h.source}\u0000${h.type}`;
      const o = out.get(k);
      if (o === undefined) {
        out.set(k, { ...h, counts: h.counts.slice() });
        continue;
      }
      h.counts.forEach((c, i) => {
        o.counts[i] = (o.counts[i] ?? 0) + c;
      });
      o.sum += h.sum;
      o.count += h.count;
    }
  }
  return [...out.values()];
}
