// Rules of Picket Central's consensus (src/central/consensus): each rule of docs/CONSENSUS.md on the real engine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { createConsensus, type ConsensusConfig, type SignalInput } from '../../src/central/consensus/index.js';
import { parseConfig } from '../../src/central/config.js';
import { documentedFederationConfig } from '../capi/federation-helpers.js';
import { tailorList } from '../../src/central/consensus/listing.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 0, 1);

function sig(reporter: string, value: string, received: number, scenario = 'crowdsecurity/ssh-bf'): SignalInput {
  return {
    reporter,
    scope: 'Ip',
    value,
    scenario,
    scenarioHash: 'h',
    scenarioVersion: '1',
    trust: 'certified',
    at: received,
    received,
  };
}

/** A consensus whose reporters have full weight from registration (to test one rule at a time). */
function trusting(extra: Partial<ConsensusConfig> = {}) {
  return createConsensus({
    minReporterAgeMs: 0,
    fullReporterAgeMs: 0,
    minConfirmations: 0,
    fullConfirmations: 0,
    bootstrapNetworks: 4,
    ...extra,
  });
}

function reg(c: ReturnType<typeof createConsensus>, id: string, asn: number, net = `${asn}.0.0.0/24`, at = T0) {
  c.registerReporter({ id, registeredAt: at, asn, network: net }, at);
}

const values = (c: ReturnType<typeof createConsensus>, now: number) => c.listed(now).map((e) => e.value);

test('a lone new reporter cannot list, however often it reports', () => {
  const c = createConsensus();
  reg(c, 'r1', 64501);
  for (let i = 0; i < 50; i++) c.ingest(sig('r1', '45.1.2.3', T0 + i * 60_000));
  c.tick(T0 + H);
  assert.deepEqual(values(c, T0 + H), []);
});

test('reporters earn weight only from discoveries independent networks confirm, then list together', () => {
  const c = createConsensus({
    minReporterAgeMs: H,
    fullReporterAgeMs: H,
    minConfirmations: 2,
    fullConfirmations: 2,
    bootstrapNetworks: 4,
  });
  for (let i = 1; i <= 6; i++) reg(c, `r${i}`, 64500 + i);
  let t = T0 + 2 * H;
  // r1 and r2 still have no weight: reporting together lists nothing
  c.ingest(sig('r1', '45.9.9.9', t));
  c.ingest(sig('r2', '45.9.9.9', t));
  c.tick((t += 60_000));
  assert.deepEqual(values(c, t), []);
  // two attackers each reported by four networks (a new Central: breadth confirms): the first three reporters of
  // each are discoverers and are confirmed twice; the fourth came when three had already reported
  for (const ip of ['45.0.0.1', '45.0.0.2']) for (let i = 1; i <= 4; i++) c.ingest(sig(`r${i}`, ip, t));
  c.tick((t += 60_000));
  assert.deepEqual(
    [1, 2, 3, 4].map((i) => c.book.byId.get(`r${i}`)!.confirmed),
    [2, 2, 2, 0],
  );
  // now two of them suffice
  c.ingest(sig('r1', '45.7.7.7', t));
  c.ingest(sig('r2', '45.7.7.7', t));
  c.tick((t += 60_000));
  assert.ok(values(c, t).includes('45.7.7.7'));
});

test('copying the list earns nothing: reports after the listing (+ grace) are no discoveries', () => {
  const c = trusting({ confirmGraceMs: 60_000 });
  for (let i = 1; i <= 3; i++) reg(c, `r${i}`, 64500 + i);
  reg(c, 'copier', 64999);
  let t = T0;
  c.ingest(sig('r1', '45.3.3.3', t));
  c.ingest(sig('r2', '45.3.3.3', t));
  c.tick((t += 60_000));
  assert.ok(values(c, t).includes('45.3.3.3'));
  t += 3 * H;
  c.ingest(sig('copier', '45.3.3.3', t));
  c.ingest(sig('r3', '45.3.3.3', t));
  const copier = c.book.byId.get('copier')!;
  assert.equal(copier.confirmed, 0);
  assert.ok(c.book.byId.get('r1')!.confirmed >= 1);
});

