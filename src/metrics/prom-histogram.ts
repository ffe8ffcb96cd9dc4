// A Prometheus histogram family whose samples are read at scrape time from HistogramData (histogram.ts),
// registered as a custom prom-client metric (get() returns the metric object the registry prints).
// Owns: the cumulative `_bucket{le}` / `_sum` / `_count` samples labelled {type, source}.

import type client from 'prom-client';
import type { HistogramData } from './histogram.js';

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

export function histogramSamples(name: string, bounds: readonly number[], data: readonly HistogramData[]): Sample[] {
  const out: Sample[] = [];
  for (const h of data) {
    const base = { type: h.type, source: h.source };
    let acc = 0;
    bounds.forEach((le, i) => {
      acc += h.counts[i] ?? 0;
      out.push({ metricName: `${name}_bucket`, labels: { ...base, le }, value: acc });
    });
    out.push({ metricName: `${name}_bucket`, labels: { ...base, le: '+Inf' }, value: h.count });
    out.push({ metricName: `${name}_sum`, labels: base, value: h.sum });
    out.push({ metricName: `${name}_count`, labels: base, value: h.count });
  }
  return out;
}

export function snapshotHistogram(
  reg: client.Registry,
  name: string,
  help: string,
  bounds: readonly number[],
  data: () => Promise<HistogramData[]>,
): void {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      values: histogramSamples(name, bounds, await data()),
    }),
    reset: () => undefined,
  };
  reg.registerMetric(metric as unknown as client.Metric);
}
