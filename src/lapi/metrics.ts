// Prometheus metrics of the Local API (spec metrics.md §2) with CrowdSec's names and labels, plus Picket's
// own `picket_lapi_*` / `picket_radix_entries`. Per-request counters and histograms are plain cells
// (./plain-metrics.ts) cached on the route handler objects and in per-name maps, so a warm request only
// bumps numbers. Gauges backed by the store (`cs_active_decisions`, `cs_alerts`, `picket_radix_entries`) and
// `picket_lapi_rolled_back_writes_total` are computed at scrape time.

import client from 'prom-client';
import type { AlertFilter, LapiStore } from '../store/records.js';
import { CounterCell, HistogramCell, PlainCounter, PlainHistogram } from './plain-metrics.js';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1];
const LOOKUP_BUCKETS = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01];
const BYTES_BUCKETS = [64, 256, 1024, 16384, 262144, 1048576, 16777216, 134217728];

/** Per (route template, method) cells, created once and kept on the handler object. */
export interface RouteMetrics {
  requests: CounterCell;
  duration: HistogramCell;
  /** bouncer or machine name -> its request counter for this route/method */
  byClient: Map<string, CounterCell>;
}

export interface LapiMetricsOptions {
  registry: client.Registry;
  store: LapiStore;
  now: () => number;
}

export class LapiMetrics {
  readonly registry: client.Registry;
  private readonly routeRequests: PlainCounter;
  private readonly machineRequests: PlainCounter;
  private readonly bouncerRequests: PlainCounter;
  private readonly duration: PlainHistogram;
  private readonly decisionsOk: PlainCounter;
  private readonly decisionsKo: PlainCounter;
  private readonly heartbeat: client.Gauge<'machine'>;
  private readonly okCells = new Map<string, CounterCell>();
  private readonly koCells = new Map<string, CounterCell>();
  private readonly invalid = new Map<string, CounterCell>();
  /** store lookup time of GET /v1/decisions */
  readonly lookupSeconds: HistogramCell;
  readonly streamBytesStartup: HistogramCell;
  readonly streamBytesDelta: HistogramCell;

  constructor(o: LapiMetricsOptions) {
    const reg = o.registry;
    this.registry = reg;
    const registers = [reg];
    const fresh = (name: string) => {
      if (reg.getSingleMetric(name)) reg.removeSingleMetric(name);
      return name;
    };
    const plain = <M extends PlainCounter | PlainHistogram>(m: M): M => {
      fresh(m.name);
      reg.registerMetric(m as unknown as client.Metric);
      return m;
    };
    this.routeRequests = plain(
      new PlainCounter('cs_lapi_route_requests_total', 'Requests per route (template) and method', ['route', 'method']),
    );
    this.machineRequests = plain(
      new PlainCounter('cs_lapi_machine_requests_total', 'JWT-authenticated requests per machine', [
        'machine',
        'route',
        'method',
      ]),
    );
    this.bouncerRequests = plain(
      new PlainCounter('cs_lapi_bouncer_requests_total', 'API-key-authenticated requests per bouncer', [
        'bouncer',
        'route',
        'method',
      ]),
    );
    this.duration = plain(
      new PlainHistogram(
        'cs_lapi_request_duration_seconds',
        'Request latency',
        ['endpoint', 'method'],
        DURATION_BUCKETS,
      ),
    );
    this.decisionsOk = plain(
      new PlainCounter(
        'cs_lapi_decisions_ok_total',
        'GET/HEAD /v1/decisions calls that returned at least one decision',
        ['bouncer'],
      ),
    );
    this.decisionsKo = plain(
      new PlainCounter('cs_lapi_decisions_ko_total', 'GET/HEAD /v1/decisions calls that returned nothing', ['bouncer']),
    );
    this.heartbeat = new client.Gauge({
      name: fresh('cs_machines_last_heartbeat_timestamp'),
      help: 'Unix time of the last heartbeat of a machine',
      labelNames: ['machine'],
      registers,
    });
    const store = o.store,
      now = o.now;
    new client.Gauge({
      name: fresh('cs_active_decisions'),
      help: 'Active non-simulated decisions by scenario, origin and type',
      labelNames: ['reason', 'origin', 'action'],
      registers,
      collect(this: client.Gauge<'reason' | 'origin' | 'action'>) {
        this.reset();
        const counts = new Map<string, [string, string, string, number]>();
        for (const d of store.queryDecisions({}, now())) {
          const key = d.scenario + '\0' + d.origin + '\0' + d.type;
          const row = counts.get(key);
          if (row) row[3]++;
          else counts.set(key, [d.scenario, d.origin, d.type, 1]);
        }
        for (const [reason, origin, action, n] of counts.values()) this.set({ reason, origin, action }, n);
      },
    });
    new client.Gauge({
      name: fresh('cs_alerts'),
      help: 'Alerts stored (CAPI/lists excluded) by scenario',
      labelNames: ['reason'],
      registers,
      collect(this: client.Gauge<'reason'>) {
        this.reset();
        // answered from the store's in-memory alert summaries when it has them (no LMDB read per scrape)
        const summary = (store as Partial<{ countAlertsByScenario(f: AlertFilter, now: number): Map<string, number> }>)
          .countAlertsByScenario;
        let counts: Map<string, number>;
        if (summary) counts = summary.call(store, { includeCapi: false }, now());
        else {
          counts = new Map<string, number>();
          for (const a of store.queryAlerts({ limit: 0, includeCapi: false }, now()))
            counts.set(a.scenario, (counts.get(a.scenario) ?? 0) + 1);
        }
        for (const [reason, n] of counts) this.set({ reason }, n);
      },
    });
    new client.Gauge({
      name: fresh('picket_radix_entries'),
      help: 'Entries of the in-memory decision index (active decisions when the store does not report its index size)',
      registers,
      collect(this: client.Gauge) {
        const s = store as LapiStore & { radixEntries?: () => number };
        this.set(typeof s.radixEntries === 'function' ? s.radixEntries() : store.activeDecisionCount(now()));
      },
    });
    rolledBackWritesCounter(store, fresh('picket_lapi_rolled_back_writes_total'), registers);
    this.lookupSeconds = plain(
      new PlainHistogram('picket_lapi_lookup_seconds', 'Store lookup time of GET /v1/decisions', [], LOOKUP_BUCKETS),
    ).cell({});
    const bytes = plain(
      new PlainHistogram(
        'picket_lapi_stream_bytes',
        'Body size of /v1/decisions/stream responses',
        ['mode'],
        BYTES_BUCKETS,
      ),
    );
    this.streamBytesStartup = bytes.cell({ mode: 'startup' });
    this.streamBytesDelta = bytes.cell({ mode: 'delta' });
  }