test('reporters of one AS (a Sybil swarm) count once; independent networks list', () => {
  const c = trusting({ listScore: 2, minNetworks: 2 });
  for (let i = 0; i < 100; i++) reg(c, `s${i}`, 64666, `66.${i}.0.0/24`);
  reg(c, 'h1', 64501);
  reg(c, 'h2', 64502);
  let t = T0;
  for (let i = 0; i < 100; i++) c.ingest(sig(`s${i}`, '45.4.4.4', t));
  c.tick((t += 60_000));
  assert.deepEqual(values(c, t), []);
  c.ingest(sig('h1', '45.5.5.5', t));
  c.ingest(sig('h2', '45.5.5.5', t));
  c.tick((t += 60_000));
  assert.deepEqual(values(c, t), ['45.5.5.5']);
});

test('a reporter with unknown AS votes with its /24', () => {
  const c = trusting({ listScore: 2, minNetworks: 2 });
  reg(c, 'a', 0, '77.1.1.0/24');
  reg(c, 'b', 0, '77.1.1.0/24');
  reg(c, 'c', 0, '77.1.2.0/24');
  let t = T0;
  c.ingest(sig('a', '45.6.6.6', t));
  c.ingest(sig('b', '45.6.6.6', t));
  c.tick((t += 60_000));
  assert.deepEqual(values(c, t), []);
  c.ingest(sig('c', '45.6.6.6', t));
  c.tick((t += 60_000));
  assert.deepEqual(values(c, t), ['45.6.6.6']);
});

test('a canary is never listed, and its reporter loses its weight (and its pending evidence with it)', () => {
  const c = trusting();
  for (let i = 1; i <= 5; i++) reg(c, `r${i}`, 64500 + i);
  let t = T0;
  for (const ip of ['8.8.8.8', '10.1.2.3', '66.249.66.1', '104.16.1.1', '2001:db8::1', 'fe80::1']) {
    for (let i = 1; i <= 5; i++) c.ingest(sig(`r${i}`, ip, t));
  }
  c.tick((t += 60_000));
  assert.deepEqual(values(c, t), []);
  assert.equal(c.book.weight(c.book.byId.get('r1'), t), 0);
  // their earlier listing goes too once nobody with weight backs it
  const d = trusting();
  for (let i = 1; i <= 3; i++) reg(d, `r${i}`, 64500 + i);
  d.ingest(sig('r1', '45.8.8.8', T0));
  d.ingest(sig('r2', '45.8.8.8', T0));
  d.tick(T0 + 60_000);
  assert.deepEqual(values(d, T0 + 60_000), ['45.8.8.8']);
  d.ingest(sig('r1', '9.9.9.9', T0 + 2 * 60_000));
  d.ingest(sig('r2', '1.1.1.1', T0 + 2 * 60_000));
  const ch = d.tick(T0 + 3 * 60_000);
  assert.deepEqual(values(d, T0 + 3 * 60_000), []);
  assert.equal(ch[0]?.reason, 'canary');
});

test('operator allowlist entries are canaries', () => {
  const c = trusting({ allowlist: ['45.10.0.0/16'] });
  for (let i = 1; i <= 3; i++) reg(c, `r${i}`, 64500 + i);
  for (let i = 1; i <= 3; i++) c.ingest(sig(`r${i}`, '45.10.3.4', T0));
  c.tick(T0 + 60_000);
  assert.deepEqual(values(c, T0 + 60_000), []);
  assert.equal(c.canaryKind('45.10.9.9'), 'allowlist');
});

test('decay: nothing stays listed more than 72 h after its last counted report', () => {
  const c = trusting({ baseDurationMs: 7 * D, maxDurationMs: 7 * D });
  for (let i = 1; i <= 2; i++) reg(c, `r${i}`, 64500 + i);
  c.ingest(sig('r1', '45.11.0.1', T0));
  c.ingest(sig('r2', '45.11.0.1', T0));
  c.tick(T0 + 60_000);
  const e = c.listed(T0 + 60_000)[0]!;
  assert.ok(e.until <= T0 + 72 * H, `until ${(e.until - T0) / H} h after the last report`);
  let t = T0 + 60_000;
  const removed: string[] = [];
  while (t < T0 + 80 * H) {
    t += 10 * 60_000;
    for (const ch of c.tick(t)) removed.push(`${ch.value}:${ch.reason}`);
  }
  assert.deepEqual(removed, ['45.11.0.1:decay']);
  assert.deepEqual(values(c, T0 + 72 * H + 1), []);
});

