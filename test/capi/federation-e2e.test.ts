// The crowd loop end to end through the consensus (issue 13), real processes on loopback: Picket Central
// (`picket central run`) with the small-federation configuration of docs/CONSENSUS.md (enrolment token, weight on
// registration, one network suffices) and a hub index; site A (`picket run` with the agent, its ssh-bf scenario
// installed from that hub, sharing `minimal`) and site B (`picket run --no-agent`, pull every minute), both
// registered with `picket capi register --token`. An ssh attack appended to site A's log becomes an alert, a
// minimal certified signal (bytes checked), a consensus listing at the central (seen by a third login's pull), and
// a decision with origin `CAPI` at site B's bouncer — from a delta's `new` — within one pull interval; an address
// allowlisted at B (attacked at A too) never reaches B's bouncer and is counted; `picket central delist` takes
// the address off B's bouncer at the next pull (the delta's `deleted`). About 2 min 15 s (two pulls a minute
// apart after the start; measured 2m10-2m14 at load averages 8-12 on 2 cores).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { BouncerClient, type ClientDecision } from '../../src/client/index.js';
import { CapiClient, newCredentials } from '../../src/capi/client.js';
import { parseStreamAnswer } from '../../src/capi/stream-answer.js';
import { eventually, picket, startPicket, tempDir, type RunningPicket } from '../cli/helpers.js';
import * as crowd from './crowd-helpers.js';
import { documentedFederationConfig, hubSite } from './federation-helpers.js';
import { picketOk, startSiteB } from './lists-helpers.js';

process.env.PICKET_CAPI_PUSH_INTERVAL = '1s';

const TOKEN = 'federation-e2e-enrolment-token';
const LISTED = '45.33.20.1';
const ALLOWED = '45.33.20.2';
/** one pull interval (1 min) plus the slack of a loaded machine */
const ONE_PULL_MS = 60_000 + 20_000;

const dir = tempDir('picket-federation-e2e-');
let central: crowd.CentralChild | null = null;
let siteA: RunningPicket | null = null;
let siteB: RunningPicket | null = null;
let bouncer: BouncerClient | null = null;

