// Prometheus counters of what the LAPI receives from the crowd (issue 13): community and list entries a local
// allowlist kept from the bouncers (`picket_capi_allowlisted_total{origin}`), community pulls by outcome and list
// syncs by outcome. Owns: their names and labels; registered on the LAPI's registry (else a private one).

import client from 'prom-client';

export class PullMetrics {
  readonly allowlisted: client.Counter<'origin'>;
  readonly pulls: client.Counter<'outcome'>;
  readonly listSyncs: client.Counter<'list' | 'outcome'>;

  constructor(registry: client.Registry = new client.Registry()) {
    const registers = [registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]): client.Counter<L> => {
      const old = registry.getSingleMetric(name);
      if (old) registry.removeSingleMetric(name);
      return new client.Counter({ name, help, labelNames, registers });
    };
    this.allowlisted = counter(
      'picket_capi_allowlisted_total',
      'Community and list entries a local allowlist kept from the bouncers, by decision origin',
      ['origin'],
    );
    this.pulls = counter(
      'picket_capi_pulls_total',
      'Community blocklist pulls (GET /v3/decisions/stream) by outcome: ok, skipped, failed',
      ['outcome'],
    );
    this.listSyncs = counter(
      'picket_capi_list_syncs_total',
      'Blocklist downloads by list and outcome: changed, unchanged, failed',
      ['list', 'outcome'],
    );
  }
}