test('durations grow with evidence and with relistings', () => {
  const c = trusting({ listScore: 2, minNetworks: 2 });
  for (let i = 1; i <= 8; i++) reg(c, `r${i}`, 64500 + i);
  c.ingest(sig('r1', '45.12.0.1', T0));
  c.ingest(sig('r2', '45.12.0.1', T0));
  for (let i = 1; i <= 8; i++) c.ingest(sig(`r${i}`, '45.12.0.2', T0));
  c.tick(T0 + 60_000);
  const [weak, strong] = ['45.12.0.1', '45.12.0.2'].map((v) => c.listed(T0 + 60_000).find((e) => e.value === v)!);
  assert.ok(strong!.until > weak!.until);
});

test('appeal: off at once, held against old evidence, relisted only by fresh reports from more networks', () => {
  const c = trusting({ listScore: 2, minNetworks: 2, relistNetworks: 3 });
  for (let i = 1; i <= 4; i++) reg(c, `r${i}`, 64500 + i);
  let t = T0;
  c.ingest(sig('r1', '45.13.0.1', t));
  c.ingest(sig('r2', '45.13.0.1', t));
  c.tick((t += 60_000));
  assert.equal(c.delist('45.13.0.1', t, 7 * D), true);
  assert.deepEqual(
    c.tick(t).map((x) => x.reason),
    ['appeal'],
  );
  assert.deepEqual(values(c, t), []);
  // the same two networks again (an attacker's appeal while it keeps attacking two sites): still held
  c.ingest(sig('r1', '45.13.0.1', t + 1));
  c.ingest(sig('r2', '45.13.0.1', t + 1));
  c.tick((t += 60_000));
  assert.deepEqual(values(c, t), []);
  // a third independent network after the appeal: the evidence keeps coming, the appeal does not hold
  c.ingest(sig('r3', '45.13.0.1', t));
  c.tick((t += 60_000));
  assert.deepEqual(values(c, t), ['45.13.0.1']);
});

test('erase forgets everything about an address', () => {
  const c = trusting();
  for (let i = 1; i <= 2; i++) reg(c, `r${i}`, 64500 + i);
  c.ingest(sig('r1', '45.14.0.1', T0));
  c.ingest(sig('r2', '45.14.0.1', T0));
  c.tick(T0 + 60_000);
  c.erase('45.14.0.1', T0 + 2 * 60_000);
  assert.deepEqual(
    c.tick(T0 + 3 * 60_000).map((x) => x.reason),
    ['erase'],
  );
  assert.deepEqual(values(c, T0 + 3 * 60_000), []);
  assert.equal(c.addrs.has('45.14.0.1'), false);
  assert.ok(!JSON.stringify(c.exportState()).includes('45.14.0.1'));
});

test("list tailored to a site's scenarios, curated entries for everyone, capped by score", () => {
  const c = trusting({ listScore: 2, minNetworks: 2 });
  for (let i = 1; i <= 6; i++) reg(c, `r${i}`, 64500 + i);
  for (let k = 0; k < 5; k++)
    for (let i = 1; i <= 2 + (k % 3); i++) c.ingest(sig(`r${i}`, `45.15.0.${k + 1}`, T0, 'crowdsecurity/ssh-bf'));
  for (let i = 1; i <= 2; i++) c.ingest(sig(`r${i}`, '45.16.0.1', T0, 'crowdsecurity/http-probing'));
  c.addCurated({ scope: 'Range', value: '45.17.0.0/24', scenario: 'manual', until: T0 + D }, T0);
  c.tick(T0 + 60_000);
  const now = T0 + 60_000;
  const ssh = c.listFor(['crowdsecurity/ssh-bf'], now, 100).map((e) => e.value);
  assert.equal(ssh[0], '45.17.0.0/24');
  assert.equal(ssh.length, 6);
  assert.ok(!ssh.includes('45.16.0.1'));
  assert.equal(c.listFor([], now, 100).length, 7);
  const capped = c.listFor(['crowdsecurity/ssh-bf'], now, 3).map((e) => e.value);
  assert.deepEqual(capped, ['45.17.0.0/24', '45.15.0.3', '45.15.0.2']); // strongest first, then by value
  // the simulator cuts each site's list from the full one: the same entries in the same order
  for (const [scen, cap] of [
    [['crowdsecurity/ssh-bf'], 3],
    [['crowdsecurity/http-probing'], 100],
    [[], 4],
  ] as const)
    assert.deepEqual(tailorList(c.listed(now), scen, cap), c.listFor(scen, now, cap));
  assert.equal(c.removeCurated('45.17.0.0/24', now), true);
  assert.equal(c.listFor([], now, 100).length, 6);
});

