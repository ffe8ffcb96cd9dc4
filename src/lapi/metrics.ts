// Prometheus metrics of the Local API (spec metrics.md §2) with CrowdSec's names and labels, plus Picket's
// own `picket_lapi_*` / `picket_radix_entries`. Per-request observation goes through label children cached
// on the route handler objects (see router.ts), so a request allocates nothing here once warm. Gauges backed
// by the store (`cs_active_decisions`, `cs_alerts`, `picket_radix_entries`) are computed at scrape time.

import client from 'prom-client';
import type { LapiStore } from '../store/records.js';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1];
const LOOKUP_BUCKETS = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01];
const BYTES_BUCKETS = [64, 256, 1024, 16384, 262144, 1048576, 16777216, 134217728];

export interface CounterChild { inc(v?: number): void }
export interface HistogramChild { observe(v: number): void }

/** Per (route template, method) children, created once and kept on the handler object. */
export interface RouteMetrics {
  requests: CounterChild;
  duration: HistogramChild;
  /** bouncer or machine name -> its counter child for this route/method */
  byClient: Map<string, CounterChild>;
}

export interface LapiMetricsOptions {
  registry: client.Registry;
  store: LapiStore;
  now: () => number;
}

export class LapiMetrics {
  readonly registry: client.Registry;
  private readonly routeRequests: client.Counter<'route' | 'method'>;
  private readonly machineRequests: client.Counter<'machine' | 'route' | 'method'>;
  private readonly bouncerRequests: client.Counter<'bouncer' | 'route' | 'method'>;
  private readonly duration: client.Histogram<'endpoint' | 'method'>;
  private readonly decisionsOk: client.Counter<'bouncer'>;
  private readonly decisionsKo: client.Counter<'bouncer'>;
  private readonly heartbeat: client.Gauge<'machine'>;
  private readonly okChildren = new Map<string, CounterChild>();
  private readonly koChildren = new Map<string, CounterChild>();
  private readonly invalid = new Map<string, CounterChild>();
  /** store lookup time of GET /v1/decisions */
  readonly lookupSeconds: HistogramChild;
  private readonly streamBytes: client.Histogram<'mode'>;
  readonly streamBytesStartup: HistogramChild;
  readonly streamBytesDelta: HistogramChild;

