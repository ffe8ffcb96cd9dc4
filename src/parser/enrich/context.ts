// The EnrichContext of the agent and of replays (run, replay, hubtest, explain): time-machine mode, year-less
// dates completed with a pinned year (hubtest: the year of reference_now), GeoIP databases from the data dir
// when present (and the shipped npm data for the agent and replays, loaded lazily on the first lookup),
// reverse DNS when settings are given (run and replay; never hubtest/explain: CrowdSec's hubtest has none).
// Owns: nothing else.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GoTime } from '../../core/gotime.js';
import { GeoIpDatabases, type EnrichContext } from './index.js';
import { configureReverseDns, type RdnsOptions } from './rdns.js';

export interface EnrichCtxOptions {
  dataDir: string;
  year?: number;
  timeMachine: boolean;
  /** also use the GeoIP/AS data shipped in npm packages when the data dir has no GeoLite2 files (agent, replay) */
  shippedGeo?: boolean;
  /** reverse DNS settings (this thread's resolver is configured with them); null/undefined: reverse_dns is off */
  rdns?: Partial<RdnsOptions> | null;
}

export function makeEnrichContext(o: EnrichCtxOptions): EnrichContext {
  let geo: GeoIpDatabases | null = null;
  if (
    o.shippedGeo ||
    existsSync(join(o.dataDir, 'GeoLite2-City.mmdb')) ||
    existsSync(join(o.dataDir, 'GeoLite2-ASN.mmdb'))
  ) {
    try {
      geo = GeoIpDatabases.open(o.dataDir);
    } catch {
      geo = null;
    }
  }
  if (o.rdns) configureReverseDns(o.rdns);
  return {
    timeMachine: o.timeMachine,
    yearForYearless: o.year ?? new Date().getUTCFullYear(),
    now: () => GoTime.now(),
    geo,
    rdns: !!o.rdns,
  };
}