test('state round-trip: a restored consensus lists and decides as the original', () => {
  const c = createConsensus({ minReporterAgeMs: 0, fullReporterAgeMs: 0, minConfirmations: 1, fullConfirmations: 1 });
  for (let i = 1; i <= 5; i++) reg(c, `r${i}`, 64500 + i);
  let t = T0;
  for (let i = 1; i <= 5; i++) c.ingest(sig(`r${i}`, '45.18.0.1', t));
  c.tick((t += 60_000));
  c.ingest(sig('r1', '45.18.0.2', t));
  c.ingest(sig('r2', '45.18.0.2', t));
  c.delist('45.18.0.9', t);
  c.addCurated({ scope: 'Ip', value: '45.19.0.1', scenario: 'manual', until: t + D }, t);
  c.tick((t += 60_000));
  const json = JSON.parse(JSON.stringify(c.exportState())) as unknown;
  const d = createConsensus({ minReporterAgeMs: 0, fullReporterAgeMs: 0, minConfirmations: 1, fullConfirmations: 1 });
  d.importState(json);
  assert.deepEqual(d.listed(t), c.listed(t));
  // the chunks the server saves restore the same engine
  const e = createConsensus({ minReporterAgeMs: 0, fullReporterAgeMs: 0, minConfirmations: 1, fullConfirmations: 1 });
  e.importStateChunks([...c.exportStateChunks()]);
  assert.deepEqual(e.exportState(), d.exportState());
  for (const x of [c, d, e]) {
    x.ingest(sig('r3', '45.18.0.3', t));
    x.ingest(sig('r4', '45.18.0.3', t));
    x.tick(t + 60_000);
  }
  assert.deepEqual(d.listed(t + 60_000), c.listed(t + 60_000));
  assert.deepEqual(d.exportState(), c.exportState());
  assert.deepEqual(e.exportState(), c.exportState());
  assert.throws(() => d.importState({ version: 99 }), { code: 'CENTRAL_BAD_STATE' });
});

test('signals other than certified never count', () => {
  const c = trusting();
  for (let i = 1; i <= 3; i++) reg(c, `r${i}`, 64500 + i);
  for (let i = 1; i <= 3; i++) c.ingest({ ...sig(`r${i}`, '45.20.0.1', T0), trust: 'tainted' });
  c.tick(T0 + 60_000);
  assert.deepEqual(values(c, T0 + 60_000), []);
});

test('count_custom: custom signals count like certified ones; tainted and manual still never', () => {
  const c = trusting({ countCustom: true });
  for (let i = 1; i <= 3; i++) reg(c, `r${i}`, 64500 + i);
  for (let i = 1; i <= 2; i++) c.ingest({ ...sig(`r${i}`, '45.21.0.1', T0), trust: 'custom', scenarioHash: '' });
  for (let i = 1; i <= 3; i++) c.ingest({ ...sig(`r${i}`, '45.21.0.2', T0), trust: 'tainted' });
  for (let i = 1; i <= 3; i++) c.ingest({ ...sig(`r${i}`, '45.21.0.3', T0), trust: 'manual' });
  c.tick(T0 + 60_000);
  assert.deepEqual(values(c, T0 + 60_000), ['45.21.0.1']);
  // off (the default): the same custom reports list nothing
  const d = trusting();
  for (let i = 1; i <= 3; i++) reg(d, `r${i}`, 64500 + i);
  for (let i = 1; i <= 2; i++) d.ingest({ ...sig(`r${i}`, '45.21.0.1', T0), trust: 'custom', scenarioHash: '' });
  d.tick(T0 + 60_000);
  assert.deepEqual(values(d, T0 + 60_000), []);
});