  constructor(o: LapiMetricsOptions) {
    const reg = o.registry;
    this.registry = reg;
    const registers = [reg];
    const fresh = (name: string) => { if (reg.getSingleMetric(name)) reg.removeSingleMetric(name); return name; };
    this.routeRequests = new client.Counter({ name: fresh('cs_lapi_route_requests_total'), help: 'Requests per route (template) and method', labelNames: ['route', 'method'], registers });
    this.machineRequests = new client.Counter({ name: fresh('cs_lapi_machine_requests_total'), help: 'JWT-authenticated requests per machine', labelNames: ['machine', 'route', 'method'], registers });
    this.bouncerRequests = new client.Counter({ name: fresh('cs_lapi_bouncer_requests_total'), help: 'API-key-authenticated requests per bouncer', labelNames: ['bouncer', 'route', 'method'], registers });
    this.duration = new client.Histogram({ name: fresh('cs_lapi_request_duration_seconds'), help: 'Request latency', labelNames: ['endpoint', 'method'], buckets: DURATION_BUCKETS, registers });
    this.decisionsOk = new client.Counter({ name: fresh('cs_lapi_decisions_ok_total'), help: 'GET/HEAD /v1/decisions calls that returned at least one decision', labelNames: ['bouncer'], registers });
    this.decisionsKo = new client.Counter({ name: fresh('cs_lapi_decisions_ko_total'), help: 'GET/HEAD /v1/decisions calls that returned nothing', labelNames: ['bouncer'], registers });
    this.heartbeat = new client.Gauge({ name: fresh('cs_machines_last_heartbeat_timestamp'), help: 'Unix time of the last heartbeat of a machine', labelNames: ['machine'], registers });
    const store = o.store, now = o.now;
    new client.Gauge({
      name: fresh('cs_active_decisions'), help: 'Active non-simulated decisions by scenario, origin and type', labelNames: ['reason', 'origin', 'action'], registers,
      collect(this: client.Gauge<'reason' | 'origin' | 'action'>) {
        this.reset();
        const counts = new Map<string, [string, string, string, number]>();
        for (const d of store.queryDecisions({}, now())) {
          const key = d.scenario + '\0' + d.origin + '\0' + d.type;
          const row = counts.get(key);
          if (row) row[3]++; else counts.set(key, [d.scenario, d.origin, d.type, 1]);
        }
        for (const [reason, origin, action, n] of counts.values()) this.set({ reason, origin, action }, n);
      },
    });
    new client.Gauge({
      name: fresh('cs_alerts'), help: 'Alerts stored (CAPI/lists excluded) by scenario', labelNames: ['reason'], registers,
      collect(this: client.Gauge<'reason'>) {
        this.reset();
        const counts = new Map<string, number>();
        for (const a of store.queryAlerts({ limit: 0, includeCapi: false }, now())) counts.set(a.scenario, (counts.get(a.scenario) ?? 0) + 1);
        for (const [reason, n] of counts) this.set({ reason }, n);
      },
    });
    new client.Gauge({
      name: fresh('picket_radix_entries'), help: 'Entries of the in-memory decision index (active decisions when the store does not report its index size)', registers,
      collect(this: client.Gauge) {
        const s = store as LapiStore & { radixEntries?: () => number };
        this.set(typeof s.radixEntries === 'function' ? s.radixEntries() : store.activeDecisionCount(now()));
      },
    });
    this.lookupSeconds = new client.Histogram({ name: fresh('picket_lapi_lookup_seconds'), help: 'Store lookup time of GET /v1/decisions', buckets: LOOKUP_BUCKETS, registers });
    this.streamBytes = new client.Histogram({ name: fresh('picket_lapi_stream_bytes'), help: 'Body size of /v1/decisions/stream responses', labelNames: ['mode'], buckets: BYTES_BUCKETS, registers });
    this.streamBytesStartup = this.streamBytes.labels({ mode: 'startup' });
    this.streamBytesDelta = this.streamBytes.labels({ mode: 'delta' });
  }

  routeMetrics(route: string, method: string): RouteMetrics {
    return {
      requests: this.routeRequests.labels({ route, method }),
      duration: this.duration.labels({ endpoint: route, method }),
      byClient: new Map(),
    };
  }

  /** cs_lapi_route_requests_total for an unmatched path */
  invalidEndpoint(method: string): void {
    let c = this.invalid.get(method);
    if (c === undefined) { c = this.routeRequests.labels({ route: 'invalid-endpoint', method }); this.invalid.set(method, c); }
    c.inc();
  }

  bouncerRequest(rm: RouteMetrics, route: string, method: string, bouncer: string): void {
    let c = rm.byClient.get(bouncer);
    if (c === undefined) { c = this.bouncerRequests.labels({ bouncer, route, method }); rm.byClient.set(bouncer, c); }
    c.inc();
  }

  machineRequest(rm: RouteMetrics, route: string, method: string, machine: string): void {
    let c = rm.byClient.get(machine);
    if (c === undefined) { c = this.machineRequests.labels({ machine, route, method }); rm.byClient.set(machine, c); }
    c.inc();
  }

  decisionsResult(bouncer: string, found: boolean): void {
    const m = found ? this.okChildren : this.koChildren;
    let c = m.get(bouncer);
    if (c === undefined) { c = (found ? this.decisionsOk : this.decisionsKo).labels({ bouncer }); m.set(bouncer, c); }
    c.inc();
  }

  heartbeatAt(machine: string, nowMs: number): void { this.heartbeat.set({ machine }, Math.floor(nowMs / 1000)); }
}
