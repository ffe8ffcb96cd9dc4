// Allocation-free Prometheus counters and histograms for the LAPI hot path: a request bumps plain numbers in a
// cell looked up once per label set (`cell.n++`, `cell.observe(v)`); prom-client's registry reads them only
// at scrape time through the metric interface it calls (`name`, `help`, `type`, `get()`), so the exposition
// text is the same as prom-client's own Counter/Histogram. (prom-client's label children hash and validate
// their labels and allocate on every call.)

type Labels = Record<string, string>;
interface MetricValue {
  labels: Labels;
  value: number;
  metricName?: string;
}
interface MetricData {
  name: string;
  help: string;
  type: string;
  values: MetricValue[];
  aggregator: string;
}

export class CounterCell {
  n = 0;
  inc(): void {
    this.n++;
  }
}

export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(v: number): void {
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]) {
        this.counts[i]++;
        break;
      }
    }
    this.sum += v;
    this.count++;
  }
}

abstract class Family<C> {
  readonly aggregator = 'sum';
  protected readonly cells = new Map<string, { labels: Labels; cell: C }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}
  protected abstract make(): C;

  /** The cell of a label set (created on first use; keep it, lookups build a key). */
  cell(labels: Labels): C {
    let key = '';
    for (const l of this.labelNames) {
      const v = labels[l];
      if (typeof v !== 'string') throw new Error(`${this.name}: label '${l}' missing`);
      key += v + '\u0000';
    }
    let e = this.cells.get(key);
    if (e === undefined) {
      e = { labels: { ...labels }, cell: this.make() };
      this.cells.set(key, e);
    }
    return e.cell;
  }

  reset(): void {
    this.cells.clear();
  }
}

export class PlainCounter extends Family<CounterCell> {
  readonly type = 'counter';
  protected make(): CounterCell {
    return new CounterCell();
  }
  get(): MetricData {
    const values: MetricValue[] = [];
    for (const { labels, cell } of this.cells.values()) values.push({ labels, value: cell.n });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export class PlainHistogram extends Family<HistogramCell> {
  readonly type = 'histogram';
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames);
  }
  protected make(): HistogramCell {
    return new HistogramCell(this.bounds);
  }
  get(): MetricData {
    const values: MetricValue[] = [];
    for (const { labels, cell } of this.cells.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += cell.counts[i];
        values.push({
          labels: { le: String(this.bounds[i]), ...labels },
          value: acc,
          metricName: `${this.name}_bucket`,
        });
      }
      values.push({ labels: { le: '+Inf', ...labels }, value: cell.count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