test('the small-federation config of docs/CONSENSUS.md: one enrolled member lists at once, canaries still cost', () => {
  const cfg = parseConfig(YAML.stringify(documentedFederationConfig()), 'federation.yaml');
  assert.ok(cfg.registrationToken.length >= 16, 'the federation config requires an enrolment token');
  assert.equal(cfg.tickSeconds, 5);
  const c = createConsensus(cfg.consensus);
  // two members just enrolled from one network (no AS known): the first report of one lists at the next tick
  reg(c, 'm1', 0, '198.51.100.0/24');
  reg(c, 'm2', 0, '198.51.100.0/24');
  let t = T0 + 1000;
  c.ingest(sig('m1', '45.1.2.3', t));
  c.tick((t += 5000));
  assert.deepEqual(values(c, t), ['45.1.2.3']);
  // a member reporting a public resolver loses its weight: the resolver is not listed, nor its next report
  c.ingest(sig('m2', '8.8.8.8', t));
  c.ingest(sig('m2', '45.4.5.6', t));
  c.tick((t += 5000));
  assert.deepEqual(values(c, t), ['45.1.2.3']);
  // the other member's report of the same address still lists it
  c.ingest(sig('m1', '45.4.5.6', t));
  c.tick((t += 5000));
  assert.deepEqual(values(c, t), ['45.1.2.3', '45.4.5.6']);
  // the public defaults: the same first report lists nothing
  const pub = createConsensus(parseConfig('', 'public.yaml').consensus);
  reg(pub, 'm1', 0, '198.51.100.0/24');
  pub.ingest(sig('m1', '45.1.2.3', T0 + 1000));
  pub.tick(T0 + 6000);
  assert.deepEqual(values(pub, T0 + 6000), []);
});

test('evidence counts for evidence_window, yet a listing ends at most decay after its last counted report', () => {
  const run = (evidenceWindowMs: number) => {
    const c = trusting({ evidenceWindowMs, decayMs: 72 * H, baseDurationMs: 7 * D, maxDurationMs: 7 * D });
    for (let i = 1; i <= 2; i++) reg(c, `r${i}`, 64500 + i);
    // a slow attacker: two independent networks, five days apart
    c.ingest(sig('r1', '45.21.0.1', T0));
    c.tick(T0 + 60_000);
    const t = T0 + 5 * D;
    c.ingest(sig('r2', '45.21.0.1', t));
    c.tick(t + 60_000);
    return c.listed(t + 60_000).find((e) => e.value === '45.21.0.1');
  };
  assert.equal(run(72 * H), undefined, 'a 72 h window forgot the first report');
  const e = run(7 * D);
  assert.ok(e, 'a 7-day window lists on the second network');
  assert.ok(e.until <= T0 + 5 * D + 72 * H, `listed ${(e.until - T0 - 5 * D) / H} h after the last report`);
});

test('a CDN or crawler report costs weight only when such reports exceed shared_canary_share', () => {
  const c = trusting({ sharedCanaryShare: 0.02, sharedCanarySpan: 100, sharedCanaryPenaltyMs: D });
  reg(c, 'honest', 64501);
  reg(c, 'broken', 64502);
  let t = T0;
  // an honest site: one Googlebot alert among a hundred true ones keeps its weight
  for (let i = 0; i < 100; i++) c.ingest(sig('honest', `45.22.0.${i}`, (t += 1000)));
  c.ingest(sig('honest', '66.249.66.1', (t += 1000)));
  assert.equal(c.book.weight(c.book.byId.get('honest'), t), 1);
  // a site whose scenario flags crawlers over and over loses it for shared_canary_penalty
  for (let i = 0; i < 20; i++) c.ingest(sig('broken', `45.23.0.${i}`, (t += 1000)));
  for (let i = 0; i < 4; i++) c.ingest(sig('broken', `66.249.66.${10 + i}`, (t += 1000)));
  assert.equal(c.book.weight(c.book.byId.get('broken'), t), 0);
  assert.ok(c.book.weight(c.book.byId.get('broken'), t + D + 1) > 0);
  // with a zero share, any such report costs the weight (the strict setting)
  const s = trusting({ sharedCanaryShare: 0 });
  reg(s, 'r', 64503);
  s.ingest(sig('r', '66.249.66.1', T0));
  assert.equal(s.book.weight(s.book.byId.get('r'), T0 + 1), 0);
});

