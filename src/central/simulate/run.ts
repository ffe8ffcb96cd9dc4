// The simulator's driver: builds the world for a seed, feeds the same time-ordered signals and appeals to the
// consensus and to every baseline, ticks them every `TICK_MS` of simulated time (the server's list-recompute
// tick we assume), records each one's listings and hands them to metrics.ts. Deterministic for a seed.

import { WeightedConsensus } from '../consensus/engine.js';
import type { ConsensusConfig } from '../consensus/config.js';
import type { Consensus, ListedEntry, SignalInput } from '../consensus/types.js';
import { tailorList } from '../consensus/listing.js';
import { genAdversaries, genNoise } from './adversaries.js';
import { KDistinct, TrustRank } from './baselines.js';
import { Recorder, computeMetrics, type Metrics } from './metrics.js';
import { buildSites, D, H, honestAsDraw, T0, type SimParams, type Site } from './population.js';
import { Alias, Rng } from './rng.js';
import { genAttackers, Stream } from './stream.js';
import { Explainer, type Explanation } from './explain.js';

/** The server recomputes the list every minute (the tick assumed by the time-to-list figures). */
export const TICK_MS = 60_000;
const PULL_MS = 2 * H;
const BYTES_SAMPLE = 20;

export const DEFAULT_PARAMS: SimParams = {
  sites: 2000,
  days: 30,
  warmupDays: 3,
  poisoners: 0.1,
  sybils: 1000,
  seed: 1,
  poisonerAses: 10,
  poisonerSensors: false,
  sensorAccounts: -1,
  sybilAses: 3,
  noise: 0.01,
  attackersPerDay: 0,
};

export interface SimResult {
  consensus: Metrics;
  baselines: { k2: Metrics; k3: Metrics; k5: Metrics; trust_rank: Metrics };
  bytes_out_per_site_day: number;
  /** with `explain` > 0: why the consensus listed attackers late or never */
  explain?: Explanation;
  world: {
    sites: number;
    poisoners: number;
    sybils: number;
    attackers: number;
    signals: number;
    addresses: number;
    days: number;
    warmup_days: number;
    tick_s: number;
  };
}

interface SimConsensus extends Consensus {
  onListed: ((e: ListedEntry) => void) | null;
}

export function buildWorld(p: SimParams): { sites: Site[]; st: Stream; targets: number } {
  const rng = new Rng(p.seed);
  const sites = buildSites(p, rng, honestAsDraw(rng, Alias));
  const end = T0 + (p.warmupDays + p.days) * D;
  const st = new Stream(rng, T0, end);
  const perDay = p.attackersPerDay > 0 ? p.attackersPerDay : Math.round((13_000 * p.sites) / 60_000);
  genAttackers(st, sites, perDay);
  st.buildFeed();
  genNoise(st, sites, p.noise);
  const targets = genAdversaries(st, sites);
  return { sites, st, targets };
}

/** Estimated bytes of one v3 stream answer carrying `added` and `deleted` (uncompressed JSON). */
function streamBytes(added: ListedEntry[], deleted: string[], now: number): number {
  let n = 90;
  const groups = new Set<string>();
  for (const e of added) {
    groups.add(e.scenario);
    n +=
      26 + e.value.length + `${Math.floor((e.until - now) / H)}h${Math.floor(((e.until - now) % H) / 60_000)}m`.length;
  }
  for (const g of groups) n += 40 + g.length;
  for (const v of deleted) n += v.length + 3;
  return n;
}