  routeMetrics(route: string, method: string): RouteMetrics {
    return {
      requests: this.routeRequests.cell({ route, method }),
      duration: this.duration.cell({ endpoint: route, method }),
      byClient: new Map(),
    };
  }

  /** cs_lapi_route_requests_total for an unmatched path */
  invalidEndpoint(method: string): void {
    let c = this.invalid.get(method);
    if (c === undefined) {
      c = this.routeRequests.cell({ route: 'invalid-endpoint', method });
      this.invalid.set(method, c);
    }
    c.n++;
  }

  bouncerRequest(rm: RouteMetrics, route: string, method: string, bouncer: string): void {
    let c = rm.byClient.get(bouncer);
    if (c === undefined) {
      c = this.bouncerRequests.cell({ bouncer, route, method });
      rm.byClient.set(bouncer, c);
    }
    c.n++;
  }

  machineRequest(rm: RouteMetrics, route: string, method: string, machine: string): void {
    let c = rm.byClient.get(machine);
    if (c === undefined) {
      c = this.machineRequests.cell({ machine, route, method });
      rm.byClient.set(machine, c);
    }
    c.n++;
  }

  decisionsResult(bouncer: string, found: boolean): void {
    const m = found ? this.okCells : this.koCells;
    let c = m.get(bouncer);
    if (c === undefined) {
      c = (found ? this.decisionsOk : this.decisionsKo).cell({ bouncer });
      m.set(bouncer, c);
    }
    c.n++;
  }

  heartbeatAt(machine: string, nowMs: number): void {
    this.heartbeat.set({ machine }, Math.floor(nowMs / 1000));
  }
}

/** the store's count of writes in chunks rolled back (src/store/chunked-writes.ts), read at scrape time */
function rolledBackWritesCounter(store: LapiStore, name: string, registers: client.Registry[]): void {
  let last = 0;
  new client.Counter({
    name,
    help: 'Large alert writes (in chunks) rolled back because their writer process died before the end',
    registers,
    collect(this: client.Counter) {
      const v = (store as LapiStore & { rolledBackWrites?: number }).rolledBackWrites ?? 0;
      if (v > last) this.inc(v - last);
      last = v;
    },
  });
}