/** A consensus past its bootstrap where one confirmation gives full weight; `weighted` start with weight. */
function confirming(reporters: Array<[string, number]>, weighted: string[]) {
  const c = createConsensus({
    minReporterAgeMs: H,
    fullReporterAgeMs: H,
    minConfirmations: 1,
    fullConfirmations: 1,
    bootstrapReporters: 0,
    confirmWeighted: 2,
  });
  for (const [id, asn] of reporters) reg(c, id, asn, `${asn}.0.${id.length}.0/24`, T0);
  for (const id of weighted) c.book.byId.get(id)!.confirmed = 5;
  return c;
}

test('a discoverer is confirmed once two weighted networks other than its own reported the address', () => {
  const c = confirming(
    [
      ['new', 64501],
      ['w1', 64502],
      ['w2', 64503],
      ['w3', 64501],
      ['copier', 64504],
    ],
    ['w1', 'w2', 'w3'],
  );
  const conf = (id: string) => c.book.byId.get(id)!.confirmed;
  let t = T0 + 2 * H;
  // a new site reports an attacker first; a weighted network of its own AS and one other corroborate it: not yet
  c.ingest(sig('new', '45.24.0.1', (t += 1000)));
  c.ingest(sig('w3', '45.24.0.1', (t += 1000)));
  c.ingest(sig('w1', '45.24.0.1', (t += 1000)));
  assert.equal(conf('new'), 0);
  // a second independent weighted network: confirmed, though the address was never listed (no tick ran)
  c.ingest(sig('w2', '45.24.0.1', (t += 1000)));
  assert.equal(conf('new'), 1);
  assert.equal(c.book.weight(c.book.byId.get('new'), t), 1);
  // the fourth reporter came after three others had: a possible copy, never a discovery
  c.ingest(sig('copier', '45.24.0.1', (t += 1000)));
  assert.equal(conf('copier'), 0);
  // reporters without weight confirm nothing
  c.book.byId.get('new')!.confirmed = 0;
  c.ingest(sig('copier', '45.24.0.2', (t += 1000)));
  c.ingest(sig('new', '45.24.0.2', (t += 1000)));
  c.ingest(sig('w1', '45.24.0.2', t + 1000));
  assert.equal(conf('copier'), 0);
});

test('corroboration across discoveries: two weighted networks on different addresses give weight, one never', () => {
  const c = confirming(
    [
      ['d', 64501],
      ['own', 64501],
      ['w1', 64502],
      ['w2', 64503],
    ],
    ['own', 'w1', 'w2'],
  );
  const d = c.book.byId.get('d')!;
  let t = T0 + 2 * H;
  // five discoveries, each corroborated by the same weighted network (and one by a network of d's own AS)
  for (let i = 1; i <= 5; i++) {
    c.ingest(sig('d', `45.30.0.${i}`, (t += 1000)));
    c.ingest(sig('w1', `45.30.0.${i}`, (t += 1000)));
  }
  c.ingest(sig('own', '45.30.0.1', (t += 1000)));
  assert.equal(d.confirmed, 0);
  assert.equal(c.book.weight(d, t), 0);
  // a second independent weighted network corroborates another of its discoveries: weight
  c.ingest(sig('d', '45.30.0.9', (t += 1000)));
  c.ingest(sig('w2', '45.30.0.9', (t += 1000)));
  assert.equal(d.confirmed, 1);
  assert.equal(c.book.weight(d, t), 1);
  // a report that is no discovery (three had reported before) earns nothing, whoever corroborates it
  reg(c, 'late', 64504, '64504.0.4.0/24', T0);
  c.ingest(sig('d', '45.30.0.20', (t += 1000)));
  c.ingest(sig('own', '45.30.0.20', (t += 1000)));
  c.ingest(sig('w1', '45.30.0.20', (t += 1000)));
  c.ingest(sig('late', '45.30.0.20', (t += 1000)));
  c.ingest(sig('late', '45.30.0.21', (t += 1000)));
  c.ingest(sig('w2', '45.30.0.21', (t += 1000)));
  c.ingest(sig('w2', '45.30.0.20', t + 1000));
  assert.equal(c.book.byId.get('late')!.witnesses.length, 1);
  assert.equal(c.book.byId.get('late')!.confirmed, 0);
});