/** Runs a world; `explain` > 0 also explains the consensus's slow and missed listings (that many examples). */
export function runSimulation(p: SimParams, cfg: Partial<ConsensusConfig> = {}, explain = 0): SimResult {
  const { sites, st, targets } = buildWorld(p);
  const measureFrom = T0 + p.warmupDays * D;
  const main = new WeightedConsensus(cfg);
  const runs: Array<{ name: string; c: SimConsensus; rec: Recorder }> = [
    { name: 'consensus', c: main, rec: new Recorder(st) },
    { name: 'k2', c: new KDistinct(2), rec: new Recorder(st) },
    { name: 'k3', c: new KDistinct(3), rec: new Recorder(st) },
    { name: 'k5', c: new KDistinct(5), rec: new Recorder(st) },
    { name: 'trust_rank', c: new TrustRank(), rec: new Recorder(st) },
  ];
  for (const r of runs) {
    for (const s of sites)
      r.c.registerReporter({ id: s.id, registeredAt: s.registeredAt, asn: s.asn, network: s.network }, T0);
    let now = T0;
    r.c.onListed = (e) => r.rec.open(e, now);
    r.rec.setClock = (t: number) => {
      now = t;
    };
  }
  const explainer = explain > 0 ? new Explainer(st, main, runs[0]!.rec) : null;
  const siteScen = sites.map((s) => new Set(s.scenarios.map((x) => st.scenarioId(x))));
  const n = st.recv.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => st.recv[a]! - st.recv[b]! || a - b);
  const appeals = [...st.appeals].sort((a, b) => a.t - b.t);
  // bytes: a sample of honest sites registered before the measurement, pulling every 2 h
  const sample = sites.filter((s) => s.role === 'honest' && s.registeredAt < measureFrom).slice(0, BYTES_SAMPLE);
  const held = sample.map(() => new Map<string, ListedEntry>());
  let nextPull = measureFrom,
    bytes = 0;
  const sig: SignalInput = {
    reporter: '',
    scope: 'Ip',
    value: '',
    scenario: '',
    scenarioHash: 'h',
    scenarioVersion: '1',
    trust: 'certified',
    at: 0,
    received: 0,
  };
  let tick = T0,
    ai = 0;
  const advance = (t: number): void => {
    while (tick + TICK_MS <= t) {
      tick += TICK_MS;
      for (const r of runs) {
        r.rec.setClock(tick);
        for (const ch of r.c.tick(tick)) r.rec.close(ch.value, ch.at);
        r.rec.sample();
      }
      if (tick >= nextPull) {
        bytes += pullAll(main, sample, held, tick);
        nextPull += PULL_MS;
      }
    }
    while (ai < appeals.length && appeals[ai]!.t <= t) {
      const ap = appeals[ai++]!;
      for (const r of runs) {
        r.rec.appeal(ap.addr, ap.t, ap.truthful);
        r.c.delist(st.addrs[ap.addr]!, ap.t, undefined);
      }
    }
  };
  for (const i of order) {
    const t = st.recv[i]!;
    advance(t);
    const a = st.addr[i]!,
      site = sites[st.rep[i]!]!;
    sig.reporter = site.id;
    sig.value = st.addrs[a]!;
    sig.scope = 'Ip';
    sig.scenario = st.scenarios[st.scen[i]!]!;
    sig.trust = st.tainted[i] ? 'tainted' : 'certified';
    sig.at = t - 5_000;
    sig.received = t;
    for (const r of runs) {
      r.c.ingest(sig);
      r.rec.report(a, t);
    }
    explainer?.onSignal(i, site);
    if (st.honest[i] && t >= measureFrom) {
      const atk = st.attackers[st.attackerOf[a]!]!;
      if (!atk.firstThree.includes(site.idx)) {
        const since = site.pullPhase <= t ? site.pullPhase + Math.floor((t - site.pullPhase) / PULL_MS) * PULL_MS : -1;
        for (const r of runs) r.rec.attackEvent(a, since, siteScen[site.idx]!);
      }
    }
  }
  advance(st.end);
  const days = (st.end - measureFrom) / D;
  const metrics = (name: string): Metrics =>
    computeMetrics(runs.find((r) => r.name === name)!.rec, st, targets, measureFrom);
  const consensus = metrics('consensus');
  return {
    consensus,
    baselines: { k2: metrics('k2'), k3: metrics('k3'), k5: metrics('k5'), trust_rank: metrics('trust_rank') },
    bytes_out_per_site_day: Math.round(bytes / Math.max(1, sample.length) / days),
    ...(explainer ? { explain: explainer.explain(measureFrom, explain) } : {}),
    world: {
      sites: p.sites,
      poisoners: sites.filter((s) => s.role !== 'honest' && s.role !== 'sybil').length,
      sybils: p.sybils,
      attackers: st.attackers.length,
      signals: n,
      addresses: st.addrs.length,
      days: p.days,
      warmup_days: p.warmupDays,
      tick_s: TICK_MS / 1000,
    },
  };
}

/** One pull of every sampled site: the delta against what it holds, in bytes. */
function pullAll(c: WeightedConsensus, sample: Site[], held: Array<Map<string, ListedEntry>>, now: number): number {
  let bytes = 0;
  const cache = new Map<string, ListedEntry[]>();
  const full = c.listed(now);
  sample.forEach((s, i) => {
    const key = s.scenarios.join(',');
    let list = cache.get(key);
    if (!list) {
      list = tailorList(full, s.scenarios, c.cfg.listCap);
      cache.set(key, list);
    }
    const have = held[i]!;
    const next = new Map(list.map((e) => [e.value, e]));
    const added = list.filter((e) => have.get(e.value)?.until !== e.until);
    const deleted = [...have.keys()].filter((v) => !next.has(v));
    bytes += streamBytes(added, deleted, now);
    held[i] = next;
  });
  return bytes;
}