after(async () => {
  await bouncer?.close();
  await siteB?.stop();
  await siteA?.stop();
  await central?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** the documented federation config with this test's token and hub index */
function centralConfig(index: string): string {
  const cfg = documentedFederationConfig();
  const reg = cfg.registration as Record<string, unknown>;
  assert.equal(typeof reg.token, 'string', 'the documented config sets registration.token');
  reg.token = TOKEN;
  cfg.hub_index = index;
  const file = path.join(dir, 'central.yaml');
  fs.writeFileSync(file, YAML.stringify(cfg));
  return file;
}

/** site A: the agent on a tailed auth.log, content from the hub, sharing minimal signals */
async function startSiteA(url: string, hub: ReturnType<typeof hubSite>): Promise<{ log: string }> {
  const a = path.join(dir, 'site-a');
  const creds = path.join(a, 'online_api_credentials.yaml');
  await picketOk(['capi', 'register', '--url', url, '--token', TOKEN, '-f', creds, '--data', path.join(a, 'data')]);
  const { log, acquis, config } = crowd.siteFiles(a, creds);
  fs.appendFileSync(config, `config_dir: ${hub.configDir}\nhub_dir: ${hub.hubDir}\n`);
  const args = ['--config', config, '--acquis', acquis, '--from-start', '--workers', '0', '--poll', '50'];
  siteA = await startPicket([...args, '--metrics', 'off'], a);
  await eventually(async () => /watching .*auth\.log/.test(siteA!.stderr()), 'site A tailing its log', 30_000);
  return { log };
}

/** a third login's startup pull: the consensus entries the central serves now, by value */
async function centralListed(observer: CapiClient): Promise<Map<string, string>> {
  const r = await observer.pullStream('?startup=true');
  if (r.status !== 200) throw new Error(`central pull: ${r.status} ${r.text}`);
  return new Map(parseStreamAnswer(r.text).news.map((e) => [e.value, e.scenario]));
}

async function metric(url: string, re: RegExp): Promise<number> {
  const m = re.exec(await (await fetch(url)).text());
  return m ? Number(m[1]) : 0;
}

async function federationLoop(): Promise<void> {
  const hub = hubSite(path.join(dir, 'site-a'));
  const centralDir = path.join(dir, 'central');
  central = await crowd.startCentralChild(centralDir, ['--config', centralConfig(hub.index)]);
  const url = central.url;
  // a private federation: no token, no registration
  const refused = await picket(['capi', 'register', '--url', url, '-f', path.join(dir, 'x.yaml'), '--data', dir]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /401.*registration token required/);

  const observer = new CapiClient(newCredentials(url));
  await observer.register(TOKEN);

  const b = await startSiteB(path.join(dir, 'site-b'), url, ALLOWED, ['--metrics', '127.0.0.1:0'], ['--token', TOKEN]);
  siteB = b.site;
  bouncer = b.bouncer;
  await eventually(async () => /community pull \(startup\)/.test(siteB!.stderr()), 'site B’s startup pull', 30_000);
  const metricsB = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(siteB.stderr())?.[1];
  assert.ok(metricsB, `site B's metrics URL in ${siteB.stderr()}`);
  const seen = new Map<string, ClientDecision>();
  const deleted = new Set<string>();
  const poller = bouncer.poll();
  const poll = async (): Promise<void> => {
    const d = await poller.next();
    for (const x of d.new) seen.set(x.value, x);
    for (const x of d.deleted) deleted.add(x.value);
    assert.ok(!seen.has(ALLOWED), 'the address allowlisted at B never reaches its bouncer');
  };
  await poll();

  // the attack at site A: two alerts, two minimal certified signals
  const { log } = await startSiteA(url, hub);
  fs.appendFileSync(log, crowd.attack(LISTED) + crowd.attack(ALLOWED));
  const alerts = await crowd.untilCount(() => crowd.siteAlerts(siteA!.data), 2, 'the alerts at site A', 30_000);
  assert.deepEqual(
    alerts.map((a) => a.scenario),
    [hub.scenario, hub.scenario],
  );
  const sent = await crowd.untilCount(() => crowd.sentSignals(siteA!.data), 2, 'the signals sent by site A', 30_000);
  const sources: unknown[] = [];
  for (const row of sent) {
    assert.equal(row.url, `${url}/v3/signals`);
    const sig = JSON.parse(row.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(sig), crowd.MINIMAL_SIGNAL_KEYS, 'minimal: only what the protocol requires');
    assert.equal(sig.message, '');
    assert.equal(sig.scenario, hub.scenario);
    assert.equal(sig.scenario_hash, hub.hash, 'the installed file’s digest');
    assert.equal(sig.scenario_version, '0.1');
    assert.equal(sig.scenario_trust, 'certified');
    assert.equal(sig.context, null);
    sources.push(sig.source);
  }
  assert.deepEqual(
    sources.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    [
      { scope: 'Ip', value: LISTED },
      { scope: 'Ip', value: ALLOWED },
    ],
  );
  await eventually(
    async () => (await crowd.centralSignals(centralDir)) === 2,
    'the signals stored at the central',
    30_000,
  );

  // the consensus lists both (one enrolled site suffices in this federation)
  const listed = await eventually(
    async () => {
      const l = await centralListed(observer);
      return l.has(LISTED) && l.has(ALLOWED) && l;
    },
    'the consensus listing at the central',
    30_000,
  );
  const listedAt = Date.now();
  assert.equal(listed.get(LISTED), hub.scenario);

  // site B's bouncer: within one pull interval, origin CAPI (a delta's `new`)
  await eventually(async () => (await poll(), seen.has(LISTED)), 'the listed address at B’s bouncer', ONE_PULL_MS);
  assert.ok(Date.now() - listedAt < ONE_PULL_MS, 'within one pull interval of the listing');
  const d = seen.get(LISTED)!;
  assert.equal(d.origin, 'CAPI');
  assert.equal(d.type, 'ban');
  assert.equal(d.scope, 'Ip');
  assert.equal(d.scenario, hub.scenario);
  const listB = JSON.parse(
    await picketOk(['decisions', 'list', '--origin', 'CAPI', '-o', 'json', '--data', b.data]),
  ) as Array<{ decisions?: Array<{ value: string; origin: string }> }> | null;
  const capiB = (listB ?? []).flatMap((a) => a.decisions ?? []);
  assert.deepEqual(
    capiB.map((x) => [x.value, x.origin]),
    [[LISTED, 'CAPI']],
  );
  // the allowlisted one was in a pull too (the same or the next one), kept from the bouncer and counted
  const allowlisted = /picket_capi_allowlisted_total\{origin="CAPI"\} (\d+)/;
  await eventually(async () => (await poll(), (await metric(metricsB, allowlisted)) === 1), 'the count', ONE_PULL_MS);

  // the operator's appeal at the central: off B's bouncer at the next pull
  await picketOk(['central', 'delist', '--ip', LISTED, '--reason', 'test', '--data', centralDir]);
  await eventually(async () => (await poll(), deleted.has(LISTED)), 'the delisted address leaving B', ONE_PULL_MS);
  assert.ok(!seen.has(ALLOWED));
  const snap = await bouncer.stream({ startup: true });
  assert.deepEqual(
    snap.new.filter((x) => x.value.startsWith('45.33.20.')),
    [],
  );
  const still = await centralListed(observer);
  assert.ok(!still.has(LISTED) && still.has(ALLOWED), 'the appeal took off only the delisted address');
}

/** the last lines a site logged (for a failure's message) */
const tail = (site: RunningPicket | null): string => (site?.stderr() ?? '').split('\n').slice(-25).join('\n');

test('site A’s attack, through the consensus of a small federation, reaches site B’s bouncer as CAPI', async () => {
  await federationLoop().catch((e: Error) => {
    throw new Error(`${e.message}\n--- site A stderr:\n${tail(siteA)}\n--- site B stderr:\n${tail(siteB)}`);
  });
});
