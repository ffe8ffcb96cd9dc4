// Community decisions for the LAPI benchmark (issue 13, `lapi.bench --community N`): N community-blocklist
// entries written into a running Picket LAPI's store by the code path of the CAPI puller (src/capi/origin-sync.ts,
// origin CAPI, one alert per 5,000 rows) from this process — the LAPI picks them up through its change log, as it
// does the CLI's writes —, a pull-sized delta (new entries and deletions) and a bouncer's delta poll timed.
// Owns: those steps.

import { openStore } from '../src/store/lmdb.js';
import { openLapiStore } from '../src/store/lapi-store.js';
import { AllowlistStore } from '../src/store/allowlists.js';
import { applyEntries, CAPI_ORIGIN, COMMUNITY_SOURCE_SCOPE, expireValues } from '../src/capi/origin-sync.js';
import { PullMetrics } from '../src/capi/pull-metrics.js';
import type { WantedEntry } from '../src/capi/origin-sync.js';
import { parseWireDuration } from '../src/api/wire-time.js';
import { request, type BenchDecision } from './lapi-load.js';

function wanted(ds: readonly BenchDecision[], now: number): WantedEntry[] {
  return ds.map((d) => ({
    scope: d.scope,
    value: d.value,
    type: 'ban',
    scenario: d.scenario,
    until: now + (parseWireDuration(d.duration) ?? 3_600_000),
  }));
}

/** writes `add` as community entries (a startup answer when `replaceWhole`), expires `remove`; returns ms */
export async function applyCommunity(
  dataDir: string,
  add: readonly BenchDecision[],
  remove: readonly BenchDecision[] = [],
  replaceWhole = true,
): Promise<number> {
  const env = openStore(dataDir);
  const store = openLapiStore(env, { syncIntervalMs: 0 });
  try {
    const target = { store, allowlists: new AllowlistStore(env), metrics: new PullMetrics() };
    const started = Date.now();
    const now = Date.now();
    if (remove.length)
      await expireValues(
        store,
        [CAPI_ORIGIN],
        'Ip',
        remove.map((d) => d.value),
        now,
      );
    await applyEntries(target, wanted(add, now), {
      origin: CAPI_ORIGIN,
      now,
      sourceScope: COMMUNITY_SOURCE_SCOPE,
      replaceWhole,
      keep: (cur, w) => Math.abs(cur.until - w.until) <= 2_000 && cur.scenario === w.scenario,
    });
    return Date.now() - started;
  } finally {
    await store.close();
    await env.close();
  }
}

/** a bouncer's poll after its startup pull: `GET /v1/decisions/stream` (delta), timed to the last byte */
export async function timeDeltaStream(
  baseUrl: string,
  apiKey: string,
): Promise<{ ms: number; bytes: number; news: number; deleted: number }> {
  const headers = { 'X-Api-Key': apiKey, 'User-Agent': 'crowdsec-firewall-bouncer/-' };
  const r = await request(`${baseUrl}v1/decisions/stream`, { headers });
  if (r.status !== 200) throw new Error(`delta stream: ${r.status} ${r.body.toString().slice(0, 200)}`);
  const j = JSON.parse(r.body.toString()) as { new: unknown[] | null; deleted: unknown[] | null };
  return { ms: r.ms, bytes: r.body.length, news: (j.new ?? []).length, deleted: (j.deleted ?? []).length };
}
