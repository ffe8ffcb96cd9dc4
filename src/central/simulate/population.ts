// The simulated population (crowd.md §4-5): honest sites (web, ssh-only, mail; lognormal visibility; AS drawn
// from a Zipf over hosting and access networks; most registered before the run, the rest joining over the first
// days), colluding poisoner accounts (blatant, camouflaged, on-off) from a few hosting ASes, and Sybil swarms
// from at most 3 ASes (one registered in a burst, one trickled). Owns `SimParams`, `Site` and `buildSites`.

import type { Rng } from './rng.js';

export const H = 3_600_000;
export const D = 24 * H;
/** the simulated clock starts here (any fixed instant: runs are reproducible) */
export const T0 = Date.UTC(2026, 0, 5);

export interface SimParams {
  sites: number;
  /** measured days (after the warm-up) */
  days: number;
  warmupDays: number;
  /** poisoner accounts as a share of honest sites */
  poisoners: number;
  sybils: number;
  seed: number;
  /** hosting ASes the colluding poisoner accounts rent from */
  poisonerAses: number;
  /** on-off poisoners run real sensors in their honest phase (the Douceur case: see docs/CONSENSUS.md) */
  poisonerSensors: boolean;
  /** with poisonerSensors, how many on-off accounts run them (-1: all): one is the "bought weighted account" */
  sensorAccounts: number;
  /** ASes the Sybils register from (crowd.md: at most 3) */
  sybilAses: number;
  /** honest false-alert share (crowd.md §4: about 1%) */
  noise: number;
  /** new attacker addresses per day; default scales CrowdSec's 13k/day to the number of sites */
  attackersPerDay: number;
}

export type Role = 'honest' | 'blatant' | 'camo' | 'onoff' | 'sybil';
export type Kind = 'web' | 'ssh' | 'mail';

export const SCENARIOS: Record<Kind, string[]> = {
  web: [
    'crowdsecurity/http-probing',
    'crowdsecurity/http-crawl-non_statics',
    'crowdsecurity/http-bad-user-agent',
    'crowdsecurity/http-path-traversal-probing',
    'crowdsecurity/http-sensitive-files',
  ],
  ssh: ['crowdsecurity/ssh-bf', 'crowdsecurity/ssh-slow-bf'],
  mail: ['crowdsecurity/postfix-spam', 'crowdsecurity/dovecot-spam'],
};

export interface Site {
  idx: number;
  id: string;
  role: Role;
  kind: Kind;
  scenarios: string[];
  visibility: number;
  asn: number;
  network: string;
  registeredAt: number;
  /** first pull; then every 2 h */
  pullPhase: number;
  /** 1.4.x LAPIs push every 30 s +-15 s, 1.5+ every 10 s */
  legacy: boolean;
  /** runs modified scenarios: its signals are tainted */
  tainted: boolean;
  /** reports its reverse proxy's private address now and then */
  misconfigured: boolean;
  /** on-off poisoners start poisoning here */
  switchAt: number;
  /** runs real sensors (is attacked like an honest site): honest sites, and on-off poisoners with sensors */
  sensors: boolean;
}

/** Honest networks: 600 ASes, Zipf(1): the largest hosting ASes hold a few percent of the sites each. */
export const HONEST_ASES = 600;
const asNumber = (rank: number): number => 10_000 + rank * 7;

function zipfAlias(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / (i + 1));
}

function kindOf(rng: Rng): Kind {
  const u = rng.u();
  return u < 0.55 ? 'web' : u < 0.85 ? 'ssh' : 'mail';
}

function scenariosOf(kind: Kind, rng: Rng): string[] {
  const s = [...SCENARIOS[kind]];
  if (kind !== 'ssh' && rng.chance(0.6)) s.push(...SCENARIOS.ssh);
  return s;
}

export function buildSites(p: SimParams, rng: Rng, asDraw: () => number): Site[] {
  const sites: Site[] = [];
  const add = (role: Role, asn: number, network: string, registeredAt: number, switchAt = Infinity): Site => {
    const kind = kindOf(rng);
    const s: Site = {
      idx: sites.length,
      id: `${role}-${sites.length}`,
      role,
      kind,
      scenarios: scenariosOf(kind, rng),
      visibility: rng.lognormal(1, 1),
      asn,
      network,
      registeredAt,
      pullPhase: registeredAt > T0 ? registeredAt + 60_000 : T0 - rng.range(0, 2 * H),
      legacy: rng.chance(0.3),
      tainted: role === 'honest' && rng.chance(0.04),
      misconfigured: role === 'honest' && rng.chance(0.01),
      switchAt,
      sensors: role === 'honest',
    };
    sites.push(s);
    return s;
  };
  const net = (asn: number, i: number): string => `${(asn >> 8) & 0xff}.${asn & 0xff}.${i & 0xff}.0/24`;
  for (let i = 0; i < p.sites; i++) {
    const at = rng.chance(0.6) ? T0 - rng.range(14 * D, 365 * D) : T0 + rng.range(0, 10 * D);
    const asn = asNumber(asDraw());
    add('honest', asn, net(asn, i), at);
  }
  const nPois = Math.round(p.poisoners * p.sites);
  let sensing = 0;
  const poisonAses = Array.from({ length: Math.max(1, p.poisonerAses) }, (_, i) => asNumber(i));
  for (let i = 0; i < nPois; i++) {
    const role: Role = i % 3 === 0 ? 'blatant' : i % 3 === 1 ? 'camo' : 'onoff';
    const asn = poisonAses[i % poisonAses.length]!;
    const at = T0 - rng.range(0, 14 * D);
    const s = add(role, asn, net(asn, 100 + i), at, role === 'onoff' ? T0 + rng.range(10 * D, 20 * D) : T0);
    s.sensors = role === 'onoff' && p.poisonerSensors && (p.sensorAccounts < 0 || sensing++ < p.sensorAccounts);
  }
  const end = T0 + (p.warmupDays + p.days) * D;
  const burstAt = T0 + rng.range(0, Math.max(1, p.warmupDays + p.days - 5) * D);
  for (let i = 0; i < p.sybils; i++) {
    const asn = 65_001 + (i % Math.max(1, p.sybilAses));
    const at = i % 2 === 0 ? burstAt + rng.range(0, H) : T0 - 7 * D + rng.u() * (end - T0 + 7 * D);
    add('sybil', asn, net(asn, i % Math.max(40, p.sybilAses)), at);
  }
  return sites;
}

/** Draws honest ASes by rank (Zipf). */
export function honestAsDraw(rng: Rng, Alias: new (w: number[]) => { draw(r: Rng): number }): () => number {
  const alias = new Alias(zipfAlias(HONEST_ASES));
  return () => alias.draw(rng);
}
