// A store holding two months of attacks (October and November 2026), filled through a running LAPI: a
// watcher client posts the alerts (start/stop times spread over the months, a seeded random mix of
// scenarios and sources), a bouncer posts usage metrics at the end of November, and a community-blocklist
// alert (origin CAPI) and a list alert (origin lists) bring crowd decisions. The LAPI clock is 2 Dec 2026.

import { WatcherClient } from '../../src/client/watcher.js';
import type { AlertInput } from '../../src/client/alerts.js';
import { rng } from '../store/random.js';
import { addBouncer, addMachine, apiKey, request, startEnv, type Env } from '../lapi/helpers.js';

export const NOW = Date.UTC(2026, 11, 2, 9, 0, 0);
export const BOUNCER_KEY = 'report-bouncer-key-0123456789';

const NOV_SCENARIOS = [
  'crowdsecurity/ssh-bf',
  'crowdsecurity/http-probing',
  'crowdsecurity/http-crawl-non_statics',
  'crowdsecurity/http-sensitive-files',
  'crowdsecurity/http-path-traversal-probing',
];
const OCT_SCENARIOS = ['crowdsecurity/ssh-bf', 'crowdsecurity/http-probing', 'crowdsecurity/http-crawl-non_statics'];
/** public addresses of several countries and networks (GeoIP finds them in the shipped databases) */
const SOURCES = [
  '1.1.1.7',
  '8.8.8.9',
  '9.9.9.10',
  '80.67.169.12',
  '185.220.101.4',
  '45.155.205.233',
  '103.21.244.9',
  '200.160.2.3',
  '62.210.16.6',
  '193.0.14.129',
  '2001:4860:4860::8844',
  '141.1.1.1',
  '77.88.8.8',
  '114.114.114.114',
];

export function alertAt(
  ip: string,
  scenario: string,
  start: number,
  seconds: number,
  events: number,
  duration = '4h',
  meta: { key: string; value: string }[] = [],
): AlertInput {
  const s = new Date(start).toISOString();
  const e = new Date(start + seconds * 1000).toISOString();
  return {
    scenario,
    scenario_hash: 'h',
    scenario_version: '0.1',
    message: `Ip ${ip} performed '${scenario}'`,
    events_count: events,
    capacity: 5,
    leakspeed: '10s',
    simulated: false,
    labels: null,
    start_at: s,
    stop_at: e,
    source: { scope: 'Ip', value: ip, ip },
    events: [{ timestamp: s, meta: [{ key: 'source_ip', value: ip }, { key: 'service', value: 'ssh' }, ...meta] }],
    meta,
    decisions: [{ duration, origin: 'crowdsec', scenario, scope: 'Ip', type: 'ban', value: ip }],
  };
}

export interface Filled {
  env: Env;
  novAlerts: number;
  octAlerts: number;
  watcher: WatcherClient;
}

async function pushAll(w: WatcherClient, alerts: AlertInput[]): Promise<void> {
  for (let i = 0; i < alerts.length; i += 100) await w.pushAlerts(alerts.slice(i, i + 100));
}

function monthAlerts(month0: number, count: number, scenarios: string[], r: () => number): AlertInput[] {
  const out: AlertInput[] = [];
  const start = Date.UTC(2026, month0, 1);
  const days = new Date(Date.UTC(2026, month0 + 1, 0)).getUTCDate();
  for (let i = 0; i < count; i++) {
    // quiet days (no alert) on the 7th and the 21st, a busy 15th
    let day = Math.floor(r() * days);
    if (day === 6 || day === 20) day = 14;
    const t = start + day * 86_400_000 + Math.floor(r() * 86_000) * 1000;
    const ip = SOURCES[Math.floor(r() * r() * SOURCES.length)];
    const sc = scenarios[Math.floor(r() * scenarios.length)];
    out.push(alertAt(ip, sc, t, 5 + Math.floor(r() * 600), 5 + Math.floor(r() * 40)));
  }
  return out;
}

export async function fillTwoMonths(o: { nov?: number; oct?: number } = {}): Promise<Filled> {
  const env = await startEnv();
  env.clock.now = NOW;
  await addMachine(env, 'reporter', 'reporter-password');
  const watcher = new WatcherClient({ url: env.url, machineId: 'reporter', password: 'reporter-password' });
  const r = rng(42);
  const nov = o.nov ?? 300;
  const oct = o.oct ?? 120;
  await pushAll(watcher, monthAlerts(9, oct, OCT_SCENARIOS, r));
  await pushAll(watcher, monthAlerts(10, nov, NOV_SCENARIOS, r));
  // crowd: a community-blocklist pull and a list subscription (CrowdSec stores them as alerts)
  const capiAt = Date.UTC(2026, 10, 20, 3, 0, 0);
  const crowd = (origin: string, scenario: string, n: number, base: string): AlertInput => ({
    ...alertAt('0.0.0.0', scenario, capiAt, 0, 0),
    source: { scope: origin === 'CAPI' ? 'Community blocklist' : 'lists', value: scenario },
    events: [],
    decisions: Array.from({ length: n }, (_, i) => ({
      duration: '720h',
      origin,
      scenario,
      scope: 'Ip',
      type: 'ban',
      value: `${base}.${i + 1}`,
    })),
  });
  await pushAll(watcher, [
    crowd('CAPI', 'update : +12/-0 IPs', 12, '203.0.113'),
    crowd('lists', 'lists:firehol_cybercrime', 5, '198.51.100'),
  ]);
  // a bouncer reporting what it dropped (usage metrics at the end of November)
  await addBouncer(env, 'fw', BOUNCER_KEY);
  for (const [day, dropped] of [
    [27, 150],
    [29, 250],
  ] as const) {
    env.clock.now = Date.UTC(2026, 10, day, 12, 0, 0);
    const body = {
      remediation_components: [
        {
          type: 'crowdsec-firewall-bouncer',
          version: 'v0.0.31',
          utc_startup_timestamp: 1732510000,
          feature_flags: [],
          metrics: [
            {
              meta: { window_size_seconds: 1800, utc_now_timestamp: Math.floor(env.clock.now / 1000) },
              items: [
                { name: 'dropped', value: dropped, unit: 'packet', labels: { origin: 'crowdsec', ip_type: 'ipv4' } },
                { name: 'dropped', value: 10, unit: 'packet', labels: { origin: 'CAPI', ip_type: 'ipv4' } },
                {
                  name: 'active_decisions',
                  value: 40 + day,
                  unit: 'ip',
                  labels: { origin: 'crowdsec', ip_type: 'ipv4' },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await request(env.url, '/v1/usage-metrics', {
      method: 'POST',
      json: body,
      headers: apiKey(BOUNCER_KEY),
    });
    if (res.status !== 201) throw new Error(`usage metrics: ${res.status} ${res.body}`);
  }
  env.clock.now = NOW;
  return { env, novAlerts: nov, octAlerts: oct, watcher };
}