test('a reporter that gains weight later makes its earlier reports count at that tick, decay from their time', () => {
  const c = createConsensus({
    minReporterAgeMs: 6 * H,
    fullReporterAgeMs: 6 * H,
    minConfirmations: 1,
    fullConfirmations: 1,
    bootstrapReporters: 0,
  });
  reg(c, 'w1', 64502, '64502.0.0.0/24', T0 - D);
  reg(c, 'w2', 64503, '64503.0.0.0/24', T0 - D);
  reg(c, 'y', 64504, '64504.0.0.0/24', T0);
  for (const id of ['w1', 'w2']) c.book.byId.get(id)!.confirmed = 5;
  const y = c.book.byId.get('y')!;
  let t = T0 + H;
  // the young site discovers an attacker that two weighted networks confirm: a confirmation, no weight yet (age)
  c.ingest(sig('y', '45.40.0.1', t));
  c.ingest(sig('w1', '45.40.0.1', (t += 1000)));
  c.ingest(sig('w2', '45.40.0.1', t + 1000));
  assert.equal(y.confirmed, 1);
  // another attacker: the young site and one weighted network report it; one network never lists
  const seen = T0 + 2 * H;
  c.ingest(sig('y', '45.40.0.7', seen));
  c.ingest(sig('w1', '45.40.0.7', seen + 1000));
  c.tick(T0 + 3 * H);
  assert.equal(values(c, T0 + 3 * H).includes('45.40.0.7'), false);
  // a central restarted from its state before that moment wakes the young site all the same
  const restored = createConsensus({ ...c.cfg });
  restored.importState(JSON.parse(JSON.stringify(c.exportState())));
  restored.tick(T0 + 6 * H);
  assert.ok(restored.listed(T0 + 6 * H).some((x) => x.value === '45.40.0.7'));
  // its age reached, nobody reports again: listed at the next tick, ending at most `decay` after the reports
  c.tick(T0 + 6 * H - 60_000);
  assert.equal(values(c, T0 + 6 * H - 60_000).includes('45.40.0.7'), false);
  c.tick(T0 + 6 * H);
  const e = c.listed(T0 + 6 * H).find((x) => x.value === '45.40.0.7');
  assert.ok(e, 'listed once the young site has weight');
  assert.ok(e.until <= seen + 1000 + 72 * H);
  // a report older than the decay does not come back that way: z reported with one weighted network at 2 h and
  // earns its weight at 80 h (a discovery two weighted networks confirm); nothing is listed
  reg(c, 'z', 64505, '64505.0.0.0/24', T0);
  c.ingest(sig('z', '45.40.0.30', T0 + 2 * H));
  c.ingest(sig('w1', '45.40.0.30', T0 + 2 * H));
  c.ingest(sig('z', '45.40.0.50', T0 + 80 * H));
  c.ingest(sig('w1', '45.40.0.50', T0 + 80 * H));
  c.ingest(sig('w2', '45.40.0.50', T0 + 80 * H));
  assert.ok(c.book.weight(c.book.byId.get('z'), T0 + 80 * H) > 0);
  c.tick(T0 + 80 * H + 60_000);
  assert.equal(values(c, T0 + 80 * H + 60_000).includes('45.40.0.30'), false);
  assert.equal(values(c, T0 + 80 * H + 60_000).includes('45.40.0.50'), true);
});
